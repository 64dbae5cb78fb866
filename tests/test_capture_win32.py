"""The Windows backends (WindowsWindowInfo, WindowsActivity) on any platform, driven
through a fake of the DLL layer: `ctypes.WinDLL` returns fakes of user32, kernel32
and dwmapi over a scripted desktop.

The fake is strict where real ctypes is: a function the backend did not declare
(argtypes/restype) cannot be called, every argument must pass the declared
argtypes, and buffers, structures and byref() arguments are filled in the way
the real functions fill them (GetMonitorInfoW and GetLastInputInfo refuse a
structure whose cbSize is not set)."""
from __future__ import annotations

import ctypes
import inspect
from dataclasses import dataclass

import pytest

from capture.activity import NullActivity, WindowsActivity, activity
from capture.window import UNKNOWN, ActiveWindow, NullWindowInfo, WindowsWindowInfo, window_info

# An exception inside an EnumWindows callback is only printed by ctypes: fail on it.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")

GW_OWNER, DWMWA_CLOAKED = 4, 14
PRIMARY, LEFT_OF_IT = 1, 2  # HMONITORs


@dataclass
class Win:
    title: str = ""
    cls: str = "ApplicationWindow"
    pid: int = 0
    rect: tuple[int, int, int, int] | None = (100, 50, 1380, 850)  # left, top, right, bottom
    monitor: int = PRIMARY
    visible: bool = True
    owner: int = 0
    cloaked: bool = False
    children: tuple[int, ...] = ()


class FakeFunction:
    def __init__(self, desktop: FakeWin32, name: str):
        self.desktop, self.name = desktop, name
        self.argtypes = self.restype = None

    def __call__(self, *args):
        assert self.argtypes is not None, f"{self.name} called without declaring its argtypes"
        assert len(args) == len(self.argtypes), f"{self.name}: {len(args)} arguments"
        for argtype, arg in zip(self.argtypes, args):
            argtype.from_param(arg)  # TypeError, as in ctypes, when the type is wrong
        self.desktop.calls.append(self.name)
        if self.name in self.desktop.broken:
            raise self.desktop.broken[self.name]
        return getattr(self.desktop, self.name)(*args)


class FakeDll:
    def __init__(self, desktop: FakeWin32, exports: frozenset[str]):
        self._desktop, self._exports, self._functions = desktop, exports, {}

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._exports:
            raise AttributeError(f"function '{name}' not found")
        return self._functions.setdefault(name, FakeFunction(self._desktop, name))


