"""Ledger + vector index kept in step. The ledger is written first; the index follows
by draining the ledger's ``index_queue``, so a crash in between heals on the next
``sync()`` (every entry point calls it on start)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from memory.embedder import Embedder
from memory.fallback import IndexUnavailable
from memory.ledger import Ledger
from memory.vector_index import VectorIndex

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
CACHED_CHARS = 1000  # longer texts are embedded when asked, not kept


class Memory:
    def __init__(self, ledger: Ledger, index: VectorIndex, embedder: Embedder,
                 cache_size: int = 4096):
        self.ledger = ledger
        self.index = index
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    # -- embeddings, with a small cache keyed by text -----------------------------
    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` (one batch for those not cached). Short texts (queries,
        propositions: what is embedded again and again) are kept in an LRU cache; long
        ones (a page of screen text) are used once and not kept, so the cache stays a
        few MB however long Familiar runs."""
        if not texts:
            return np.zeros((0, self.embedder.dim), np.float32)
        found = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing)):
                found[t] = v
                if len(t) <= CACHED_CHARS:
                    self._cache[t] = v
        for t in found:
            if t in self._cache:
                self._cache.move_to_end(t)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def clear_embedding_cache(self) -> None:
        self._cache.clear()

    # -- keeping the index in step ------------------------------------------------
    def sync(self) -> int:
        """Apply queued ledger changes to the index; returns how many were applied.
        While the index's server is unreachable the changes stay queued."""
        try:
            return self._sync()
        except IndexUnavailable as exc:
            log.info("index changes stay queued: %s", exc)
            return 0

    def _sync(self) -> int:
        applied = 0
        while True:
            queue = self.ledger.index_queue(limit=2000)
            if not queue:
                return applied
            last_op: dict[int, str] = {}
            for _, pid, op in queue:
                last_op[pid] = op
            upsert_ids = [pid for pid, op in last_op.items() if op == "upsert"]
            props = {p.id: p for p in self.ledger.propositions(upsert_ids)}
            current = [props[i] for i in upsert_ids if i in props and props[i].status == "current"]
            stale = [pid for pid in last_op if pid not in {p.id for p in current}]
            self.index.delete(stale)
            if current:
                vecs = self.embed([p.text for p in current])
                self.index.upsert([p.id for p in current], vecs, [_meta(p) for p in current])
            self.ledger.clear_index_queue(queue[-1][0])
            applied += len(last_op)

    def reindex(self, progress: Progress | None = None, batch: int = 256) -> int:
        """Drop the index and rebuild it from the ledger's current propositions."""
        self.index.reset()
        self.ledger.reset_index_queue()
        ids = self.ledger.current_ids()
        for start in range(0, len(ids), batch):
            props = self.ledger.propositions(ids[start : start + batch])
            if props:
                self.index.upsert([p.id for p in props], self.embed([p.text for p in props]),
                                  [_meta(p) for p in props])
            if progress:
                progress(min(start + batch, len(ids)), len(ids))
        return len(ids)

    def in_step(self) -> bool:
        """True when the index holds exactly the ledger's current propositions."""
        return self.index.ids() == set(self.ledger.current_ids())

    def heal(self) -> str | None:
        """Bring the index in step with the ledger; returns a message if it rebuilt."""
        self.sync()
        # A count check is cheap on every start; the full id comparison is in_step().
        try:
            count = self.index.count()
        except IndexUnavailable as exc:
            return str(exc)
        if count != len(self.ledger.current_ids()):
            n = self.reindex()
            return f"The search index did not match the ledger; rebuilt it ({n} propositions)."
        return None


def _meta(p) -> dict:
    return {"confidence": p.confidence, "decay": p.decay, "kind": p.kind}
