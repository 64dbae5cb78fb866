"""The active application and window title, on whatever desktop we run.

`window_info()` picks one backend at run time:

    win32                      → WindowsWindowInfo (ctypes, user32/kernel32)
    darwin                     → MacWindowInfo (pyobjc Quartz/AppKit if installed)
    WAYLAND_DISPLAY [+DISPLAY] → WaylandWindowInfo (no global API; sees XWayland windows only)
    DISPLAY                    → X11WindowInfo (python-xlib)
    anything else              → NullWindowInfo

A backend never raises from `active()` or `running_apps()`: what it cannot tell
comes back as `UNKNOWN` or `[]`, and the capture loop treats that as "unknown app".
"""
from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

Bounds = tuple[int, int, int, int]


@dataclass(frozen=True)
class ActiveWindow:
    app: str | None       # WM_CLASS class on X11; exe name on Windows; localizedName on macOS
    title: str | None
    pid: int | None = None
    bounds: Bounds | None = None   # x, y, width, height in root/screen coordinates
    fullscreen: bool = False


UNKNOWN = ActiveWindow(app=None, title=None)


class WindowInfo(Protocol):
    name: str

    def active(self) -> ActiveWindow:
        """The focused top-level window; never raises, UNKNOWN when it can't tell."""

    def running_apps(self) -> list[str]:
        """Distinct app names of top-level windows; [] if unknown."""


def distinct_apps(names) -> list[str]:
    """Distinct non-empty names, case-insensitively, sorted for display."""
    seen: dict[str, str] = {}
    for name in names:
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return sorted(seen.values(), key=str.casefold)


def app_name_from_exe(path: str | None) -> str | None:
    r"""`C:\Program Files\KeePassXC\KeePassXC.exe` → `KeePassXC` (also for `/` paths)."""
    if not path:
        return None
    base = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if base.lower().endswith(".exe"):
        base = base[:-4]
    return base or None


class NullWindowInfo:
    """Nothing to ask: every window is an unknown app."""

    name = "null"

    def __init__(self, reason: str = "") -> None:
        self.reason = reason

    def active(self) -> ActiveWindow:
        return UNKNOWN

    def running_apps(self) -> list[str]:
        return []


# --------------------------------------------------------------------------- X11

class XUnavailable(Exception):
    """No X display right now (not reachable, or waiting before the next try)."""


class XConnection:
    """One python-xlib display connection: opened on first use, dropped on a
    connection error and reopened on the next call (at most every `retry_after` s).

    python-xlib is not thread-safe; hold `lock` around every use of `display()`.
    """

    def __init__(self, name: str | None, retry_after: float = 5.0) -> None:
        self.name = name
        self.retry_after = retry_after
        self.lock = threading.RLock()
        self._display: Any = None
        self._failed_at: float | None = None
        self._warned = False
        self._atoms: dict[str, int] = {}

    def display(self):
        if self._display is not None:
            return self._display
        if self._failed_at is not None and time.monotonic() - self._failed_at < self.retry_after:
            raise XUnavailable(self.name)
        try:
            from Xlib import display as xdisplay

            self._display = xdisplay.Display(self.name)
        except Exception as exc:  # DisplayError, XauthError, OSError, ImportError...
            self._failed_at = time.monotonic()
            (log.debug if self._warned else log.warning)(
                "cannot open X display %r: %s (window and idle info will be unknown)", self.name, exc)
            self._warned = True
            raise XUnavailable(self.name) from exc
        self._failed_at, self._warned = None, False
        self._atoms.clear()
        return self._display

    def atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self.display().intern_atom(name)
        return self._atoms[name]

    def drop(self) -> None:
        display, self._display = self._display, None
        self._atoms.clear()
        if display is not None:
            try:
                display.close()
            except Exception:
                pass

    def call(self, fn, default):
        """`fn(display)` under the lock; any failure → `default` (and a reconnect
        next time, unless it was an ordinary protocol error such as BadWindow)."""
        with self.lock:
            try:
                display = self.display()
            except XUnavailable:
                return default
            try:
                return fn(display)
            except Exception as exc:
                from Xlib import error as xerror

                if isinstance(exc, xerror.XError):   # e.g. the window vanished under us
                    log.debug("X protocol error: %s", exc)
                else:
                    log.debug("X connection error, reconnecting next time: %r", exc)
                    self.drop()
                return default


