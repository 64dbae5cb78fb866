"""Real X11 displays and windows for tests (window info, screen capture, OCR).

    from tests.xvfb import xvfb, open_window

    with xvfb() as display:                                    # e.g. ":57"
        with open_window(display, "Inbox — Mail", "Meeting at 10:30\\nRoom 4",
                         app_class="Thunderbird") as win:
            win.focus()                  # give it the input focus (and raise it)
            win.wid, win.pid, win.bounds()   # X window id, its process, (x, y, w, h)

As pytest fixtures (they skip the test when Xvfb is not installed):

    from tests.xvfb import xvfb_display                 # module-scoped, no window manager
    wm_display = xvfb_fixture(window_manager="evilwm")  # or any other options of xvfb()

    def test_something(xvfb_display):
        with open_window(xvfb_display, "Title", "Some text") as win: ...

Screenshots of the display: `mss.mss(display=display)`.

Needs only the Xvfb binary (Debian: xvfb) plus python-xlib and Pillow. Text is
drawn by Pillow in DejaVu Sans (Debian: fonts-dejavu-core; else Pillow's built-in
font), black on white, `font_size` pixels high, so OCR can read it. Each window is
its own process (so `_NET_WM_PID` is not the test's pid) that paints nothing
itself: the text is the window's background pixmap, which the server repaints.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SCREEN_SIZE = (1920, 1080)


class XvfbUnavailable(RuntimeError):
    """The Xvfb binary is not installed."""


def xvfb_available() -> bool:
    return shutil.which("Xvfb") is not None


def skip_unless_xvfb() -> None:
    """pytest.skip the current test when Xvfb is not installed."""
    if not xvfb_available():
        import pytest

        pytest.skip("Xvfb is not installed (Debian/Ubuntu: apt-get install xvfb)")


# ------------------------------------------------------------------ the server

def _display_in_use(n: int) -> bool:
    return Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists()


def _candidate_displays() -> Iterator[int]:
    start = 50 + os.getpid() % 400          # spread parallel test workers apart
    for i in range(450):
        n = 50 + (start - 50 + i) % 450
        if not _display_in_use(n):
            yield n


def _wait_readable(fd: int, proc: subprocess.Popen, timeout: float) -> bytes | None:
    """What the process writes to `fd` before it exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    data = b""
    poller = select.poll()  # not select(): a long test run may hold fds past 1024
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while time.monotonic() < deadline:
        if poller.poll(20):
            chunk = os.read(fd, 64)
            if not chunk:
                return data or None
            data += chunk
            if data.endswith(b"\n"):
                return data
        elif proc.poll() is not None:
            return None
    return None


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the test process dies (Linux),
    so a killed test run leaves no Xvfb behind."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except Exception:
        pass


def _stop(proc: subprocess.Popen | None, timeout: float = 5.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start_xvfb(size: tuple[int, int], depth: int, timeout: float) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("Xvfb")
    if binary is None:
        raise XvfbUnavailable("Xvfb is not installed (Debian/Ubuntu: apt-get install xvfb)")
    log = tempfile.TemporaryFile()
    for n in _candidate_displays():
        read_fd, write_fd = os.pipe()
        # -displayfd: the server writes its display number there once it accepts clients.
        proc = subprocess.Popen(
            [binary, f":{n}", "-screen", "0", f"{size[0]}x{size[1]}x{depth}", "-nolisten", "tcp",
             "-noreset", "-displayfd", str(write_fd)],
            pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True, preexec_fn=_die_with_parent)
        os.close(write_fd)
        try:
            ready = _wait_readable(read_fd, proc, timeout)
        finally:
            os.close(read_fd)
        if ready is not None:
            log.close()
            return proc, f":{n}"
        if proc.poll() is None:             # hung, not a collision
            _stop(proc)
            log.seek(0)
            raise RuntimeError(f"Xvfb :{n} did not start in {timeout}s: {log.read()[-2000:]!r}")
        # it exited: most likely another server took :n first; try the next number
    log.seek(0)
    raise RuntimeError(f"no free X display number for Xvfb: {log.read()[-2000:]!r}")


def _wait_for_wm(display: str, proc: subprocess.Popen, timeout: float) -> None:
    from Xlib import X, display as xdisplay

    d = xdisplay.Display(display)
    try:
        check = d.intern_atom("_NET_SUPPORTING_WM_CHECK")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"window manager exited with status {proc.returncode}")
            if d.screen().root.get_full_property(check, X.AnyPropertyType) is not None:
                return
            time.sleep(0.01)
        # Not an EWMH window manager (or a slow one): it is running, go on.
    finally:
        d.close()


