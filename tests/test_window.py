"""The active window and user activity: real X11 windows under Xvfb, plus the
backend choice and the platform-independent pieces of the other backends."""
from __future__ import annotations

import logging
import os
import shutil
import sys
import types

import pytest

from capture import window as window_mod
from capture.activity import LinuxLockProbe, NullActivity, WaylandActivity, X11Activity, activity
from capture.window import (UNKNOWN, ActiveWindow, NullWindowInfo, WaylandWindowInfo, X11WindowInfo,
                            app_name_from_exe, window_info)
from tests.xvfb import open_window, xvfb, xvfb_display, xvfb_fixture  # noqa: F401 (fixtures)

wm_display = xvfb_fixture(window_manager="evilwm -fn fixed")
needs_evilwm = pytest.mark.skipif(shutil.which("evilwm") is None,
                                  reason="evilwm is not installed (Debian: apt-get install evilwm)")
NOWHERE = {"DISPLAY": ":4999"}   # no server there


# ------------------------------------------------------------ X11, no window manager

def test_active_window_follows_focus(xvfb_display):
    info = window_info({"DISPLAY": xvfb_display})
    assert isinstance(info, X11WindowInfo)
    with open_window(xvfb_display, "Inbox — Mozilla Thunderbird", "Meeting at 10:30",
                     app_class="Thunderbird", position=(40, 60)) as mail, \
         open_window(xvfb_display, "main.py - Visual Studio Code", "def main():",
                     app_class="Code", position=(700, 400)) as code:
        mail.focus()
        now = info.active()
        assert (now.app, now.title, now.pid) == ("Thunderbird", "Inbox — Mozilla Thunderbird", mail.pid)
        assert now.pid != os.getpid()
        assert now.bounds == mail.bounds()
        x, y, w, h = now.bounds
        assert (x, y) == (40, 60) and w > 100 and h > 30
        assert now.fullscreen is False

        code.focus()
        now = info.active()
        assert (now.app, now.title, now.pid) == ("Code", "main.py - Visual Studio Code", code.pid)
        assert now.bounds[:2] == (700, 400)

        assert {"Thunderbird", "Code"} <= set(info.running_apps())
    assert "Thunderbird" not in info.running_apps()


def test_fullscreen_window(xvfb_display):
    info = window_info({"DISPLAY": xvfb_display})
    with open_window(xvfb_display, "Film", "Credits", app_class="mpv", fullscreen=True) as film:
        film.focus()
        now = info.active()
        assert now.app == "mpv" and now.fullscreen and now.bounds == (0, 0, 1920, 1080)


def test_focus_on_a_subwindow_walks_up_to_the_client(xvfb_display):
    """Toolkits focus an inner window; a non-EWMH reparenting WM may focus the frame."""
    from Xlib import X, Xatom, display as xdisplay

    d = xdisplay.Display(xvfb_display)
    try:
        root = d.screen().root
        frame = root.create_window(300, 200, 400, 300, 0, X.CopyFromParent)      # no properties
        client = frame.create_window(0, 20, 400, 280, 0, X.CopyFromParent)
        inner = client.create_window(10, 10, 100, 100, 0, X.CopyFromParent)
        client.change_property(Xatom.WM_NAME, Xatom.STRING, 8, b"Notes")
        client.change_property(Xatom.WM_CLASS, Xatom.STRING, 8, b"notes\0Notes\0")
        for w in (inner, client, frame):
            w.map()
        info = window_info({"DISPLAY": xvfb_display})
        for focused in (inner, frame):
            d.set_input_focus(focused, X.RevertToPointerRoot, X.CurrentTime)
            d.sync()
            now = info.active()
            assert (now.app, now.title, now.pid) == ("Notes", "Notes", None)
            assert now.bounds == (300, 220, 400, 280)
        assert "Notes" in info.running_apps()
        frame.destroy()
        d.sync()
    finally:
        d.close()