def _decode_text(value: Any, utf8: bool) -> str | None:
    if isinstance(value, str):
        text = value
    elif isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8" if utf8 else "latin-1", errors="replace")
    else:
        return None
    text = text.rstrip("\0")
    return text or None


class X11WindowInfo:
    """EWMH `_NET_ACTIVE_WINDOW` when a window manager sets it; else (no window
    manager) the input focus, walked up to its top-level client window.

    `ewmh_only=True` (XWayland) trusts only `_NET_ACTIVE_WINDOW`: there the input
    focus is stale whenever a native Wayland window has the keyboard.
    """

    name = "x11"

    def __init__(self, display: str | None = None, ewmh_only: bool = False) -> None:
        self.conn = XConnection(display)
        self.ewmh_only = ewmh_only
        self._screens: dict[int, list[Bounds]] = {}

    # -- public
    def active(self) -> ActiveWindow:
        return self.conn.call(self._active, UNKNOWN)

    def running_apps(self) -> list[str]:
        return self.conn.call(self._running_apps, [])

    # -- helpers
    def _prop(self, window, name: str, type_name: str | None = None):
        from Xlib import X

        prop_type = self.conn.atom(type_name) if type_name else X.AnyPropertyType
        return window.get_full_property(self.conn.atom(name), prop_type)

    def _window(self, display, wid: int):
        return display.create_resource_object("window", wid)

    def _is_client(self, window) -> bool:
        atoms = set(window.list_properties() or ())
        return any(self.conn.atom(n) in atoms
                   for n in ("WM_STATE", "_NET_WM_NAME", "WM_NAME", "WM_CLASS"))

    def _client_below(self, window, depth: int = 3):
        """The first client window at or below `window` (a frame), breadth first."""
        level = [window]
        for _ in range(depth + 1):
            nxt = []
            for w in level:
                if self._is_client(w):
                    return w
                nxt.extend(w.query_tree().children)
            level = nxt
        return None

    def _client_of(self, display, window):
        """Walk up from a focused (sub)window to its top-level client window."""
        current = window
        for _ in range(64):
            if self._is_client(current):
                return current
            tree = current.query_tree()
            parent = tree.parent
            if not parent or parent.id == tree.root.id:
                break                           # `current` is a top-level window
            current = parent
        return self._client_below(current)

    def _focused(self, display):
        from Xlib import X

        root = display.screen().root
        prop = self._prop(root, "_NET_ACTIVE_WINDOW")
        if prop is not None and len(prop.value) and prop.value[0]:
            window = self._window(display, int(prop.value[0]))
            window.get_attributes()             # BadWindow if it is stale
            return window
        if self.ewmh_only:
            return None
        focus = display.get_input_focus().focus
        if focus == X.PointerRoot:              # focus follows the pointer
            focus = root.query_pointer().child
        if isinstance(focus, int) or not focus or focus.id == root.id:
            return None
        return self._client_of(display, focus)

    def _title(self, window) -> str | None:
        prop = self._prop(window, "_NET_WM_NAME")
        if prop is not None and prop.format == 8:
            title = _decode_text(prop.value, utf8=True)
            if title:
                return title
        prop = self._prop(window, "WM_NAME")
        if prop is not None and prop.format == 8:
            return _decode_text(prop.value, utf8=prop.property_type == self.conn.atom("UTF8_STRING"))
        return None

    def _app(self, window) -> str | None:
        prop = self._prop(window, "WM_CLASS")
        if prop is None or prop.format != 8:
            return None
        raw = prop.value if isinstance(prop.value, bytes) else str(prop.value).encode()
        parts = [p.decode("utf-8", "replace") for p in raw.split(b"\0") if p]
        if not parts:
            return None
        return parts[1] if len(parts) > 1 else parts[0]     # class, else instance

    def _pid(self, window) -> int | None:
        machine = self._prop(window, "WM_CLIENT_MACHINE")
        if machine is not None and machine.format == 8:
            host = _decode_text(machine.value, utf8=False)
            if host and not _is_this_host(host):
                return None                     # a remote client: its pid means nothing here
        prop = self._prop(window, "_NET_WM_PID", "CARDINAL")
        if prop is not None and len(prop.value) and prop.value[0] > 0:
            return int(prop.value[0])
        return None

    def _screen_rects(self, display) -> list[Bounds]:
        key = id(display)
        if key not in self._screens:
            root = display.screen().root
            geom = root.get_geometry()
            rects: list[Bounds] = [(0, 0, geom.width, geom.height)]
            try:
                if display.has_extension("RANDR"):
                    for m in root.xrandr_get_monitors().monitors:
                        rects.append((m.x, m.y, m.width_in_pixels, m.height_in_pixels))
            except Exception as exc:
                log.debug("RandR monitors unavailable: %s", exc)
            self._screens = {key: rects}
        return self._screens[key]

    def _active(self, display) -> ActiveWindow:
        window = self._focused(display)
        if window is None:
            return UNKNOWN
        root = display.screen().root
        geom = window.get_geometry()
        origin = root.translate_coords(window, 0, 0)
        bounds = (int(origin.x), int(origin.y), int(geom.width), int(geom.height))
        state = self._prop(window, "_NET_WM_STATE", "ATOM")
        fullscreen = bool(state is not None and
                          self.conn.atom("_NET_WM_STATE_FULLSCREEN") in list(state.value))
        fullscreen = fullscreen or bounds in self._screen_rects(display)
        return ActiveWindow(app=self._app(window), title=self._title(window),
                            pid=self._pid(window), bounds=bounds, fullscreen=fullscreen)

    def _running_apps(self, display) -> list[str]:
        from Xlib import X, error as xerror

        root = display.screen().root
        prop = self._prop(root, "_NET_CLIENT_LIST", "WINDOW")
        if prop is not None and len(prop.value):
            clients = [self._window(display, int(wid)) for wid in prop.value]
        else:
            clients = []
            for child in root.query_tree().children:
                try:
                    attrs = child.get_attributes()
                    if attrs.override_redirect or attrs.map_state != X.IsViewable:
                        continue
                    client = self._client_below(child, depth=2)
                except xerror.XError:
                    continue
                if client is not None:
                    clients.append(client)
        names = []
        for client in clients:
            try:
                names.append(self._app(client))
            except xerror.XError:               # closed while we looked
                continue
        return distinct_apps(names)


