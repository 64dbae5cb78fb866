"""A cheap change check: a strided grayscale thumbnail of the frame, compared cell by
cell with the last one. An unchanged screen costs a few milliseconds and is not
OCR'd again."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from capture.frames import Frame, Region

STEP = 8  # sample every 8th pixel in each direction
CELL_DELTA = 10  # grey levels a cell must move to count as changed


def thumbnail(frame: Frame, step: int = STEP) -> np.ndarray:
    px = frame.pixels[::step, ::step, :3].astype(np.uint16)
    return ((px[..., 0] + 2 * px[..., 1] + px[..., 2]) >> 2).astype(np.int16)


@dataclass(frozen=True)
class Change:
    changed: bool
    fraction: float  # share of thumbnail cells that moved
    region: Region | None  # bounding box of what moved, in screen coordinates


class ChangeDetector:
    def __init__(self, min_fraction: float = 0.002, step: int = STEP):
        self.min_fraction = min_fraction
        self.step = step
        self._last: tuple[Region, np.ndarray] | None = None

    def reset(self) -> None:
        self._last = None

    def check(self, frame: Frame) -> Change:
        thumb = thumbnail(frame, self.step)
        last, self._last = self._last, (frame.region, thumb)
        if last is None or last[0] != frame.region or last[1].shape != thumb.shape:
            return Change(True, 1.0, frame.region)
        moved = np.abs(thumb - last[1]) > CELL_DELTA
        fraction = float(moved.mean())
        if fraction < self.min_fraction:
            return Change(False, fraction, None)
        rows = np.flatnonzero(moved.any(axis=1))
        cols = np.flatnonzero(moved.any(axis=0))
        # Pixels between samples may have moved too: widen the box by one step.
        s, (left, top, width, height) = self.step, frame.region
        x0, y0 = max(0, int(cols[0]) - 1) * s, max(0, int(rows[0]) - 1) * s
        x1, y1 = min(width, (int(cols[-1]) + 2) * s), min(height, (int(rows[-1]) + 2) * s)
        box = (left + x0, top + y0, x1 - x0, y1 - y0)
        return Change(True, fraction, box)
