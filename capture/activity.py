"""Is the user here, and is the screen locked?

`activity()` picks a backend like `window_info()` does. Every answer is cheap
and never raises: unknown idle time is None, an unknown lock state is False.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from capture.window import XConnection, _is_wayland

log = logging.getLogger(__name__)


class Activity(Protocol):
    def idle_seconds(self) -> float | None:
        """Seconds since the last user input; None if unknown."""

    def screen_locked(self) -> bool:
        """True while the session is locked; False if unknown."""


class NullActivity:
    name = "null"

    def idle_seconds(self) -> float | None:
        return None

    def screen_locked(self) -> bool:
        return False


# -------------------------------------------------------------- Linux lock probe

# Processes that exist only while the screen is locked (daemons like xscreensaver
# or light-locker run all the time and are asked over D-Bus / X instead).
LOCKER_PROCESSES = frozenset({
    "i3lock", "i3lock-color", "xsecurelock", "slock", "xlock", "xtrlock", "alock", "sxlock",
    "physlock", "swaylock", "hyprlock", "gtklock", "waylock", "betterlockscreen",
})
# WM_CLASS instance/class names of locker windows.
LOCKER_WINDOWS = frozenset({"i3lock", "xsecurelock", "slock", "xlock", "xtrlock", "alock",
                            "light-locker", "xscreensaver-lock"})

Runner = Callable[[list[str], float], "str | None"]


def run_quietly(cmd: list[str], timeout: float, env: Mapping | None = None) -> str | None:
    """stdout of `cmd`, or None when it is missing, fails or takes too long."""
    if shutil.which(cmd[0]) is None:
        return None
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=dict(env) if env is not None else None)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def own_processes(proc: Path = Path("/proc")) -> set[str]:
    """Names (comm) of this user's processes; empty where /proc is missing."""
    names: set[str] = set()
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(proc.iterdir())
    except OSError:
        return names
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            if uid is not None and entry.stat().st_uid != uid:
                continue
            names.add((entry / "comm").read_text().strip())
        except OSError:
            continue
    return names


