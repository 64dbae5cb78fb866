"""The screen observer: what is on screen becomes redacted text.

One capture: paused? locked? idle? → the active window (app, title) → excluded by
policy? → grab the window's region → unchanged since last time? → OCR in reading
order (and/or a vision model's description, when one is configured) → redact → an
observation draft.

What is grabbed: the active window's part of the monitor that shows most of it
(the least pixels, and nothing of the windows beside it). When the backend cannot
say where the window is (Wayland, no window backend, the desktop focused), each
monitor in turn, one per capture, each with its own change check, so a static
screen of several monitors still costs one grab per capture. A window on no
monitor (minimised, off screen) is not captured: whatever is visible is not it.

Pixels stay in memory unless ``keep_screenshots`` is on; then they are written
0600 and expire after ``screenshot_ttl_hours``, checked on the first capture of a
process and every ``EXPIRE_EVERY_S`` after, whatever the capture then decides (so
a paused or idle loop, or one restarted after days, still clears old files).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from assistant.settings import CaptureSettings
from capture.activity import Activity
from capture.change import ChangeDetector
from capture.frames import FrameSource, Region, clip, monitor_for
from capture.ocr import OcrEngine, reading_order
from capture.privacy import CapturePolicy
from capture.redact import redact
from capture.state import CaptureState
from capture.vision import FrameDescriber
from capture.window import ActiveWindow, WindowInfo
from memory.models import NewObservation
from memory.timeutil import now_utc

log = logging.getLogger(__name__)


@dataclass
class CaptureOutcome:
    """What one capture did, and why."""

    captured: bool
    # captured | paused | locked | idle | excluded | off screen | unchanged | no text | no screen
    reason: str
    window: ActiveWindow | None = None
    lines: list[str] = field(default_factory=list)
    observation: NewObservation | None = None
    redactions: dict[str, int] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    detail: str = ""


class ScreenObserver:
    def __init__(self, frames: FrameSource, ocr: OcrEngine, windows: WindowInfo,
                 activity: Activity, policy: CapturePolicy, state: CaptureState,
                 settings: CaptureSettings | None = None, screenshot_dir: Path | None = None,
                 describer: FrameDescriber | None = None):
        self.frames = frames
        self.ocr = ocr
        self.windows = windows
        self.activity = activity
        self.policy = policy
        self.state = state
        self.settings = settings or CaptureSettings()
        self.screenshot_dir = screenshot_dir
        self.describer = describer
        self.detector = ChangeDetector()  # frames of the active window
        self.monitor_detectors: dict[Region, ChangeDetector] = {}  # whole monitors, each its own
        self._monitor_turn = 0
        self._expire_due: float | None = None  # monotonic time of the next expiry; None: now

    def capture(self, *, ignore_idle: bool = False) -> CaptureOutcome:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        self.expire_when_due()
        pause = self.state.get()
        if pause.paused:
            return CaptureOutcome(False, "paused", detail=pause.describe())
        if self.activity.screen_locked():
            return CaptureOutcome(False, "locked", detail="the screen is locked")
        idle = self.activity.idle_seconds()
        if not ignore_idle and idle is not None and idle > self.settings.idle_after_s:
            return CaptureOutcome(False, "idle", detail=f"no input for {idle:.0f} s")
        window = self.windows.active()
        reason = self.policy.excluded(window)
        if reason:
            self.reset_change()
            return CaptureOutcome(False, "excluded", window, detail=reason)
        try:
            monitors = self.frames.monitors()
        except Exception as exc:  # noqa: BLE001 - no display, no permission
            return CaptureOutcome(False, "no screen", window, detail=f"cannot read the screen: {exc}")
        if not monitors:
            return CaptureOutcome(False, "no screen", window, detail="the display reports no monitor")
        if window.bounds:
            monitor = monitor_for(window.bounds, monitors)
            region = clip(window.bounds, monitor) if monitor else None
            if region is None:
                return CaptureOutcome(False, "off screen", window,
                                      detail=f"the active window {window.bounds} is on no monitor")
            detector = self.detector
        else:
            region = self._next_monitor(monitors)
            detector = self.monitor_detectors.setdefault(region, ChangeDetector())
        frame = self.frames.grab(region)
        timings["grab"] = _ms(t0)
        t1 = time.perf_counter()
        change = detector.check(frame)
        timings["change"] = _ms(t1)
        if not change.changed:
            return CaptureOutcome(False, "unchanged", window, timings_ms=timings)
        band = changed_band(frame, change.region)
        description = self._describe(frame, band, timings)
        lines: list[str] = []
        if description is None or self.settings.vision_mode != "instead":
            t2 = time.perf_counter()
            lines = reading_order(self.ocr.read(band))
            timings["ocr"] = _ms(t2)
        if description:
            lines = [f"[screen] {description}", *lines]
        self._maybe_keep(frame)
        text = "\n".join(lines).strip()
        if not text:
            return CaptureOutcome(False, "no text", window, timings_ms=timings)
        body = redact(text)
        title = redact(window.title).text if window.title else None
        found = dict(body.found)
        obs = NewObservation(source="screen", text=body.text, app=window.app, window=title,
                             at=now_utc())
        timings["total"] = _ms(t0)
        return CaptureOutcome(True, "captured", window, body.text.splitlines(), obs, found, timings)

    def reset_change(self) -> None:
        """Forget the last frames: the next one of each region is read whole."""
        self.detector.reset()
        self.monitor_detectors.clear()

    def _next_monitor(self, monitors: list[Region]) -> Region:
        """Where the active window is unknown: the monitors in turn."""
        for gone in self.monitor_detectors.keys() - set(monitors):
            del self.monitor_detectors[gone]  # unplugged, or the layout changed
        region = monitors[self._monitor_turn % len(monitors)]
        self._monitor_turn = (self._monitor_turn + 1) % len(monitors)
        return region

    def expire_screenshots(self, now: datetime | None = None) -> int:
        """Delete kept screenshots older than ``screenshot_ttl_hours``; how many. Runs
        whether or not ``keep_screenshots`` is on now: files kept while it was on
        still expire after it is turned off."""
        if self.screenshot_dir is None or not self.screenshot_dir.is_dir():
            return 0
        return expire_screenshots(self.screenshot_dir,
                                  timedelta(hours=self.settings.screenshot_ttl_hours), now)

    def expire_when_due(self) -> None:
        """Delete expired screenshots on the first call and every EXPIRE_EVERY_S after."""
        clock = time.monotonic()
        if self._expire_due is not None and clock < self._expire_due:
            return
        self._expire_due = clock + EXPIRE_EVERY_S
        try:
            removed = self.expire_screenshots()
        except OSError as exc:  # a full or read-only disk must not stop capture
            log.warning("could not delete expired screenshots in %s: %s", self.screenshot_dir, exc)
            return
        if removed:
            log.info("deleted %d expired screenshot(s)", removed)

    def _describe(self, frame, band, timings) -> str | None:
        """The vision model's description of the frame, when one is configured: beside
        OCR only for a new window or a mostly changed one (a described frame costs
        seconds), instead of OCR for every changed frame. None when there is none or it
        failed (then OCR reads the frame)."""
        if self.describer is None:
            return None
        whole = band.shape[:2] == frame.pixels.shape[:2]
        if self.settings.vision_mode != "instead" and not whole:
            return None
        t = time.perf_counter()
        try:
            description = self.describer.describe(frame.pixels[:, :, :3])
        except Exception as exc:  # noqa: BLE001 - OCR still reads the frame
            log.warning("frame description failed, using OCR: %s", exc)
            return None
        finally:
            timings["describe"] = _ms(t)
        return description.strip() or None

    def _maybe_keep(self, frame) -> None:
        if not (self.settings.keep_screenshots and self.screenshot_dir):
            return
        from PIL import Image

        self.screenshot_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.screenshot_dir / f"{now_utc():%Y%m%dT%H%M%S%f}.png"
        Image.frombuffer("RGB", (frame.pixels.shape[1], frame.pixels.shape[0]),
                         frame.pixels[:, :, 2::-1].copy().tobytes()).save(path)
        os.chmod(path, 0o600)
        self.expire_screenshots()


EXPIRE_EVERY_S = 600.0  # how often a running capture loop looks for expired screenshots
BAND_PADDING = 24  # pixels above and below what moved, so that lines are read whole


def changed_band(frame, changed) -> np.ndarray:
    """The BGR pixels to OCR: the full rows of the frame that hold what moved, or the
    whole frame when most of it moved. New lines then extend the window's observation."""
    pixels = frame.pixels[:, :, :3]
    if changed is None or changed == frame.region:
        return pixels
    top = max(0, changed[1] - frame.region[1] - BAND_PADDING)
    bottom = min(pixels.shape[0], changed[1] - frame.region[1] + changed[3] + BAND_PADDING)
    if bottom - top > 0.6 * pixels.shape[0]:
        return pixels
    return pixels[top:bottom]


def expire_screenshots(directory: Path, ttl: timedelta, now: datetime | None = None) -> int:
    cutoff = ((now or now_utc()) - ttl).timestamp()
    removed = 0
    for p in directory.glob("*.png"):
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
                removed += 1
        except FileNotFoundError:  # another process (the CLI, the app) got there first
            continue
    return removed


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 2)
