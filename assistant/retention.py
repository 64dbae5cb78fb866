"""Retention: observations older than ``memory.retention_days`` expire.

Unlike ``forget``, expiry is not the user disowning what was learned: propositions
keep their text, lose the links to the expired observations, and are re-scored as
a new revision (expired evidence counts half, so a claim that rested only on old
observations loses half its confidence, at least down to 1). What the user
confirmed or wrote keeps its confidence and only loses the links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from memory.ledger import Ledger
from memory.models import Candidate
from memory.timeutil import now_utc, to_iso

EXPIRED_WEIGHT = 0.5  # what an expired observation still counts for, against a kept one


@dataclass
class RetentionReport:
    cutoff: datetime | None
    observations: int = 0
    rescored: list[tuple[int, int]] = field(default_factory=list)
    unlinked: list[int] = field(default_factory=list)

    def describe(self) -> str:
        if self.cutoff is None:
            return "retention is off (memory.retention_days is not set); nothing expired"
        return (f"expired {self.observations} observation(s) from before "
                f"{self.cutoff:%Y-%m-%d %H:%M} UTC; re-scored {len(self.rescored)} proposition(s), "
                f"unlinked {len(self.unlinked)} confirmed one(s)")


def expired_ids(ledger: Ledger, cutoff: datetime) -> list[int]:
    return [r[0] for r in ledger.db.execute(
        "SELECT id FROM observations WHERE at < ? ORDER BY id", (to_iso(cutoff),))]


def apply_retention(ledger: Ledger, days: float | None, *, now: datetime | None = None,
                    dry_run: bool = False) -> RetentionReport:
    if not days:
        return RetentionReport(cutoff=None)
    cutoff = (now or now_utc()) - timedelta(days=days)
    report = RetentionReport(cutoff=cutoff)
    with ledger.transaction() as db:
        ids = expired_ids(ledger, cutoff)
        report.observations = len(ids)
        if not ids or dry_run:
            return report
        lost: dict[int, int] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for pid, n in db.execute(
                f"SELECT proposition_id, count(*) FROM evidence WHERE observation_id IN ({marks})"
                " GROUP BY proposition_id", chunk):
                lost[pid] = lost.get(pid, 0) + n
        totals = {pid: len(ledger.evidence_ids(pid)) for pid in lost}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM evidence WHERE observation_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM observations WHERE id IN ({marks})", chunk)
        for pid in sorted(lost):
            prop = ledger.proposition(pid)
            if prop is None or prop.status != "current":
                continue
            if prop.user_confirmed or prop.origin == "user":
                ledger._queue(pid, "upsert")  # its evidence changed; the index follows
                report.unlinked.append(pid)
                continue
            kept = totals[pid] - lost[pid]
            share = (kept + EXPIRED_WEIGHT * lost[pid]) / totals[pid]
            confidence = max(1, round(prop.confidence * share))
            new = Candidate(
                text=prop.text,
                reasoning=f"{prop.reasoning} ({lost[pid]} supporting observation(s) expired "
                          "under the retention setting.)".strip()[:600],
                confidence=confidence, decay=prop.decay, kind=prop.kind, origin=prop.origin,
                evidence=ledger.evidence_ids(pid), polarity=prop.polarity)
            new_id = ledger.supersede(pid, new, f"{lost[pid]} observation(s) of its evidence "
                                      "expired (retention)", actor="retention")
            # Expiry is not new evidence: the claim is as fresh as it was.
            db.execute("UPDATE propositions SET last_evidence_at=(SELECT last_evidence_at"
                       " FROM propositions WHERE id=?) WHERE id=?", (pid, new_id))
            report.rescored.append((pid, new_id))
    return report


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["apply_retention", "RetentionReport", "expired_ids"]
