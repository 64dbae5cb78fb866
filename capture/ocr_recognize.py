"""Reading text lines: the PP-OCRv4 recognizer on each crop at its own width (no
padding to the widest crop of a batch), 36 px high, lines
spread over worker threads (one core each: a single line is too small to split
well), and a cache keyed by the crop's pixels, so a line that is still on screen in
the next frame is not read again."""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from capture.ocr_decode import SpacedCTCDecoder

# Crops come tight (capture/ocr_detect.tighten), so the letters fill most of the height.
# Measured word recall on rendered screens: 36 px 0.99 (as good as the model's own 48 px
# at 56% of the cost); 32 px 0.87; 36 px squeezed to 85% width 0.85. Taller text is
# scaled down to 36 px too (same recall on 20-28 px text as reading it at up to 48 px).
HEIGHT = 36
CACHE_LINES = 4096


class LineRecognizer:
    def __init__(self, session, characters: list[str], workers: int = 1,
                 cache_lines: int = CACHE_LINES):
        self.session = session
        self.input_name = session.get_inputs()[0].name
        self.decoder = SpacedCTCDecoder(characters)
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ocr") if self.workers > 1 else None
        self.cache_lines = cache_lines
        self._cache: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def read(self, crop_bgr: np.ndarray) -> tuple[str, float]:
        """(text, confidence) of one line image."""
        return self.read_many([crop_bgr])[0]

    def read_many(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        keys = [_key(c) for c in crops]
        results: list[tuple[str, float] | None] = [None] * len(crops)
        todo = []
        with self._lock:
            for i, key in enumerate(keys):
                if key in self._cache:
                    self._cache.move_to_end(key)
                    results[i] = self._cache[key]
                    self.hits += 1
                else:
                    todo.append(i)
        todo.sort(key=lambda i: -crops[i].shape[1] / max(1, crops[i].shape[0]))  # longest first
        if self._pool is not None and len(todo) > 1:
            read = list(self._pool.map(lambda i: self._recognise(crops[i]), todo))
        else:
            read = [self._recognise(crops[i]) for i in todo]
        with self._lock:
            for i, result in zip(todo, read):
                results[i] = result
                self._cache[keys[i]] = result
                self.misses += 1
            while len(self._cache) > self.cache_lines:
                self._cache.popitem(last=False)
        return results  # type: ignore[return-value]

    def _recognise(self, crop_bgr: np.ndarray) -> tuple[str, float]:
        import cv2

        h, w = crop_bgr.shape[:2]
        height = HEIGHT
        width = max(height // 2, int(math.ceil(height * w / h)))
        resized = cv2.resize(crop_bgr, (width, height),
                             interpolation=cv2.INTER_AREA if height < h else cv2.INTER_LINEAR)
        x = (resized.astype(np.float32) * (2 / 255) - 1).transpose(2, 0, 1)[np.newaxis]
        preds = self.session.run(None, {self.input_name: np.ascontiguousarray(x)})[0]
        ((text, score),) = self.decoder(preds)
        return text, score

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)


def _key(crop: np.ndarray) -> bytes:
    digest = hashlib.blake2b(np.ascontiguousarray(crop).data, digest_size=16)
    digest.update(np.asarray(crop.shape, np.int32).tobytes())
    return digest.digest()
