"""Screen frames with mss. A frame is a BGRA numpy array of one region of the screen;
it lives in memory only (pixels never reach the disk unless a setting says so)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

Region = tuple[int, int, int, int]  # left, top, width, height


@dataclass(frozen=True)
class Frame:
    pixels: np.ndarray  # (height, width, 4) uint8, BGRA
    region: Region


class FrameSource(Protocol):
    def monitors(self) -> list[Region]:
        """Each monitor's rectangle in screen coordinates (not their union)."""

    def grab(self, region: Region) -> Frame: ...


# mss lists the monitors once per instance; a monitor plugged in or unplugged, or a
# resolution changed, is seen when the instance is renewed after this long.
MONITORS_TTL_S = 30.0


class MssFrames:
    """mss, one instance per thread (its X11 handles are not shared across threads),
    renewed every ``MONITORS_TTL_S`` so that the monitor list follows the hardware."""

    def __init__(self, clock=time.monotonic):
        self._local = threading.local()
        self._clock = clock

    def _mss(self):
        if getattr(self._local, "sct", None) is None:
            import mss

            self._local.sct = mss.mss()
        return self._local.sct

    def monitors(self) -> list[Region]:
        now = self._clock()
        if now - getattr(self._local, "listed_at", now) >= MONITORS_TTL_S:
            self.close()  # the next instance lists the monitors afresh
        if getattr(self._local, "sct", None) is None:
            self._local.listed_at = now
        # mss lists the union of all monitors first, then each one.
        mons = self._mss().monitors[1:] or self._mss().monitors[:1]
        return [(m["left"], m["top"], m["width"], m["height"]) for m in mons]

    def grab(self, region: Region) -> Frame:
        left, top, width, height = region
        shot = self._mss().grab({"left": left, "top": top, "width": width, "height": height})
        pixels = np.frombuffer(shot.raw, dtype=np.uint8).reshape(shot.height, shot.width, 4)
        return Frame(pixels, region)

    def close(self) -> None:
        sct = getattr(self._local, "sct", None)
        if sct is not None:
            sct.close()
            self._local.sct = None


def clip(region: Region, bounds: Region) -> Region | None:
    """``region`` cut to ``bounds``; None if less than a sliver is left."""
    x0, y0 = max(region[0], bounds[0]), max(region[1], bounds[1])
    x1 = min(region[0] + region[2], bounds[0] + bounds[2])
    y1 = min(region[1] + region[3], bounds[1] + bounds[3])
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def monitor_for(region: Region, monitors: list[Region]) -> Region | None:
    """The monitor that shows most of ``region``; None when none shows any of it
    (a minimised window parked off screen, a stale position)."""
    best, best_area = None, 0
    for m in monitors:
        x0, y0 = max(region[0], m[0]), max(region[1], m[1])
        x1, y1 = min(region[0] + region[2], m[0] + m[2]), min(region[1] + region[3], m[1] + m[3])
        area = max(0, x1 - x0) * max(0, y1 - y0)
        if area > best_area:
            best, best_area = m, area
    return best
