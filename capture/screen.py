"""The screen observer: what is on screen becomes redacted text.

One capture: paused? locked? idle? → the active window (app, title) → excluded by
policy? → grab the window's region (else the monitor) → unchanged since last time?
→ OCR in reading order (and/or a vision model's description, when one is
configured) → redact → an observation draft. Pixels stay in memory unless
``keep_screenshots`` is on; then they are written 0600 and expire.
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
from capture.frames import FrameSource, clip, monitor_for
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
    reason: str  # captured | paused | locked | idle | excluded | unchanged | no text | no screen
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
        self.detector = ChangeDetector()

    def capture(self, *, ignore_idle: bool = False) -> CaptureOutcome:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
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
            self.detector.reset()
            return CaptureOutcome(False, "excluded", window, detail=reason)
        try:
            monitors = self.frames.monitors()
        except Exception as exc:  # noqa: BLE001 - no display, no permission
            return CaptureOutcome(False, "no screen", window, detail=f"cannot read the screen: {exc}")
        monitor = monitor_for(window.bounds, monitors) if window.bounds else monitors[0]
        region = (clip(window.bounds, monitor) if window.bounds else None) or monitor
        frame = self.frames.grab(region)
        timings["grab"] = _ms(t0)
        t1 = time.perf_counter()
        change = self.detector.check(frame)
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
        expire_screenshots(self.screenshot_dir, timedelta(hours=self.settings.screenshot_ttl_hours))


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
        if p.stat().st_mtime < cutoff:
            p.unlink(missing_ok=True)
            removed += 1
    return removed


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 2)
