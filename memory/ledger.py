"""The ledger: SQLite (WAL) holding observations, propositions, revisions, evidence
links, feedback and conflicts. It is the truth; the vector index is derived from it.

Every change that the vector index must follow is queued in ``index_queue`` inside
the same transaction, so a crash between the ledger and the index heals on the
next start (the queue is drained then).
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from memory.migrations import migrate
from memory.models import Candidate, Evidence, Observation, Proposition, Revision
from memory.timeutil import from_iso, now_utc, to_iso

FORGOTTEN_TEXT = "[forgotten]"

# Words that say nothing about which proposition is meant; kept out of keyword search.
# (A standard English function-word list, plus "user", which every proposition has.)
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't down during each few for from further get got had hadn't has
    hasn't have haven't having he her here hers herself him himself his how i i'd i'll i'm
    i've if in into is isn't it it's its itself just let's like me might more most much must
    my myself no nor not now of off on once one only or other ought our ours ourselves out
    over own really same shall she should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they this those through to too under
    until up us very was wasn't we were weren't what what's when where which while who whom
    why will with won't would wouldn't you you'd you'll you're you've your yours yourself
    yourselves user users user's""".split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class LedgerCounts:
    observations: int
    pending: int
    failed: int
    propositions: int
    superseded: int
    retracted: int