@contextmanager
def xvfb(size: tuple[int, int] = SCREEN_SIZE, depth: int = 24, window_manager: str | None = None,
         timeout: float = 10.0) -> Iterator[str]:
    """A fresh Xvfb on a free display number; yields the DISPLAY string (":57").

    `window_manager`: a command to run on it (e.g. "evilwm"); without one there is no
    `_NET_ACTIVE_WINDOW`, and focus is plain X input focus. Raises XvfbUnavailable
    when Xvfb is not installed."""
    server, display = _start_xvfb(size, depth, timeout)
    wm = None
    try:
        if window_manager:
            wm = subprocess.Popen(window_manager.split(), env={**os.environ, "DISPLAY": display},
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True,
                                  preexec_fn=_die_with_parent)
            _wait_for_wm(display, wm, timeout)
        yield display
    finally:
        _stop(wm)
        _stop(server)


# ----------------------------------------------------------------- the windows

@dataclass
class XWindow:
    """A window opened by `open_window`, living in its own process `pid`."""

    display: str
    wid: int
    pid: int
    title: str
    text: str
    app_class: str
    process: subprocess.Popen = field(repr=False)

    def focus(self, timeout: float = 5.0) -> None:
        """Raise the window and give it the input focus (through the window
        manager's `_NET_ACTIVE_WINDOW` when one runs); wait until it has it."""
        from Xlib import X, display as xdisplay, protocol

        d = xdisplay.Display(self.display)
        try:
            root = d.screen().root
            window = d.create_resource_object("window", self.wid)
            net_active = d.intern_atom("_NET_ACTIVE_WINDOW")
            ewmh = root.get_full_property(d.intern_atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType)
            if ewmh is not None:
                event = protocol.event.ClientMessage(window=window, client_type=net_active,
                                                     data=(32, [2, X.CurrentTime, 0, 0, 0]))
                root.send_event(event, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
            window.configure(stack_mode=X.Above)
            if ewmh is None:
                d.set_input_focus(window, X.RevertToPointerRoot, X.CurrentTime)
            d.sync()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if _has_focus(d, window, net_active if ewmh is not None else None):
                    return
                time.sleep(0.01)
            raise TimeoutError(f"window {self.title!r} did not get the focus in {timeout}s")
        finally:
            d.close()

    def bounds(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the window's content in root coordinates."""
        from Xlib import display as xdisplay

        d = xdisplay.Display(self.display)
        try:
            window = d.create_resource_object("window", self.wid)
            geom = window.get_geometry()
            origin = d.screen().root.translate_coords(window, 0, 0)
            return (origin.x, origin.y, geom.width, geom.height)
        finally:
            d.close()

    def close(self, timeout: float = 5.0) -> None:
        """Close the window; returns once the server no longer has it."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()      # the window process exits on EOF
                self.process.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                _stop(self.process)
        _wait_window_gone(self.display, self.wid, timeout)

    def __enter__(self) -> XWindow:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _wait_window_gone(display: str, wid: int, timeout: float) -> None:
    """The server destroys a client's windows shortly after its process exits."""
    from Xlib import display as xdisplay, error as xerror

    try:
        d = xdisplay.Display(display)
    except Exception:
        return                                  # the server itself is gone
    try:
        window = d.create_resource_object("window", wid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                window.get_attributes()
            except xerror.BadWindow:
                return
            time.sleep(0.005)
    finally:
        d.close()


def _has_focus(d, window, net_active: int | None) -> bool:
    from Xlib import X

    root = d.screen().root
    if net_active is not None:
        prop = root.get_full_property(net_active, X.AnyPropertyType)
        return prop is not None and len(prop.value) > 0 and prop.value[0] == window.id
    focus = d.get_input_focus().focus
    while not isinstance(focus, int) and focus.id != root.id:
        if focus.id == window.id:
            return True
        focus = focus.query_tree().parent
    return False


def open_window(display: str, title: str, text: str, font_size: int = 28,
                app_class: str = "FamiliarTest", *, position: tuple[int, int] = (80, 80),
                size: tuple[int, int] | None = None, fullscreen: bool = False,
                timeout: float = 10.0) -> XWindow:
    """Open a real X11 top-level window showing `text` (newlines allowed) in black
    DejaVu Sans of `font_size` px on white, titled `title` (_NET_WM_NAME and
    WM_NAME) with WM_CLASS (app_class.lower(), app_class) and _NET_WM_PID.

    It is sized to fit the text unless `size` is given; `fullscreen` covers the
    screen and sets _NET_WM_STATE_FULLSCREEN. Returns once the window is mapped;
    call `.focus()` to focus it and `.close()` (or use `with`) to close it."""
    spec = {"title": title, "text": text, "font_size": font_size, "app_class": app_class,
            "position": list(position), "size": list(size) if size else None,
            "fullscreen": fullscreen}
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--window", json.dumps(spec)],
                            env={**os.environ, "DISPLAY": display}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=errors, start_new_session=True)
    line = _wait_readable(proc.stdout.fileno(), proc, timeout)
    if not line:
        _stop(proc)
        errors.seek(0)
        raise RuntimeError(f"window {title!r} did not open: {errors.read()[-3000:].decode(errors='replace')}")
    errors.close()
    return XWindow(display, int(line), proc.pid, title, text, app_class, proc)


# ------------------------------------------- inside the window's own process

FONT_FILES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",   # Debian, Ubuntu
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",                # Arch
]


def load_font(size: int):
    from PIL import ImageFont

    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:style=Regular"],
                               capture_output=True, text=True).stdout
        if found.endswith((".ttf", ".otf")) and Path(found).exists():
            return ImageFont.truetype(found, size)
    return ImageFont.load_default(size=size)


