"""recall(query): hybrid retrieval of current propositions.

relevance = 0.8 · cosine (Chroma) + 0.2 · keyword coverage
            (candidates found by BM25 over SQLite FTS5; the keyword score is the
            IDF-weighted share of the query's content words the proposition contains,
            so a lone common word never counts as a full match)
score     = relevance × confidence weight × freshness weight
then maximal marginal relevance (MMR) picks k results that are not near-copies.

Freshness follows ``decay``: a proposition with decay 10 keeps half its weight for
about six months, one with decay 1 loses half within six hours (the reference GUM
code has this backwards: it fades durable propositions fastest).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from assistant.settings import RecallSettings
from memory.ledger import query_terms
from memory.models import Proposition
from memory.store import Memory
from memory.timeutil import now_utc

VECTOR_WEIGHT = 0.8
KEYWORD_WEIGHT = 0.2
MIN_HALF_LIFE_H = 6.0  # decay 1
MAX_HALF_LIFE_H = 180 * 24.0  # decay 10


def half_life_hours(decay: int) -> float:
    """Geometric from 6 hours (decay 1) to 180 days (decay 10)."""
    d = max(1, min(10, decay))
    return MIN_HALF_LIFE_H * (MAX_HALF_LIFE_H / MIN_HALF_LIFE_H) ** ((d - 1) / 9)


def freshness(p: Proposition, now: datetime) -> float:
    """1.0 when the latest evidence is new, halving every half-life after it."""
    if p.user_confirmed:
        return 1.0
    ref = p.last_evidence_at or p.updated_at
    age_h = max(0.0, (now - ref).total_seconds() / 3600)
    return 0.5 ** (age_h / half_life_hours(p.decay))


def weight(p: Proposition, now: datetime) -> float:
    confidence = 10 if p.user_confirmed else p.confidence
    return (0.4 + 0.06 * confidence) * (0.15 + 0.85 * freshness(p, now))


@dataclass(frozen=True)
class RecallResult:
    proposition: Proposition
    score: float
    similarity: float
    keyword: float


VECTOR_CACHE = 4096  # candidates' vectors kept between recalls (a proposition's text,
                    # and so its vector, never changes under its id: a revision is a new id)


class Recaller:
    def __init__(self, memory: Memory, settings: RecallSettings | None = None):
        self.memory = memory
        self.settings = settings or RecallSettings()
        self._vectors: OrderedDict[int, np.ndarray] = OrderedDict()

    def recall(self, query: str, k: int | None = None, *, now: datetime | None = None,
               include_sensitive: bool = True, vector: np.ndarray | None = None
               ) -> list[RecallResult]:
        """The k most relevant current propositions for ``query``. ``vector``: the
        query's embedding when the caller has it already (otherwise it is embedded);
        the keyword part always reads ``query``."""
        k = k or self.settings.k
        now = now or now_utc()
        n = self.settings.candidates
        qvec = self.memory.embed([query])[0] if vector is None else np.asarray(vector, np.float32)
        vector_hits = dict(self.memory.index.query(qvec, n))
        keyword_hits = dict(self.memory.ledger.bm25(query, n))
        ids = list(dict.fromkeys([*vector_hits, *keyword_hits]))
        if not ids:
            return []
        props = {p.id: p for p in self.memory.ledger.propositions(ids)}
        ids = [i for i in ids if i in props and props[i].status == "current"
               and (include_sensitive or not props[i].sensitive)]
        if not ids:
            return []
        vecs = self._candidate_vectors(ids)
        ids = [i for i in ids if i in vecs]
        matrix = np.stack([vecs[i] for i in ids]) if ids else np.zeros((0, len(qvec)))
        sims = matrix @ qvec
        terms = query_terms(query)
        idf = self.memory.ledger.idf(terms) if keyword_hits else {}
        idf_total = sum(idf.values()) or 1.0
        scored = []
        for i, pid in enumerate(ids):
            sim = float(sims[i])
            kw = 0.0
            if pid in keyword_hits:
                words = set(query_terms(props[pid].text))
                kw = sum(v for t, v in idf.items() if t in words) / idf_total
            relevance = VECTOR_WEIGHT * max(sim, 0.0) + KEYWORD_WEIGHT * kw
            scored.append((relevance * weight(props[pid], now), sim, kw, i))
        picked = _mmr(scored, matrix, k, self.settings.mmr_lambda)
        return [RecallResult(props[ids[i]], s, sim, kw) for s, sim, kw, i in picked]

    def _candidate_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        """Vectors by proposition id: from the cache, the rest from the index in one call."""
        cache = self._vectors
        missing = [i for i in ids if i not in cache]
        fetched = self.memory.index.vectors(missing) if missing else {}
        out = {}
        for i in ids:
            v = cache.get(i) if i not in fetched else fetched[i]
            if v is not None:
                out[i] = v
                cache[i] = v
                cache.move_to_end(i)
        while len(cache) > VECTOR_CACHE:
            cache.popitem(last=False)
        return out


def _mmr(scored: list[tuple[float, float, float, int]], matrix: np.ndarray, k: int,
         lam: float) -> list[tuple[float, float, float, int]]:
    """Greedy maximal marginal relevance over (score, sim, kw, row) tuples."""
    pool = sorted(scored, key=lambda t: -t[0])[: max(k * 4, 20)]
    if not pool:
        return []
    top = pool[0][0] or 1.0
    chosen: list[tuple[float, float, float, int]] = []
    while pool and len(chosen) < k:
        if not chosen:
            best = pool[0]
        else:
            rows = [c[3] for c in chosen]

            def mmr(t):
                redundancy = float(np.max(matrix[rows] @ matrix[t[3]]))
                return lam * t[0] / top - (1 - lam) * redundancy

            best = max(pool, key=mmr)
        chosen.append(best)
        pool.remove(best)
    return chosen