def test_unreachable_display_is_unknown():
    info = window_info(NOWHERE)
    assert info.active() == UNKNOWN
    assert info.running_apps() == []
    assert activity(NOWHERE).idle_seconds() is None
    assert activity(NOWHERE).screen_locked() is False


def test_server_going_away_is_unknown_not_an_error():
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian/Ubuntu: apt-get install xvfb)")
    with xvfb() as display:
        info, act = window_info({"DISPLAY": display}), activity({"DISPLAY": display})
        with open_window(display, "Doomed", "text") as win:
            win.focus()
            assert info.active().title == "Doomed"
            assert act.idle_seconds() is not None
    assert info.active() == UNKNOWN            # the server is gone
    assert info.running_apps() == []
    assert act.idle_seconds() is None


# --------------------------------------------------------------- X11 with a WM

@needs_evilwm
def test_ewmh_active_window_with_a_window_manager(wm_display):
    info = window_info({"DISPLAY": wm_display})
    with open_window(wm_display, "Inbox — Mail", "Hello", app_class="Thunderbird") as mail, \
         open_window(wm_display, "Terminal", "$ ls", app_class="XTerm", position=(900, 500)) as term:
        for win in (mail, term, mail):
            win.focus()
            now = info.active()
            assert (now.app, now.title, now.pid) == (win.app_class, win.title, win.pid)
            assert now.bounds == win.bounds()      # reparented: still root coordinates
        assert {"Thunderbird", "XTerm"} <= set(info.running_apps())