# ------------------------------------------------------------------------ Wayland

class WaylandWindowInfo:
    """Wayland has no global "active window" API: UNKNOWN, except that with
    XWayland (`DISPLAY` also set) the X11 windows it can see are reported.

    TODO: GNOME exposes windows through org.gnome.Shell.Introspect (allow-listed
    callers only) or a shell extension; KDE through a KWin script over D-Bus.
    """

    name = "wayland"

    def __init__(self, x11: X11WindowInfo | None = None, desktop: str = "") -> None:
        self.x11 = x11
        self.desktop = desktop

    def active(self) -> ActiveWindow:
        return self.x11.active() if self.x11 else UNKNOWN

    def running_apps(self) -> list[str]:
        return self.x11.running_apps() if self.x11 else []


# ------------------------------------------------------------------------ Windows

def win_functype(ctypes_module):
    """WINFUNCTYPE (stdcall) on Windows; CFUNCTYPE elsewhere, where only tests build
    the Windows backends (with fake DLLs for `ctypes.WinDLL`) and the calling
    convention is moot."""
    return getattr(ctypes_module, "WINFUNCTYPE", ctypes_module.CFUNCTYPE)


def declare(dll, signatures: Mapping[str, tuple[list, Any]]):
    """Set argtypes and restype of each named function of a ctypes DLL; the DLL."""
    for name, (argtypes, restype) in signatures.items():
        fn = getattr(dll, name)
        fn.argtypes, fn.restype = argtypes, restype
    return dll


