"""What the index does while its Chroma server cannot be reached.

The ledger is on this device, so nothing needs the server to be correct: index
changes wait in the ledger's ``index_queue`` (``Memory.sync`` leaves them there), and
searches are answered from the ledger. Keyword candidates come from its BM25 search as
always; the vector side becomes an exact search over embeddings computed here, for
ledgers small enough to embed quickly (else keyword search alone).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from memory.ledger import Ledger

# Above this many current propositions an exact local search costs too much on a
# laptop CPU (the first one embeds them all); recall then relies on BM25 alone.
LOCAL_SEARCH_LIMIT = 2000


class IndexUnavailable(Exception):
    """The vector index's server cannot be reached; the message says what to do."""


class LedgerFallback:
    """Answers ``query`` and ``vectors`` from the ledger, with local embeddings."""

    def __init__(self, ledger: Ledger, embed: Callable[[list[str]], np.ndarray],
                 limit: int = LOCAL_SEARCH_LIMIT):
        self.ledger = ledger
        self.embed = embed
        self.limit = limit

    def query(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        ids = self.ledger.current_ids()
        if not ids or len(ids) > self.limit:
            return []
        vecs = self.vectors(ids)
        ids = [i for i in ids if i in vecs]
        if not ids:
            return []
        sims = np.stack([vecs[i] for i in ids]) @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims)[:k]
        return [(ids[j], float(sims[j])) for j in order]

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        props = [p for p in self.ledger.propositions(ids) if p.status == "current"]
        if not props:
            return {}
        vecs = self.embed([p.text for p in props])
        return {p.id: np.asarray(v, dtype=np.float32) for p, v in zip(props, vecs)}