@needs_evilwm
def test_xwayland_sees_only_what_the_window_manager_reports(xvfb_display, wm_display):
    # No WM → no _NET_ACTIVE_WINDOW → under Wayland the X input focus is not trusted.
    with open_window(xvfb_display, "X app", "x", app_class="XApp") as win:
        win.focus()
        info = window_info({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": xvfb_display})
        assert isinstance(info, WaylandWindowInfo) and info.active() == UNKNOWN
        assert "XApp" in info.running_apps()
    with open_window(wm_display, "X app", "x", app_class="XApp") as win:
        win.focus()
        info = window_info({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": wm_display})
        assert info.active().app == "XApp"


# ------------------------------------------------------------------ X11 activity

def test_idle_and_lock_under_xvfb(xvfb_display):
    act = activity({"DISPLAY": xvfb_display})
    assert isinstance(act, X11Activity)
    idle = act.idle_seconds()
    assert isinstance(idle, float) and idle >= 0
    assert act.screen_locked() is False


def test_locker_window_means_locked(xvfb_display):
    act = X11Activity(xvfb_display, {}, ttl=0)
    assert act.screen_locked() is False
    with open_window(xvfb_display, "", "", app_class="i3lock", fullscreen=True):
        assert act.screen_locked() is True
    assert act.screen_locked() is False


def test_xscreensaver_lock_status_means_locked(xvfb_display):
    from Xlib import Xatom, display as xdisplay

    act = X11Activity(xvfb_display, {}, ttl=0)
    d = xdisplay.Display(xvfb_display)
    try:
        root, status = d.screen().root, d.intern_atom("_SCREENSAVER_STATUS")
        root.change_property(status, Xatom.INTEGER, 32, [d.intern_atom("LOCK"), 0, 0])
        d.sync()
        assert act.screen_locked() is True
        root.delete_property(status)
        d.sync()
        assert act.screen_locked() is False
    finally:
        d.close()


# --------------------------------------------------------------- lock probe (fakes)

class FakeRunner:
    def __init__(self, answers: dict[str, str | None]):
        self.answers, self.calls = answers, []

    def __call__(self, cmd, timeout):
        self.calls.append(cmd)
        return next((out for key, out in self.answers.items() if key in " ".join(cmd)), None)


def probe(runner, env=None, processes=frozenset(), **kw):
    env = {"XDG_SESSION_ID": "3", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"} if env is None else env
    return LinuxLockProbe(env, runner=runner, processes=lambda: set(processes), **kw)


def test_lock_probe_signals():
    assert probe(FakeRunner({"LockedHint": "yes\n"}))() is True
    assert probe(FakeRunner({"LockedHint": "no\n", "org.gnome.ScreenSaver.GetActive": "(true,)\n"}))() is True
    assert probe(FakeRunner({"LockedHint": "no\n", "GetActive": "(false,)\n"}))() is False
    assert probe(FakeRunner({}), processes={"bash", "i3lock"})() is True
    assert probe(FakeRunner({}), processes={"xscreensaver", "light-locker"})() is False   # daemons


def test_lock_probe_is_cached_and_skips_missing_tools():
    runner = FakeRunner({})                       # every tool missing or failing
    p = probe(runner, ttl=60)
    assert p() is False and p() is False
    first = len(runner.calls)
    assert first >= 1
    p._cached = None                              # cache expired, but the tools are still "broken"
    assert p() is False and len(runner.calls) == first


def test_lock_probe_without_session_bus_does_not_start_one():
    runner = FakeRunner({})
    assert probe(runner, env={})() is False
    assert runner.calls == []


def test_wayland_idle_from_mutter():
    runner = FakeRunner({"IdleMonitor": "(uint64 1234,)\n"})
    act = WaylandActivity({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}, runner=runner)
    assert act.idle_seconds() == pytest.approx(1.234)
    assert WaylandActivity({"XDG_CURRENT_DESKTOP": "KDE"}, runner=runner).idle_seconds() is None
    broken = WaylandActivity({"XDG_CURRENT_DESKTOP": "GNOME"}, runner=FakeRunner({}))
    assert broken.idle_seconds() is None


# ------------------------------------------------------------- backend selection

def test_no_display_is_null(caplog):
    with caplog.at_level(logging.INFO, logger="capture.window"):
        info = window_info({}, platform="linux")
    assert isinstance(info, NullWindowInfo)
    assert info.active() == UNKNOWN and info.running_apps() == []
    assert "null backend" in caplog.text and "no DISPLAY" in caplog.text
    assert isinstance(activity({}, platform="linux"), NullActivity)


def test_wayland_only_is_unknown():
    info = window_info({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME"}, platform="linux")
    assert isinstance(info, WaylandWindowInfo) and info.x11 is None
    assert info.active() == UNKNOWN and info.running_apps() == []
    assert isinstance(activity({"XDG_SESSION_TYPE": "wayland"}, platform="linux"), WaylandActivity)


def test_x11_selected_lazily():
    info = window_info({"DISPLAY": ":4999"}, platform="linux")   # does not connect yet
    assert isinstance(info, X11WindowInfo) and info.conn.name == ":4999"


def test_windows_selection(monkeypatch):
    # Here (not Windows) user32 cannot load: unknown app, no crash. The backend itself,
    # over a fake user32/kernel32: tests/test_capture_win32.py.
    if sys.platform != "win32":
        assert isinstance(window_info({}, platform="win32"), NullWindowInfo)
        assert isinstance(activity({}, platform="win32"), NullActivity)

    class FakeWindows(NullWindowInfo):
        name = "windows"

    monkeypatch.setattr(window_mod, "WindowsWindowInfo", FakeWindows)
    assert isinstance(window_info({"DISPLAY": ":0"}, platform="win32"), FakeWindows)


def test_macos_selection_without_pyobjc(monkeypatch):
    monkeypatch.setitem(sys.modules, "Quartz", None)             # import Quartz → ImportError
    info = window_info({}, platform="darwin")
    assert isinstance(info, NullWindowInfo) and "pyobjc" in info.reason
    assert isinstance(activity({}, platform="darwin"), NullActivity)


def fake_quartz(windows, locked=False, idle=12.5):
    rect = types.SimpleNamespace(origin=types.SimpleNamespace(x=0, y=0),
                                 size=types.SimpleNamespace(width=1440, height=900))
    return types.SimpleNamespace(
        kCGWindowListOptionOnScreenOnly=1, kCGWindowListExcludeDesktopElements=16, kCGNullWindowID=0,
        CGWindowListCopyWindowInfo=lambda options, wid: windows,
        CGGetActiveDisplayList=lambda n, a, b: (0, [1], 1),
        CGDisplayBounds=lambda did: rect,
        kCGEventSourceStateCombinedSessionState=0, kCGAnyInputEventType=0xFFFFFFFF,
        CGEventSourceSecondsSinceLastEventType=lambda state, kind: idle,
        CGSessionCopyCurrentDictionary=lambda: {"CGSSessionScreenIsLocked": 1} if locked else {},
    )


def test_macos_backend_with_fake_pyobjc(monkeypatch):
    windows = [
        {"kCGWindowLayer": 25, "kCGWindowOwnerName": "Control Center", "kCGWindowOwnerPID": 9},
        {"kCGWindowLayer": 0, "kCGWindowOwnerName": "Safari", "kCGWindowOwnerPID": 42,
         "kCGWindowName": "Apple — Private Browsing",
         "kCGWindowBounds": {"X": 0, "Y": 0, "Width": 1440, "Height": 900}},
        {"kCGWindowLayer": 0, "kCGWindowOwnerName": "Notes", "kCGWindowOwnerPID": 7,
         "kCGWindowBounds": {"X": 10, "Y": 30, "Width": 800, "Height": 600}},
    ]
    front = types.SimpleNamespace(localizedName=lambda: "Notes", processIdentifier=lambda: 7)
    workspace = types.SimpleNamespace(frontmostApplication=lambda: front)
    appkit = types.SimpleNamespace(NSWorkspace=types.SimpleNamespace(sharedWorkspace=lambda: workspace))
    monkeypatch.setitem(sys.modules, "Quartz", fake_quartz(windows, locked=True))
    monkeypatch.setitem(sys.modules, "AppKit", appkit)

    info = window_info({}, platform="darwin")
    assert info.name == "macos"
    # Notes is frontmost; its window has no kCGWindowName (no Screen Recording permission).
    assert info.active() == ActiveWindow(app="Notes", title=None, pid=7, bounds=(10, 30, 800, 600))
    assert info.running_apps() == ["Notes", "Safari"]

    front.localizedName, front.processIdentifier = (lambda: "Safari"), (lambda: 42)
    now = info.active()
    assert (now.title, now.fullscreen) == ("Apple — Private Browsing", True)

    act = activity({}, platform="darwin")
    assert act.idle_seconds() == 12.5 and act.screen_locked() is True


# ------------------------------------------------------------------ pure helpers

@pytest.mark.parametrize("path, app", [
    (r"C:\Program Files\KeePassXC\KeePassXC.exe", "KeePassXC"),
    (r"C:\Program Files\Mozilla Firefox\firefox.EXE", "firefox"),
    (r"\\?\C:\Windows\SystemApps\Microsoft.LockApp_cw5n1h2txyewy\LockApp.exe", "LockApp"),
    ("C:/Users/me/AppData/Local/Programs/Microsoft VS Code/Code.exe", "Code"),
    ("/usr/bin/python3", "python3"),
    ("", None),
    (None, None),
])
def test_app_name_from_exe(path, app):
    assert app_name_from_exe(path) == app



def test_a_clients_host_is_compared_by_name_without_a_lookup(monkeypatch):
    """WM_CLIENT_MACHINE decides whether a window's pid is ours; deciding must not ask
    DNS (a capture may not wait on it, nor send anything off the machine)."""
    import socket

    from capture.window import _is_this_host

    def no_lookup(*a, **k):
        raise AssertionError("a name lookup")

    for name in ("getfqdn", "gethostbyname", "gethostbyaddr", "getaddrinfo"):
        monkeypatch.setattr(socket, name, no_lookup)
    monkeypatch.setattr(socket, "gethostname", lambda: "laptop")
    assert _is_this_host("laptop") and _is_this_host("LAPTOP.home.example")
    assert _is_this_host("localhost")
    assert not _is_this_host("build-server") and not _is_this_host("laptop2.home.example")
