"""The one place that wires the pieces together. The CLI and the desktop app both
call these services; heavy parts (Chroma, the embedder, the language model) are
built on first use and kept for the life of the process."""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from assistant.errors import FamiliarError, StorageError, UsageError
from assistant.settings import Settings
from memory.ledger import FORGOTTEN_TEXT, ForgetReport, Ledger
from memory.models import SOURCES, Candidate, NewObservation, Proposition
from memory.timeutil import from_iso, now_utc, to_iso

log = logging.getLogger(__name__)

MAX_OBSERVATION_CHARS = 1_000_000


def check_observation(o: NewObservation) -> None:
    """Raise UsageError for what must never reach the ledger."""
    if o.source not in SOURCES:
        raise UsageError(f"Unknown source {o.source!r}; use one of: {', '.join(SOURCES)}.")
    if o.role not in ("user", "assistant"):
        raise UsageError(f"Unknown role {o.role!r}; use user or assistant.")
    if not o.text.strip():
        raise UsageError("The observation text is empty; nothing was stored.")
    if len(o.text) > MAX_OBSERVATION_CHARS:
        raise UsageError(
            f"The observation is {len(o.text):,} characters; the limit is "
            f"{MAX_OBSERVATION_CHARS:,}. Split it, or import it as several lines with `familiar ingest`.")
    if "\x00" in o.text:
        raise UsageError("The observation contains binary data (NUL bytes); nothing was stored.")
    try:
        o.text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("The observation is not valid Unicode text (a lone surrogate); "
                         "nothing was stored.") from None
    if o.at is not None and from_iso(to_iso(o.at)) > now_utc() + timedelta(days=1):
        raise UsageError(f"The time {o.at.isoformat()} is in the future; give the time it happened.")


def redacted(o: NewObservation) -> NewObservation:
    """Secrets (card numbers, keys, tokens, passwords...) never reach the ledger."""
    from capture.redact import redact

    text = redact(o.text).text
    window = redact(o.window).text if o.window else o.window
    return o if (text, window) == (o.text, o.window) else replace(o, text=text, window=window)


def private_files() -> None:
    """Everything Familiar creates from here on is readable by the user only (0600
    files, 0700 dirs), including what Chroma and SQLite create on their own."""
    os.umask(0o077)


def _tighten(path: Path) -> None:
    """Make what an older version (or another tool) left in the data dir private."""
    for p in [path, *path.rglob("*")]:
        try:
            mode = p.lstat().st_mode
            want = 0o700 if stat.S_ISDIR(mode) else 0o600
            if stat.S_ISLNK(mode) or stat.S_IMODE(mode) & 0o077 == 0:
                continue
            p.chmod(stat.S_IMODE(mode) & want)
        except OSError:
            continue


def _prepare_dir(path: Path) -> None:
    private_files()
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
        _tighten(path)
    except OSError as exc:
        raise StorageError(
            f"The data directory {path} is not writable ({exc.strerror or exc}). "
            "Fix its permissions, or choose another with --home / FAMILIAR_HOME.") from None


