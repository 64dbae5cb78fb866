"""Proactive suggestions (GUMBO): candidates from recent and confident propositions,
each scored and tied to the propositions it came from.

Generation. The propositions looked at are the most recently updated and the most
confident current ones (not rejected, not forgotten, not muted). Those that no
stored suggestion covers yet go to the language model when there is one
(assistant/suggest_llm.py: JSON schema, pydantic, only the ids it was given);
whatever the model did not cover, or all of them without a model or after a bad
answer, gets one offer from the rules (assistant/suggest_rules.py). A suggestion is
stored once: its key is the set of root propositions (the first revision of each)
plus its normalized text, so the same thing is never suggested twice, also after
the propositions are revised.

Scores, each 0..1, recomputed on every refresh:

    c  = confidence / 10 (1 when the user confirmed it), averaged over the propositions
    f  = freshness: 0.5 ** (age of the latest evidence / half-life of the decay)
         (assistant/recall.py: a durable proposition stays fresh longer)
    r  = recency: 0.5 ** (age of the latest evidence / 7 days): what is new is timely
    w  = feedback weight of the propositions' lineages: 1, halved by every dismissal
         (at least 0.05), × 1.25 by an acceptance (at most 1.5)

    benefit      = value(kind) × (0.5·c + 0.25·f + 0.25·r) × w
                   value: how useful that kind of offer usually is (KIND_VALUE)
    cost         = the cost of being wrong: 0.6·(1 − c) + 0.15·(share not confirmed by
                   the user) + 0.25 if a proposition is sensitive + 0.1 if the model
                   wrote it, at most 1
    interruption = 0.1 + 0.5 if the user is busy (a call, a fullscreen window)
                   + 0.3 in quiet hours + 0.1 per notification in the last hour, at most 1

    score = benefit − 0.5·cost − 0.5·interruption

Feedback: accept and dismiss change the weight above; "later" hides a suggestion
for notify.later_hours; "never" mutes its propositions and every proposition whose
embedding is within notify.mute_similarity (cosine) of theirs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from assistant.errors import UsageError
from assistant.recall import freshness
from assistant.settings import NotifySettings
from assistant.suggest_rules import KIND_VALUE, offer
from memory.ledger import FORGOTTEN_TEXT, Ledger, query_terms
from memory.models import Proposition
from memory.timeutil import from_iso, now_utc, to_iso

log = logging.getLogger(__name__)

ACTIONS = {"accept": "accepted", "dismiss": "dismissed", "later": "later", "never": "never"}
STATUSES = ("new", "accepted", "dismissed", "later", "never")
CANDIDATES = 40  # propositions looked at, by recency and by confidence each
MODEL_BATCH = 12  # propositions shown to the model per refresh
RECENCY_HALF_LIFE_DAYS = 7.0
DISMISS_FACTOR, ACCEPT_FACTOR = 0.5, 1.25
MIN_WEIGHT, MAX_WEIGHT = 0.05, 1.5
COST_WEIGHT, INTERRUPTION_WEIGHT = 0.5, 0.5
SKIPPED_KINDS = frozenset({"instruction"})  # standing instructions to the assistant, not about the user


@dataclass
class Suggestion:
    id: int
    text: str
    why: str
    score: float
    benefit: float
    cost: float  # the cost of being wrong
    interruption: float
    proposition_ids: list[int]
    created_at: datetime
    status: str  # new | accepted | dismissed | later | never
    kind: str = "fact"
    origin: str = "rule"  # rule | llm
    sensitive: bool = False
    hidden_until: datetime | None = None
    notified_at: datetime | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "why": self.why, "score": round(self.score, 4),
                "benefit": round(self.benefit, 4), "cost": round(self.cost, 4),
                "interruption": round(self.interruption, 4), "propositions": self.proposition_ids,
                "status": self.status, "kind": self.kind, "origin": self.origin,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class Context:
    """What the user is doing now, for the interruption score."""

    now: datetime = field(default_factory=now_utc)
    busy: str | None = None  # "in a call (zoom)", "a fullscreen window"...
    quiet: bool = False
    recent_notifications: int = 0


def interruption(ctx: Context) -> float:
    value = 0.1 + (0.5 if ctx.busy else 0.0) + (0.3 if ctx.quiet else 0.0)
    return min(1.0, value + 0.1 * ctx.recent_notifications)


def _certainty(p: Proposition) -> float:
    return 1.0 if p.user_confirmed else p.confidence / 10


def benefit(props: Sequence[Proposition], kind: str, weight: float, now: datetime) -> float:
    c = float(np.mean([_certainty(p) for p in props]))
    f = float(np.mean([freshness(p, now) for p in props]))
    r = float(np.mean([0.5 ** (_age_days(p, now) / RECENCY_HALF_LIFE_DAYS) for p in props]))
    return KIND_VALUE.get(kind, 0.45) * (0.5 * c + 0.25 * f + 0.25 * r) * weight


def cost(props: Sequence[Proposition], origin: str) -> float:
    c = float(np.mean([_certainty(p) for p in props]))
    unconfirmed = sum(not p.user_confirmed for p in props) / len(props)
    value = 0.6 * (1 - c) + 0.15 * unconfirmed
    value += 0.25 if any(p.sensitive for p in props) else 0.0
    value += 0.1 if origin == "llm" else 0.0
    return min(1.0, value)


def combine(b: float, c: float, i: float) -> float:
    return b - COST_WEIGHT * c - INTERRUPTION_WEIGHT * i


def _age_days(p: Proposition, now: datetime) -> float:
    ref = p.last_evidence_at or p.updated_at
    return max(0.0, (now - ref).total_seconds() / 86400)


def normalize(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def suggestion_key(roots: Sequence[int], text: str) -> str:
    raw = json.dumps(sorted(set(roots))) + "|" + normalize(text)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


class Suggester:
    def __init__(self, ledger: Ledger, settings: NotifySettings | Callable[[], NotifySettings] | None = None,
                 *, memory: Callable[[], object] = lambda: None, llm: Callable[[], object] = lambda: None,
                 use_llm: bool | Callable[[], bool] = True):
        self.ledger = ledger
        # Callables are read on every use, so changed settings apply to a running app.
        self._settings = settings if callable(settings) else (lambda: settings or NotifySettings())
        self._memory = memory  # built on first use: only mutes by similarity need the embedder
        self._llm = llm
        self._use_llm = use_llm if callable(use_llm) else (lambda: use_llm)
        self._lock = threading.Lock()

    @property
    def settings(self) -> NotifySettings:
        return self._settings()

    @property
    def use_llm(self) -> bool:
        return bool(self._use_llm())

    # -- the public surface ---------------------------------------------------------
    def suggestions(self, ctx: Context | None = None, *, refresh: bool = True,
                    limit: int = 10) -> list[Suggestion]:
        """Suggestions to show now, best first."""
        ctx = ctx or Context()
        with self._lock:
            props = self._candidates()
            roots = {p.id: self.root(p.id) for p in props}
            active = sorted(set(roots.values()))
            if refresh:
                self._generate(props, roots, ctx.now)
                self._rescore(ctx, active)
            return self._visible(ctx.now, active)[: max(0, limit)]

    def get(self, suggestion_id: int) -> Suggestion:
        rows = self._rows("WHERE s.id=?", (suggestion_id,))
        if not rows:
            raise UsageError(f"There is no suggestion {suggestion_id}; `familiar suggest` lists them.")
        return rows[0]

    def feedback(self, suggestion_id: int, action: str, *, now: datetime | None = None) -> Suggestion:
        if action not in ACTIONS:
            raise UsageError(f"Unknown action {action!r}; use one of: {', '.join(ACTIONS)}.")
        now = now or now_utc()
        s = self.get(suggestion_id)
        roots = self._roots_of(suggestion_id)
        hidden = to_iso(now + timedelta(hours=self.settings.later_hours)) if action == "later" else None
        mute = self._mute_data(s) if action == "never" else None
        with self.ledger.transaction() as db:
            # "later" on a notification asks for it again later: it may be notified again.
            db.execute("UPDATE suggestions SET status=?, hidden_until=?, updated_at=?,"
                       " notified_at = CASE WHEN ? THEN NULL ELSE notified_at END WHERE id=?",
                       (ACTIONS[action], hidden, to_iso(now), action == "later", suggestion_id))
            db.execute("INSERT INTO suggestion_feedback(suggestion_id, action, at) VALUES (?,?,?)",
                       (suggestion_id, action, to_iso(now)))
            factor = {"dismiss": DISMISS_FACTOR, "accept": ACCEPT_FACTOR}.get(action)
            for root in roots if factor else ():
                db.execute(
                    "INSERT INTO suggestion_weights(root_id, weight) VALUES (?, ?) ON CONFLICT(root_id)"
                    " DO UPDATE SET weight = max(?, min(?, weight * ?))",
                    (root, max(MIN_WEIGHT, min(MAX_WEIGHT, factor)), MIN_WEIGHT, MAX_WEIGHT, factor))
            if mute is not None:
                topic, keywords, vectors = mute
                cur = db.execute(
                    "INSERT INTO muted_topics(suggestion_id, topic, keywords, embedding, at)"
                    " VALUES (?,?,?,?,?)",
                    (suggestion_id, topic, json.dumps(keywords),
                     json.dumps(vectors) if vectors is not None else None, to_iso(now)))
                db.executemany("INSERT OR IGNORE INTO muted_propositions(mute_id, root_id) VALUES (?,?)",
                               [(cur.lastrowid, r) for r in roots])
        return self.get(suggestion_id)

    def weight(self, prop_id: int) -> float:
        """The feedback weight of a proposition's lineage (1 without feedback)."""
        root = self.root(prop_id)
        row = self.ledger._query("SELECT weight FROM suggestion_weights WHERE root_id=?", (root,))
        return float(row[0][0]) if row else 1.0

    # -- lineage -------------------------------------------------------------------
    def lineage(self, prop_id: int) -> list[int]:
        """The proposition and every earlier revision it came from."""
        return [r[0] for r in self.ledger._query(
            "WITH RECURSIVE anc(id) AS (SELECT ? UNION SELECT r.old_id FROM revisions r"
            " JOIN anc ON r.new_id = anc.id) SELECT id FROM anc", (prop_id,))]

    def root(self, prop_id: int) -> int:
        return min(self.lineage(prop_id))

    def _current_of(self, prop_id: int) -> int | None:
        """The current revision that ``prop_id`` became, if any."""
        rows = self.ledger._query(
            "WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT r.new_id FROM revisions r"
            " JOIN d ON r.old_id = d.id WHERE r.new_id IS NOT NULL)"
            " SELECT p.id FROM d JOIN propositions p ON p.id = d.id"
            " WHERE p.status='current' AND p.rejected=0 AND p.text != ? ORDER BY p.id DESC LIMIT 1",
            (prop_id, FORGOTTEN_TEXT))
        return rows[0][0] if rows else None

    # -- generation ------------------------------------------------------------------
    def _candidates(self) -> list[Proposition]:
        seen: dict[int, Proposition] = {}
        for order in ("updated", "confidence"):
            for p in self.ledger.list_propositions(order=order, limit=CANDIDATES):
                if not p.rejected and p.text != FORGOTTEN_TEXT and p.kind not in SKIPPED_KINDS:
                    seen.setdefault(p.id, p)
        return list(seen.values())

    def _generate(self, props: list[Proposition], roots: dict[int, int], now: datetime) -> None:
        props = [p for p in props if not self._muted([p])]
        covered = {r[0] for r in self.ledger._query("SELECT root_id FROM suggestion_sources")}
        fresh = [p for p in props if roots[p.id] not in covered]
        if not fresh:
            return
        # Most recent first, then the most confident: what the model sees first.
        fresh.sort(key=lambda p: (p.last_evidence_at or p.updated_at, p.confidence), reverse=True)
        by_id = {p.id: p for p in fresh}
        cited: set[int] = set()
        llm = self._llm() if self.use_llm else None
        if llm is not None:
            from assistant.suggest_llm import suggest

            memory = self._memory()
            shown = [p for p in fresh if not p.sensitive][:MODEL_BATCH]  # sensitive: rules only
            for s in suggest(llm, shown, now, memory.embed if memory else None):
                cited_props = [by_id[i] for i in s.proposition_ids]
                kind = max(((offer(p.text, p.kind, p.polarity) or _Kind(p.kind)).kind
                            for p in cited_props), key=lambda k: KIND_VALUE.get(k, 0.45))
                why = s.why or " ".join(_why(p) for p in cited_props)
                self._store(s.text, why, kind, "llm", cited_props, roots, now)
                cited.update(s.proposition_ids)
        for p in fresh:
            if p.id in cited:
                continue
            o = offer(p.text, p.kind, p.polarity)
            if o is not None:
                self._store(o.text, _why(p, o.why), o.kind, "rule", [p], roots, now)
        with self.ledger.transaction() as db:  # looked at: not sent to the model again
            db.executemany("INSERT OR IGNORE INTO suggestion_sources(root_id, at) VALUES (?,?)",
                           [(roots[p.id], to_iso(now)) for p in fresh])

    def _store(self, text: str, why: str, kind: str, origin: str, props: Sequence[Proposition],
               roots: dict[int, int], now: datetime) -> None:
        rts = [roots[p.id] for p in props]
        stamp = to_iso(now)
        with self.ledger.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO suggestions(key, text, why, kind, origin, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (suggestion_key(rts, text), text, why, kind, origin, stamp, stamp))
            if cur.rowcount:
                db.executemany(
                    "INSERT OR IGNORE INTO suggestion_propositions(suggestion_id, proposition_id, root_id)"
                    " VALUES (?,?,?)", [(cur.lastrowid, p.id, roots[p.id]) for p in props])

    # -- scoring and listing ----------------------------------------------------------
    def _shown(self, active: Sequence[int]) -> tuple[str, list]:
        """Suggestions that may be shown: new ones about the propositions looked at now
        (which bounds the work as the store grows), and "later" ones that are due."""
        marks = ",".join("?" * len(active)) or "NULL"
        return (f"WHERE (s.status='new' AND s.id IN (SELECT suggestion_id FROM suggestion_propositions"
                f" WHERE root_id IN ({marks}))) OR (s.status='later' AND s.hidden_until <= ?)",
                list(active))

    def _rescore(self, ctx: Context, active: Sequence[int]) -> None:
        now = ctx.now
        where, params = self._shown(active)
        rows = self.ledger._query(f"SELECT s.id, s.kind, s.origin FROM suggestions s {where}",
                                  [*params, to_iso(now)])
        inter = interruption(ctx)
        updates = []
        for sid, kind, origin in rows:
            props = self._props_of(sid)
            if props is None:
                continue
            w = float(np.mean([self.weight(p.id) for p in props]))
            b, c = benefit(props, kind, w, now), cost(props, origin)
            updates.append((b, c, inter, combine(b, c, inter), sid))
        with self.ledger.transaction() as db:
            db.executemany("UPDATE suggestions SET benefit=?, cost=?, interruption=?, score=? WHERE id=?",
                           updates)

    def _props_of(self, sid: int) -> list[Proposition] | None:
        """The current propositions a suggestion rests on (links follow revisions);
        None when one of them is gone (retracted, rejected, forgotten)."""
        links = self.ledger._query(
            "SELECT proposition_id, root_id FROM suggestion_propositions WHERE suggestion_id=?", (sid,))
        ids = []
        for pid, root in links:
            current = self._current_of(pid)
            if current is None:
                return None
            if current != pid:
                with self.ledger.transaction() as db:
                    db.execute("UPDATE suggestion_propositions SET proposition_id=?"
                               " WHERE suggestion_id=? AND root_id=?", (current, sid, root))
            ids.append(current)
        props = self.ledger.propositions(ids)
        return props if props and len(props) == len(ids) else None

    def _visible(self, now: datetime, active: Sequence[int]) -> list[Suggestion]:
        where, params = self._shown(active)
        rows = self._rows(where, [*params, to_iso(now)])
        out = []
        for s in rows:
            props = self._props_of(s.id)
            if props is None:
                continue
            if self._muted(props):
                continue
            s.proposition_ids = [p.id for p in props]
            s.sensitive = any(p.sensitive for p in props)
            out.append(s)
        out.sort(key=lambda s: (-s.score, s.id))
        return out

    def _rows(self, where: str, params: Sequence) -> list[Suggestion]:
        rows = self.ledger._query(f"SELECT s.* FROM suggestions s {where}", params)
        out = []
        for r in rows:
            ids = [x[0] for x in self.ledger._query(
                "SELECT proposition_id FROM suggestion_propositions WHERE suggestion_id=?"
                " ORDER BY proposition_id", (r["id"],))]
            out.append(Suggestion(
                id=r["id"], text=r["text"], why=r["why"], score=r["score"], benefit=r["benefit"],
                cost=r["cost"], interruption=r["interruption"], proposition_ids=ids,
                created_at=from_iso(r["created_at"]), status=r["status"], kind=r["kind"],
                origin=r["origin"],
                hidden_until=from_iso(r["hidden_until"]) if r["hidden_until"] else None,
                notified_at=from_iso(r["notified_at"]) if r["notified_at"] else None))
        return out

    def mark_notified(self, suggestion_id: int, now: datetime) -> None:
        with self.ledger.transaction() as db:
            db.execute("UPDATE suggestions SET notified_at=? WHERE id=?", (to_iso(now), suggestion_id))

    # -- "never about this" -------------------------------------------------------------
    def _roots_of(self, sid: int) -> list[int]:
        return [r[0] for r in self.ledger._query(
            "SELECT root_id FROM suggestion_propositions WHERE suggestion_id=?", (sid,))]

    def _mute_data(self, s: Suggestion) -> tuple[str, list[str], list[list[float]] | None]:
        props = self.ledger.propositions(s.proposition_ids)
        texts = [p.text for p in props] or [s.text]
        memory = self._memory()
        vectors = None
        if memory is not None:
            vectors = [[round(float(x), 6) for x in v] for v in memory.embed(texts)]
        return " / ".join(texts), query_terms(" ".join(texts)), vectors

    def _muted(self, props: Sequence[Proposition]) -> bool:
        muted_roots = {r[0] for r in self.ledger._query("SELECT root_id FROM muted_propositions")}
        if not muted_roots and not self._has_mutes():
            return False
        for p in props:
            if set(self.lineage(p.id)) & muted_roots:
                return True
        vectors = self._muted_vectors()
        if vectors is None or not len(vectors):
            return False
        memory = self._memory()
        if memory is None:
            return False
        sims = memory.embed([p.text for p in props]) @ vectors.T
        return bool(float(np.max(sims)) >= self.settings.mute_similarity)

    def _has_mutes(self) -> bool:
        return bool(self.ledger._query("SELECT 1 FROM muted_topics LIMIT 1"))

    def _muted_vectors(self) -> np.ndarray | None:
        vecs = []
        for (raw,) in self.ledger._query("SELECT embedding FROM muted_topics WHERE embedding IS NOT NULL"):
            vecs.extend(json.loads(raw))
        return np.asarray(vecs, dtype=np.float32) if vecs else None


@dataclass(frozen=True)
class _Kind:
    kind: str


def _why(p: Proposition, said: str | None = None) -> str:
    from assistant.suggest_rules import second_person

    said = said or second_person(p.text) + "."
    seen = "you confirmed it" if p.user_confirmed else f"confidence {p.confidence}/10"
    sources = sorted({e.source for e in p.evidence})
    where = f", from {', '.join(sources)}" if sources else ""
    return f"{said} ({seen}{where}; proposition #{p.id})"