class LinuxLockProbe:
    """Locked if any cheap signal says so, cached for `ttl` seconds:
    a locker process of ours; a locker window (`x_locked`); logind's LockedHint;
    org.freedesktop.ScreenSaver / org.gnome.ScreenSaver GetActive on the session bus.
    A command that is missing or fails is not asked again for `retry_after` seconds."""

    def __init__(self, env: Mapping, x_locked: Callable[[], bool] | None = None,
                 ttl: float = 5.0, timeout: float = 1.0, retry_after: float = 300.0,
                 runner: Runner | None = None, processes: Callable[[], set[str]] = own_processes) -> None:
        self.env = env
        self.x_locked = x_locked
        self.ttl, self.timeout, self.retry_after = ttl, timeout, retry_after
        self.runner = runner or (lambda cmd, t: run_quietly(cmd, t, env))
        self.processes = processes
        self._cached: tuple[float, bool] | None = None
        self._broken: dict[str, float] = {}

    def __call__(self) -> bool:
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < self.ttl:
            return self._cached[1]
        try:
            locked = self._probe()
        except Exception as exc:   # a probe must never take the capture loop down
            log.debug("lock probe failed: %r", exc)
            locked = False
        self._cached = (time.monotonic(), locked)
        return locked

    def _ask(self, key: str, cmd: list[str]) -> str | None:
        if time.monotonic() - self._broken.get(key, -1e9) < self.retry_after:
            return None
        out = self.runner(cmd, self.timeout)
        if out is None:
            self._broken[key] = time.monotonic()
        return out

    def _has_session_bus(self) -> bool:
        # Without an address gdbus/dbus-send would try to autolaunch a bus.
        if self.env.get("DBUS_SESSION_BUS_ADDRESS"):
            return True
        runtime = self.env.get("XDG_RUNTIME_DIR")
        return bool(runtime) and Path(runtime, "bus").exists()

    def _probe(self) -> bool:
        if LOCKER_PROCESSES & self.processes():
            return True
        if self.x_locked is not None and self.x_locked():
            return True
        session = self.env.get("XDG_SESSION_ID")
        if session:
            out = self._ask("loginctl", ["loginctl", "show-session", session, "-p", "LockedHint", "--value"])
            if out is not None and out.strip() == "yes":
                return True
        if self._has_session_bus():
            for service, path in (("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
                                  ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver")):
                if shutil.which("gdbus"):
                    out = self._ask(service, ["gdbus", "call", "--session", "--dest", service,
                                              "--object-path", path, "--method", f"{service}.GetActive"])
                else:
                    out = self._ask(service, ["dbus-send", "--session", "--print-reply=literal",
                                              f"--dest={service}", path, f"{service}.GetActive"])
                if out is not None and "true" in out.lower():
                    return True
        return False


# -------------------------------------------------------------------------- X11

class X11Activity:
    """Idle time from the MIT-SCREEN-SAVER extension; lock state from LinuxLockProbe
    plus X's own signs (xscreensaver's `_SCREENSAVER_STATUS`, locker windows)."""

    name = "x11"

    def __init__(self, display: str | None, env: Mapping, **probe_options) -> None:
        self.conn = XConnection(display)
        self._lock_probe = LinuxLockProbe(env, x_locked=self._x_locked, **probe_options)

    def idle_seconds(self) -> float | None:
        def query(display):
            if not display.has_extension("MIT-SCREEN-SAVER"):
                return None
            return display.screen().root.screensaver_query_info().idle / 1000.0

        return self.conn.call(query, None)

    def screen_locked(self) -> bool:
        return self._lock_probe()

    def _x_locked(self) -> bool:
        return bool(self.conn.call(self._x_locked_on, False))

    def _x_locked_on(self, display) -> bool:
        from Xlib import X, error as xerror

        root = display.screen().root
        status = root.get_full_property(self.conn.atom("_SCREENSAVER_STATUS"), X.AnyPropertyType)
        if status is not None and len(status.value) and status.value[0] == self.conn.atom("LOCK"):
            return True                                   # xscreensaver, locked
        wm_class = self.conn.atom("WM_CLASS")
        for child in root.query_tree().children:
            try:
                if child.get_attributes().map_state != X.IsViewable:
                    continue
                prop = child.get_full_property(wm_class, X.AnyPropertyType)
            except xerror.XError:
                continue
            if prop is not None and isinstance(prop.value, bytes):
                names = {p.decode("utf-8", "replace").lower() for p in prop.value.split(b"\0") if p}
                if names & LOCKER_WINDOWS:
                    return True
        return False


class WaylandActivity:
    """Idle from GNOME's Mutter IdleMonitor over D-Bus where available (no generic
    Wayland API for it); lock state from LinuxLockProbe."""

    name = "wayland"

    def __init__(self, env: Mapping, runner: Runner | None = None, **probe_options) -> None:
        self.env = env
        self.runner = runner or (lambda cmd, t: run_quietly(cmd, t, env))
        self.gnome = "gnome" in env.get("XDG_CURRENT_DESKTOP", "").lower()
        self._lock_probe = LinuxLockProbe(env, runner=runner, **probe_options)
        self._idle_broken = False

    def idle_seconds(self) -> float | None:
        if not self.gnome or self._idle_broken:
            return None
        out = self.runner(["gdbus", "call", "--session", "--dest", "org.gnome.Mutter.IdleMonitor",
                           "--object-path", "/org/gnome/Mutter/IdleMonitor/Core",
                           "--method", "org.gnome.Mutter.IdleMonitor.GetIdletime"], 1.0)
        try:
            return int(out.strip().strip("(),").split()[-1]) / 1000.0  # "(uint64 1234,)"
        except (AttributeError, ValueError, IndexError):
            self._idle_broken = True
            return None

    def screen_locked(self) -> bool:
        return self._lock_probe()


# ---------------------------------------------------------------------- Windows

class WindowsActivity:
    """GetLastInputInfo for idle; locked when the input desktop cannot be opened
    (it is the secure Winlogon desktop) or LockApp is in the foreground."""

    name = "windows"
    DESKTOP_SWITCHDESKTOP = 0x0100

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes as wt

        from capture.window import WindowsWindowInfo, declare

        class LASTINPUTINFO(ctypes.Structure):
            _fields_ = [("cbSize", wt.UINT), ("dwTime", wt.DWORD)]

        self._ct, self._wt, self._LASTINPUTINFO = ctypes, wt, LASTINPUTINFO
        sigs = self.signatures()
        self._user32 = declare(ctypes.WinDLL("user32", use_last_error=True), sigs["user32"])
        self._kernel32 = declare(ctypes.WinDLL("kernel32", use_last_error=True), sigs["kernel32"])
        self._windows = WindowsWindowInfo()

    def signatures(self) -> dict[str, dict[str, tuple[list, Any]]]:
        """Every DLL function this class calls: (argtypes, restype)."""
        ct, wt = self._ct, self._wt
        return {
            "user32": {
                "GetLastInputInfo": ([ct.POINTER(self._LASTINPUTINFO)], wt.BOOL),
                "OpenInputDesktop": ([wt.DWORD, wt.BOOL, wt.DWORD], wt.HANDLE),
                "CloseDesktop": ([wt.HANDLE], wt.BOOL),
            },
            "kernel32": {"GetTickCount": ([], wt.DWORD)},
        }

    def idle_seconds(self) -> float | None:
        try:
            info = self._LASTINPUTINFO()
            info.cbSize = self._ct.sizeof(info)
            if not self._user32.GetLastInputInfo(self._ct.byref(info)):
                return None
            return ((self._kernel32.GetTickCount() - info.dwTime) & 0xFFFFFFFF) / 1000.0
        except Exception as exc:
            log.debug("GetLastInputInfo failed: %r", exc)
            return None

    def screen_locked(self) -> bool:
        try:
            desk = self._user32.OpenInputDesktop(0, False, self.DESKTOP_SWITCHDESKTOP)
            if not desk:
                return True
            self._user32.CloseDesktop(desk)
            app = self._windows.active().app
            return bool(app) and app.lower() == "lockapp"
        except Exception as exc:
            log.debug("lock state unknown: %r", exc)
            return False


# ------------------------------------------------------------------------ macOS

class MacActivity:
    name = "macos"

    def __init__(self) -> None:
        import Quartz  # ImportError → caller falls back

        self._q = Quartz

    def idle_seconds(self) -> float | None:
        q = self._q
        try:
            any_input = getattr(q, "kCGAnyInputEventType", 0xFFFFFFFF)
            return float(q.CGEventSourceSecondsSinceLastEventType(
                q.kCGEventSourceStateCombinedSessionState, any_input))
        except Exception as exc:
            log.debug("idle time unknown: %r", exc)
            return None

    def screen_locked(self) -> bool:
        try:
            session = self._q.CGSessionCopyCurrentDictionary() or {}
            return bool(session.get("CGSSessionScreenIsLocked", False))
        except Exception as exc:
            log.debug("lock state unknown: %r", exc)
            return False


# -------------------------------------------------------------------- selection

def activity(env: Mapping | None = None, platform: str | None = None) -> Activity:
    """The activity backend for this platform and environment; never raises."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    chosen: Activity
    try:
        if platform == "win32":
            chosen, why = WindowsActivity(), "Windows"
        elif platform == "darwin":
            chosen, why = MacActivity(), "macOS with pyobjc Quartz"
        elif _is_wayland(env):
            chosen, why = WaylandActivity(env), f"Wayland ({env.get('XDG_CURRENT_DESKTOP') or 'unknown desktop'})"
        elif env.get("DISPLAY"):
            chosen, why = X11Activity(env["DISPLAY"], env), f"DISPLAY={env['DISPLAY']}"
        else:
            chosen, why = NullActivity(), f"no display on {platform}"
    except Exception as exc:
        chosen, why = NullActivity(), f"{platform} backend unavailable: {exc}"
    log.info("activity: %s backend (%s)", getattr(chosen, "name", type(chosen).__name__), why)
    return chosen


__all__ = ["Activity", "NullActivity", "X11Activity", "WaylandActivity", "WindowsActivity",
           "MacActivity", "LinuxLockProbe", "activity"]