class FakeWin32:
    """A desktop of windows, processes and monitors, as user32, kernel32 and dwmapi
    show it. ``install(monkeypatch)`` makes ``ctypes.WinDLL`` hand out its DLLs."""

    EXPORTS = {
        "user32": frozenset({
            "GetForegroundWindow", "GetWindowTextLengthW", "GetWindowTextW", "GetClassNameW",
            "GetWindowThreadProcessId", "GetWindowRect", "MonitorFromWindow", "GetMonitorInfoW",
            "EnumWindows", "EnumChildWindows", "IsWindowVisible", "GetWindow",
            "GetLastInputInfo", "OpenInputDesktop", "CloseDesktop"}),
        "kernel32": frozenset({"OpenProcess", "QueryFullProcessImageNameW", "CloseHandle",
                               "GetTickCount"}),
        "dwmapi": frozenset({"DwmGetWindowAttribute"}),
    }

    def __init__(self):
        self.windows: dict[int, Win] = {}
        self.foreground = 0
        self.exes: dict[int, str] = {}  # pid → image path; other pids: access denied
        self.monitors = {PRIMARY: (0, 0, 1920, 1080), LEFT_OF_IT: (-1920, 0, 0, 1080)}
        self.tick, self.last_input = 0, 0
        self.locked = False  # the input desktop is Winlogon's secure desktop
        self.broken: dict[str, Exception] = {}  # function → what it raises
        self.no_dwm = False
        self.handles: dict[int, object] = {}  # open handle → its pid, or "desktop"
        self.calls: list[str] = []
        self._next_handle = 0x400

    def install(self, monkeypatch) -> FakeWin32:
        monkeypatch.setattr(ctypes, "WinDLL", self.load, raising=False)
        return self

    def load(self, name, use_last_error=False):
        if name not in self.EXPORTS or (name == "dwmapi" and self.no_dwm):
            raise OSError(f"[WinError 126] The specified module could not be found: {name!r}")
        return FakeDll(self, self.EXPORTS[name])

    def _open(self, what) -> int:
        self._next_handle += 4
        self.handles[self._next_handle] = what
        return self._next_handle

    # -- user32
    def GetForegroundWindow(self):
        return self.foreground or None

    def GetWindowTextLengthW(self, hwnd):
        return len(self.windows[hwnd].title) if hwnd in self.windows else 0

    def GetWindowTextW(self, hwnd, buf, size):
        buf.value = self.windows[hwnd].title[:size - 1]
        return len(buf.value)

    def GetClassNameW(self, hwnd, buf, size):
        buf.value = self.windows[hwnd].cls[:size - 1]
        return len(buf.value)

    def GetWindowThreadProcessId(self, hwnd, pid):
        pid._obj.value = self.windows[hwnd].pid if hwnd in self.windows else 0
        return 7 if hwnd in self.windows else 0

    def GetWindowRect(self, hwnd, rect):
        w = self.windows.get(hwnd)
        if w is None or w.rect is None:
            return 0
        r = rect._obj
        r.left, r.top, r.right, r.bottom = w.rect
        return 1

    def MonitorFromWindow(self, hwnd, flags):
        return self.windows[hwnd].monitor

    def GetMonitorInfoW(self, monitor, info):
        info = info._obj
        if info.cbSize != ctypes.sizeof(info) or monitor not in self.monitors:
            return 0
        r = info.rcMonitor
        r.left, r.top, r.right, r.bottom = self.monitors[monitor]
        return 1

    def EnumWindows(self, callback, lparam):
        children = {c for w in self.windows.values() for c in w.children}
        for hwnd in [h for h in self.windows if h not in children]:
            if not callback(hwnd, lparam):
                break
        return 1

    def EnumChildWindows(self, parent, callback, lparam):
        for child in self.windows[parent].children:
            if not callback(child, lparam):
                break
        return 1

    def IsWindowVisible(self, hwnd):
        return int(self.windows[hwnd].visible)

    def GetWindow(self, hwnd, cmd):
        assert cmd == GW_OWNER
        return self.windows[hwnd].owner or None

    def GetLastInputInfo(self, info):
        info = info._obj
        if info.cbSize != ctypes.sizeof(info):
            return 0
        info.dwTime = self.last_input
        return 1

    def OpenInputDesktop(self, flags, inherit, access):
        return None if self.locked else self._open("desktop")

    def CloseDesktop(self, handle):
        return int(self.handles.pop(handle, None) == "desktop")

    # -- kernel32
    def OpenProcess(self, access, inherit, pid):
        return self._open(pid) if pid in self.exes else None  # elevated or gone: denied

    def QueryFullProcessImageNameW(self, handle, flags, buf, size):
        path = self.exes[self.handles[handle]]
        if len(path) + 1 > size._obj.value:
            return 0
        buf.value, size._obj.value = path, len(path)
        return 1

    def CloseHandle(self, handle):
        return int(self.handles.pop(handle, None) is not None)

    def GetTickCount(self):
        return self.tick

    # -- dwmapi
    def DwmGetWindowAttribute(self, hwnd, attribute, value, size):
        assert attribute == DWMWA_CLOAKED and size == ctypes.sizeof(value._obj)
        value._obj.value = int(self.windows[hwnd].cloaked)
        return 0


