"""Where the text lines are: RapidOCR's DB detector run on a downscaled copy of the
frame, its boxes mapped back to full resolution as upright rectangles and fitted to
the ink of their line.

Screen text is crisp and upright, so the detector needs far fewer pixels than a
photo: at 2/3 scale a 1080p frame costs under half the full-size pass (measured 232 vs
507 ms of CPU) and finds the same lines, 12 px UI text included
(tests/test_capture_ocr.py renders 12 to 28 px)."""

from __future__ import annotations

import numpy as np

DET_SCALE = 2 / 3  # of the frame's own pixels; text height, not frame size, is what matters
MAX_DET_SIDE = 2048  # a very large region is scaled down further
MIN_DET_SIDE = 32
PAD = 16  # pixels of margin around the image


class LineDetector:
    def __init__(self, session, scale: float = DET_SCALE):
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess

        self.session = session
        self.input_name = session.get_inputs()[0].name
        self.scale = scale
        self.post = DBPostProcess(thresh=0.3, box_thresh=0.5, max_candidates=1000,
                                  unclip_ratio=1.6, use_dilation=True, score_mode="fast")

    def find(self, image_bgr: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Upright boxes (left, top, right, bottom) in ``image_bgr``'s pixels, top to bottom."""
        import cv2

        h, w = image_bgr.shape[:2]
        # Text touching the image's edge (a band cut from a window) is found poorly:
        # give the detector a margin of the edge's own colour.
        pad = PAD
        padded = cv2.copyMakeBorder(image_bgr, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        ph, pw = h + 2 * pad, w + 2 * pad
        scale = min(self.scale, MAX_DET_SIDE / max(ph, pw))
        dh = max(MIN_DET_SIDE, int(round(ph * scale / 32)) * 32)
        dw = max(MIN_DET_SIDE, int(round(pw * scale / 32)) * 32)
        small = cv2.resize(padded, (dw, dh), interpolation=cv2.INTER_AREA)
        x = (small.astype(np.float32) * (2 / 255) - 1).transpose(2, 0, 1)[np.newaxis]
        pred = self.session.run(None, {self.input_name: np.ascontiguousarray(x)})[0]
        quads, _ = self.post(pred, (ph, pw))
        grey = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
        boxes = []
        for q in quads:
            left, top = int(max(0, q[:, 0].min() - pad)), int(max(0, q[:, 1].min() - pad))
            right, bottom = int(min(w, q[:, 0].max() - pad)), int(min(h, q[:, 1].max() - pad))
            if right - left > 3 and bottom - top > 3:
                boxes.append(tighten(grey, (left, top, right, bottom)))
        return sorted(boxes, key=lambda b: (b[1], b[0]))


INK_CONTRAST = 48  # grey levels between a text pixel and the background


def tighten(image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The box fitted to its line's ink, plus a margin of about a tenth of its height.

    A box found at reduced scale is a few pixels too tall once mapped back, and the
    recognizer reads a line best when the letters fill most of its height. The line is
    the run of inked rows through the box's middle (blank rows separate it from the
    ascenders and descenders of neighbouring lines); a box with no clear run is kept.
    Sideways the box grows over ink that continues past its edge with no more than a
    narrow gap (the detector clips thin marks such as the dashes of "-----BEGIN"), then
    is cut to the ink. Fitting the ink also makes the crop of an unchanged line the same
    pixels from frame to frame (the detector's edges wander by a pixel or two when
    something else on screen changes), so the line cache recognises it.

    ``image``: the frame in grey (or BGR, converted here)."""
    if image.ndim == 3:
        import cv2

        image = cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_BGR2GRAY)
    height, width = image.shape[:2]
    left, top, right, bottom = box
    h = bottom - top
    # look a little beyond the box: half its height sideways, a quarter up and down
    x0, x1 = max(0, left - h // 2), min(width, right + h // 2)
    y0, y1 = max(0, top - h // 4), min(height, bottom + h // 4)
    grey = image[y0:y1, x0:x1].astype(np.int16)
    inner = grey[top - y0:bottom - y0, left - x0:right - x0]
    edge = np.concatenate([inner[0], inner[-1], inner[:, 0], inner[:, -1]])
    ink = np.abs(grey - np.median(edge)) > INK_CONTRAST
    rows = ink[:, left - x0:right - x0].any(axis=1)
    mid = (top + bottom) // 2 - y0
    if not rows[max(0, mid - h // 4):mid + h // 4 + 1].any():
        return box
    centre = min(np.flatnonzero(rows), key=lambda i: abs(i - mid))
    first, last = _reach(rows, centre, -1, max(2, h // 8)), _reach(rows, centre, 1, max(2, h // 8))
    cols = ink[first:last + 1].any(axis=0)
    inside = np.flatnonzero(cols[left - x0:right - x0])
    if not len(inside):
        return box
    line_h = last - first + 1
    c0 = _reach(cols, left - x0 + int(inside[0]), -1, max(2, line_h // 4))
    c1 = _reach(cols, left - x0 + int(inside[-1]), 1, max(2, line_h // 4))
    margin = max(2, round(0.12 * line_h))
    return (max(0, x0 + c0 - margin), max(0, y0 + first - margin),
            min(width, x0 + c1 + 1 + margin), min(height, y0 + last + 1 + margin))


def _reach(marks: np.ndarray, start: int, step: int, max_gap: int) -> int:
    """The last marked index reached from ``start`` going ``step`` (+1 or -1) across
    gaps of at most ``max_gap`` unmarked ones."""
    reached = i = int(start)
    gap = 0
    while 0 <= i + step < len(marks) and gap <= max_gap:
        i += step
        if marks[i]:
            reached, gap = i, 0
        else:
            gap += 1
    return reached
