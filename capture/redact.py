"""Secret redaction: runs on every text (OCR'd screen text, window titles, chat) before
anything is stored.

``redact(text)`` finds secrets and replaces each one, whole, with ``[REDACTED:<kind>]``,
keeping the surrounding text byte for byte. Kinds:

- ``private_key``: PEM private key blocks (also unterminated ones: the BEGIN line and the
  base64 run after it), PuTTY key files, bare OpenSSH key bodies.
- ``jwt``: ``eyJ….eyJ….signature``.
- ``api_key``: provider tokens of well-known formats (AWS, GitHub, GitLab, Slack, Stripe,
  Google, OpenAI, Anthropic, Hugging Face, npm, PyPI, SendGrid, Twilio, Shopify,
  DigitalOcean, Telegram, Discord/Slack webhooks), connection-string keys, Authorization
  headers and bearer tokens, and the value of generic ``api_key = "…"``-style assignments.
- ``iban``: IBANs that pass the ISO 13616 mod-97 check (and the length of their country).
- ``card``: 13-19 digit payment card numbers with an issuer prefix that pass Luhn.
- ``ssn``: US social security numbers (valid area/group/serial) in ``123-45-6789`` form.
- ``password``: values after password/passphrase/PIN labels and ``user:pass@`` in URLs.
- ``otp``: 4-8 digit one-time codes near words such as "verification code", "OTP", "2FA".

Design: each detector reports spans on the original text; overlapping spans are merged
(the most specific kind names the merged span) and replaced once. Every pattern is either
anchored on a literal or uses bounded repetition without nested ambiguity, so the pass is
linear in the size of the text. Existing ``[REDACTED:…]`` markers are masked before
detection so that ``redact`` is idempotent.

Standard library only.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Redacted", "redact", "KINDS"]

KINDS = ("private_key", "jwt", "api_key", "iban", "card", "ssn", "password", "otp")


@dataclass(frozen=True)
class Redacted:
    text: str
    found: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.found)


# Priority when spans overlap: lower wins the name of the merged span.
_P_PRIVATE_KEY = 0
_P_JWT = 1
_P_API_SPECIFIC = 2
_P_IBAN = 3
_P_CARD = 4
_P_SSN = 5
_P_URL_PASSWORD = 6
_P_API_GENERIC = 7
_P_OTP = 8
_P_PASSWORD = 9

_Span = tuple[int, int, int, str]  # start, end, priority, kind

_MARKER = re.compile(r"\[REDACTED:[a-z_]{1,20}\]")
_MASK = "\x00"

_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def _left_ok(text: str, start: int, bad: frozenset[str] = _ALNUM) -> bool:
    return start == 0 or text[start - 1] not in bad


def _mixed(s: str) -> bool:
    """Looks machine-generated: letters with digits, or both letter cases."""
    has_digit = any(c.isdigit() for c in s)
    has_upper = any(c.isupper() for c in s)
    has_lower = any(c.islower() for c in s)
    return (has_digit and (has_upper or has_lower)) or (has_upper and has_lower)


# --------------------------------------------------------------------------- private keys

# OCR splits and joins words at random ("-----BE GIN PRIVATE K EY-----", "PRIVATEKEY"),
# so the marker words may carry stray single spaces.
_OCR_BEGIN = r"B ?E ?G ?I ?N"
_OCR_END = r"E ?N ?D"
_OCR_PRIVATE_KEY = r"P ?R ?I ?V ?A ?T ?E ?K ?E ?Y|PRIVATE K ?E ?Y"
_PEM_BEGIN = re.compile(
    rf"-{{3,5}} ?{_OCR_BEGIN} (?:[A-Z0-9]{{1,20}} ){{0,4}}(?:{_OCR_PRIVATE_KEY})(?: BLOCK)? ?-{{3,5}}")
_PEM_END = re.compile(
    rf"-{{3,5}} ?{_OCR_END} (?:[A-Z0-9]{{1,20}} ){{0,4}}(?:{_OCR_PRIVATE_KEY})(?: BLOCK)? ?-{{3,5}}")
_PEM_HEADER_LINE = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,30}: ?[^\n]{0,200}")
# a base64 line; literal "\n" escapes (a key inside JSON) count as part of the run
_B64_LINE = re.compile(r"(?:[A-Za-z0-9+/=]|\\[nr]){4,8192}")
_PUTTY = re.compile(r"PuTTY-User-Key-File-\d{1,2}: ?[^\n]{0,200}")
_OPENSSH_BODY = re.compile(r"b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/=]{0,8192}")

# a key inside JSON: "-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n"
_ESCAPED_BODY = re.compile(r"(?:[A-Za-z0-9+/=]|\\[nr]|[ \t])*+")
_SPACE_OR_ESCAPED_NEWLINE = re.compile(r"(?:\s|\\[nr])*+")


def _b64ish(line: str) -> bool:
    if not _B64_LINE.fullmatch(line):
        return False
    if len(line) >= 40:
        return True
    return any(c.isdigit() or c in "+/=\\" for c in line)


_MAX_LINE = 4096


def _eol(text: str, pos: int) -> tuple[int, int]:
    """(end of the line at ``pos``, start of the next), a line being cut at ``_MAX_LINE``
    characters so that no search runs far (the cut piece is then read as a line)."""
    le = text.find("\n", pos, pos + _MAX_LINE)
    if le != -1:
        return le, le + 1
    le = min(len(text), pos + _MAX_LINE)
    return le, le


def _key_body_end(text: str, pos: int, mode: str) -> int:
    """End of the key body that starts at ``pos``: base64 lines, and header lines
    ("Proc-Type: …" at the top of a PEM body; anywhere in a PuTTY file, which ends with its
    "Private-MAC:" line). ``mode`` is "pem", "putty" or "bare". Linear in what it consumes."""
    n = len(text)
    end = pos
    line_end, i = _eol(text, pos)
    rest = text[pos:line_end].strip()
    if rest:  # the rest of the BEGIN line
        if not _b64ish(rest):
            return pos
        end = pos + len(text[pos:line_end].rstrip())
    full_len = len(rest) if len(rest) >= 40 else 0
    seen_header = False
    blank_ok = True
    while i < n:
        le, nxt = _eol(text, i)
        raw = text[i:le]
        line = raw.strip()
        if not line:
            if mode == "pem" and seen_header and blank_ok and not full_len:
                blank_ok = False  # the blank line after the headers of an encrypted PEM
                i = nxt
                continue
            break
        headers_ok = mode == "putty" or (mode == "pem" and not full_len)
        if headers_ok and _PEM_HEADER_LINE.fullmatch(line):
            seen_header = True
            end = i + len(raw.rstrip())
            i = nxt
            if mode == "putty" and line.startswith("Private-MAC:"):
                break
            continue
        if not (_B64_LINE.fullmatch(line) if mode == "lenient" else _b64ish(line)):
            break
        end = i + len(raw.rstrip())
        if mode == "lenient":
            i = nxt
            continue
        if mode != "putty":
            if not full_len and len(line) >= 40:
                full_len = len(line)
            elif full_len and len(line) < full_len:
                break  # the short last line of the block
        i = nxt
    return end


def _find_private_keys(text: str, low: str, out: list[_Span]) -> None:
    covered = 0
    for m in _PEM_BEGIN.finditer(text):
        if m.start() < covered:
            continue  # inside the block found just before
        end = _key_body_end(text, m.end(), "pem")
        esc = _ESCAPED_BODY.match(text, m.end()).end()
        body_end = max(end, esc)
        # the END line counts only right after the body: an unterminated block never
        # swallows the text up to some later key's END line
        gap = _SPACE_OR_ESCAPED_NEWLINE.match(text, body_end).end()
        end_m = _PEM_END.match(text, gap)
        if not end_m:  # short lines of plain letters ("AAAA") count when END follows them
            lenient = _key_body_end(text, m.end(), "lenient")
            gap = _SPACE_OR_ESCAPED_NEWLINE.match(text, lenient).end()
            end_m = _PEM_END.match(text, gap)
        if end_m:
            end = end_m.end()
        else:
            end = max(end, _trim_escape(text, m.end(), esc))
        out.append((m.start(), end, _P_PRIVATE_KEY, "private_key"))
        covered = end
    covered = 0
    for m in _PUTTY.finditer(text):
        if m.start() >= covered:
            end = _key_body_end(text, m.end(), "putty")
            out.append((m.start(), max(end, m.end()), _P_PRIVATE_KEY, "private_key"))
            covered = end
    covered = 0
    for m in _OPENSSH_BODY.finditer(text):
        if m.start() >= covered and _left_ok(text, m.start()):
            end = max(_key_body_end(text, m.end(), "bare"), m.end())
            out.append((m.start(), end, _P_PRIVATE_KEY, "private_key"))
            covered = end


def _trim_escape(text: str, start: int, end: int) -> int:
    """``end`` without trailing blanks (an escaped body run that found no END line)."""
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


# --------------------------------------------------------------------------- JWT

# The look-behind keeps "eyJ" inside a long base64url run from starting a new attempt.
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,8192}+\.[A-Za-z0-9_-]{8,16384}+\."
                  r"[A-Za-z0-9_-]{0,8192}")


def _find_jwts(text: str, low: str, out: list[_Span]) -> None:
    for m in _JWT.finditer(text):
        out.append((m.start(), m.end(), _P_JWT, "jwt"))


# --------------------------------------------------------------------------- API keys

# (pattern, group whose span is redacted, validator of that group's text or None)
_Rule = tuple[re.Pattern[str], int, Callable[[str], bool] | None]

_API_RULES: list[_Rule] = [
    # AWS access key ids
    (re.compile(r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}"), 0, None),
    # GitHub
    (re.compile(r"gh[pousr]_[A-Za-z0-9]{36,251}"), 0, None),
    (re.compile(r"github_pat_[A-Za-z0-9_]{22,255}"), 0, None),
    # GitLab
    (re.compile(r"gl(?:pat|ptt|dt|rt|cbt|oas)-[A-Za-z0-9_-]{20,128}"), 0, None),
    # Slack tokens and webhooks
    (re.compile(r"xox[abposre]-[A-Za-z0-9-]{10,250}"), 0, None),
    (re.compile(r"xapp-\d-[A-Za-z0-9-]{10,250}"), 0, None),
    (re.compile(r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/"
                r"[A-Za-z0-9_/-]{8,300}"), 0, None),
    (re.compile(r"https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{5,30}/"
                r"[A-Za-z0-9_-]{20,200}"), 0, None),
    # Stripe
    (re.compile(r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,247}"), 0, None),
    (re.compile(r"whsec_[A-Za-z0-9]{20,100}"), 0, None),
    # Google
    (re.compile(r"AIza[0-9A-Za-z_-]{35}"), 0, None),
    (re.compile(r"GOCSPX-[A-Za-z0-9_-]{20,40}"), 0, None),
    (re.compile(r"ya29\.[0-9A-Za-z_-]{20,2048}"), 0, None),
    # Anthropic, OpenAI
    (re.compile(r"sk-ant-[A-Za-z0-9_-]{20,300}"), 0, None),
    (re.compile(r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,300}"), 0,
     lambda s: _mixed(s[3:])),
    # Hugging Face, npm, PyPI, SendGrid
    (re.compile(r"hf_[A-Za-z0-9]{30,64}"), 0, lambda s: _mixed(s[3:])),
    (re.compile(r"npm_[A-Za-z0-9]{36}"), 0, None),
    (re.compile(r"pypi-AgE[A-Za-z0-9_-]{50,1000}"), 0, None),
    (re.compile(r"SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}"), 0, None),
    (re.compile(r"[?&]sig=([A-Za-z0-9%+/=]{20,512})"), 1, None),
    # Shopify, DigitalOcean
    (re.compile(r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"), 0, None),
    (re.compile(r"do[opr]_v1_[a-f0-9]{64}"), 0, None),
]

# Rules matched on the lower-cased text (case-insensitive labels), spans are the same.
_API_RULES_LOW: list[_Rule] = [
    # AWS secret access key, when labelled
    (re.compile(r"secret_?access_?key[\"']?[ \t]*[:=][ \t]*[\"']?"
                r"([a-z0-9/+=]{40})(?![a-z0-9/+=])"), 1, None),
    # Azure / generic connection strings and SAS signatures
    (re.compile(r"(?:accountkey|sharedaccesskey|sharedaccesssignature)=([^;\s\"'&]{16,1024})"),
     1, None),
    # Authorization headers (value only) and bare bearer tokens
    (re.compile(r"authorization[\"']?[ \t]*[:=][ \t]*[\"']?"
                r"(?:(?:bearer|basic|token|digest|negotiate|ntlm|apikey|sso-key)[ \t]+)?"
                r"([a-z0-9._~+/=:-]{8,8192})"), 1, lambda s: _mixed(s) or len(s) >= 20),
    (re.compile(r"bearer[ \t]+([a-z0-9._~+/-]{16,8192}=*)"), 1, _mixed),
]

# Telegram bot tokens: "123456789:AA" + 33
_TELEGRAM = re.compile(r":AA[A-Za-z0-9_-]{33}")
_TELEGRAM_ID = re.compile(r"\d{8,10}$")

# Twilio ids need a label nearby
_TWILIO = re.compile(r"(?:SK|AC)[0-9a-fA-F]{32}")
_TWILIO_LABEL = re.compile(r"(?i)twilio|sid|account|auth|api|key|secret|token")


def _find_api_keys(text: str, low: str, out: list[_Span]) -> None:
    for rules, haystack in ((_API_RULES, text), (_API_RULES_LOW, low)):
        for pattern, group, valid in rules:
            for m in pattern.finditer(haystack):
                if not _left_ok(text, m.start()):
                    continue
                s, e = m.span(group)
                if valid is not None and not valid(text[s:e]):
                    continue
                out.append((s, e, _P_API_SPECIFIC, "api_key"))
    for m in _TELEGRAM.finditer(text):
        d = _TELEGRAM_ID.search(text, max(0, m.start() - 10), m.start())
        if d and _left_ok(text, d.start()):
            out.append((d.start(), m.end(), _P_API_SPECIFIC, "api_key"))
    for m in _TWILIO.finditer(text):
        if not _left_ok(text, m.start()) or m.end() < len(text) and text[m.end()] in _ALNUM:
            continue
        line_start = text.rfind("\n", max(0, m.start() - 60), m.start()) + 1
        if _TWILIO_LABEL.search(text, max(line_start, m.start() - 60), m.start()):
            out.append((m.start(), m.end(), _P_API_SPECIFIC, "api_key"))


# generic "api_key = value" assignments: the value is redacted, the label kept.
# Matched on the lower-cased text from the last word of the label; the rest of the label
# is checked by looking back.
_GENERIC = re.compile(
    r"(?:key|secret|token)(?:[_-](?:base|value|v\d|prod|live|test|dev))?(?![a-z0-9])"
    r"[\"']?[ \t]*(?::=|=>|=|:)[ \t]*"
    r"(?:\"([^\"\r\n]{8,1024})\"|'([^'\r\n]{8,1024})'|`([^`\r\n]{8,1024})`|"
    r"([^\s\"'`,;<>(){}\[\]]{8,1024}))"
)
_KEY_LABEL = re.compile(r"(?:api|private|secret|access|signing|encryption|master|account|app)"
                        r"[_.-]?$")
_PLACEHOLDER_START = ("$", "%", "<", "{", "os.environ", "process.env", "getenv", "env(", "ENV[")
_CODE_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+|[a-z_]*_[a-z_]*")


def _find_generic_assignments(text: str, low: str, out: list[_Span]) -> None:
    for m in _GENERIC.finditer(low):
        if low.startswith("key", m.start()) and not _KEY_LABEL.search(
                low, max(0, m.start() - 12), m.start()):
            continue  # "key: value" alone is not a secret
        g = next(i for i in (1, 2, 3, 4) if m.group(i) is not None)
        s, e = m.span(g)
        value = text[s:e]
        if value.startswith(_PLACEHOLDER_START) or _MASK in value:
            continue
        if g == 4:  # unquoted
            after = text[e:e + 1]
            if after in ("(", "[") or _CODE_PATH.fullmatch(value):
                continue  # code: a call, an attribute or a variable, not a literal
            if value.isdigit() and len(value) < 12:
                continue
            colon = ":" in text[m.start():s] and "=" not in text[m.start():s]
            if colon and not (_mixed(value) or any(not c.isalnum() for c in value)):
                continue  # "Secret: Confidential"
            if value.isalpha() and value.islower() and colon:
                continue
        out.append((s, e, _P_API_GENERIC, "api_key"))


_FLAG = re.compile(r"--(?:api[-_]?key|token|auth[-_]token|access[-_]token|secret|client[-_]secret)"
                   r"[ \t]+([^\s\"'`,;<>(){}\[\]]{8,1024})")


def _find_flags(text: str, low: str, out: list[_Span]) -> None:
    for m in _FLAG.finditer(text):
        value = m.group(1)
        if value.startswith(_PLACEHOLDER_START) or _MASK in value or value.startswith("-"):
            continue
        out.append((m.start(1), m.end(1), _P_API_GENERIC, "api_key"))


# --------------------------------------------------------------------------- IBAN

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

_IBAN = re.compile(r"[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)")


def iban_valid(iban: str) -> bool:
    """ISO 13616: length (per country where known, 15-34 otherwise) and mod 97 == 1."""
    iban = iban.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    want = _IBAN_LENGTHS.get(iban[:2])
    if want is not None and len(iban) != want:
        return False
    if not iban.isalnum() or not iban.isascii():
        return False
    if iban[2:4] in ("00", "01", "99"):
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def _find_ibans(text: str, low: str, out: list[_Span]) -> None:
    bad = _ALNUM
    for m in _IBAN.finditer(text):
        if not _left_ok(text, m.start(), bad):
            continue
        s = m.start()
        cand = m.group(0)
        # try the whole match, then without trailing groups (a word after the IBAN)
        parts = cand.split(" ")
        for k in range(len(parts), 0, -1):
            piece = " ".join(parts[:k])
            e = s + len(piece)
            if e < len(text) and text[e] in bad:
                continue
            if iban_valid(piece):
                out.append((s, e, _P_IBAN, "iban"))
                break


# --------------------------------------------------------------------------- cards

_DIGIT_RUN = re.compile(r"(?<![\w.,+])(?<![0-9][ -])[0-9]{1,40}(?:[ -][0-9]{1,40}){0,11}")
_NOT_CARD_LABEL = re.compile(
    r"(?i)(?:order|tracking|track|invoice|isbn|sku|ref|reference|awb|shipment|parcel|receipt|"
    r"transaction|txn|ticket|case|booking|confirmation|serial|imei|account|acct|iccid)"
    r"\s{0,2}(?:no\.?|number|nr\.?|id)?\s{0,2}[:#]?\s{0,2}#?\s{0,2}$"
)


_DIGITS = re.compile(r"[0-9]+")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _issuer_ok(d: str) -> bool:
    first = d[0]
    if first == "4":
        return True  # Visa
    if first == "5":
        return True  # Mastercard 51-55, Maestro 50, 56-59
    if first == "6":
        return True  # Discover, UnionPay, Maestro, RuPay
    if first == "3":
        return d[1] in "045678" or d[:2] == "39"  # Diners, Amex, JCB
    if first == "2":
        n = int(d[:4])
        return 2221 <= n <= 2720 or 2200 <= n <= 2204  # Mastercard 2-series, Mir
    return False


def _card_shape_ok(lengths: list[int]) -> bool:
    if len(lengths) == 1:
        return 13 <= lengths[0] <= 19
    if lengths[0] != 4:
        return False
    if lengths in ([4, 6, 5], [4, 6, 4]):
        return True  # Amex, Diners
    if len(lengths) == 4 and lengths[1] == lengths[2] == 4 and 1 <= lengths[3] <= 4:
        return True  # 4-4-4-x: 13-16 digits
    if len(lengths) == 5 and lengths[1:4] == [4, 4, 4] and 1 <= lengths[4] <= 3:
        return True  # 4-4-4-4-x: 17-19 digits
    return False


def _find_cards(text: str, low: str, out: list[_Span]) -> None:
    n = len(text)
    for m in _DIGIT_RUN.finditer(text):
        run = m.group(0)
        if len(run) < 13:
            continue
        groups = [g.span() for g in _DIGITS.finditer(run)]  # offsets in the run
        end = m.end()
        if end < n:
            nxt = text[end]
            if nxt.isalnum() or nxt == "_" or (nxt in ".,/:-" and end + 1 < n
                                               and text[end + 1].isdigit()):
                # the last group belongs to something else: a decimal, a date, an id
                groups.pop()
                if not groups:
                    continue
                run = run[:groups[-1][1]]
        seps = {run[groups[i][1]] for i in range(len(groups) - 1)}
        lengths = [b - a for a, b in groups]
        digit_count = sum(lengths)
        if digit_count < 13:
            continue
        if (len(seps) <= 1 and digit_count > 19 and len(lengths) > 1
                and all(x == 4 for x in lengths[:-1])):
            continue  # one long grouped number (a tracking number)
        if _NOT_CARD_LABEL.search(text, max(0, m.start() - 30), m.start()):
            continue
        i = 0
        while i < len(groups):
            best = None
            for j in range(min(len(groups), i + 5) - 1, i - 1, -1):
                lens = lengths[i:j + 1]
                if sum(lens) < 13 or sum(lens) > 19:
                    continue
                if j > i and len({run[groups[k][1]] for k in range(i, j)}) != 1:
                    continue
                if j < len(groups) - 1 and j > i and run[groups[j][1]] not in " -":
                    continue
                if not _card_shape_ok(lens):
                    continue
                digits = "".join(run[a:b] for a, b in groups[i:j + 1])
                if _issuer_ok(digits) and luhn_valid(digits):
                    best = j
                    break
            if best is None:
                i += 1
                continue
            out.append((m.start() + groups[i][0], m.start() + groups[best][1], _P_CARD, "card"))
            i = best + 1


# --------------------------------------------------------------------------- SSN

_SSN = re.compile(r"(?<![\w-])(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
_NOT_SSN_LABEL = re.compile(
    r"(?i)(?:#|sku|part|model|item|order|ref|invoice|no\.|isbn|tel|phone|fax|ext)"
    r"\s{0,2}[:#]?\s{0,2}$")


def _find_ssns(text: str, low: str, out: list[_Span]) -> None:
    for m in _SSN.finditer(text):
        if _NOT_SSN_LABEL.search(text, max(0, m.start() - 12), m.start()):
            continue
        out.append((m.start(), m.end(), _P_SSN, "ssn"))


# --------------------------------------------------------------------------- passwords

_URL_CREDS = re.compile(r"://([^\s:/?#@\[\]\"'<>]{0,128}):([^\s/?#\"'<>]{1,256})@(?=[\w\[])")
_SCHEME_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}$")

_PW_LABEL = re.compile(  # on the lower-cased text
    r"(?:pass(?:word|wd|phrase|code)|passwort|kennwort|wachtwoord|contraseña|senha|"
    r"mot de passe|(?<![a-z])(?:pwd|pin(?:[ _-]?(?:code|number))?))"
    r"(?![a-z])"
    r"(?:(?P<sep>[\"']?[ \t]*(?::=|=>|=|:)[ \t]*)|(?P<space>[ \t]+(?:(?:is|was)[ \t]+)?))"
    r"(?:\"(?P<dq>[^\"\r\n]{1,256})\"|'(?P<sq>[^'\r\n]{1,256})'|(?P<bare>[^\s]{1,256}))"
)
_UI_WORDS = frozenset("""
required optional hidden none null empty incorrect invalid wrong expired changed reset updated
saved weak medium strong good fair excellent show hide enter confirm forgot change n/a na not set
unset yes no true false ok never must should minimum min max at too sign log login submit next
continue cancel manager protected field fields is was the a an and or to for of with here again
please new old current your my our this that it strength hint policy requirements rules length
characters chars digits letters mismatch match matches don't do does did can cannot can't will
would by from in on as be been has have had settings security reset? help recovery
""".split())
_MASKED = frozenset("•●*·∙⋅◦○_.-x×")
_N_DIGIT = re.compile(r"(?i)\d{1,2}[-+]?(?:digit|digits|char|chars|characters|letters)?")
_TRAILING = ".,;:!?)]}\"'"


def _find_passwords(text: str, low: str, out: list[_Span]) -> None:
    for m in _URL_CREDS.finditer(text):
        if not _SCHEME_BEFORE.search(text, max(0, m.start() - 31), m.start()):
            continue
        if _MASK in m.group(0):
            continue
        out.append((m.start(1), m.end(2), _P_URL_PASSWORD, "password"))

    for m in _PW_LABEL.finditer(low):
        quoted = m.group("dq") is not None or m.group("sq") is not None
        g = "dq" if m.group("dq") is not None else "sq" if m.group("sq") is not None else "bare"
        s, e = m.span(g)
        value = text[s:e]
        if not quoted:
            stripped = value.rstrip(_TRAILING)
            e -= len(value) - len(stripped)
            value = stripped
        if not value or _MASK in value or value.startswith("[REDACTED"):
            continue
        if all(c in _MASKED for c in value):
            continue  # masked field or blank to fill in
        label = m.group(0)[:3]
        if label == "pwd" and value[0] in "/~":
            continue  # $PWD is the working directory
        lowered = value.lower()
        if m.group("sep") is not None or quoted:
            if len(value) < 3 and not quoted:
                continue
            if lowered in _UI_WORDS or value.startswith(("<", "${", "{{", "%(")):
                continue
        else:
            if len(value) < 4 or value[0] in "([{<&|" or lowered in _UI_WORDS:
                continue
            if _N_DIGIT.fullmatch(value):
                continue  # "PIN 4-digit", "password 12 characters"
            symbols = any(not c.isalnum() for c in value)
            digits = any(c.isdigit() for c in value)
            inner_upper = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
            if not (digits or symbols or inner_upper):
                continue  # a plain word: prose, not a password
        out.append((s, e, _P_PASSWORD, "password"))


# --------------------------------------------------------------------------- one-time codes

_OTP_STRONG = re.compile(  # on the lower-cased text
    r"\b(?:verification|verify|verifying|one[\s-]?time|otp|2fa|mfa|totp|"
    r"two[\s-](?:factor|step)|2[\s-]step|passcode|authenticator|"
    r"(?:security|confirmation|login|log[\s-]in|sign[\s-]?in|auth|authentication|"
    r"authorization|access|sms|text)[\s-]code)\b"
)
_OTP_WEAK = re.compile(r"\bcodes?\b")
_WEAK_OK_BEFORE = frozenset(
    "your enter following new sms text email emailed texted 4-digit 5-digit 6-digit 7-digit "
    "8-digit digit".split())
_WEAK_OK_BEFORE_2 = frozenset("your enter use sms text email following".split())
_WEAK_BAD_BEFORE = frozenset(
    "zip post postal area country dial error status exit source tax swift bic sort product item "
    "order promo promotional discount coupon gift voucher referral invite invitation booking "
    "reference ref tracking qr bar bank branch routing color colour html python java station "
    "airport iata icao currency language region postcode morse dress machine".split())
_OTP_CAND = re.compile(
    r"(\x00+)|(?:(?<=\bG-)|(?<![\w.,/$€£¥+#@-])(?<!\d[ ])(?<!\d:))(\d{3}[ -]\d{3}|\d{4,8})"
    r"(?![\w$€£%]|[.,:/-]\d|[ ]\d)"
)
_CAND_BAD_BEFORE = frozenset("""
order invoice inv ref reference no nr number num account acct tracking ticket case id po sku item
room flight port version build zip postcode ext line page step phone tel fax call qty total amount
price year since until in on by from at jan feb mar apr may jun jul aug sep sept oct nov dec
january february march april june july august september october november december
""".split())
_CAND_BAD_AFTER = re.compile(
    r"(?i)[ \t]*(?:usd|eur|gbp|chf|jpy|€|\$|£|%|ms|sec|secs|seconds|min|mins|minutes|hours?|"
    r"days?|mb|gb|kb|px|km|mi|kg|lb|lbs|points|pts|items|users|views|bytes|words|"
    r"characters|chars)\b"
)
_OTP_AFTER = 100
_OTP_BEFORE = 40


def _word_before(text: str, pos: int) -> str:
    """The word just before ``pos``, past spaces, ':', '#' and a '.' (as in "No. 1234")."""
    i = pos
    stop = max(0, pos - 8)
    while i > stop and text[i - 1] in " \t:#.":
        i -= 1
    j = i
    stop = max(0, i - 12)
    while j > stop and text[j - 1].isalpha():
        j -= 1
    return text[j:i].lower()


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?"
_DATE_BEFORE_YEAR = re.compile(
    rf"(?:{_MONTH}[ \t]{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]{{1,3}}{_MONTH}"
    rf"|{_MONTH}),?[ \t]{{1,3}}$")


def _otp_candidate_ok(text: str, m: re.Match[str]) -> bool:
    if m.group(1) is not None:
        return True
    code = m.group(2)
    if len(code) == 4 and code[:2] in ("19", "20") and _DATE_BEFORE_YEAR.search(
            text[max(0, m.start(2) - 24):m.start(2)].lower()):
        return False  # the year of a date: "Nov 23, 2026", "23 November 2026"
    if _word_before(text, m.start(2)) in _CAND_BAD_BEFORE:
        return False
    if _CAND_BAD_AFTER.match(text, m.end(2)):
        return False
    return True


_CODE_RIGHT_AFTER = re.compile(r"[ \t]{1,2}(?:\d{3}[ -]\d{3}|\d{4,8})(?![\w.,:/-])")


def _weak_code_ok(text: str, m: re.Match[str]) -> bool:
    """A bare "code" counts when it is "your code", "enter the code", "code: 1234"…"""
    words = [w.lower().strip(":,.()\"'") for w in text[max(0, m.start() - 32):m.start()].split()]
    prev = words[-1] if words else ""
    if prev in _WEAK_BAD_BEFORE:
        return False
    if prev in _WEAK_OK_BEFORE or (len(words) > 1 and words[-2] in _WEAK_OK_BEFORE_2):
        return True
    after = text[m.end():m.end() + 6].lower()
    if after.startswith((" is ", " is:", ":")):
        return True
    return _CODE_RIGHT_AFTER.match(text, m.end()) is not None  # "WhatsApp code 123-456"


def _alone_on_line(text: str, start: int, end: int) -> bool:
    ls = text.rfind("\n", max(0, start - 80), start) + 1
    le = text.find("\n", end, end + 80)
    if le == -1:
        le = min(len(text), end + 80)
    return not text[ls:start].strip() and not text[end:le].strip().strip(".")


def _find_otps(text: str, low: str, out: list[_Span]) -> None:
    keywords = [m.span() for m in _OTP_STRONG.finditer(low)]
    keywords += [m.span() for m in _OTP_WEAK.finditer(low) if _weak_code_ok(text, m)]
    if not keywords:
        return
    keywords.sort()
    # every plausible code (or earlier redaction) once, in order; each keyword then takes
    # the first one after it, or failing that the nearest one before it
    cands: list[tuple[int, int, bool]] = [
        (c.start(), c.end(), c.group(1) is not None)
        for c in _OTP_CAND.finditer(text) if _otp_candidate_ok(text, c)
    ]
    if not cands:
        return
    starts = [c[0] for c in cands]
    chosen: set[int] = set()
    for ks, ke in keywords:
        # the keyword's line, as far as the windows reach
        line_start = text.rfind("\n", max(0, ks - _OTP_BEFORE), ks) + 1
        line_end = text.find("\n", ke, ke + _OTP_AFTER)
        if line_end == -1:
            line_end = ke + _OTP_AFTER
        after = bisect_left(starts, ke)
        before = bisect_left(starts, ks) - 1
        has_after = after < len(cands) and cands[after][1] <= ke + _OTP_AFTER
        has_before = before >= 0 and cands[before][0] >= ks - _OTP_BEFORE and cands[before][1] <= ks
        # nearest on the keyword's own line, after it first; then after it, across lines
        if has_after and cands[after][1] <= line_end:
            pick = after
        elif has_before and cands[before][0] >= line_start:
            pick = before
        elif has_after and _alone_on_line(text, cands[after][0], cands[after][1]):
            pick = after  # "Your code is:\n\n482913"
        else:
            continue
        if cands[pick][2] or pick in chosen:
            continue
        chosen.add(pick)
        out.append((cands[pick][0], cands[pick][1], _P_OTP, "otp"))


# --------------------------------------------------------------------------- the pass

_DETECTORS: tuple[Callable[[str, str, list[_Span]], None], ...] = (
    _find_private_keys,
    _find_jwts,
    _find_api_keys,
    _find_generic_assignments,
    _find_flags,
    _find_ibans,
    _find_cards,
    _find_ssns,
    _find_passwords,
    _find_otps,
)


def _mask_markers(text: str) -> tuple[str, list[tuple[int, int]]]:
    markers = [m.span() for m in _MARKER.finditer(text)]
    if not markers:
        return text, markers
    parts = []
    last = 0
    for s, e in markers:
        parts.append(text[last:s])
        parts.append(_MASK * (e - s))
        last = e
    parts.append(text[last:])
    return "".join(parts), markers


def redact(text: str) -> Redacted:
    """Replace every secret in ``text`` with ``[REDACTED:<kind>]``."""
    if not text:
        return Redacted(text, {})
    work, markers = _mask_markers(text)
    low = work.lower()
    if len(low) != len(work):  # a few characters (like "İ") grow when lower-cased
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in work)
    spans: list[_Span] = []
    for detect in _DETECTORS:
        detect(work, low, spans)
    if markers:
        spans = [sp for sp in spans if _MASK not in work[sp[0]:sp[1]]]
    spans = [sp for sp in spans if sp[1] > sp[0]]
    if not spans:
        return Redacted(text, {})
    spans.sort()
    merged: list[list] = []
    for s, e, prio, kind in spans:
        if merged and s < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], e)
            if prio < last[2]:
                last[2], last[3] = prio, kind
        else:
            merged.append([s, e, prio, kind])
    pieces = []
    pos = 0
    counts: Counter[str] = Counter()
    for s, e, _prio, kind in merged:
        pieces.append(text[pos:s])
        pieces.append(f"[REDACTED:{kind}]")
        counts[kind] += 1
        pos = e
    pieces.append(text[pos:])
    return Redacted("".join(pieces), dict(counts))