EXCEL = r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE"
FRAME_HOST = r"C:\Windows\System32\ApplicationFrameHost.exe"
CALCULATOR = r"C:\Program Files\WindowsApps\Microsoft.WindowsCalculator_8wekyb3d8bbwe\CalculatorApp.exe"
LOCKAPP = r"C:\Windows\SystemApps\Microsoft.LockApp_cw5n1h2txyewy\LockApp.exe"


@pytest.fixture
def desktop(monkeypatch):
    d = FakeWin32().install(monkeypatch)
    d.exes = {4321: EXCEL, 900: FRAME_HOST, 901: CALCULATOR, 77: LOCKAPP, 12: r"C:\Windows\explorer.exe"}
    d.windows = {
        0x10: Win("Budget 2025.xlsx - Excel", "XLMAIN", 4321),
        0x20: Win("Calculator", "ApplicationFrameWindow", 900, (-1500, 100, -1100, 700),
                  monitor=LEFT_OF_IT, children=(0x21, 0x22)),
        0x21: Win("", "ApplicationFrameTitleBarWindow", 900),
        0x22: Win("Calculator", "Windows.UI.Core.CoreWindow", 901),
        0x30: Win("", "Progman", 12, (0, 0, 1920, 1080)),  # the desktop
    }
    d.foreground = 0x10
    return d


def test_title_process_name_and_bounds(desktop):
    info = window_info({}, platform="win32")
    assert isinstance(info, WindowsWindowInfo)
    assert info.active() == ActiveWindow(app="EXCEL", title="Budget 2025.xlsx - Excel", pid=4321,
                                         bounds=(100, 50, 1280, 800), fullscreen=False)
    desktop.foreground = 0x20  # a UWP app: its frame belongs to ApplicationFrameHost
    assert info.active() == ActiveWindow(app="CalculatorApp", title="Calculator", pid=901,
                                         bounds=(-1500, 100, 400, 600))  # on the left monitor
    assert desktop.handles == {}  # every process handle closed again


def test_fullscreen_is_a_window_covering_its_monitor_but_not_the_desktop(desktop):
    info = window_info({}, platform="win32")
    desktop.windows[0x10].rect = (0, 0, 1920, 1080)
    assert info.active().fullscreen is True
    desktop.windows[0x10].rect = (-8, -8, 1928, 1048)  # maximised: borders past the edges
    assert info.active().fullscreen is False
    desktop.windows[0x20].rect = (-1920, 0, 0, 1080)
    desktop.foreground = 0x20  # the left monitor, in negative coordinates
    assert info.active().fullscreen is True
    desktop.foreground = 0x30
    now = info.active()
    assert now.app == "explorer" and now.title is None and now.fullscreen is False


def test_running_apps_are_visible_unowned_titled_and_not_cloaked(desktop):
    desktop.windows[0x40] = Win("Save As", "#32770", 4321, owner=0x10)  # a dialog of Excel
    desktop.windows[0x50] = Win("Settings", "ApplicationFrameWindow", 900, cloaked=True)
    desktop.windows[0x60] = Win("Hidden", "Hidden", 77, visible=False)
    info = window_info({}, platform="win32")
    assert info.running_apps() == ["CalculatorApp", "EXCEL"]
    desktop.no_dwm = True  # no DWM: cloaked windows cannot be told apart, nothing breaks
    assert window_info({}, platform="win32").running_apps() == ["ApplicationFrameHost",
                                                                "CalculatorApp", "EXCEL"]