class Ledger:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.RLock()
        self._depth = 0
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA secure_delete=ON")
        self.db.execute("PRAGMA busy_timeout=10000")
        migrate(self.db)
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                os.chmod(p, 0o600)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            self.db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")
            finally:
                self._depth = 0

    def _query(self, sql: str, params: Sequence | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    # -- observations -----------------------------------------------------------
    def add_observation(
        self,
        source: str,
        text: str,
        *,
        role: str = "user",
        at: datetime | None = None,
        app: str | None = None,
        window: str | None = None,
        external_id: str | None = None,
        sensitive: bool = False,
    ) -> tuple[int, bool]:
        """Store an observation; returns (id, created). Re-adding the same external id
        with the same text is a no-op that returns the stored id."""
        at = at or now_utc()
        with self.transaction() as db:
            if external_id is not None:
                row = db.execute(
                    "SELECT id, text FROM observations WHERE source=? AND external_id=?",
                    (source, external_id),
                ).fetchone()
                if row is not None:
                    if row["text"] != text:
                        raise ValueError(
                            f"An observation with id {external_id!r} from {source} already "
                            "exists with different text; use another --id, or forget the old one "
                            f"first (familiar forget --external-id {external_id})."
                        )
                    return row["id"], False
            cur = db.execute(
                "INSERT INTO observations(source, role, text, app, window, external_id, at,"
                " created_at, sensitive) VALUES (?,?,?,?,?,?,?,?,?)",
                (source, role, text, app, window, external_id, to_iso(at), to_iso(now_utc()),
                 int(sensitive)),
            )
            return int(cur.lastrowid), True

    def append_observation_text(self, obs_id: int, extra: str, max_chars: int) -> bool:
        """Extend an observation the user model has not read yet; False if it has, or
        if the text would grow past ``max_chars``."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE observations SET text = text || char(10) || ? WHERE id=?"
                " AND extracted_at IS NULL AND length(text) + length(?) < ?",
                (extra, obs_id, extra, max_chars))
            return cur.rowcount == 1

    @staticmethod
    def _observation(row: sqlite3.Row) -> Observation:
        return Observation(
            id=row["id"], source=row["source"], text=row["text"], at=from_iso(row["at"]),
            role=row["role"], app=row["app"], window=row["window"],
            external_id=row["external_id"], extracted=row["extracted_at"] is not None,
            processed=row["processed_at"] is not None, sensitive=bool(row["sensitive"]),
        )

    def observation(self, obs_id: int) -> Observation | None:
        rows = self._query("SELECT * FROM observations WHERE id=?", (obs_id,))
        return self._observation(rows[0]) if rows else None

    def observations(self, ids: Iterable[int]) -> list[Observation]:
        ids = list(ids)
        out: list[Observation] = []
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._query(f"SELECT * FROM observations WHERE id IN ({marks}) ORDER BY id", chunk)
            out.extend(self._observation(r) for r in rows)
        return out

    def recent_observations(self, limit: int = 20, source: str | None = None) -> list[Observation]:
        if source:
            rows = self._query(
                "SELECT * FROM observations WHERE source=? ORDER BY id DESC LIMIT ?", (source, limit))
        else:
            rows = self._query("SELECT * FROM observations ORDER BY id DESC LIMIT ?", (limit,))
        return [self._observation(r) for r in rows]

    def previous_observations(self, obs: Observation, limit: int = 4) -> list[Observation]:
        """The observations just before ``obs`` from the same source, oldest first."""
        rows = self._query(
            "SELECT * FROM observations WHERE source=? AND id<? ORDER BY id DESC LIMIT ?",
            (obs.source, obs.id, limit),
        )
        return [self._observation(r) for r in reversed(rows)]

    def pending_extraction(self, limit: int) -> list[Observation]:
        rows = self._query(
            "SELECT * FROM observations WHERE extracted_at IS NULL ORDER BY id LIMIT ?", (limit,))
        return [self._observation(r) for r in rows]

    def pending_processing(self, limit: int, after_id: int = 0) -> list[Observation]:
        rows = self._query(
            "SELECT * FROM observations WHERE processed_at IS NULL AND extracted_at IS NOT NULL"
            " AND id>? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [self._observation(r) for r in rows]

    def mark_extracted(self, ids: Iterable[int]) -> None:
        self._stamp("extracted_at", ids)

    def mark_processed(self, ids: Iterable[int]) -> None:
        self._stamp("processed_at", ids)

    def _stamp(self, column: str, ids: Iterable[int]) -> None:
        stamp = to_iso(now_utc())
        with self.transaction() as db:
            db.executemany(
                f"UPDATE observations SET {column}=? WHERE id=?", [(stamp, i) for i in ids])

    def record_llm_failure(self, ids: Iterable[int], error: str) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE observations SET llm_attempts=llm_attempts+1, last_error=? WHERE id=?",
                [(error[:500], i) for i in ids],
            )

    def counts(self) -> LedgerCounts:
        row = self._query(
            """SELECT
                 (SELECT count(*) FROM observations) AS obs,
                 (SELECT count(*) FROM observations WHERE processed_at IS NULL) AS pending,
                 (SELECT count(*) FROM observations
                    WHERE processed_at IS NULL AND llm_attempts > 0) AS failed,
                 (SELECT count(*) FROM propositions WHERE status='current') AS cur,
                 (SELECT count(*) FROM propositions WHERE status='superseded') AS sup,
                 (SELECT count(*) FROM propositions WHERE status='retracted') AS ret"""
        )[0]
        return LedgerCounts(row["obs"], row["pending"], row["failed"], row["cur"], row["sup"], row["ret"])

    # -- propositions -----------------------------------------------------------
    def insert_proposition(
        self, c: Candidate, *, user_confirmed: bool = False, sensitive: bool = False
    ) -> int:
        now = to_iso(now_utc())
        with self.transaction() as db:
            last = self._latest_evidence_at(c.evidence) or now
            cur = db.execute(
                "INSERT INTO propositions(text, reasoning, confidence, decay, kind, origin,"
                " polarity, user_confirmed, sensitive, created_at, updated_at, last_evidence_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (c.text, c.reasoning, _clamp(c.confidence), _clamp(c.decay), c.kind, c.origin,
                 1 if c.polarity >= 0 else -1, int(user_confirmed), int(sensitive), now, now, last),
            )
            pid = int(cur.lastrowid)
            self._link(pid, c.evidence)
            self._queue(pid, "upsert")
            return pid

    def supersede(
        self, old_id: int, new: Candidate, reason: str, *, actor: str = "model",
        user_confirmed: bool | None = None,
    ) -> int:
        """Write ``new`` as the current revision of ``old_id``; the old row stays,
        marked superseded, linked by a revision row that gives the reason."""
        with self.transaction() as db:
            old = self.proposition(old_id)
            if old is None or old.status != "current":
                raise ValueError(f"Proposition {old_id} is not current; nothing to revise.")
            confirmed = old.user_confirmed if user_confirmed is None else user_confirmed
            new_id = self.insert_proposition(new, user_confirmed=confirmed, sensitive=old.sensitive)
            self._retire(old_id, "superseded", new_id, reason, actor)
            return new_id

    def retract(self, prop_id: int, reason: str, *, actor: str = "user", erase: bool = False,
                rejected: bool = False) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT status FROM propositions WHERE id=?", (prop_id,)).fetchone()
            if row is None:
                raise KeyError(prop_id)
            if row["status"] == "current":
                self._retire(prop_id, "retracted", None, reason, actor)
            if rejected:
                db.execute("UPDATE propositions SET rejected=1 WHERE id=?", (prop_id,))
            if erase:
                self._erase(prop_id)

    def _retire(self, prop_id: int, status: str, new_id: int | None, reason: str, actor: str) -> None:
        now = to_iso(now_utc())
        self.db.execute(
            "UPDATE propositions SET status=?, updated_at=? WHERE id=?", (status, now, prop_id))
        self.db.execute(
            "INSERT INTO revisions(old_id, new_id, reason, actor, at) VALUES (?,?,?,?,?)",
            (prop_id, new_id, reason, actor, now),
        )
        self._queue(prop_id, "delete")

    def _erase(self, prop_id: int) -> None:
        self.db.execute(
            "UPDATE propositions SET text=?, reasoning='' WHERE id=?", (FORGOTTEN_TEXT, prop_id))
        self.db.execute("UPDATE feedback SET detail='' WHERE proposition_id=?", (prop_id,))

    def update_in_place(self, prop_id: int, **fields: object) -> None:
        """Change flags that are not a revision of the claim (confirmation, sensitivity)."""
        allowed = {"user_confirmed", "sensitive", "confidence"}
        assert set(fields) <= allowed, fields
        sets = ", ".join(f"{k}=?" for k in fields)
        with self.transaction() as db:
            db.execute(
                f"UPDATE propositions SET {sets}, updated_at=? WHERE id=?",
                [*fields.values(), to_iso(now_utc()), prop_id],
            )
            self._queue(prop_id, "upsert")

    def add_evidence(self, prop_id: int, obs_ids: Iterable[int]) -> None:
        with self.transaction() as db:
            self._link(prop_id, obs_ids)
            last = self._latest_evidence_at(self.evidence_ids(prop_id))
            if last:
                db.execute(
                    "UPDATE propositions SET last_evidence_at=max(last_evidence_at, ?) WHERE id=?",
                    (last, prop_id))
            self._queue(prop_id, "upsert")

    def _link(self, prop_id: int, obs_ids: Iterable[int]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO evidence(proposition_id, observation_id)"
            " SELECT ?, id FROM observations WHERE id=?",
            [(prop_id, o) for o in set(obs_ids)],
        )

    def _latest_evidence_at(self, obs_ids: Iterable[int]) -> str | None:
        ids = list(set(obs_ids))
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        row = self.db.execute(f"SELECT max(at) FROM observations WHERE id IN ({marks})", ids).fetchone()
        return row[0]

    def evidence_ids(self, prop_id: int) -> list[int]:
        return [r[0] for r in self._query(
            "SELECT observation_id FROM evidence WHERE proposition_id=? ORDER BY observation_id",
            (prop_id,))]

    def _proposition(self, row: sqlite3.Row, evidence: list[Evidence]) -> Proposition:
        return Proposition(
            id=row["id"], text=row["text"], reasoning=row["reasoning"],
            confidence=row["confidence"], decay=row["decay"], status=row["status"],
            created_at=from_iso(row["created_at"]), updated_at=from_iso(row["updated_at"]),
            kind=row["kind"], origin=row["origin"], user_confirmed=bool(row["user_confirmed"]),
            sensitive=bool(row["sensitive"]), evidence=evidence,
            polarity=row["polarity"], rejected=bool(row["rejected"]),
            last_evidence_at=from_iso(row["last_evidence_at"]),
        )

    def proposition(self, prop_id: int) -> Proposition | None:
        found = self.propositions([prop_id])
        return found[0] if found else None

    def propositions(self, ids: Sequence[int]) -> list[Proposition]:
        """Propositions by id, in the order given, each with its evidence."""
        ids = list(ids)
        rows: dict[int, sqlite3.Row] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for r in self._query(f"SELECT * FROM propositions WHERE id IN ({marks})", chunk):
                rows[r["id"]] = r
        evidence = self.evidence_for(rows)
        return [self._proposition(rows[i], evidence.get(i, [])) for i in ids if i in rows]

    def evidence_for(self, prop_ids: Iterable[int]) -> dict[int, list[Evidence]]:
        out: dict[int, list[Evidence]] = {}
        for chunk in _chunks(list(prop_ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                "SELECT e.proposition_id, o.id, o.external_id, o.source, o.at, o.text"
                " FROM evidence e JOIN observations o ON o.id = e.observation_id"
                f" WHERE e.proposition_id IN ({marks}) ORDER BY o.at, o.id",
                chunk,
            )
            for r in rows:
                out.setdefault(r[0], []).append(
                    Evidence(observation_id=r[1], external_id=r[2], source=r[3],
                             at=from_iso(r[4]), text=r[5]))
        return out

    def list_propositions(
        self, *, status: str | None = "current", limit: int | None = None,
        order: str = "updated",
    ) -> list[Proposition]:
        orders = {"updated": "updated_at DESC, id DESC", "confidence": "confidence DESC, id DESC",
                  "id": "id"}
        sql = "SELECT id FROM propositions"
        params: list = []
        if status:
            sql += " WHERE status=?"
            params.append(status)
        sql += f" ORDER BY {orders[order]}"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return self.propositions([r[0] for r in self._query(sql, params)])

    def current_ids(self) -> list[int]:
        return [r[0] for r in self._query("SELECT id FROM propositions WHERE status='current'")]

    def rejected_texts(self) -> list[tuple[int, str]]:
        return [(r[0], r[1]) for r in self._query(
            "SELECT id, text FROM propositions WHERE rejected=1 AND text != ?", (FORGOTTEN_TEXT,))]

    def history(self, prop_id: int) -> list[Revision]:
        """Every revision on the chain through ``prop_id``, oldest first."""
        seen: set[int] = set()
        frontier = [prop_id]
        revisions: dict[int, Revision] = {}
        while frontier:
            pid = frontier.pop()
            if pid in seen:
                continue
            seen.add(pid)
            for r in self._query(
                "SELECT * FROM revisions WHERE old_id=? OR new_id=?", (pid, pid)
            ):
                revisions[r["id"]] = Revision(r["old_id"], r["new_id"], r["reason"], from_iso(r["at"]),
                                              actor=r["actor"])
                frontier.extend(x for x in (r["old_id"], r["new_id"]) if x is not None)
        return sorted(revisions.values(), key=lambda r: (r.at, r.old_id))

    def add_feedback(self, prop_id: int, action: str, detail: str = "") -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feedback(proposition_id, action, detail, at) VALUES (?,?,?,?)",
                (prop_id, action, detail, to_iso(now_utc())),
            )

    def feedback(self, prop_id: int) -> list[tuple[str, str, datetime]]:
        return [(r[0], r[1], from_iso(r[2])) for r in self._query(
            "SELECT action, detail, at FROM feedback WHERE proposition_id=? ORDER BY id", (prop_id,))]

    def add_conflict(self, prop_id: int, confirmed_id: int, reason: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO conflicts(proposition_id, confirmed_id, reason, at) VALUES (?,?,?,?)",
                (prop_id, confirmed_id, reason, to_iso(now_utc())),
            )

    def conflicts(self, prop_id: int | None = None) -> list[tuple[int, int, str]]:
        sql = "SELECT proposition_id, confirmed_id, reason FROM conflicts WHERE resolved_at IS NULL"
        params: tuple = ()
        if prop_id is not None:
            sql += " AND (proposition_id=? OR confirmed_id=?)"
            params = (prop_id, prop_id)
        return [(r[0], r[1], r[2]) for r in self._query(sql, params)]

    # -- keyword search (BM25 over FTS5) ---------------------------------------------
    def bm25(self, query: str, limit: int) -> list[tuple[int, float]]:
        """Current propositions matching any content word of ``query``, best first;
        the score is FTS5's bm25 negated (higher is better)."""
        terms = query_terms(query)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = self._query(
            "SELECT p.id, -bm25(propositions_fts) AS s FROM propositions_fts"
            " JOIN propositions p ON p.id = propositions_fts.rowid"
            " WHERE propositions_fts MATCH ? AND p.status='current' ORDER BY s DESC LIMIT ?",
            (match, limit),
        )
        return [(r[0], float(r[1])) for r in rows]

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each term over stored propositions."""
        if not terms:
            return {}
        total = self._query("SELECT count(*) FROM propositions")[0][0]
        marks = ",".join("?" * len(terms))
        df = {r[0]: r[1] for r in self._query(
            f"SELECT term, doc FROM propositions_vocab WHERE term IN ({marks})", list(terms))}
        return {t: math.log(1 + (total - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in terms}

    # -- the queue the vector index follows ---------------------------------------
    def _queue(self, prop_id: int, op: str) -> None:
        self.db.execute("INSERT INTO index_queue(proposition_id, op) VALUES (?,?)", (prop_id, op))

    def index_queue(self, limit: int = 1000) -> list[tuple[int, int, str]]:
        return [(r[0], r[1], r[2]) for r in self._query(
            "SELECT id, proposition_id, op FROM index_queue ORDER BY id LIMIT ?", (limit,))]

    def clear_index_queue(self, up_to_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM index_queue WHERE id<=?", (up_to_id,))

    def reset_index_queue(self) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM index_queue")

    # -- forgetting -------------------------------------------------------------
    def find_observations(
        self, *, ids: Sequence[int] = (), external_ids: Sequence[str] = (),
        source: str | None = None, app: str | None = None,
        since: datetime | None = None, until: datetime | None = None, everything: bool = False,
    ) -> list[int]:
        clauses: list[str] = []
        params: list = []
        if not everything:
            if ids:
                clauses.append(f"id IN ({','.join('?' * len(ids))})")
                params += list(ids)
            if external_ids:
                clauses.append(f"external_id IN ({','.join('?' * len(external_ids))})")
                params += list(external_ids)
            if source:
                clauses.append("source=?")
                params.append(source)
            if app:
                clauses.append("app=?")
                params.append(app)
            if since:
                clauses.append("at>=?")
                params.append(to_iso(since))
            if until:
                clauses.append("at<?")
                params.append(to_iso(until))
            if not clauses:
                return []
        where = " AND ".join(clauses) if clauses else "1"
        return [r[0] for r in self._query(f"SELECT id FROM observations WHERE {where}", params)]

    def forget_observations(self, obs_ids: Sequence[int]) -> "ForgetReport":
        """Delete observations; propositions that rested only on them are retracted and
        their text erased; those with other evidence are re-scored as a new revision."""
        obs_ids = sorted(set(obs_ids))
        retracted: list[int] = []
        rescored: list[tuple[int, int]] = []
        with self.transaction() as db:
            affected: dict[int, int] = {}
            for chunk in _chunks(obs_ids, 500):
                marks = ",".join("?" * len(chunk))
                for r in db.execute(
                    f"SELECT proposition_id, count(*) FROM evidence WHERE observation_id IN ({marks})"
                    " GROUP BY proposition_id", chunk,
                ):
                    affected[r[0]] = affected.get(r[0], 0) + r[1]
            totals = {pid: len(self.evidence_ids(pid)) for pid in affected}
            for chunk in _chunks(obs_ids, 500):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM evidence WHERE observation_id IN ({marks})", chunk)
                db.execute(f"DELETE FROM observations WHERE id IN ({marks})", chunk)
            for pid, lost in sorted(affected.items()):
                prop = self.proposition(pid)
                if prop is None:
                    continue
                remaining = totals[pid] - lost
                if remaining <= 0 and prop.origin != "user":
                    if prop.status == "current":
                        self._retire(pid, "retracted", None, "its evidence was forgotten", "user")
                        retracted.append(pid)
                    self._erase(pid)
                elif prop.status == "current" and not prop.user_confirmed:
                    confidence = max(1, round(prop.confidence * remaining / totals[pid]))
                    new = Candidate(
                        text=prop.text,
                        reasoning=f"Rests on {remaining} remaining observation(s); "
                                  f"{lost} forgotten by the user.",
                        confidence=confidence, decay=prop.decay, kind=prop.kind,
                        origin=prop.origin, evidence=self.evidence_ids(pid), polarity=prop.polarity,
                    )
                    new_id = self.supersede(pid, new, "some of its evidence was forgotten", actor="user")
                    self.db.execute(
                        "UPDATE propositions SET reasoning='' WHERE id=?", (pid,))
                    rescored.append((pid, new_id))
        return ForgetReport(observations=len(obs_ids), retracted=retracted, rescored=rescored)

    def forget_everything(self) -> None:
        """Remove all user data from the ledger (tables emptied, file compacted)."""
        with self.transaction() as db:
            for table in ("evidence", "revisions", "feedback", "conflicts", "index_queue",
                          "propositions", "observations"):
                db.execute(f"DELETE FROM {table}")
            db.execute("INSERT INTO propositions_fts(propositions_fts) VALUES ('rebuild')")
        with self._lock:
            self.db.execute("VACUUM")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def integrity_ok(self) -> bool:
        return self._query("PRAGMA integrity_check")[0][0] == "ok"


@dataclass(frozen=True)
class ForgetReport:
    observations: int
    retracted: list[int]
    rescored: list[tuple[int, int]]


def query_terms(text: str) -> list[str]:
    """Content words of a query, lower-cased, as FTS5's default tokenizer splits them."""
    words = (w.lower() for w in _WORD.findall(text))
    return sorted({w for w in words if w not in STOPWORDS and len(w) > 1})[:32]


def _clamp(v: int) -> int:
    return max(1, min(10, int(v)))


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["Ledger", "LedgerCounts", "ForgetReport", "FORGOTTEN_TEXT", "STOPWORDS", "query_terms", "UTC"]
