"""What is never captured: excluded apps and private/secret windows."""
from __future__ import annotations

import logging

import pytest

from capture.privacy import CapturePolicy, default_policy
from capture.window import UNKNOWN, ActiveWindow


def win(app=None, title=None):
    return ActiveWindow(app=app, title=title)


@pytest.mark.parametrize("app", [
    "KeePassXC", "keepassxc", "KeePassXC.exe", "KeePass", "KeePass2", "org.keepassxc.KeePassXC",
    "1Password", "1password", "Bitwarden", "bitwarden", "Proton Pass", "proton-pass",
    "Keychain Access", "Passwords", "Seahorse", "org.gnome.seahorse.Application",
    "pinentry-gtk-2", "gcr-prompter", "polkit-gnome-authentication-agent-1", "i3lock", "LockApp",
])
def test_default_excluded_apps(app):
    reason = default_policy().excluded(win(app=app, title="anything"))
    assert reason == f"excluded app {app}"


@pytest.mark.parametrize("title", [
    "Mozilla Firefox Private Browsing",                          # a new private window
    "Inbox (3) - Gmail — Mozilla Firefox Private Browsing",      # Firefox ≥ 119
    "Inbox (3) - Gmail - Mozilla Firefox (Private Browsing)",    # older Firefox
    "New Incognito tab - Google Chrome (Incognito)",
    "GitHub - Chromium (Incognito)",
    "New InPrivate tab - [InPrivate] - Microsoft\u200b Edge",
    "Bing - InPrivate - Microsoft Edge",
    "New Private Tab - Brave (Private)",
    "DuckDuckGo - Brave (Private with Tor)",
    "Private Browsing",                                          # Safari's private start page
    "Apple — Private Window",
    "Explore. Privacy. Online. — Tor Browser",
])
def test_private_browsing_titles(title):
    assert default_policy().excluded(win(app="firefox", title=title)) == "private browsing window"


@pytest.mark.parametrize("title, reason", [
    ("Unlock Keyring", "password or keyring prompt"),
    ("Unlock Login Keyring", "password or keyring prompt"),
    ("Authentication Required", "password or keyring prompt"),
    ("[sudo] password for alice", "password or keyring prompt"),
    ("Enter passphrase for key '/home/alice/.ssh/id_ed25519'", "password or keyring prompt"),
    ("Password Required - Mozilla Firefox", "password or keyring prompt"),
    ("Windows Security", "password or keyring prompt"),
    ("Passwords.kdbx [Locked] - KeePassXC", "password manager window"),
    ("Vaults | Bitwarden Web Vault — Mozilla Firefox", "password manager window"),
])
def test_secret_titles(title, reason):
    assert default_policy().excluded(win(app="whatever", title=title)) == reason


@pytest.mark.parametrize("w", [
    win("firefox", "Inbox - Mozilla Firefox"),
    win("Code", "main.py - Visual Studio Code"),
    win("Google-chrome", "Private equity - Wikipedia - Google Chrome"),
    win("libreoffice-writer", "Privacy notice.odt - LibreOffice Writer"),
    # Documents and pages that merely talk about passwords are ordinary content;
    # any secret *in* them is the redactor's job, so they are captured.
    win("WINWORD", "My passwords policy draft.docx - Word"),
    win("firefox", "Reset your password · GitHub — Mozilla Firefox"),
    win("gnome-terminal-server", "alice@host: ~/src"),
    win("Passwordless", "Passwordless login demo"),   # "Passwords" is an exact app name, not a glob
    UNKNOWN,
])
def test_ordinary_windows_are_captured(w):
    assert default_policy().excluded(w) is None


def test_user_patterns():
    policy = default_policy(extra_apps=["Slack", "*signal*"], extra_titles=[r"^Payroll\b", "HR portal"])
    assert policy.excluded(win("slack", "general")) == "excluded app slack"
    assert policy.excluded(win("org.signal.Signal", "Note to self")) == "excluded app org.signal.Signal"
    assert policy.excluded(win("firefox", "payroll 2025 - Sheets")) == "title matches excluded pattern '^Payroll\\\\b'"
    assert policy.excluded(win("firefox", "My HR Portal - Mozilla Firefox")) is not None
    assert policy.excluded(win("firefox", "Annual payroll - Sheets")) is None


def test_policy_can_be_emptied():
    assert CapturePolicy().excluded(win("KeePassXC", "Passwords.kdbx - KeePassXC")) is None


def test_bad_regex_is_a_literal_and_does_not_crash(caplog):
    policy = CapturePolicy(excluded_apps=["[unclosed"], excluded_titles=["(secret", "C++ [draft", ""])
    with caplog.at_level(logging.WARNING, logger="capture.privacy"):
        assert policy.excluded(win("app", "My (secret plans")) == "title matches excluded pattern '(secret'"
        assert policy.excluded(win("app", "notes on C++ [draft] v2")) is not None
        assert policy.excluded(win("app", "secret plans")) is None
        assert policy.excluded(win("[unclosed", "x")) is not None
    assert "not a valid regular expression" in caplog.text