class WindowsWindowInfo:
    """user32/kernel32 through ctypes. Coordinates are physical pixels when the
    process is per-monitor DPI aware (Qt 6 makes it so), else DPI-virtualized."""

    name = "windows"
    PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
    MONITOR_DEFAULTTONEAREST = 2
    GW_OWNER = 4
    DWMWA_CLOAKED = 14
    SHELL_CLASSES = frozenset({"Progman", "WorkerW", "Shell_TrayWnd", "Shell_SecondaryTrayWnd"})

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes as wt

        self._ct, self._wt = ctypes, wt

        class MONITORINFO(ctypes.Structure):
            _fields_ = [("cbSize", wt.DWORD), ("rcMonitor", wt.RECT),
                        ("rcWork", wt.RECT), ("dwFlags", wt.DWORD)]

        self._MONITORINFO = MONITORINFO
        self._WNDENUMPROC = win_functype(ctypes)(wt.BOOL, wt.HWND, wt.LPARAM)
        sigs = self.signatures()
        self._user32 = declare(ctypes.WinDLL("user32", use_last_error=True), sigs["user32"])
        self._kernel32 = declare(ctypes.WinDLL("kernel32", use_last_error=True), sigs["kernel32"])
        try:
            self._dwm = declare(ctypes.WinDLL("dwmapi"), sigs["dwmapi"])
        except OSError:
            self._dwm = None                    # no DWM: no cloaked windows to skip

    def signatures(self) -> dict[str, dict[str, tuple[list, Any]]]:
        """Every DLL function this class calls: (argtypes, restype). Declared on the
        real DLLs, so that no handle is cut to a 32-bit int on 64-bit Windows."""
        ct, wt = self._ct, self._wt
        return {
            "user32": {
                "GetForegroundWindow": ([], wt.HWND),
                "GetWindowTextLengthW": ([wt.HWND], ct.c_int),
                "GetWindowTextW": ([wt.HWND, wt.LPWSTR, ct.c_int], ct.c_int),
                "GetClassNameW": ([wt.HWND, wt.LPWSTR, ct.c_int], ct.c_int),
                "GetWindowThreadProcessId": ([wt.HWND, ct.POINTER(wt.DWORD)], wt.DWORD),
                "GetWindowRect": ([wt.HWND, ct.POINTER(wt.RECT)], wt.BOOL),
                "MonitorFromWindow": ([wt.HWND, wt.DWORD], wt.HMONITOR),
                "GetMonitorInfoW": ([wt.HMONITOR, ct.POINTER(self._MONITORINFO)], wt.BOOL),
                "EnumWindows": ([self._WNDENUMPROC, wt.LPARAM], wt.BOOL),
                "EnumChildWindows": ([wt.HWND, self._WNDENUMPROC, wt.LPARAM], wt.BOOL),
                "IsWindowVisible": ([wt.HWND], wt.BOOL),
                "GetWindow": ([wt.HWND, wt.UINT], wt.HWND),
            },
            "kernel32": {
                "OpenProcess": ([wt.DWORD, wt.BOOL, wt.DWORD], wt.HANDLE),
                "QueryFullProcessImageNameW": ([wt.HANDLE, wt.DWORD, wt.LPWSTR, ct.POINTER(wt.DWORD)],
                                               wt.BOOL),
                "CloseHandle": ([wt.HANDLE], wt.BOOL),
            },
            "dwmapi": {
                "DwmGetWindowAttribute": ([wt.HWND, wt.DWORD, ct.c_void_p, wt.DWORD], ct.c_long),
            },
        }

    # -- small wrappers
    def _text(self, hwnd) -> str | None:
        n = self._user32.GetWindowTextLengthW(hwnd)
        if n <= 0:
            return None
        buf = self._ct.create_unicode_buffer(n + 1)
        self._user32.GetWindowTextW(hwnd, buf, n + 1)
        return buf.value or None

    def _class(self, hwnd) -> str:
        buf = self._ct.create_unicode_buffer(256)
        self._user32.GetClassNameW(hwnd, buf, 256)
        return buf.value

    def _pid(self, hwnd) -> int | None:
        pid = self._wt.DWORD(0)
        self._user32.GetWindowThreadProcessId(hwnd, self._ct.byref(pid))
        return pid.value or None

    def exe_path(self, pid: int | None) -> str | None:
        if not pid:
            return None
        handle = self._kernel32.OpenProcess(self.PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            return None
        try:
            size = self._wt.DWORD(32768)
            buf = self._ct.create_unicode_buffer(size.value)
            if self._kernel32.QueryFullProcessImageNameW(handle, 0, buf, self._ct.byref(size)):
                return buf.value
            return None
        finally:
            self._kernel32.CloseHandle(handle)

    def _uwp_pid(self, hwnd, host_pid: int) -> int | None:
        """A UWP app's frame belongs to ApplicationFrameHost; its content window
        (a child) to the app itself."""
        found: list[int] = []

        def visit(child, _):
            pid = self._pid(child)
            if pid and pid != host_pid:
                found.append(pid)
                return False
            return True

        self._user32.EnumChildWindows(hwnd, self._WNDENUMPROC(visit), 0)
        return found[0] if found else None

    def _app_and_pid(self, hwnd) -> tuple[str | None, int | None]:
        pid = self._pid(hwnd)
        app = app_name_from_exe(self.exe_path(pid))
        if app and app.lower() == "applicationframehost" and pid:
            inner = self._uwp_pid(hwnd, pid)
            if inner:
                pid, app = inner, app_name_from_exe(self.exe_path(inner)) or app
        return app, pid

    def _rect(self, hwnd) -> Bounds | None:
        r = self._wt.RECT()
        if not self._user32.GetWindowRect(hwnd, self._ct.byref(r)):
            return None
        return (r.left, r.top, r.right - r.left, r.bottom - r.top)

    def _monitor_rect(self, hwnd) -> Bounds | None:
        mon = self._user32.MonitorFromWindow(hwnd, self.MONITOR_DEFAULTTONEAREST)
        info = self._MONITORINFO()
        info.cbSize = self._ct.sizeof(info)
        if not mon or not self._user32.GetMonitorInfoW(mon, self._ct.byref(info)):
            return None
        r = info.rcMonitor
        return (r.left, r.top, r.right - r.left, r.bottom - r.top)

    def _cloaked(self, hwnd) -> bool:
        if self._dwm is None:
            return False
        value = self._wt.DWORD(0)
        ok = self._dwm.DwmGetWindowAttribute(hwnd, self.DWMWA_CLOAKED, self._ct.byref(value),
                                             self._ct.sizeof(value))
        return ok == 0 and value.value != 0

    # -- public
    def active(self) -> ActiveWindow:
        try:
            hwnd = self._user32.GetForegroundWindow()
            if not hwnd:
                return UNKNOWN
            app, pid = self._app_and_pid(hwnd)
            bounds = self._rect(hwnd)
            fullscreen = (bounds is not None and self._class(hwnd) not in self.SHELL_CLASSES
                          and bounds == self._monitor_rect(hwnd))
            return ActiveWindow(app=app, title=self._text(hwnd), pid=pid, bounds=bounds,
                                fullscreen=fullscreen)
        except Exception as exc:
            log.debug("foreground window unavailable: %r", exc)
            return UNKNOWN

    def running_apps(self) -> list[str]:
        hwnds: list[int] = []

        def visit(hwnd, _):
            if (self._user32.IsWindowVisible(hwnd) and not self._user32.GetWindow(hwnd, self.GW_OWNER)
                    and self._user32.GetWindowTextLengthW(hwnd) > 0 and not self._cloaked(hwnd)):
                hwnds.append(hwnd)
            return True

        try:
            self._user32.EnumWindows(self._WNDENUMPROC(visit), 0)
            return distinct_apps(self._app_and_pid(h)[0] for h in hwnds)
        except Exception as exc:
            log.debug("cannot list windows: %r", exc)
            return []


# -------------------------------------------------------------------------- macOS

class MacWindowInfo:
    """`NSWorkspace.frontmostApplication` for the app, and its frontmost on-screen
    layer-0 window from `CGWindowListCopyWindowInfo` for title and bounds.

    Window titles need the Screen Recording permission (macOS 10.15+); without it
    `kCGWindowName` is absent and the title is None. NSWorkspace refreshes the
    frontmost app only while a Cocoa run loop runs (the Qt app has one); without
    AppKit the owner of the frontmost window stands in.
    """

    name = "macos"

    def __init__(self) -> None:
        import Quartz  # pyobjc-framework-Quartz; ImportError → caller falls back

        self._q = Quartz
        try:
            from AppKit import NSWorkspace

            self._workspace = NSWorkspace.sharedWorkspace()
        except Exception:
            self._workspace = None

    def _windows(self) -> list:
        q = self._q
        options = q.kCGWindowListOptionOnScreenOnly | q.kCGWindowListExcludeDesktopElements
        return [w for w in (q.CGWindowListCopyWindowInfo(options, q.kCGNullWindowID) or [])
                if int(w.get("kCGWindowLayer", 0)) == 0]

    def _display_rects(self) -> list[Bounds]:
        q = self._q
        err, ids, count = q.CGGetActiveDisplayList(16, None, None)
        rects = []
        for did in (ids or [])[:count]:
            r = q.CGDisplayBounds(did)
            rects.append((int(r.origin.x), int(r.origin.y), int(r.size.width), int(r.size.height)))
        return rects

    def active(self) -> ActiveWindow:
        try:
            app = pid = None
            if self._workspace is not None:
                front = self._workspace.frontmostApplication()
                if front is not None:
                    app, pid = front.localizedName(), int(front.processIdentifier())
            windows = self._windows()
            window = next((w for w in windows if pid is None or w.get("kCGWindowOwnerPID") == pid), None)
            if window is None:
                return ActiveWindow(app=app, title=None, pid=pid) if app else UNKNOWN
            b = window.get("kCGWindowBounds") or {}
            bounds = (int(b.get("X", 0)), int(b.get("Y", 0)), int(b.get("Width", 0)), int(b.get("Height", 0)))
            return ActiveWindow(app=app or window.get("kCGWindowOwnerName"),
                                title=window.get("kCGWindowName") or None,
                                pid=pid or int(window.get("kCGWindowOwnerPID", 0)) or None,
                                bounds=bounds if b else None,
                                fullscreen=bool(b) and bounds in self._display_rects())
        except Exception as exc:
            log.debug("frontmost window unavailable: %r", exc)
            return UNKNOWN

    def running_apps(self) -> list[str]:
        try:
            return distinct_apps(w.get("kCGWindowOwnerName") for w in self._windows())
        except Exception as exc:
            log.debug("cannot list windows: %r", exc)
            return []


# ---------------------------------------------------------------------- selection

def _is_wayland(env: Mapping) -> bool:
    return bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"


def window_info(env: Mapping | None = None, platform: str | None = None) -> WindowInfo:
    """The window backend for this platform and environment (`os.environ`, `sys.platform`
    unless given). Never raises: a missing backend gives a NullWindowInfo."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    chosen: WindowInfo
    if platform == "win32":
        try:
            chosen, why = WindowsWindowInfo(), "Windows"
        except Exception as exc:
            chosen, why = NullWindowInfo(f"user32 unavailable: {exc}"), f"Windows, but user32 failed: {exc}"
    elif platform == "darwin":
        try:
            chosen, why = MacWindowInfo(), "macOS with pyobjc Quartz"
        except Exception as exc:
            chosen = NullWindowInfo("pyobjc-framework-Quartz is not installed")
            why = f"macOS without pyobjc Quartz ({exc}); install pyobjc-framework-Quartz for app names"
    elif _is_wayland(env):
        desktop = env.get("XDG_CURRENT_DESKTOP", "")
        if env.get("DISPLAY"):
            chosen = WaylandWindowInfo(X11WindowInfo(env["DISPLAY"], ewmh_only=True), desktop)
            why = f"Wayland session ({desktop or 'unknown desktop'}); XWayland windows only via DISPLAY={env['DISPLAY']}"
        else:
            chosen = WaylandWindowInfo(None, desktop)
            why = f"Wayland session ({desktop or 'unknown desktop'}) without XWayland: active window unknown"
    elif env.get("DISPLAY"):
        chosen, why = X11WindowInfo(env["DISPLAY"]), f"DISPLAY={env['DISPLAY']}"
    else:
        chosen, why = NullWindowInfo("no display"), f"no DISPLAY or WAYLAND_DISPLAY on {platform}"
    log.info("window info: %s backend (%s)", chosen.name, why)
    return chosen


def _is_this_host(host: str) -> bool:
    """Whether an X client's WM_CLIENT_MACHINE names this machine. Compared by name only:
    resolving the fully qualified name (socket.getfqdn) may ask DNS, which a capture
    must never wait on, nor send off the machine."""
    here = socket.gethostname().lower()
    host = host.lower()
    return host in (here, "localhost") or host.split(".")[0] == here.split(".")[0]
