"""OCR with RapidOCR (ONNX models bundled in the rapidocr-onnxruntime package),
loaded on first use and kept; text comes back in reading order."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


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
    """RapidOCR with two changes for screens: the recognizer's matrix products run in
    int8 (quantized once into ``cache_dir``; about twice as fast, same text), and
    spaces between words are restored from the gaps the CTC decoder leaves (the bundled
    Chinese+English model often runs English words together)."""

    def __init__(self, min_score: float = 0.5, cache_dir: Path | None = None):
        self.min_score = min_score
        self.cache_dir = cache_dir
        self._engine = None
        self._lock = threading.Lock()

    def _load(self):
        if self._engine is None:
            from rapidocr_onnxruntime import RapidOCR

            kwargs = {}
            quantized = self._quantized_recognizer()
            if quantized is not None:
                kwargs["rec_model_path"] = str(quantized)
            # No angle classifier: screen text is upright, and it costs time. Scaling is
            # done by ocr_scale() before the call; the detector only caps the long side.
            engine = RapidOCR(use_cls=False, det_limit_type="max", det_limit_side_len=MAX_SIDE,
                              **kwargs)
            engine.text_rec.postprocess_op = SpacedCTCDecoder(engine.text_rec.postprocess_op.character)
            self._engine = engine
        return self._engine

    def _quantized_recognizer(self) -> Path | None:
        if self.cache_dir is None:
            return None
        import rapidocr_onnxruntime

        src = Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"
        dst = self.cache_dir / "ocr" / "ch_PP-OCRv4_rec_int8.onnx"
        if dst.is_file():
            return dst
        try:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_suffix(".tmp.onnx")
            quantize_dynamic(src, tmp, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
            tmp.replace(dst)
            return dst
        except Exception as exc:  # noqa: BLE001 - the float model still works
            log.warning("OCR recognizer not quantized (%s); using the float model", exc)
            return None

    def read(self, image_bgr: np.ndarray) -> list[TextBox]:
        scale = ocr_scale(*image_bgr.shape[:2])
        if scale != 1.0:
            import cv2

            image_bgr = cv2.resize(image_bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        with self._lock:
            result, _ = self._load()(np.ascontiguousarray(image_bgr), use_cls=False)
        boxes = []
        for points, text, score in result or []:
            if float(score) < self.min_score or not text.strip():
                continue
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            boxes.append(TextBox(text.strip(), float(score), min(xs), min(ys), max(xs), max(ys)))
        return boxes


MIN_SIDE = 736  # small regions read better enlarged, as RapidOCR does by default...
MAX_SIDE = 2400  # ...but a thin strip must not become 9x as wide (RapidOCR's default would)


def ocr_scale(height: int, width: int) -> float:
    """Enlarge a region whose short side is under MIN_SIDE, without letting its long
    side pass MAX_SIDE; never shrink (a 1080p frame is read as it is)."""
    up = MIN_SIDE / min(height, width) if min(height, width) < MIN_SIDE else 1.0
    return min(up, max(1.0, MAX_SIDE / max(height, width)))


class SpacedCTCDecoder:
    """Greedy CTC decoding that puts a space where two characters sit much further
    apart than the line's usual spacing (a word boundary the model did not spell)."""

    MIN_GAP = 5  # decoder columns; letters within a word sit 2-4 apart

    def __init__(self, character: list[str]):
        self.character = character

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **kwargs):
        out = []
        for b in range(preds.shape[0]):
            idx, prob = preds[b].argmax(axis=1), preds[b].max(axis=1)
            keep = np.ones(len(idx), dtype=bool)
            keep[1:] = idx[1:] != idx[:-1]
            keep &= idx != 0  # the CTC blank
            cols = np.flatnonzero(keep)
            chars = [self.character[i] for i in idx[keep]]
            out.append((join_with_gaps(chars, cols, self.MIN_GAP),
                        float(prob[keep].mean()) if keep.any() else 0.0))
        return out


def join_with_gaps(chars: list[str], cols: np.ndarray, min_gap: int = SpacedCTCDecoder.MIN_GAP) -> str:
    if len(chars) < 2:
        return "".join(chars)
    gaps = np.diff(cols)
    limit = max(min_gap, 1.6 * float(np.median(gaps)))
    text = [chars[0]]
    for ch, gap in zip(chars[1:], gaps):
        if gap >= limit and ch != " " and text[-1] != " ":
            text.append(" ")
        text.append(ch)
    return "".join(text)


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
