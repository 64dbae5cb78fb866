"""The redaction pass: secrets leave, look-alikes stay byte for byte.

Every secret here is generated in this file (valid Luhn numbers, IBANs with computed check
digits, well-formed but random provider tokens, PEM blocks of random base64, JWTs built
from base64url parts). None of them is a real credential.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass

import pytest

from capture.redact import Redacted, iban_valid, luhn_valid, redact

RNG = random.Random(20261123)

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
B64URL = ALNUM + "-_"
HEX = "0123456789abcdef"


def rand(alphabet: str, n: int) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def mixed(alphabet: str, n: int) -> str:
    """Random, but surely with a digit, an upper and a lower case letter (like real keys)."""
    while True:
        s = rand(alphabet, n)
        if any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(
                c.islower() for c in s):
            return s


# --------------------------------------------------------------------------- generators

def luhn_check_digit(body: str) -> str:
    for d in DIGITS:
        if luhn_valid(body + d):
            return d
    raise AssertionError


def card(prefix: str, length: int) -> str:
    body = prefix + rand(DIGITS, length - len(prefix) - 1)
    return body + luhn_check_digit(body)


def not_luhn(number: str) -> str:
    last = int(number[-1])
    return number[:-1] + str((last + 1) % 10)


def group(number: str, sizes: list[int], sep: str = " ") -> str:
    out, i = [], 0
    for n in sizes:
        out.append(number[i:i + n])
        i += n
    assert i == len(number)
    return sep.join(out)


def iban(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    value = int("".join(str(int(c, 36)) for c in rearranged))
    check = 98 - value % 97
    return f"{country}{check:02d}{bban}"


def spaced4(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def b64(nbytes: int) -> str:
    return base64.b64encode(RNG.randbytes(nbytes)).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def pem(label: str, nbytes: int = 600) -> tuple[str, list[str]]:
    body = b64(nbytes)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    block = f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"
    return block, lines


def jwt() -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": rand(DIGITS, 10), "name": "Ada Example",
                                 "iat": 1763900000, "exp": 1763986400}).encode())
    signature = b64url(RNG.randbytes(32))
    return f"{header}.{payload}.{signature}"


def ssn() -> str:
    while True:
        area = RNG.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}-{RNG.randint(1, 99):02d}-{RNG.randint(1, 9999):04d}"


def password(n: int = 12) -> str:
    middle = rand(ALNUM + "!#%&*+-@^_~", n - 2)
    return rand(UPPER, 1) + middle + rand(DIGITS, 1)


def otp(n: int = 6) -> str:
    return rand("123456789", 1) + rand(DIGITS, n - 1)


# --------------------------------------------------------------------------- secrets


@dataclass(frozen=True)
class Secret:
    id: str
    text: str
    secrets: tuple[str, ...]
    kind: str
    exact: bool = True  # the output is the input with each secret replaced by its marker

    def expected(self) -> str:
        out = self.text
        for s in self.secrets:
            out = out.replace(s, f"[REDACTED:{self.kind}]")
        return out


SECRETS: list[Secret] = []


def add(id: str, text: str, secrets: str | tuple[str, ...] | list[str], kind: str,
        exact: bool = True) -> None:
    if isinstance(secrets, str):
        secrets = (secrets,)
    for s in secrets:
        assert s in text, id
    SECRETS.append(Secret(id, text, tuple(secrets), kind, exact))


# ----- cards
visa = card("4", 16)
add("card-visa-spaced-checkout",
    "Checkout · Payment\nName on card  Ada Example\nCard number  "
    f"{group(visa, [4, 4, 4, 4])}\nExpiry 12/29   CVC •••\n[ Pay $1,299.99 ]",
    group(visa, [4, 4, 4, 4]), "card")
visa2 = card("4", 16)
add("card-visa-dashes-email",
    f"Hi Sam, please charge {group(visa2, [4, 4, 4, 4], '-')} for the deposit. Thanks, Ada",
    group(visa2, [4, 4, 4, 4], "-"), "card")
visa3 = card("4", 16)
add("card-visa-contiguous-log",
    f"2026-11-23 14:05:12 INFO payment attempt card={visa3} amount=45.00 status=declined",
    visa3, "card")
mc = card("5" + RNG.choice("12345"), 16)
add("card-mastercard-spaced", f"Mastercard  {group(mc, [4, 4, 4, 4])}  exp 08/28",
    group(mc, [4, 4, 4, 4]), "card")
mc2 = card("2" + RNG.choice("3456") + rand(DIGITS, 2), 16)
add("card-mastercard-2series", f"Saved cards:\n  •  {mc2}  (default)", mc2, "card")
amex = card("37", 15)
add("card-amex-grouped", f"American Express {group(amex, [4, 6, 5])} Member since 2015",
    group(amex, [4, 6, 5]), "card")
amex2 = card("34", 15)
add("card-amex-contiguous", f"me: the amex is {amex2} ok?", amex2, "card")
disc = card("6011", 16)
add("card-discover-dashes", f"Discover: {group(disc, [4, 4, 4, 4], '-')}",
    group(disc, [4, 4, 4, 4], "-"), "card")
jcb = card("35" + RNG.choice("2345678") + RNG.choice("89"), 16)
add("card-jcb-spaced", f"JCB card {group(jcb, [4, 4, 4, 4])} added to wallet",
    group(jcb, [4, 4, 4, 4]), "card")
diners = card("36", 14)
add("card-diners-4-6-4", f"Diners Club {group(diners, [4, 6, 4])}", group(diners, [4, 6, 4]),
    "card")
visa19 = card("4", 19)
add("card-visa-19-digits", f"Card: {group(visa19, [4, 4, 4, 4, 3])} valid thru 01/30",
    group(visa19, [4, 4, 4, 4, 3]), "card")
visa_chat = card("4", 16)
add("card-in-chat-sentence-end", f"My card number is {visa_chat}.", visa_chat, "card")
visa13 = card("4", 13)
add("card-visa-13-digits", f"old card {visa13} expired", visa13, "card")
unionpay = card("62", 19)
add("card-unionpay-19", f"UnionPay\t{unionpay}\tCNY", unionpay, "card")

# ----- IBANs
ib_de = iban("DE", rand(DIGITS, 18))
add("iban-de-spaced-banking",
    f"Transfer details\nBeneficiary  Ada Example\nIBAN  {spaced4(ib_de)}\nBIC  DEUTDEFFXXX\n"
    "Amount  € 45,00", spaced4(ib_de), "iban")
ib_gb = iban("GB", "WEST" + rand(DIGITS, 14))
add("iban-gb-compact", f"Please pay into {ib_gb} by Friday.", ib_gb, "iban")
ib_fr = iban("FR", rand(DIGITS, 10) + rand(UPPER + DIGITS, 11) + rand(DIGITS, 2))
add("iban-fr-spaced", f"IBAN : {spaced4(ib_fr)}", spaced4(ib_fr), "iban")
ib_nl = iban("NL", "ABNA" + rand(DIGITS, 10))
add("iban-nl-with-currency-after", f"Rekening {spaced4(ib_nl)} EUR", spaced4(ib_nl), "iban")
ib_es = iban("ES", rand(DIGITS, 20))
add("iban-es-compact", f"Cuenta: {ib_es}", ib_es, "iban")
ib_it = iban("IT", rand(UPPER, 1) + rand(DIGITS, 10) + rand(DIGITS, 12))
add("iban-it-spaced", f"Coordinate bancarie\n{spaced4(ib_it)}\nIntestatario: Ada",
    spaced4(ib_it), "iban")
ib_ch = iban("CH", rand(DIGITS, 17))
add("iban-ch", f"Konto {spaced4(ib_ch)}", spaced4(ib_ch), "iban")
ib_be = iban("BE", rand(DIGITS, 12))
add("iban-be-16-followed-by-word", f"Rekeningnummer {spaced4(ib_be)} KBC BANK",
    spaced4(ib_be), "iban")
ib_no = iban("NO", rand(DIGITS, 11))
add("iban-no-15", f"Kontonummer (IBAN): {spaced4(ib_no)}", spaced4(ib_no), "iban")
ib_pl = iban("PL", rand(DIGITS, 24))
add("iban-pl-compact-in-email", f"Dane do przelewu:\n{ib_pl}\nTytuł: faktura 11/2026", ib_pl,
    "iban")

# ----- provider API keys
akid = "AKIA" + rand(UPPER + DIGITS, 16)
add("aws-akid-env", f"# .env\nAWS_ACCESS_KEY_ID={akid}\nAWS_REGION=eu-west-1", akid, "api_key")
asia = "ASIA" + rand(UPPER + DIGITS, 16)
add("aws-asia-terminal", f"$ aws sts get-session-token\n    \"AccessKeyId\": \"{asia}\",", asia,
    "api_key")
aws_secret = mixed(ALNUM + "/+", 40)
add("aws-secret-labelled",
    f"[default]\naws_access_key_id = {'AKIA' + rand(UPPER + DIGITS, 16)}\n"
    f"aws_secret_access_key = {aws_secret}\n", aws_secret, "api_key", exact=False)
ghp = "ghp_" + mixed(ALNUM, 36)
add("github-ghp-export", f"$ export GITHUB_TOKEN={ghp}\n$ gh auth status", ghp, "api_key")
gho = "gho_" + mixed(ALNUM, 36)
add("github-gho-json", f'{{"access_token": "{gho}", "scope": "repo"}}', gho, "api_key")
ghs = "ghs_" + mixed(ALNUM, 36)
add("github-ghs-in-url-creds", f"git remote -v\norigin  https://x-access-token:{ghs}@github.com/acme/app.git",
    ghs, "api_key", exact=False)
ghpat = "github_pat_" + mixed(ALNUM, 22) + "_" + mixed(ALNUM, 59)
add("github-fine-grained-pat", f"Token created: {ghpat}\nMake sure to copy it now.", ghpat,
    "api_key")
glpat = "glpat-" + mixed(ALNUM + "-_", 20)
add("gitlab-pat", f"GITLAB_TOKEN: {glpat}", glpat, "api_key")
xoxb = f"xoxb-{rand(DIGITS, 12)}-{rand(DIGITS, 13)}-{mixed(ALNUM, 24)}"
add("slack-bot-token", f"SLACK_BOT_TOKEN={xoxb}", xoxb, "api_key")
hook = f"https://hooks.slack.com/services/T{rand(UPPER + DIGITS, 8)}/B{rand(UPPER + DIGITS, 8)}/{mixed(ALNUM, 24)}"
add("slack-webhook", f"curl -X POST -d '{{\"text\":\"deploy done\"}}' {hook}", hook, "api_key")
sk_live = "sk_live_" + mixed(ALNUM, 24)
add("stripe-secret-live", f"STRIPE_SECRET_KEY={sk_live}", sk_live, "api_key")
rk_live = "rk_live_" + mixed(ALNUM, 24)
add("stripe-restricted", f"Restricted key  {rk_live}  Reveal", rk_live, "api_key")
sk_test = "sk_test_" + mixed(ALNUM, 24)
add("stripe-test", f"stripe.api_key = '{sk_test}'", sk_test, "api_key")
pk_live = "pk_live_" + mixed(ALNUM, 24)
add("stripe-publishable", f"<script>Stripe('{pk_live}')</script>", pk_live, "api_key")
aiza = "AIza" + mixed(ALNUM + "-_", 35)
add("google-api-key", f"https://maps.googleapis.com/maps/api/js?key={aiza}&callback=init", aiza,
    "api_key")
openai_proj = "sk-proj-" + mixed(ALNUM + "-_", 120)
add("openai-project-key", f"OPENAI_API_KEY={openai_proj}", openai_proj, "api_key")
openai_legacy = "sk-" + mixed(ALNUM, 48)
add("openai-legacy-key", f">>> client = OpenAI(api_key=\"{openai_legacy}\")", openai_legacy,
    "api_key")
anthropic = "sk-ant-api03-" + mixed(ALNUM + "-_", 93) + "AA"
add("anthropic-key", f"x-api-key: {anthropic}\nanthropic-version: 2023-06-01", anthropic,
    "api_key")
hf = "hf_" + mixed(ALNUM, 34)
add("huggingface-token", f"$ huggingface-cli login --token {hf}", hf, "api_key")
npm = "npm_" + mixed(ALNUM, 36)
add("npm-token", f"//registry.npmjs.org/:_authToken={npm}", npm, "api_key")
pypi = "pypi-AgEIcHlwaS5vcmc" + mixed(ALNUM + "-_", 140)
add("pypi-token", f"[pypi]\n  username = __token__\n  password = {pypi}", pypi, "api_key")
sendgrid = f"SG.{mixed(ALNUM + '-_', 22)}.{mixed(ALNUM + '-_', 43)}"
add("sendgrid-key", f"SENDGRID_API_KEY='{sendgrid}'", sendgrid, "api_key")
twilio_sk = "SK" + rand(HEX, 32)
add("twilio-api-key-sid", f"Twilio API Key SID: {twilio_sk}", twilio_sk, "api_key")
twilio_ac = "AC" + rand(HEX, 32)
add("twilio-account-sid", f"TWILIO_ACCOUNT_SID={twilio_ac}", twilio_ac, "api_key")
account_key = b64(64)
add("azure-storage-connection-string",
    "DefaultEndpointsProtocol=https;AccountName=acmestore;"
    f"AccountKey={account_key};EndpointSuffix=core.windows.net", account_key, "api_key")
sas_key = b64(32)
add("azure-servicebus-shared-access-key",
    "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
    f"SharedAccessKey={sas_key}", sas_key, "api_key")
bearer = mixed(ALNUM + "-._~", 40)
add("authorization-bearer-opaque", f"curl -H \"Authorization: Bearer {bearer}\" https://api.example.com/v1/me",
    bearer, "api_key")
basic = base64.b64encode(b"ada:" + rand(ALNUM, 14).encode()).decode()
add("authorization-basic", f"GET /admin HTTP/1.1\nHost: intranet\nAuthorization: Basic {basic}\n",
    basic, "api_key")
generic = mixed(ALNUM, 32)
add("generic-api-key-python", f'API_KEY = "{generic}"\nclient = Client(API_KEY)', generic,
    "api_key")
client_secret = mixed(ALNUM + "-_", 40)
add("generic-client-secret-json", f'{{\n  "client_id": "1234.apps",\n  "client_secret": "{client_secret}"\n}}',
    client_secret, "api_key")
django = "django-insecure-" + mixed(ALNUM + "!@#%^&*-_", 50)
add("generic-secret-key-env", f"DEBUG=False\nSECRET_KEY={django}\nALLOWED_HOSTS=*", django,
    "api_key")
access_token = mixed(ALNUM, 28)
add("generic-access-token-yaml", f"auth:\n  access_token: {access_token}\n  expires_in: 3600",
    access_token, "api_key")
private_key_value = mixed(ALNUM, 44)
add("generic-private-key-assignment", f"WALLET_PRIVATE_KEY=\"{private_key_value}\"",
    private_key_value, "api_key")
telegram = f"{rand(DIGITS, 10)}:AA{mixed(ALNUM + '-_', 33)}"
add("telegram-bot-token", f"BOT_TOKEN={telegram}", telegram, "api_key")
flag_token = mixed(ALNUM, 30)
add("cli-token-flag", f"$ deployctl push --token {flag_token} --env prod", flag_token, "api_key")

# ----- private keys
rsa_block, rsa_lines = pem("RSA PRIVATE KEY", 900)
add("pem-rsa-terminal", f"$ cat ~/.ssh/id_rsa\n{rsa_block}\n$ ", (rsa_block, *rsa_lines),
    "private_key", exact=False)
pk8_block, pk8_lines = pem("PRIVATE KEY", 1200)
add("pem-pkcs8-editor", f"server.key — Visual Studio Code\n{pk8_block}\nLn 28, Col 1",
    (pk8_block, *pk8_lines), "private_key", exact=False)
ssh_block, ssh_lines = pem("OPENSSH PRIVATE KEY", 400)
add("pem-openssh", f"{ssh_block}\n", (ssh_block, *ssh_lines), "private_key", exact=False)
ec_block, ec_lines = pem("EC PRIVATE KEY", 120)
add("pem-ec-in-email", f"Here's the key you asked for:\n\n{ec_block}\n\nCheers", (ec_block, *ec_lines),
    "private_key", exact=False)
trunc_lines = [b64(48) for _ in range(6)] + [b64(20)]
trunc = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(trunc_lines)
add("pem-unterminated", f"{trunc}\n$ clear", tuple(trunc_lines), "private_key", exact=False)
putty_pub = [b64(48), b64(20)]
putty_priv = [b64(48)]
putty = ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ada@laptop\n"
         f"Public-Lines: 2\n{putty_pub[0]}\n{putty_pub[1]}\nPrivate-Lines: 1\n{putty_priv[0]}\n"
         f"Private-MAC: {rand(HEX, 64)}")
add("putty-key-file", f"id_ed25519.ppk - Notepad\n{putty}\n", (putty, *putty_priv), "private_key")
sa_body = b64(300)
sa = (f'  "private_key": "-----BEGIN PRIVATE KEY-----\\n{sa_body[:64]}\\n{sa_body[64:128]}\\n'
      f'{sa_body[128:]}\\n-----END PRIVATE KEY-----\\n",\n  "client_email": "svc@acme.iam.gserviceaccount.com"')
add("service-account-json-escaped-newlines", sa, (sa_body[:64], sa_body[64:128], sa_body[128:]),
    "private_key", exact=False)

# ----- JWTs
tok1 = jwt()
add("jwt-devtools-storage", f"Local Storage  https://app.example.com\nid_token  {tok1}", tok1,
    "jwt")
tok2 = jwt()
add("jwt-cookie", f"Set-Cookie: session={tok2}; Path=/; HttpOnly; Secure", tok2, "jwt")
tok3 = jwt()
add("jwt-bearer-header", f"Authorization: Bearer {tok3}", tok3, "jwt")

# ----- passwords
pw1 = password()
add("password-login-form-colon", f"Sign in to Acme\nEmail  ada@example.com\nPassword: {pw1}\n[ Sign in ]",
    pw1, "password")
pw2 = password()
add("password-ocr-no-colon", f"Username ada\nPassword {pw2}\nRemember me", pw2, "password")
pw3 = password()
add("password-passwd-assignment", f"passwd = {pw3}", pw3, "password")
pw4 = password()
add("password-db-env", f"DB_HOST=localhost\nDB_PASSWORD={pw4}\nDB_PORT=5432", pw4, "password")
pin = rand("123456789", 1) + rand(DIGITS, 3)
add("password-pin-banking", f"Card settings\nPIN {pin}\nDaily limit € 500,00", pin, "password")
phrase = "correct-horse-battery-staple"
add("password-passphrase", f"Passphrase: {phrase}", phrase, "password")
pw5 = password()
add("password-in-postgres-url", f"DATABASE_URL=postgres://app:{pw5}@db.internal:5432/app",
    f"app:{pw5}", "password")
pw6 = password()
add("password-in-https-url", f"https://ada:{pw6}@files.example.com/share", f"ada:{pw6}",
    "password")
spaced_pw = "blue Monday 7 rain"
add("password-json-quoted-with-spaces", f'{{"user": "ada", "password": "{spaced_pw}"}}', spaced_pw,
    "password")
pw7 = password()
add("password-pwd-label", f"wifi  SSID: acme-guest  pwd: {pw7}", pw7, "password")
pw8 = password()
add("password-chat-is", f"the new wifi password is {pw8} btw", pw8, "password")

# ----- one-time codes
c1 = otp(6)
add("otp-verification-code-is", f"Your verification code is {c1}. It expires in 10 minutes.", c1,
    "otp")
c2 = otp(4)
add("otp-colon", f"OTP: {c2}", c2, "otp")
c3 = otp(6)
add("otp-google-g-prefix", f"G-{c3} is your Google verification code.", c3, "otp")
c4 = otp(8)
add("otp-one-time-passcode", f"Your one-time passcode: {c4}\nDo not share it with anyone.", c4,
    "otp")
c5 = f"{otp(3)} {rand(DIGITS, 3)}"
add("otp-2fa-grouped", f"2FA code {c5}", c5, "otp")
c6 = otp(6)
add("otp-code-before-keyword", f"Use {c6} as Microsoft account security code", c6, "otp")
c7 = otp(4)
add("otp-security-code-email", f"Subject: Your security code\n\nSecurity code: {c7}\n\nIf this wasn't you, ignore it.",
    c7, "otp")
c8 = otp(6)
add("otp-enter-this-code", f"Enter the code {c8} to sign in", c8, "otp")

# ----- SSN
s1 = ssn()
add("ssn-labelled-form", f"Social Security Number  {s1}\nDate of birth  1990-04-12", s1, "ssn")


# --------------------------------------------------------------------------- look-alikes

bad_card = not_luhn(card("4", 16))
bad_card2 = not_luhn(card("5", 16))
bad_iban = iban("DE", rand(DIGITS, 18))
bad_iban = bad_iban[:2] + f"{(int(bad_iban[2:4]) + 1) % 97 + 2:02d}" + bad_iban[4:]
bad_iban2 = iban("GB", "NWBK" + rand(DIGITS, 14))
bad_iban2 = bad_iban2[:-1] + str((int(bad_iban2[-1]) + 3) % 10)
assert not luhn_valid(bad_card) and not luhn_valid(bad_card2)
assert not iban_valid(bad_iban) and not iban_valid(bad_iban2)

LOOKALIKES: list[tuple[str, str]] = [
    ("amazon-order", "Order #123-4567890-1234567 · Placed on November 23, 2026"),
    ("ups-tracking", "Tracking number: 1Z999AA10123456784"),
    ("usps-tracking", "USPS Tracking® 9400 1000 0000 0000 0000 00 — In transit"),
    ("fedex-tracking", "FedEx tracking 7489 1234 5678 delivered"),
    ("date-iso", "Meeting moved to 2026-11-23, room 4B"),
    ("date-time-eu", "Last login 23/11/2026 14:05 from Berlin"),
    ("date-us-long", "Statement date: Nov 23, 2026 at 2:05 PM"),
    ("phone-us", "Call us at +1 (415) 555-0132, Mon–Fri"),
    ("phone-uk", "Tel: +44 20 7946 0958"),
    ("phone-freephone", "Support 0800 123 4567 (free from landlines)"),
    ("price-usd", "MacBook Pro 14″ — $1,299.99"),
    ("price-eur", "Summe € 45,00 inkl. MwSt."),
    ("price-eu-thousands", "Total: 1.234,56 EUR"),
    ("isbn-hyphen", "ISBN 978-0-306-40615-7"),
    ("isbn-contiguous", "ISBN-13: 9780306406157"),
    ("versions", "Python 3.11.4 · Chrome 131.0.6778.86 · v2.14.1"),
    ("git-sha", "commit 3f2a9c0d1e2b3a4c5d6e7f8091a2b3c4d5e6f708\nAuthor: Ada <ada@example.com>"),
    ("uuid", "request_id=550e8400-e29b-41d4-a716-446655440000"),
    ("ipv4-port", "Listening on 192.168.1.10:8080"),
    ("ipv6", "inet6 fe80::1c2b:3aff:fe4d:5e6f/64 scope link"),
    ("16-digits-fail-luhn", f"Reference {bad_card} attached"),
    ("16-digits-grouped-fail-luhn", f"Number: {group(bad_card2, [4, 4, 4, 4])}"),
    ("iban-bad-check-digits", f"IBAN {spaced4(bad_iban)}"),
    ("iban-bad-compact", f"Account {bad_iban2}"),
    ("forgot-password", "Forgot your password?"),
    ("change-password", "Settings › Security › Change password"),
    ("password-field-required", "Error: the password field is required"),
    ("password-rules", "Password must be at least 8 characters"),
    ("password-strength", "Password strength: strong"),
    ("password-masked-bullets", "Password: ••••••••"),
    ("password-masked-stars", "Password ********"),
    ("password-changed", "Your password has been changed."),
    ("show-password", "[x] Show password"),
    ("enter-pin", "Enter your PIN"),
    ("token-prose", "Please accept this as a token of appreciation."),
    ("bearer-prose", "Payable to the bearer of this letter."),
    ("data-uri-base64", 'src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="'),
    ("sri-hash", 'integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"'),
    ("invoice-number", "Invoice INV-2026-00451 due 30 days"),
    ("postcodes", "London SW1A 1AA · Zip code: 94107 · Postcode: 10115"),
    ("sku", "SKU: WH-1000XM5-B · Part no. 100-20-3000"),
    ("math", "pi ≈ 3.14159, e ≈ 2.71828, sqrt(2) = 1.41421356"),
    ("ports", "postgres is listening on port 5432; redis on localhost:6379"),
    ("promo-code", "Use promo code SAVE20 at checkout"),
    ("error-code", "Error code: 5001 — try again later"),
    ("llm-token-counter", "Tokens used: 12,345 / 128,000"),
    ("token-count-code", "token_count = 40960000"),
    ("java-token-call", "String token = getToken(request);"),
    ("python-env-api-key", 'api_key = os.environ["OPENAI_API_KEY"]'),
    ("key-prose", "The key: keep it simple"),
    ("epoch-ms", "ts=1732371234567 level=info"),
    ("sort-code", "Sort code 20-00-00, account 12345678"),
    ("coordinates", "37.7749, -122.4194"),
    ("css-colors", "color: #1a2b3c; background: #ffffff;"),
    ("verify-by-date", "Please verify your email by Nov 23, 2026."),
    ("env-pwd", "PWD=/home/ada/projects\nOLDPWD=/home/ada"),
    ("etc-passwd", "$ cat /etc/passwd | grep ada"),
    ("two-factor-since-year", "Two-factor authentication enabled since 2019"),
    ("card-last-four", "Visa ending in 4242"),
    ("code-review-prose", "Please review the code in PR 4521 before Friday"),
    ("trace-id", "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7"),
    ("sklearn", "pip install scikit-learn  # sklearn pipeline for task-force-2026"),
    ("timestamps-table", "14:05:33  14:06:01  14:07:45  1234  5678"),
    ("order-label-luhn-like", "Order number: 4532015112830366"),
]


# --------------------------------------------------------------------------- tests


def test_the_corpus_is_large_enough():
    assert len(SECRETS) >= 50
    assert len(LOOKALIKES) >= 50
    assert len({s.id for s in SECRETS}) == len(SECRETS)
    assert len({i for i, _ in LOOKALIKES}) == len(LOOKALIKES)
    kinds = {s.kind for s in SECRETS}
    assert {"card", "iban", "api_key", "private_key", "jwt", "password", "otp"} <= kinds


def test_generated_numbers_are_what_they_claim():
    for s in SECRETS:
        if s.kind == "card":
            assert luhn_valid(s.secrets[0].replace(" ", "").replace("-", ""))
        if s.kind == "iban":
            assert iban_valid(s.secrets[0])


@pytest.mark.parametrize("sample", SECRETS, ids=[s.id for s in SECRETS])
def test_secret_is_removed(sample: Secret):
    result = redact(sample.text)
    for secret in sample.secrets:
        assert secret not in result.text, f"{sample.id}: {secret!r} leaked in {result.text!r}"
    assert sample.kind in result.found, result.found
    assert result.changed
    if sample.exact:
        assert result.text == sample.expected()
        assert result.found == {sample.kind: sample.expected().count(f"[REDACTED:{sample.kind}]")}


@pytest.mark.parametrize("text", [t for _, t in LOOKALIKES], ids=[i for i, _ in LOOKALIKES])
def test_lookalike_survives(text: str):
    result = redact(text)
    assert result.text == text
    assert result.found == {}
    assert not result.changed


@pytest.mark.parametrize("sample", SECRETS, ids=[s.id for s in SECRETS])
def test_redaction_is_idempotent(sample: Secret):
    once = redact(sample.text)
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.found == {}


def test_a_whole_screen_with_everything_on_it():
    screen = "\n".join([s.text for s in SECRETS] + [t for _, t in LOOKALIKES])
    result = redact(screen)
    for s in SECRETS:
        for secret in s.secrets:
            assert secret not in result.text, s.id
    for _, text in LOOKALIKES:
        assert text in result.text
    assert redact(result.text).text == result.text


def test_one_megabyte_of_mixed_text():
    block = "\n".join([s.text for s in SECRETS[::3]] + [t for _, t in LOOKALIKES]) + "\n"
    reps = 1_000_000 // len(block) + 1
    text = block * reps
    assert len(text) >= 1_000_000
    result = redact(text)
    assert isinstance(result, Redacted)
    for s in SECRETS[::3]:
        for secret in s.secrets:
            assert secret not in result.text
    per_block = redact(block)
    for kind, n in per_block.found.items():
        assert result.found[kind] == n * reps
    assert result.text == per_block.text * reps


def test_pathological_inputs_finish():
    for text in ["eyJ" * 50_000, "-----BEGIN PRIVATE KEY-----\n" * 5_000, "4111 " * 40_000,
                 'token="' + "a" * 200_000, "verification code 1234 " * 10_000,
                 "a" * 300_000, "sk-" * 50_000, "1" * 200_000]:
        result = redact(text)
        assert isinstance(result.text, str)


def test_surrounding_text_is_kept():
    c = otp(6)
    result = redact(f"Hello Ada,\n\nYour verification code is {c}.\n\n— Acme")
    assert result.text == "Hello Ada,\n\nYour verification code is [REDACTED:otp].\n\n— Acme"
    assert result.found == {"otp": 1}


def test_empty_and_plain_text():
    assert redact("") == Redacted("", {})
    plain = "Just a normal sentence about lunch at 12:30."
    assert redact(plain).text == plain and not redact(plain).changed


def test_counts_per_kind():
    a, b = card("4", 16), card("4", 16)
    result = redact(f"cards {a} and {b}; code OTP: {otp(6)}")
    assert result.found == {"card": 2, "otp": 1}


@pytest.mark.parametrize("mangled", [
    "-----BE GIN PRIVATE K EY-----\nMllEvQIBADANBgkghkiG9wOBAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----EN D PRIVATE KEY-----",
    "-----BEGIN PRIVATEKEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE K EY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----",
])
def test_pem_blocks_mangled_by_ocr_are_still_removed(mangled):
    out = redact(f"screen text\n{mangled}\nmore text")
    assert out.found == {"private_key": 1}
    assert "AAoIBAQC7" not in out.text and "ffAt0gun" not in out.text


def test_frames_merged_into_one_screen_observation_are_redacted(make_familiar):
    """Consecutive frames of one window extend one observation: the appended lines
    (and the window title) go through the redactor like a new observation does."""
    from datetime import timedelta

    from memory.models import NewObservation
    from memory.timeutil import now_utc

    fam = make_familiar()
    t = now_utc()
    number, token = card("4", 16), "ghp_" + mixed(ALNUM, 36)
    pw = password()

    def frame(text, seconds, window="Checkout — Firefox"):
        return NewObservation("screen", text, app="firefox", window=window,
                              at=t + timedelta(seconds=seconds))

    first, merged = fam.record_screen(frame("Checkout\nYour basket", 0))
    assert not merged
    same, merged = fam.record_screen(frame(f"Checkout\nYour basket\nCard number {number}", 2))
    assert (same, merged) == (first, True)
    same, merged = fam.record_screen(frame(f"Checkout\n$ export GITHUB_TOKEN={token}", 4))
    assert (same, merged) == (first, True)
    titled, _ = fam.record_screen(frame("Sign in", 6, window=f"Password: {pw} — Firefox"))
    stored = fam.ledger.observation(first).text
    assert number not in stored and token not in stored
    assert stored.count("[REDACTED:card]") == 1 and stored.count("[REDACTED:api_key]") == 1
    assert pw not in (fam.ledger.observation(titled).window or "")
    dump = "\n".join(fam.ledger.db.iterdump())
    assert number not in dump and token not in dump and pw not in dump
