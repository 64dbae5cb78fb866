"""What is never captured: excluded apps and windows whose titles mark them private.

The policy decides from the active window alone, before any pixel is read:
an app on the list (password managers, keyring and passphrase prompts, screen
lockers, plus the user's own), or a title matching a pattern (private/incognito
browser windows, password prompts, password-manager vaults, plus the user's own).

Titles that merely *mention* passwords ("My passwords policy draft.docx",
"Reset your password - GitHub") are captured: they are ordinary documents and
pages, and the secrets that may appear in them are the redactor's job.
"""
from __future__ import annotations

import fnmatch
import functools
import logging
import re
from dataclasses import dataclass, field

from capture.window import ActiveWindow

log = logging.getLogger(__name__)

# Case-insensitive; exact names or globs. Names are compared both as given and
# "squashed" (without spaces, dots, dashes, underscores, a trailing .exe/.app), so
# "Proton Pass" matches WM_CLASS "proton-pass" and "KeePassXC.exe".
PASSWORD_MANAGER_APPS = [
    "*1password*", "*bitwarden*", "*keepass*",          # KeePass, KeePass2, KeePassXC, KeePassX
    "*lastpass*", "*dashlane*", "enpass*", "keeper", "keeper password manager",
    "keeperpasswordmanager", "*roboform*", "*nordpass*", "*protonpass*",
    "Keychain Access", "Passwords",                     # macOS
    "*seahorse*",                                       # GNOME "Passwords and Keys"
    "pass", "qtpass", "gnome-keyring*", "*kwallet*", "secrets", "*gnome.world.secrets*",
    "gnome-passwordsafe", "keeweb", "buttercup", "pwsafe", "password safe", "psono*", "authy*",
]
SECRET_PROMPT_APPS = [
    "pinentry*", "*ssh-askpass*", "ksshaskpass", "gcr-prompter", "*polkit*", "*policykit*",
    "CredentialUIBroker", "consent",                    # Windows credential and UAC prompts
    "SecurityAgent", "coreautha",                       # macOS authorization prompts
]
SCREEN_LOCKER_APPS = [
    "i3lock*", "xsecurelock", "xscreensaver*", "light-locker", "slock", "xlock", "xtrlock",
    "gnome-screensaver", "kscreenlocker*", "swaylock", "hyprlock",
    "LockApp",                                          # Windows lock screen
    "loginwindow", "ScreenSaverEngine",                 # macOS lock screen
]
DEFAULT_EXCLUDED_APPS = PASSWORD_MANAGER_APPS + SECRET_PROMPT_APPS + SCREEN_LOCKER_APPS

# Regexes, case-insensitive, searched anywhere in the title.
PRIVATE_BROWSING_TITLES = [
    r"\bPrivate Browsing\b",     # Firefox "… — Mozilla Firefox Private Browsing", older
                                 # "… - Mozilla Firefox (Private Browsing)", macOS "… — Private Browsing";
                                 # Opera "Private browsing"; Safari's private start page
    r"\bIncognito\b",            # Chrome/Chromium "New Incognito tab - Google Chrome (Incognito)"
    r"\bInPrivate\b",            # Edge "New InPrivate tab - [InPrivate] - Microsoft\u200b Edge"
    r"\(Private\b[^)]*\)",       # Brave "New Private Tab - Brave (Private)", "(Private with Tor)"
    r"\bPrivate Window\b",       # Safari / Vivaldi / Brave "Private Window"
    r"\bNew Private Tab\b",
    r"\bTor Browser\b",          # "… — Tor Browser"
]
SECRET_PROMPT_TITLES = [
    r"\bUnlock (?:Login |Default )?Keyring\b",
    r"\bAuthentication Required\b",               # polkit, browser HTTP auth
    r"\bsudo\b.*\bpassword\b",                    # "[sudo] password for alice"
    r"\benter (?:your |the )?(?:password|passphrase|PIN)\b",
    r"\bpassphrase\b",                            # pinentry, "Enter passphrase for key"
    r"\b(?:Password|Passphrase) Required\b",      # Firefox primary password, Wi-Fi
    r"\b(?:master|primary) password\b",
    r"^Windows Security$",                        # Windows credential prompt
    r"\bKWallet\b",
]
PASSWORD_MANAGER_TITLES = [
    r"\.kdbx\b",                                  # "Passwords.kdbx - KeePassXC"
    r"\bKeePass(?:XC|X|2)?\b", r"\b1Password\b", r"\bBitwarden\b", r"\bLastPass\b",
    r"\bDashlane\b", r"\bNordPass\b", r"\bProton Pass\b", r"\bEnpass\b", r"\bRoboForm\b",
    r"\bKeeper (?:Security|Vault|Password Manager)\b", r"\bKeychain Access\b",
]
DEFAULT_EXCLUDED_TITLES = PRIVATE_BROWSING_TITLES + SECRET_PROMPT_TITLES + PASSWORD_MANAGER_TITLES

_TITLE_REASONS = {
    **{p: "private browsing window" for p in PRIVATE_BROWSING_TITLES},
    **{p: "password or keyring prompt" for p in SECRET_PROMPT_TITLES},
    **{p: "password manager window" for p in PASSWORD_MANAGER_TITLES},
}


def _squash(name: str) -> str:
    name = name.strip().casefold()
    for suffix in (".exe", ".app"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return re.sub(r"[\s._\-]+", "", name)


def app_matches(app: str, pattern: str) -> bool:
    """Case-insensitive exact name or glob, also with separators squashed away."""
    return (fnmatch.fnmatchcase(app.casefold(), pattern.strip().casefold())
            or fnmatch.fnmatchcase(_squash(app), _squash(pattern)))


@functools.lru_cache(maxsize=512)
def compile_title_pattern(pattern: str) -> re.Pattern[str]:
    """The pattern as a case-insensitive regex; an invalid regex is taken as a
    literal substring (with a warning, once)."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        log.warning("excluded title pattern %r is not a valid regular expression (%s); "
                    "matching it as plain text instead", pattern, exc)
        return re.compile(re.escape(pattern), re.IGNORECASE)


@dataclass
class CapturePolicy:
    excluded_apps: list[str] = field(default_factory=list)
    excluded_titles: list[str] = field(default_factory=list)

    def excluded(self, w: ActiveWindow) -> str | None:
        """Why this window must not be captured, or None if it may be."""
        if w.app:
            for pattern in self.excluded_apps:
                if pattern and pattern.strip() and app_matches(w.app, pattern):
                    return f"excluded app {w.app}"
        if w.title:
            for pattern in self.excluded_titles:
                if pattern and compile_title_pattern(pattern).search(w.title):
                    return _TITLE_REASONS.get(pattern, f"title matches excluded pattern {pattern!r}")
        return None


def default_policy(extra_apps: list[str] | None = None,
                   extra_titles: list[str] | None = None) -> CapturePolicy:
    """The built-in exclusions, plus the user's own."""
    return CapturePolicy(excluded_apps=DEFAULT_EXCLUDED_APPS + list(extra_apps or []),
                         excluded_titles=DEFAULT_EXCLUDED_TITLES + list(extra_titles or []))