def render_text(text: str, font_size: int, size: tuple[int, int] | None = None):
    """`text` in black on white, padded by one line height; a PIL RGB image."""
    from PIL import Image, ImageDraw

    font = load_font(font_size)
    spacing = max(4, font_size // 3)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox((0, 0), text or " ", font=font, spacing=spacing)
    pad = font_size
    width, height = size or (max(240, right - left + 2 * pad), max(80, bottom - top + 2 * pad))
    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).multiline_text((pad - left, pad - top), text, fill="black", font=font,
                                         spacing=spacing)
    return image


def _put_image(d, drawable, gc, image) -> None:
    from Xlib import X

    if d.screen().root_depth != 24:
        raise RuntimeError("the test windows need a 24-bit display (Xvfb -screen 0 WxHx24)")
    rawmode = "BGRX" if d.display.info.image_byte_order == X.LSBFirst else "XRGB"
    width, height = image.size
    rows = max(1, ((d.display.info.max_request_length << 2) - 64) // (width * 4))
    for y in range(0, height, rows):
        chunk = image.crop((0, y, width, min(height, y + rows)))
        drawable.put_image(gc, 0, y, width, chunk.size[1], X.ZPixmap, 24, 0,
                           chunk.tobytes("raw", rawmode))


def _window_main(spec: dict) -> None:
    from Xlib import X, Xatom, Xutil, display as xdisplay

    d = xdisplay.Display()
    screen = d.screen()
    root = screen.root
    size = spec["size"]
    x, y = spec["position"]
    if spec["fullscreen"]:
        x, y, size = 0, 0, [screen.width_in_pixels, screen.height_in_pixels]
    image = render_text(spec["text"], spec["font_size"], tuple(size) if size else None)
    width, height = image.size
    pixmap = root.create_pixmap(width, height, screen.root_depth)
    gc = pixmap.create_gc(foreground=screen.black_pixel, background=screen.white_pixel)
    _put_image(d, pixmap, gc, image)
    window = root.create_window(
        x, y, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
        background_pixmap=pixmap, event_mask=X.StructureNotifyMask)

    atom = d.intern_atom
    title, app_class = spec["title"], spec["app_class"]
    window.change_property(atom("_NET_WM_NAME"), atom("UTF8_STRING"), 8, title.encode("utf-8"))
    window.change_property(Xatom.WM_NAME, Xatom.STRING, 8, title.encode("latin-1", "replace"))
    window.change_property(Xatom.WM_CLASS, Xatom.STRING, 8,
                           f"{app_class.lower()}\0{app_class}\0".encode("latin-1", "replace"))
    window.change_property(atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    window.change_property(Xatom.WM_CLIENT_MACHINE, Xatom.STRING, 8,
                           socket.gethostname().encode("latin-1", "replace"))
    window.change_property(atom("WM_PROTOCOLS"), Xatom.ATOM, 32, [atom("WM_DELETE_WINDOW")])
    window.set_wm_hints(flags=Xutil.InputHint | Xutil.StateHint, input=1, initial_state=Xutil.NormalState)
    window.set_wm_normal_hints(flags=Xutil.USPosition | Xutil.USSize, x=x, y=y, width=width, height=height)
    if spec["fullscreen"]:
        window.change_property(atom("_NET_WM_STATE"), Xatom.ATOM, 32, [atom("_NET_WM_STATE_FULLSCREEN")])
    window.map()
    d.flush()
    while True:
        event = d.next_event()
        if event.type == X.MapNotify and event.window.id == window.id:
            break
    print(window.id, flush=True)

    stdin = sys.stdin.fileno()
    delete = atom("WM_DELETE_WINDOW")
    while True:
        while d.pending_events():
            event = d.next_event()
            if event.type == X.ClientMessage and event.data[1][0] == delete:
                return
            if event.type == X.DestroyNotify and event.window.id == window.id:
                return
        ready, _, _ = select.select([d.fileno(), stdin], [], [])
        if stdin in ready and not os.read(stdin, 64):
            return                                  # the test closed us (or died)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if len(sys.argv) == 3 and sys.argv[1] == "--window":
        _window_main(json.loads(sys.argv[2]))
    else:
        sys.exit("usage: xvfb.py --window SPEC_JSON   (internal; use tests.xvfb.open_window)")
else:
    import pytest

    def xvfb_fixture(scope: str = "module", **options):
        """A pytest fixture yielding the DISPLAY of a fresh Xvfb (`xvfb(**options)`);
        skips when Xvfb is not installed."""

        @pytest.fixture(scope=scope)
        def _xvfb_display() -> Iterator[str]:
            skip_unless_xvfb()
            with xvfb(**options) as display:
                yield display

        return _xvfb_display

    xvfb_display = xvfb_fixture()
