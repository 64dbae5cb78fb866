"""OCR of screen frames with RapidOCR's bundled ONNX models (PP-OCRv4 mobile),
loaded on first use and kept; text comes back in reading order.

The pipeline is our own rather than RapidOCR's, for speed on a two-core laptop (a
full 1080p page of text: 1.3 s of CPU instead of 11.9 s, and 98.6 % of its words read
instead of 72 %, run back to back on the same loaded machine; benchmarks/capture.py):
lines are found on a 2/3-scale copy of the frame and fitted to their ink
(capture/ocr_detect.py); each line is read at its own width, 36 px high, lines spread
over two threads, and a line already read in an earlier frame comes from a cache
(capture/ocr_recognize.py); the models' graphs are simplified as they load
(capture/ocr_graph.py) and their sessions do not spin-wait (capture/ocr_models.py).
No angle classifier: screen text is upright."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from capture.ocr_decode import SpacedCTCDecoder, join_with_gaps  # noqa: F401 - re-exported


@dataclass(frozen=True)
class TextBox:
    text: str
    score: float
    left: float
    top: float
    right: float
    bottom: float


class OcrEngine(Protocol):
    def read(self, image_bgr: np.ndarray) -> list[TextBox]: ...


class RapidOcrEngine:
    """Detector and recognizer sessions, loaded on the first ``read`` and kept."""

    def __init__(self, min_score: float = 0.5):
        self.min_score = min_score
        self._parts = None
        self._lock = threading.Lock()

    def _load(self):
        if self._parts is None:
            from rapidocr_onnxruntime.ch_ppocr_rec.utils import CTCLabelDecode

            from capture import ocr_models
            from capture.ocr_detect import LineDetector
            from capture.ocr_recognize import LineRecognizer

            det = ocr_models.session(ocr_models.bundled(ocr_models.DETECTOR))
            # One core per line, lines spread over the workers: better than splitting each
            # small line's operators across cores.
            rec = ocr_models.session(ocr_models.bundled(ocr_models.RECOGNIZER), threads=1)
            chars = rec.get_modelmeta().custom_metadata_map["character"].splitlines()
            # CTCLabelDecode adds the blank (index 0) and the trailing space as the model expects.
            characters = CTCLabelDecode(character=chars).character
            self._parts = LineDetector(det), LineRecognizer(rec, characters, ocr_models.max_threads())
        return self._parts

    @property
    def recognizer(self):
        return self._load()[1]

    def read(self, image_bgr: np.ndarray) -> list[TextBox]:
        image_bgr = np.ascontiguousarray(image_bgr[:, :, :3])
        with self._lock:
            detector, recognizer = self._load()
            found = detector.find(image_bgr)
            read = recognizer.read_many([image_bgr[t:b, l:r] for l, t, r, b in found])
        boxes = []
        for (left, top, right, bottom), (text, score) in zip(found, read):
            text = text.strip()
            if score >= self.min_score and text:
                boxes.append(TextBox(text, score, left, top, right, bottom))
        return boxes


def reading_order(boxes: list[TextBox]) -> list[str]:
    """Group boxes into lines (vertical centres within half a line height), each line
    left to right, lines top to bottom."""
    lines: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        centre, height = (b.top + b.bottom) / 2, max(1.0, b.bottom - b.top)
        if lines:
            last = lines[-1]
            last_centre = sum((x.top + x.bottom) / 2 for x in last) / len(last)
            if abs(centre - last_centre) <= height / 2:
                last.append(b)
                continue
        lines.append([b])
    return [" ".join(b.text for b in sorted(line, key=lambda b: b.left)) for line in lines]