def test_failures_degrade_to_unknown(desktop):
    info = window_info({}, platform="win32")
    desktop.exes.pop(4321)  # an elevated process: OpenProcess is denied
    assert info.active() == ActiveWindow(app=None, title="Budget 2025.xlsx - Excel", pid=4321,
                                         bounds=(100, 50, 1280, 800))
    desktop.windows[0x10].rect = None  # GetWindowRect fails (the window is closing)
    now = info.active()
    assert now.bounds is None and now.fullscreen is False and now.title == "Budget 2025.xlsx - Excel"
    desktop.foreground = 0  # between two windows, or a secure desktop
    assert info.active() == UNKNOWN
    desktop.broken["GetForegroundWindow"] = OSError("[WinError 5] Access is denied")
    assert info.active() == UNKNOWN
    desktop.broken["EnumWindows"] = OSError("[WinError 1400] Invalid window handle")
    assert info.running_apps() == []
    assert desktop.handles == {}


def test_a_failing_backend_is_an_unknown_app_to_the_screen_observer(desktop, tmp_path):
    from capture.privacy import default_policy
    from capture.screen import ScreenObserver
    from capture.state import CaptureState
    from tests.test_capture_core import FakeFrames, FakeOcr

    desktop.broken["GetForegroundWindow"] = OSError("[WinError 5] Access is denied")
    obs = ScreenObserver(FakeFrames(), FakeOcr(), window_info({}, platform="win32"),
                         activity({}, platform="win32"), default_policy(), CaptureState(tmp_path))
    out = obs.capture()
    assert out.captured and out.observation.app is None and out.observation.window is None


def test_idle_seconds(desktop):
    act = activity({}, platform="win32")
    assert isinstance(act, WindowsActivity)
    desktop.tick, desktop.last_input = 120_000, 90_500
    assert act.idle_seconds() == 29.5
    desktop.tick, desktop.last_input = 1_000, 2**32 - 1_000  # GetTickCount wrapped (49.7 days)
    assert act.idle_seconds() == 2.0
    desktop.broken["GetTickCount"] = OSError("no")
    assert act.idle_seconds() is None


def test_idle_unknown_when_last_input_is_unavailable(desktop, monkeypatch):
    act = activity({}, platform="win32")
    monkeypatch.setattr(desktop, "GetLastInputInfo", lambda info: 0)
    assert act.idle_seconds() is None


def test_locked_detection(desktop):
    act = activity({}, platform="win32")
    assert act.screen_locked() is False
    assert desktop.handles == {}  # the input desktop was closed again
    desktop.locked = True  # Winlogon's desktop has the input: OpenInputDesktop fails
    assert act.screen_locked() is True
    desktop.locked = False
    desktop.windows[0x70] = Win("Windows Default Lock Screen", "Windows.UI.Core.CoreWindow", 77,
                                (0, 0, 1920, 1080))
    desktop.foreground = 0x70  # LockApp in front (the lock screen before Winlogon takes over)
    assert act.screen_locked() is True
    desktop.broken["OpenInputDesktop"] = OSError("[WinError 5] Access is denied")
    assert act.screen_locked() is False  # unknown is "not locked", never a crash


def test_the_fake_models_exactly_what_the_backends_declare(desktop):
    info, act = WindowsWindowInfo(), WindowsActivity()
    declared: dict[str, dict] = {"user32": {}, "kernel32": {}, "dwmapi": {}}
    for sigs in (info.signatures(), act.signatures()):
        for dll, functions in sigs.items():
            declared[dll].update(functions)
    assert {dll: set(fns) for dll, fns in declared.items()} == \
        {dll: set(names) for dll, names in FakeWin32.EXPORTS.items()}
    for functions in declared.values():
        for name, (argtypes, _) in functions.items():
            assert len(inspect.signature(getattr(desktop, name)).parameters) == len(argtypes), name


def test_without_user32_it_is_unknown(monkeypatch):
    def no_dll(name, use_last_error=False):
        raise OSError(f"cannot load {name}")

    monkeypatch.setattr(ctypes, "WinDLL", no_dll, raising=False)
    info = window_info({}, platform="win32")
    assert isinstance(info, NullWindowInfo) and "user32" in info.reason
    assert info.active() == UNKNOWN and info.running_apps() == []
    assert isinstance(activity({}, platform="win32"), NullActivity)
