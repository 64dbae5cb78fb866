"""`familiar capture --once` on a real X server (Xvfb) with real windows, real mss
frames and real RapidOCR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xvfb import open_window, skip_unless_xvfb, xvfb

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def display():
    skip_unless_xvfb()
    with xvfb() as d:
        yield d


def familiar(home: Path, display: str, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FAMILIAR_HOME": str(home), "DISPLAY": display,
           "FAMILIAR_LLM__BACKEND": "none"}
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "assistant.cli", *argv], env=env,
                          capture_output=True, text=True, timeout=300)


def capture(home, display) -> dict:
    r = familiar(home, display, "capture", "--once", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def all_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (home / "data").rglob("*") if p.is_file())


def test_known_text_on_screen_becomes_an_observation(display, tmp_path):
    home = tmp_path / "home"
    with open_window(display, "Trip planning - Notes", "Flight to Lisbon on Friday\n"
                     "Book a vegetarian restaurant", font_size=32, app_class="Notes") as win:
        win.focus()
        out = capture(home, display)
    assert out["captured"], out
    assert out["window"] == "Trip planning - Notes" and out["app"] == "Notes"
    text = out["text"].lower()
    assert "lisbon" in text and "vegetarian" in text and "restaurant" in text
    r = familiar(home, display, "status", "--json")
    assert json.loads(r.stdout)["observations"] == 1


def test_secrets_on_screen_never_reach_the_disk(display, tmp_path):
    home = tmp_path / "home"
    secrets = ["4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE", "-----BEGIN PRIVATE KEY-----"]
    with open_window(display, "billing.env - Editor",
                     f"card: {secrets[0]}\naws_access_key_id = {secrets[1]}\n{secrets[2]}\n"
                     "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
                     "-----END PRIVATE KEY-----", font_size=30, app_class="Editor") as win:
        win.focus()
        out = capture(home, display)
    assert out["captured"], out
    # each OCR'd secret was recognised and removed, not merely misread
    assert {"card", "api_key", "private_key"} <= set(out["redactions"]), out
    familiar(home, display, "process")
    data = all_bytes(home)
    for secret in secrets + ["4111111111111111", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"]:
        assert secret.encode() not in data, secret


def test_excluded_windows_are_not_captured(display, tmp_path):
    home = tmp_path / "home"
    with open_window(display, "Private Browsing - Mozilla Firefox", "my secret search history",
                     font_size=30, app_class="firefox") as win:
        win.focus()
        out = capture(home, display)
    assert not out["captured"] and out["reason"] == "excluded"
    with open_window(display, "Passwords.kdbx - KeePassXC", "bank login hunter2",
                     font_size=30, app_class="KeePassXC") as win:
        win.focus()
        out = capture(home, display)
    assert not out["captured"] and out["reason"] == "excluded"
    assert b"secret search" not in all_bytes(home) and b"hunter2" not in all_bytes(home)


def test_pause_and_resume(display, tmp_path):
    home = tmp_path / "home"
    r = familiar(home, display, "capture", "pause", "--for", "30m")
    assert r.returncode == 0 and "paused until" in r.stdout
    with open_window(display, "Doc", "Some words here", font_size=30) as win:
        win.focus()
        assert capture(home, display)["reason"] == "paused"
        assert familiar(home, display, "capture", "resume").returncode == 0
        assert capture(home, display)["captured"]
    assert familiar(home, display, "capture", "pause", "--for", "soon").returncode == 2