class Familiar:
    def __init__(self, settings: Settings):
        self.notice_listeners: list[Callable[[str | None], None]] = []
        self.app_lock = None  # the desktop app's DataDirLock (assistant/app_lock.py), while it runs
        self._open(settings)

    def close(self) -> None:
        memory = self.__dict__.get("memory")
        if memory is not None and hasattr(memory.index, "close"):
            memory.index.close()
        self.ledger.close()

    # Parts that do not depend on the data dir: kept when it changes.
    _KEPT_ON_REOPEN = ("llm", "busy_probe")

    def _release(self) -> None:
        """Close everything built on the data dir (built again on first use after
        _open); a loaded model stays loaded."""
        built_index = "memory" in self.__dict__ and self.settings.memory.chroma_url is None
        self.close()
        if built_index:
            from memory.vector_index import ChromaIndex

            ChromaIndex.forget_clients()  # Chroma caches a system per path
        for name, value in vars(type(self)).items():
            if isinstance(value, cached_property) and name not in self._KEPT_ON_REOPEN:
                self.__dict__.pop(name, None)

    def _open(self, settings: Settings) -> None:
        self.settings = settings
        self.notices: list[str] = []
        self.index_status: str | None = None  # why the index server is unreachable, while it is
        self._index_rebuilt = False
        _prepare_dir(settings.data_dir)
        try:
            self.ledger = Ledger(settings.ledger_path)
        except Exception as exc:  # sqlite3.DatabaseError and friends
            raise StorageError(
                f"Cannot open the ledger {settings.ledger_path}: {exc}. If the file is damaged, "
                "restore it from a `familiar export`, or move it away to start afresh.") from None

    def move_data(self, target: Path | str, progress=None):
        """Move the data dir to ``target`` (a new or empty folder) and go on from there
        (assistant/relocate.py); returns its MoveReport. On failure the data stays
        where it was, and in use."""
        from assistant.app_lock import DataDirLock, app_running
        from assistant.relocate import check_move, move_data

        check_move(self.settings, target)  # before anything is closed
        ours = self.app_lock is not None and self.app_lock.held
        if not ours and app_running(self.settings.data_dir):
            raise UsageError("The Familiar app is using this data: move it from the app "
                             "(Settings → Move…), or quit the app first.")
        old = self.settings
        self._release()
        if ours:
            self.app_lock.release()
        try:
            new, report = move_data(old, target, progress)
        except BaseException:
            self._open(old)
            if ours:
                self.app_lock.acquire()
            raise
        self._open(new)
        if ours:
            self.app_lock = DataDirLock(new.data_dir)
            self.app_lock.acquire()
        log.info("data moved: %s", report.describe())
        return report

    # -- heavy parts, built on first use -------------------------------------------
    @cached_property
    def memory(self):
        from memory.embedder import default_embedder
        from memory.store import Memory

        index = self._open_index()
        mem = Memory(self.ledger, index, default_embedder())
        if self._index_rebuilt:
            n = mem.reindex()
            self.notices.append(
                f"The search index was damaged; rebuilt it from the ledger ({n} propositions).")
        else:
            msg = mem.heal()
            if msg:
                self.notice(msg)
        return mem

    def notice(self, text: str) -> None:
        """Something the user should see once (the CLI prints them on stderr)."""
        if text not in self.notices:
            self.notices.append(text)

    def index_notice(self, text: str | None) -> None:
        """The index server's state: why it cannot be reached, or None once it is back.
        Kept in ``notices`` while it lasts; each change goes to ``notice_listeners``
        (the app shows it as a banner), called on the thread that noticed it."""
        old, self.index_status = self.index_status, text
        if old is not None and old in self.notices:
            self.notices.remove(old)
        if text is not None:
            self.notice(text)
        if text != old:
            for listener in list(self.notice_listeners):
                listener(text)

    _index_rebuilt = False

    def _open_index(self):
        import chromadb  # noqa: F401 - a missing package is not a damaged index
        from memory.vector_index import ChromaIndex

        s = self.settings
        if s.memory.chroma_url:
            return self._server_index()
        try:
            index = ChromaIndex(s.index_dir, collection=s.memory.collection)
            index.count()
            return index
        except Exception as exc:  # noqa: BLE001 - any failure to open means damaged
            log.warning("vector index unusable, rebuilding: %s", exc)
            ChromaIndex.forget_clients()
            shutil.rmtree(s.index_dir, ignore_errors=True)
            self._index_rebuilt = True
            return ChromaIndex(s.index_dir, collection=s.memory.collection)

    def _server_index(self):
        """The index on a Chroma server, possibly shared by the user's devices (each
        with its own entries); while it is down, reads come from the ledger."""
        from memory.fallback import LedgerFallback
        from memory.server_index import ServerIndex, device_id

        s = self.settings
        return ServerIndex(
            s.memory.chroma_url, device=device_id(s.data_dir), collection=s.memory.collection,
            fallback=LedgerFallback(self.ledger, lambda texts: self.memory.embed(texts)),
            notify=self.index_notice)

    @cached_property
    def llm(self):
        from assistant.llm import make_llm

        return make_llm(self.settings.llm, self.settings.cache_dir)

    @cached_property
    def user_model(self):
        from usermodel.pipeline import UserModel

        cap = self.settings.usermodel.llm_max_confidence
        if cap is None:
            cap = 5 if self.settings.llm.backend == "embedded" else 8
        return UserModel(self.memory, self.llm, self.settings.usermodel, llm_max_confidence=cap,
                         audit=self.sensitivity_audit)

    @cached_property
    def sensitivity_audit(self):
        from usermodel.sensitive import SensitivityAudit, SensitivityClassifier, llm_check_default

        s = self.settings
        ask = s.usermodel.sensitive_llm_check
        if ask is None:
            ask = llm_check_default(s.llm.backend)
        classifier = SensitivityClassifier(self.memory.embed, self.llm if ask else None,
                                           model=self.memory.embedder)
        return SensitivityAudit(self.ledger, classifier, s.usermodel.sensitive_policy)

    @cached_property
    def recaller(self):
        from assistant.recall import Recaller

        return Recaller(self.memory, self.settings.recall)

    # -- observations -----------------------------------------------------------
    def observe(self, o: NewObservation) -> tuple[int, bool]:
        check_observation(o)
        return self._store(redacted(o))

    def _store(self, o: NewObservation) -> tuple[int, bool]:
        """Add an observation already checked and redacted."""
        try:
            return self.ledger.add_observation(
                o.source, o.text, role=o.role, at=o.at, app=o.app, window=o.window,
                external_id=o.external_id)
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def observe_many(self, items: list[NewObservation]) -> tuple[int, int]:
        """All or nothing: every item is checked before any is stored."""
        for n, o in enumerate(items, 1):
            try:
                check_observation(o)
            except UsageError as exc:
                raise UsageError(f"Item {n}: {exc}") from None
        created = 0
        items = [redacted(o) for o in items]
        with self.ledger.transaction():
            for n, o in enumerate(items, 1):
                try:
                    _, new = self._store(o)
                except UsageError as exc:
                    raise UsageError(f"Item {n}: {exc}") from None
                created += new
        return created, len(items) - created

    # -- the screen ------------------------------------------------------------------
    @cached_property
    def screen(self):
        from capture.activity import activity
        from capture.frames import MssFrames
        from capture.ocr import RapidOcrEngine
        from capture.privacy import default_policy
        from capture.screen import ScreenObserver
        from capture.vision import vision_describer
        from capture.window import window_info

        s = self.settings.capture
        return ScreenObserver(MssFrames(), RapidOcrEngine(s.ocr_min_score),
                              window_info(), activity(),
                              default_policy(s.excluded_apps, s.excluded_titles),
                              self.capture_state, s,
                              screenshot_dir=self.settings.data_dir / "screenshots",
                              describer=vision_describer(s))

    @cached_property
    def capture_state(self):
        from capture.state import CaptureState

        return CaptureState(self.settings.data_dir)

    def capture_once(self, *, ignore_idle: bool = False):
        """Take one screen observation now; returns (outcome, observation id, merged)."""
        outcome = self.screen.capture(ignore_idle=ignore_idle)
        if not outcome.captured:
            return outcome, None, False
        obs_id, merged = self.record_screen(outcome.observation)
        return outcome, obs_id, merged

    def record_screen(self, obs: NewObservation) -> tuple[int | None, bool]:
        """Consecutive frames of one window extend one observation (its new lines are
        appended) until the user model has read it or the merge window has passed.

        The frame is checked and redacted whole before it is compared, so the lines a
        merge appends are redacted too, each judged with the whole frame around it (a
        key block's body lines are caught with its BEGIN line, not one by one)."""
        check_observation(obs)
        obs = redacted(obs)
        (last,) = self.ledger.recent_observations(1, source="screen") or (None,)
        window_s = self.settings.capture.merge_window_s
        if (last is not None and not last.extracted and last.app == obs.app
                and last.window == obs.window and obs.at is not None
                and (obs.at - last.at).total_seconds() <= window_s):
            known = set(last.text.splitlines())
            new = [line for line in obs.text.splitlines() if line not in known]
            if not new:
                return last.id, True
            if self.ledger.append_observation_text(last.id, "\n".join(new), MAX_OBSERVATION_CHARS):
                return last.id, True
        return self._store(obs)[0], False

    # -- propositions: what the user reviews ------------------------------------------
    def get_proposition(self, prop_id: int) -> Proposition:
        p = self.ledger.proposition(prop_id)
        if p is None:
            raise UsageError(f"There is no proposition {prop_id}; `familiar propositions list` shows them.")
        return p

    def _current(self, prop_id: int) -> Proposition:
        p = self.get_proposition(prop_id)
        if p.status != "current":
            raise UsageError(
                f"Proposition {prop_id} is {p.status}; only current ones can be changed "
                f"(`familiar propositions show {prop_id}` shows its history).")
        return p

    def edit_proposition(self, prop_id: int, text: str | None = None,
                         confidence: int | None = None, decay: int | None = None) -> int:
        p = self._current(prop_id)
        text = " ".join((text or p.text).split())
        if not text:
            raise UsageError("The new text is empty; nothing was changed.")
        for name, v in (("confidence", confidence), ("decay", decay)):
            if v is not None and not 1 <= v <= 10:
                raise UsageError(f"{name} must be between 1 and 10.")
        # New words, or a confidence, are the user's statement: confirmed (at 10 unless
        # they said otherwise). A new decay alone says how long it lasts, not that it is true.
        restated = text != p.text or confidence is not None
        new = Candidate(
            text=text, reasoning=f"Edited by the user (was: {p.text})" if text != p.text else p.reasoning,
            confidence=confidence or (10 if text != p.text else p.confidence), decay=decay or p.decay,
            kind=p.kind, origin="user" if restated else p.origin,
            evidence=[e.observation_id for e in p.evidence], polarity=p.polarity)
        with self.ledger.transaction():
            new_id = self.ledger.supersede(p.id, new, "edited by the user", actor="user",
                                           user_confirmed=True if restated else None)
            self.ledger.add_feedback(new_id, "edit", text)
        self.memory.sync()
        return new_id

    def confirm_proposition(self, prop_id: int) -> None:
        self._current(prop_id)
        with self.ledger.transaction():
            self.ledger.update_in_place(prop_id, user_confirmed=1, confidence=10)
            self.ledger.add_feedback(prop_id, "confirm")
        self.memory.sync()

    def reject_proposition(self, prop_id: int) -> None:
        """Retracted, and remembered as wrong so that it is not learned again."""
        self._current(prop_id)
        with self.ledger.transaction():
            self.ledger.retract(prop_id, "rejected by the user", rejected=True)
            self.ledger.add_feedback(prop_id, "reject")
        self.memory.sync()

    def allow_sensitive(self, prop_id: int) -> None:
        """The user lets a proposition flagged sensitive be used like any other."""
        from usermodel.sensitive import allow

        self._current(prop_id)
        allow(self.ledger, prop_id)
        self.memory.sync()

    def delete_proposition(self, prop_id: int) -> None:
        """Retracted and its text erased, along with the revisions it came from."""
        self._current(prop_id)
        with self.ledger.transaction():
            chain = {prop_id} | {r.old_id for r in self.ledger.history(prop_id)}
            for pid in sorted(chain):
                self.ledger.retract(pid, "deleted by the user", erase=True)
            self.ledger.add_feedback(prop_id, "delete")
        self.memory.sync()

    # -- forgetting -------------------------------------------------------------
    def forget(self, **selector) -> ForgetReport:
        everything = selector.pop("everything", False)
        if everything:
            n = self.ledger.counts().observations
            from assistant import mcp_log

            mcp_log.clear(self.ledger)  # agents' queries may quote the user
            self.ledger.forget_everything()
            self._rebuild_index()
            return ForgetReport(observations=n, retracted=[], rescored=[])
        ids = self.ledger.find_observations(**selector)
        report = self.ledger.forget_observations(ids)
        self.memory.sync()
        return report

    def reindex(self, progress=None) -> int:
        from memory.fallback import IndexUnavailable

        try:
            return self.memory.reindex(progress)
        except IndexUnavailable as exc:
            raise StorageError(f"Cannot rebuild the index: {exc}") from None

    def _rebuild_index(self) -> None:
        """Rebuild after the ledger changed wholesale; with the index's server away,
        the next start rebuilds it (its count no longer matches the ledger)."""
        from memory.fallback import IndexUnavailable

        try:
            self.memory.reindex()
        except IndexUnavailable as exc:
            self.notice(str(exc))

    # -- chat (assistant/chat.py, assistant/instructions.py) ---------------------------
    @cached_property
    def chat_service(self):
        from assistant.chat import ChatService

        return ChatService(self)

    def chat(self, message: str, conversation_id: int | None = None, on_token=None):
        """One turn; returns a ChatReply. Tokens go to ``on_token`` as they arrive."""
        return self.chat_service.chat(message, conversation_id, on_token)

    def conversations(self, limit: int = 50):
        return self.chat_service.conversations(limit)

    def conversation_messages(self, conversation_id: int):
        return self.chat_service.messages(conversation_id)

    def edit_draft(self, message_id: int, edited_text: str) -> int:
        """The user's edit of an assistant message; returns the edit observation's id."""
        return self.chat_service.edit_draft(message_id, edited_text)

    def add_instruction(self, text: str) -> int:
        """A standing instruction, as a user-confirmed proposition; returns its id."""
        from assistant import instructions

        return instructions.add(self.memory, text)

    # -- suggestions and notifications (assistant/suggest.py, assistant/notify.py) -------
    notifier = None  # the desktop app puts its tray notifier here; None: a log line

    @cached_property
    def suggester(self):
        from assistant.suggest import Suggester

        def use_llm() -> bool:
            s = self.settings  # read on each use: settings may change in a running app
            ask = s.notify.suggest_with_llm
            return s.llm.backend != "embedded" if ask is None else ask

        return Suggester(self.ledger, lambda: self.settings.notify, memory=lambda: self.memory,
                         llm=lambda: self.llm, use_llm=use_llm)

    @cached_property
    def busy_probe(self):
        from assistant.notify import default_busy_probe

        return default_busy_probe()

    @cached_property
    def notifications(self):
        from assistant.notify import Notifications

        return Notifications(self.ledger, lambda: self.settings.notify, self.suggester,
                             probe=lambda: self.busy_probe)

    def suggestions(self, refresh: bool = True, limit: int = 10, *, now: datetime | None = None):
        """Suggestions worth showing now, best first (list[assistant.suggest.Suggestion])."""
        return self.suggester.suggestions(self.notifications.context(now), refresh=refresh, limit=limit)

    def suggestion_feedback(self, suggestion_id: int, action: str, *, now: datetime | None = None):
        """accept | dismiss | later | never."""
        return self.suggester.feedback(suggestion_id, action, now=now)

    def notify_tick(self, now: datetime | None = None, notifier=None):
        """One scheduled-notification decision (assistant.notify.NotificationDecision)."""
        return self.notifications.tick(now, notifier or self.notifier)

    def notification_log(self, limit: int = 50):
        return self.notifications.log(limit)

    def notification_job(self, notifier=None):
        """An apscheduler job running notify_tick every notify.interval_s."""
        from assistant.notify import NotificationJob

        return NotificationJob(lambda now: self.notify_tick(now, notifier),
                               self.settings.notify.interval_s)

    # -- export / import / retention (assistant/export.py, assistant/retention.py) -------
    def export_to(self, path: Path, with_observations: bool = True) -> dict[str, int]:
        """The whole user model as one JSON file; returns rows written per table."""
        from assistant.export import write_export

        return write_export(self.ledger, Path(path), with_observations=with_observations)

    def import_from(self, path: Path) -> dict[str, int]:
        """Restore an export into this (empty) data dir: all or nothing; the search
        index is rebuilt from the ledger. A file that is rejected leaves the data dir
        exactly as it was: it is read and checked before the index is opened."""
        from assistant.export import import_rows, read_export, validate

        rows = validate(read_export(Path(path)), self.ledger)
        self.memory  # noqa: B018 - opened (and healed) before the import, rebuilt after it
        counts = import_rows(self.ledger, rows)
        self._rebuild_index()
        return counts

    def sensitive_propositions(self) -> list[Proposition]:
        """Current propositions held as sensitive, for the user to allow or forget."""
        from usermodel.sensitive import sensitive_propositions

        return sensitive_propositions(self.ledger)

    def apply_retention(self, days: float | None = None):
        """Expire observations older than memory.retention_days (or ``days``)."""
        from assistant.retention import apply_retention

        report = apply_retention(self.ledger, self.settings.memory.retention_days
                                 if days is None else days)
        if report.observations:
            self.memory.sync()
        return report

    # -- the user model as a service for other agents (assistant/mcp_server.py) ---------
    def mcp_access_log(self, limit: int = 50):
        """Every call other agents made to the service, newest first (mcp_log.Access)."""
        from assistant import mcp_log

        return mcp_log.entries(self.ledger, limit)

    def status(self) -> dict:
        c = self.ledger.counts()
        s = self.settings
        model = "none" if s.llm.backend == "none" else (s.llm.url or s.llm.model)
        return {
            "data_dir": str(s.data_dir), "observations": c.observations, "pending": c.pending,
            "pending_after_model_errors": c.failed, "propositions": c.propositions,
            "superseded": c.superseded, "retracted": c.retracted,
            "model": f"{s.llm.backend}: {model}",
            "index": s.memory.chroma_url or str(s.index_dir),
        }


def is_forgotten(p: Proposition) -> bool:
    return p.text == FORGOTTEN_TEXT


__all__ = ["Familiar", "NewObservation", "FamiliarError", "check_observation", "is_forgotten"]
