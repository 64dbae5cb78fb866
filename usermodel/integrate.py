"""Relate a candidate proposition to what is stored, then write: insert it, corroborate
an identical one, merge it with a similar one, or supersede a contradicted one.

Nothing is deleted: every change to a stored claim is a new row, the old one marked
superseded with the reason. A user-confirmed proposition is never rewritten by the
model: agreeing evidence is linked to it, a conflicting claim is stored beside it and
recorded as a conflict for the user to settle.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from memory.models import Candidate, Proposition
from memory.store import Memory

log = logging.getLogger(__name__)

AUTO_MAX_CONFIDENCE = 9  # 10 is for what the user confirmed
IDENTICAL, SIMILAR, UNRELATED = "identical", "similar", "unrelated"

_NEGATION = re.compile(
    r"\b(not|never|no longer|doesn't|does not|don't|isn't|can't|cannot|won't|dislikes?|hates?|"
    r"avoids?|refuses?|detests?|can't stand)\b", re.IGNORECASE)

# (stored proposition, candidate) -> a merged candidate, or None to fall back to rules.
Reviser = Callable[[Proposition, Candidate], Candidate | None]


def polarity_of(text: str) -> int:
    return -1 if _NEGATION.search(text) else 1


@dataclass
class IntegrationReport:
    inserted: list[int] = field(default_factory=list)
    revised: list[tuple[int, int]] = field(default_factory=list)
    corroborated: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, int]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def add(self, other: "IntegrationReport") -> None:
        for name in ("inserted", "revised", "corroborated", "conflicts", "dropped"):
            getattr(self, name).extend(getattr(other, name))


class Integrator:
    def __init__(self, memory: Memory, *, identical: float = 0.92, similar: float = 0.80,
                 reviser: Reviser | None = None):
        self.memory = memory
        self.identical = identical
        self.similar = similar
        self.reviser = reviser

    def integrate(self, candidates: list[Candidate]) -> IntegrationReport:
        """Write candidates to the ledger. Call inside a ledger transaction; the index
        follows when the caller runs ``memory.sync()`` after the commit."""
        report = IntegrationReport()
        if not candidates:
            return report
        ledger = self.memory.ledger
        vecs = self.memory.embed([c.text for c in candidates])
        rejected = ledger.rejected_texts()
        rej_vecs = self.memory.embed([t for _, t in rejected]) if rejected else None
        fresh: dict[int, np.ndarray] = {}  # written in this transaction, not yet indexed
        for cand, vec in zip(candidates, vecs):
            if rej_vecs is not None and float(np.max(rej_vecs @ vec)) >= self.identical:
                report.dropped.append(f"{cand.text} (the user rejected this before)")
                continue
            pid, sim = self._nearest(vec, fresh)
            old = ledger.proposition(pid) if pid is not None else None
            relation = (UNRELATED if old is None or old.status != "current"
                        else IDENTICAL if sim >= self.identical
                        else SIMILAR if sim >= self.similar else UNRELATED)
            new_id = self._write(relation, old, cand, report)
            if old is not None and new_id != old.id:
                fresh.pop(old.id, None)
            if new_id is not None:
                fresh[new_id] = vec
        return report

    def _nearest(self, vec: np.ndarray, fresh: dict[int, np.ndarray]) -> tuple[int | None, float]:
        """The most similar current proposition: indexed ones, and those written in
        this transaction that the index has not seen yet."""
        hits = dict(self.memory.index.query(vec, 5))
        hits.update({pid: float(v @ vec) for pid, v in fresh.items()})
        for pid, sim in sorted(hits.items(), key=lambda h: -h[1]):
            if pid in fresh:
                return pid, sim
            p = self.memory.ledger.proposition(pid)
            if p is not None and p.status == "current":  # the index may lag the ledger
                return pid, sim
        return None, -1.0

    def _write(self, relation: str, old: Proposition | None, cand: Candidate,
               report: IntegrationReport) -> int | None:
        ledger = self.memory.ledger
        if relation == UNRELATED or old is None:
            pid = ledger.insert_proposition(cand)
            report.inserted.append(pid)
            return pid
        old_evidence = {e.observation_id for e in old.evidence}
        new_evidence = set(cand.evidence) - old_evidence
        same_sense = polarity_of(old.text) == polarity_of(cand.text)
        if relation == SIMILAR and not same_sense:
            if old.user_confirmed:
                pid = ledger.insert_proposition(cand)
                ledger.add_conflict(pid, old.id, "The model inferred the opposite of what you "
                                                 "confirmed; keep one of them.")
                report.inserted.append(pid)
                report.conflicts.append((pid, old.id))
                return pid
            new_id = ledger.supersede(old.id, cand, _reason("contradicted by", cand.evidence))
            report.revised.append((old.id, new_id))
            return new_id
        if not new_evidence:
            return old.id  # nothing new: the same observation seen again
        if old.user_confirmed:
            ledger.add_evidence(old.id, new_evidence)
            report.corroborated.append(old.id)
            return old.id
        merged = None
        if relation == SIMILAR and self.reviser is not None:
            try:
                merged = self.reviser(old, cand)
            except Exception as exc:  # noqa: BLE001 - a failed revision falls back to rules
                log.warning("model revision failed, merging by rule: %s", exc)
        if merged is None:
            merged = _merge(old, cand, relation)
        merged.evidence = sorted(old_evidence | set(cand.evidence))
        verb = "corroborated by" if relation == IDENTICAL else "merged with a similar claim from"
        new_id = ledger.supersede(old.id, merged, _reason(verb, sorted(new_evidence)))
        report.revised.append((old.id, new_id))
        if relation == IDENTICAL:
            report.corroborated.append(new_id)
        return new_id


def _merge(old: Proposition, cand: Candidate, relation: str) -> Candidate:
    """Rule-based revision: keep the better-supported wording, raise confidence by one."""
    keep_old = relation == IDENTICAL or old.confidence > cand.confidence
    text = old.text if keep_old else cand.text
    reasoning = old.reasoning if cand.reasoning in old.reasoning else f"{old.reasoning} {cand.reasoning}"
    return Candidate(
        text=text,
        reasoning=reasoning.strip()[:600],
        confidence=min(AUTO_MAX_CONFIDENCE, max(old.confidence, cand.confidence) + 1),
        decay=max(old.decay, cand.decay),
        kind=old.kind if keep_old else cand.kind,
        origin=old.origin if old.origin == cand.origin else "rule+llm",
        polarity=old.polarity,
    )


def _reason(verb: str, obs_ids) -> str:
    ids = ", ".join(f"#{i}" for i in sorted(obs_ids)[:10])
    return f"{verb} observation {ids}" if ids else verb
