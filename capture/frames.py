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
            self._local.born = self._clock()
        return self._local.sct

    def monitors(self) -> list[Region]:
        if getattr(self._local, "sct", None) is not None \
                and self._clock() - self._local.born >= MONITORS_TTL_S:
            self.close()  # the next instance lists the monitors afresh
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


def _overlap(region: Region, bounds: Region) -> Region:
    """Where ``region`` and ``bounds`` meet (a width or height <= 0: they do not)."""
    x0, y0 = max(region[0], bounds[0]), max(region[1], bounds[1])
    x1 = min(region[0] + region[2], bounds[0] + bounds[2])
    y1 = min(region[1] + region[3], bounds[1] + bounds[3])
    return (x0, y0, x1 - x0, y1 - y0)


def clip(region: Region, bounds: Region) -> Region | None:
    """``region`` cut to ``bounds``; None if less than a sliver is left."""
    cut = _overlap(region, bounds)
    return cut if cut[2] >= 16 and cut[3] >= 16 else None


def monitor_for(region: Region, monitors: list[Region]) -> Region | None:
    """The monitor that shows most of ``region``; None when none shows any of it
    (a minimised window parked off screen, a stale position)."""
    best, best_area = None, 0
    for m in monitors:
        _, _, w, h = _overlap(region, m)
        area = max(0, w) * max(0, h)
        if area > best_area:
            best, best_area = m, area
    return best
