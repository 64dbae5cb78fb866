"""The app's one link to the services: every call to Familiar goes through here and
runs off the GUI thread. Two queues: ``data`` for quick reads and user actions on the
ledger, ``work`` for what uses the language model (chat, processing, suggestions),
which one model cannot do two of at once.

Views call these methods with callbacks, and listen to the change signals to reload.
Errors without a callback of their own go to ``failed`` (the app shows a dialog).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from assistant.errors import FamiliarError, UsageError
from assistant.jobs import PeriodicJobs
from ui.workers import JobQueue, lower_priority

log = logging.getLogger(__name__)

PROCESS_EVERY_S = 60.0
NOTIFY_EVERY_S = 5 * 60.0  # until the settings say (notify.interval_s)


@dataclass(frozen=True)
class EvidenceRow:
    observation_id: int
    at: datetime
    source: str
    app: str | None
    window: str | None
    text: str
    external_id: str | None = None


@dataclass(frozen=True)
class PropositionDetail:
    proposition: Any  # memory.models.Proposition
    evidence: list[EvidenceRow]
    history: list  # memory.models.Revision
    feedback: list[tuple[str, str, datetime]]
    conflicts: list[tuple[int, int, str]]


@dataclass(frozen=True)
class ChatTurn:
    """A reply, with the propositions it used (current or not)."""

    reply: Any  # ChatReply
    used: list = field(default_factory=list)  # Proposition


@dataclass(frozen=True)
class Transcript:
    conversation_id: int
    messages: list  # ChatMessage
    propositions: dict  # id -> Proposition


@dataclass(frozen=True)
class OwnWindow:
    """The outcome of a capture skipped because Familiar itself is in front."""

    window: Any
    captured: bool = False
    reason: str = "own window"


def error_text(exc: BaseException, log_path: str | None = None) -> str:
    """One clear message: a FamiliarError already says what to do."""
    if isinstance(exc, FamiliarError):
        return str(exc)
    where = f" Details are in {log_path}." if log_path else ""
    return f"Something went wrong: {type(exc).__name__}: {exc}.{where}"


class Controller(QObject):
    propositions_changed = Signal()
    observations_changed = Signal()
    capture_changed = Signal(object)  # capture.state.PauseState
    processing = Signal(str, int, int)  # stage, done, total
    processing_done = Signal(object)  # ProcessReport, or None when nothing was pending
    suggestions_changed = Signal()
    conversations_changed = Signal()
    settings_changed = Signal()
    ready = Signal()
    status = Signal(str)
    failed = Signal(str, str)  # title, message
    notice = Signal(object)  # str while something degrades the app (the index server is down), None when over
    _captured = Signal(object)  # from the capture thread
    _process_due = Signal()  # from the scheduler's thread: the periodic jobs
    _notify_due = Signal()

    def __init__(self, fam, *, capture: bool = False, background: bool = True,
                 window_info=None, parent: QObject | None = None):
        super().__init__(parent)
        self.fam = fam
        self.data = JobQueue("data", parent=self)
        self.work = JobQueue("work", parent=self)
        self.notifier = None  # set by the app: a Notifier (assistant/notify.py protocol)
        self.is_ready = False
        self._processing = False
        self._notify_pending = False
        self._memory_lock = threading.Lock()
        self.window_info = window_info  # capture.window.WindowInfo; None: built on first use
        self._loop = None
        self._want_capture = capture
        self._captured.connect(self._on_captured)
        listeners = getattr(fam, "notice_listeners", None)
        if listeners is not None:  # called on worker threads: the signal queues it
            listeners.append(self.notice.emit)
        # apscheduler says when; the work runs on the queues, started from the GUI thread
        self._process_due.connect(self.process_pending)
        self._notify_due.connect(self.notify_tick)
        self.jobs = PeriodicJobs()
        self.jobs.add("process", self._process_due.emit, PROCESS_EVERY_S)
        if self.has("notify_tick"):
            notify = getattr(fam.settings, "notify", None)
            self.jobs.add("notify", self._notify_due.emit,
                          notify.interval_s if notify is not None else NOTIFY_EVERY_S)
        self._background = background

    @property
    def log_path(self) -> str:
        return str(self.fam.settings.log_dir / "familiar.log")

    def has(self, service: str) -> bool:
        """Whether the services offer ``service`` (some arrive later than the app)."""
        return callable(getattr(type(self.fam), service, None))

    # -- plumbing -----------------------------------------------------------------
    def _fail(self, title: str) -> Callable[[BaseException], None]:
        def report(exc: BaseException) -> None:
            self.failed.emit(title, error_text(exc, self.log_path))
        return report

    def _run(self, queue: JobQueue, fn: Callable, on_result: Callable | None, title: str,
             on_error: Callable | None = None, then: Callable | None = None,
             memory: bool = True, **kw):
        """Submit ``fn(job)``; ``memory``: it uses the memory (Chroma, the embedder), which
        is built once, by whichever job needs it first (the others wait for it)."""
        def result(value):
            if then is not None:
                then(value)
            if on_result is not None:
                on_result(value)

        def job_fn(job):
            if memory and "memory" not in self.fam.__dict__:
                with self._memory_lock:
                    self.fam.memory  # noqa: B018 - built on first use
            return fn(job)
        return queue.submit(job_fn, on_result=result, on_error=on_error or self._fail(title),
                            name=title, **kw)

    # -- start and stop ---------------------------------------------------------------
    def start(self) -> None:
        """Load the memory (Chroma, the embedder) in the background, then start the
        capture loop and the periodic processing."""
        self.status.emit("Loading memory…")

        def warm(job):
            self.fam.memory  # noqa: B018 - built on first use
            return list(self.fam.notices)

        def done(notices):
            self.is_ready = True
            self.status.emit(notices[-1] if notices else "Ready")
            if getattr(self.fam, "index_status", None):  # found before the app listened
                self.notice.emit(self.fam.index_status)
            self.ready.emit()
            if self._background:
                self.jobs.start()
                self.process_pending()
            if self._want_capture:
                self.start_capture()

        self._run(self.work, warm, done, "Could not open the memory")

    def shutdown(self) -> None:
        self.jobs.stop()
        listeners = getattr(self.fam, "notice_listeners", None)
        if listeners is not None and self.notice.emit in listeners:
            listeners.remove(self.notice.emit)
        self.stop_capture()
        self.data.shutdown()
        self.work.shutdown()

    # -- what I know about you ---------------------------------------------------------
    def list_propositions(self, on_result: Callable) -> None:
        self._run(self.data, lambda job: self.fam.ledger.list_propositions(status="current"),
                  on_result, "Could not read the propositions", memory=False)

    def recall(self, query: str, on_result: Callable, k: int = 20) -> None:
        if not query.strip():
            return
        self._run(self.data, lambda job: self.fam.recaller.recall(query, k), on_result,
                  "Search failed")

    def proposition_detail(self, prop_id: int, on_result: Callable) -> None:
        def load(job):
            fam = self.fam
            p = fam.get_proposition(prop_id)
            obs = {o.id: o for o in fam.ledger.observations([e.observation_id for e in p.evidence])}
            evidence = []
            for e in p.evidence:
                o = obs.get(e.observation_id)
                evidence.append(EvidenceRow(e.observation_id, e.at, e.source,
                                            o.app if o else None, o.window if o else None,
                                            o.text if o else e.text, e.external_id))
            return PropositionDetail(p, evidence, fam.ledger.history(p.id),
                                     fam.ledger.feedback(p.id), fam.ledger.conflicts(p.id))
        self._run(self.data, load, on_result, "Could not open the proposition")

    def _changed_propositions(self, _value=None) -> None:
        self.propositions_changed.emit()

    def edit_proposition(self, prop_id: int, text: str | None = None, confidence: int | None = None,
                         decay: int | None = None, on_result: Callable | None = None) -> None:
        self._run(self.data, lambda job: self.fam.edit_proposition(prop_id, text, confidence, decay),
                  on_result, "Could not change the proposition", then=self._changed_propositions)

    def _each(self, action: str, ids: list[int], on_result: Callable | None) -> None:
        fn = {"confirm": self.fam.confirm_proposition, "reject": self.fam.reject_proposition,
              "delete": self.fam.delete_proposition}[action]

        def run(job):
            for pid in ids:
                self.fam._current(pid)  # all are checked before any is changed
            for pid in ids:
                fn(pid)
            return list(ids)
        self._run(self.data, run, on_result, f"Could not {action} the proposition(s)",
                  then=self._changed_propositions)

    def confirm(self, ids: list[int], on_result: Callable | None = None) -> None:
        self._each("confirm", ids, on_result)

    def reject(self, ids: list[int], on_result: Callable | None = None) -> None:
        self._each("reject", ids, on_result)

    def delete(self, ids: list[int], on_result: Callable | None = None) -> None:
        self._each("delete", ids, on_result)

    def forget_evidence(self, prop_ids: list[int], on_result: Callable | None = None) -> None:
        """Forget the observations behind these propositions (and what rested only on them)."""
        def run(job):
            obs_ids = sorted({e.observation_id for p in self.fam.ledger.propositions(prop_ids)
                              for e in p.evidence})
            if not obs_ids:
                raise UsageError("No evidence is stored for the selected proposition(s).")
            return self.fam.forget(ids=obs_ids)
        self._run(self.data, run, on_result, "Could not forget the evidence",
                  then=self._changed_everything)

    def add_instruction(self, text: str, on_result: Callable | None = None) -> None:
        self._run(self.data, lambda job: self.fam.add_instruction(text), on_result,
                  "Could not add that", then=self._changed_propositions)

    # -- activity --------------------------------------------------------------------
    def recent_observations(self, on_result: Callable, limit: int = 200) -> None:
        self._run(self.data, lambda job: self.fam.ledger.recent_observations(limit), on_result,
                  "Could not read the observations", memory=False)

    def counts(self, on_result: Callable) -> None:
        self._run(self.data, lambda job: self.fam.ledger.counts(), on_result,
                  "Could not read the ledger", memory=False)

    def _changed_everything(self, _value=None) -> None:
        self.observations_changed.emit()
        self.propositions_changed.emit()
        self.conversations_changed.emit()
        self.suggestions_changed.emit()

    def forget(self, on_result: Callable | None = None, **selector) -> None:
        """fam.forget(ids=…, app=…, source=…, since=…, until=… or everything=True)."""
        self._run(self.data, lambda job: self.fam.forget(**selector), on_result,
                  "Could not forget", then=self._changed_everything)

    def running_apps(self, on_result: Callable, on_error: Callable | None = None) -> None:
        """The apps with windows now, from the window backend (``window_info``: built on
        first use for this platform unless one was given)."""
        def run(job):
            if self.window_info is None:
                from capture.window import window_info

                self.window_info = window_info()
            return self.window_info.running_apps()
        self._run(self.data, run, on_result, "Could not list the running apps", on_error=on_error,
                  memory=False)

    # -- processing ------------------------------------------------------------------
    @Slot()
    def process_pending(self) -> None:
        """Run the user model over pending observations, unless it is already running."""
        if self._processing:
            return
        self._processing = True

        def run(job):
            fam = self.fam
            if fam.ledger.counts().pending == 0:
                return None
            if fam.llm is not None:
                fam.llm.preflight()
            # One batch of the model per job, so a chat message waits for one batch at most.
            budget = fam.settings.usermodel.batch_size if fam.llm is not None else None
            return fam.user_model.process(llm_budget=budget, progress=job.progress)

        def done(report):
            self.processing_done.emit(report)
            if report is not None:
                self.propositions_changed.emit()
                self.observations_changed.emit()
                if report.still_pending and report.processed and not self.work.stopping:
                    QTimer.singleShot(0, self.process_pending)  # the next batch

        def finished():
            self._processing = False

        self._run(self.work, run, done, "Could not learn from the new observations",
                  on_progress=self.processing.emit, on_finished=finished)

    @property
    def is_processing(self) -> bool:
        return self._processing

    # -- chat ------------------------------------------------------------------------
    def chat(self, message: str, conversation_id: int | None, *, on_token: Callable,
             on_result: Callable, on_error: Callable) -> None:
        def run(job):
            reply = self.fam.chat(message, conversation_id=conversation_id, on_token=job.token)
            return ChatTurn(reply, self.fam.ledger.propositions(list(reply.used)))

        def finished():  # also after an error: the message itself was stored
            self.conversations_changed.emit()
            self.observations_changed.emit()
        self._run(self.work, run, on_result, "Chat failed", on_error=on_error, on_token=on_token,
                  on_finished=finished)

    def conversations(self, on_result: Callable) -> None:
        self._run(self.data, lambda job: self.fam.conversations(limit=100), on_result,
                  "Could not read the conversations", memory=False)

    def transcript(self, conversation_id: int, on_result: Callable) -> None:
        def run(job):
            messages = self.fam.conversation_messages(conversation_id)
            ids = sorted({i for m in messages for i in (m.used or [])})
            props = {p.id: p for p in self.fam.ledger.propositions(ids)}
            return Transcript(conversation_id, messages, props)
        self._run(self.data, run, on_result, "Could not open the conversation", memory=False)

    def edit_draft(self, message_id: int, text: str, on_result: Callable | None = None) -> None:
        def then(_):
            self.conversations_changed.emit()
            self.observations_changed.emit()
            if self._background:
                self.process_pending()  # learn from the edit now
        self._run(self.data, lambda job: self.fam.edit_draft(message_id, text), on_result,
                  "Could not save your edit", then=then)

    # -- suggestions -----------------------------------------------------------------
    def suggestions(self, on_result: Callable, refresh: bool = True) -> None:
        self._run(self.work, lambda job: self.fam.suggestions(refresh=refresh, limit=10),
                  on_result, "Could not make suggestions")

    def suggestion_feedback(self, suggestion_id: int, action: str,
                            on_result: Callable | None = None) -> None:
        self._run(self.data, lambda job: self.fam.suggestion_feedback(suggestion_id, action),
                  on_result, "Could not record that", then=lambda _: self.suggestions_changed.emit())

    def notification_log(self, on_result: Callable) -> None:
        self._run(self.data, lambda job: self.fam.notification_log(limit=50), on_result,
                  "Could not read the notification log", memory=False)

    @Slot()
    def notify_tick(self) -> None:
        if not self.has("notify_tick") or self._notify_pending:
            return
        self._notify_pending = True

        def finished():
            self._notify_pending = False
        self._run(self.work, lambda job: self.fam.notify_tick(notifier=self.notifier), None,
                  "Could not check for suggestions",
                  then=lambda _: self.suggestions_changed.emit(), on_finished=finished)

    # -- other agents (the MCP user-model service) ------------------------------------
    def mcp_access_log(self, on_result: Callable, limit: int = 200) -> None:
        """Every call other agents made to the service, newest first (mcp_log.Access)."""
        self._run(self.data, lambda job: self.fam.mcp_access_log(limit), on_result,
                  "Could not read the access log", memory=False)

    # -- capture ---------------------------------------------------------------------
    def capture_state(self):
        return self.fam.capture_state.get()

    def pause_capture(self, duration: timedelta | None = None):
        state = self.fam.capture_state.pause(duration)
        self.capture_changed.emit(state)
        return state

    def resume_capture(self):
        state = self.fam.capture_state.resume()
        self.capture_changed.emit(state)
        return state

    def start_capture(self) -> None:
        """The capture loop (apscheduler threads): every interval and on window switches."""
        if self._loop is not None:
            return
        from capture.loop import CaptureLoop

        fam = self.fam

        def window_key():
            w = fam.screen.windows.active()
            return w.app, w.title

        def capture():
            lower_priority()  # the OCR must not take the CPU from the window
            w = fam.screen.windows.active()
            if w.pid == os.getpid():  # Familiar's own window: nothing to learn, and a loop
                fam.screen.expire_when_due()  # but old screenshots still go on time
                return OwnWindow(w), None, False
            return fam.capture_once()

        self._loop = CaptureLoop(capture, window_key, fam.settings.capture.interval_s,
                                 on_outcome=self._captured.emit)
        self._loop.start()
        log.info("capture loop started, every %s s", fam.settings.capture.interval_s)

    def stop_capture(self) -> None:
        if self._loop is not None:
            self._loop.stop()
            self._loop = None

    @property
    def capture_running(self) -> bool:
        return self._loop is not None

    @Slot(object)
    def _on_captured(self, result) -> None:
        outcome, obs_id, _merged = result
        if outcome.captured:
            self.observations_changed.emit()
        elif outcome.reason == "paused":
            self.capture_changed.emit(self.capture_state())

    # -- settings --------------------------------------------------------------------
    def save_settings(self, changes: dict, on_result: Callable | None = None,
                      on_error: Callable | None = None) -> None:
        """Validate, write to settings.toml and apply at once; the result is the list of
        environment variables that still override what was saved."""
        from assistant import settings_store

        old_interval = self.fam.settings.capture.interval_s

        def run(job):
            new = settings_store.save(self.fam.settings, changes)
            settings_store.apply(self.fam, new)
            return settings_store.env_overrides(changes)

        def then(_):
            if self._loop is not None and self.fam.settings.capture.interval_s != old_interval:
                self.stop_capture()
                self.start_capture()
            notify = getattr(self.fam.settings, "notify", None)
            if notify is not None and self.jobs.every("notify") is not None:
                self.jobs.reschedule("notify", notify.interval_s)
            self.settings_changed.emit()
        self._run(self.work, run, on_result, "Could not save the settings", on_error=on_error,
                  then=then)

    def test_model(self, llm_values: dict, on_result: Callable, on_error: Callable) -> None:
        """Try a model configuration without saving it: load it and have it write a few
        tokens (assistant/model_check.py); the result is the sentence to show."""
        def run(job):
            from assistant.model_check import check_model, llm_settings

            cfg = llm_settings(llm_values)
            # The model in use, when it is the one tested: no second copy of its weights.
            in_use = self.fam.__dict__.get("llm") if cfg == self.fam.settings.llm else None
            check = check_model(cfg, self.fam.settings.cache_dir, in_use=in_use)
            if check is None:
                return "No language model: Familiar learns with its rules only."
            return check.describe()
        self._run(self.work, run, on_result, "Model test failed", on_error=on_error, memory=False)

    def find_models(self, on_result: Callable) -> None:
        def run(job):
            from assistant.model_discovery import find_models

            return find_models(cache_dir=self.fam.settings.cache_dir)
        self._run(self.data, run, on_result, "Could not look for models", memory=False)

    def export_to(self, path, on_result: Callable | None = None) -> None:
        self._run(self.data, lambda job: self.fam.export_to(path), on_result, "Export failed", memory=False)

    def import_from(self, path, on_result: Callable | None = None) -> None:
        self._run(self.work, lambda job: self.fam.import_from(path), on_result, "Import failed",
                  then=self._changed_everything)

    def move_data(self, target, on_result: Callable | None = None,
                  on_error: Callable | None = None,
                  on_progress: Callable[[str, int, int], None] | None = None) -> None:
        """Move the data dir (assistant/relocate.py) with nothing else touching it:
        capture and the periodic jobs pause, a job on the data queue holds it until the
        move is over, and the move runs on the work queue (after whatever was there)."""
        was_capturing = self._loop is not None
        self.stop_capture()
        self.jobs.pause()
        held, release = threading.Event(), threading.Event()

        def hold(job):  # no read of the ledger while it moves
            held.set()
            while not release.wait(0.1):
                job.check()  # quitting: let the queue stop
        if self.data.submit(hold, name="hold for the move") is None:
            held.set()  # shutting down: no reads will come either

        def run(job):
            while not held.wait(0.1):
                job.check()  # quitting before the move began: it does not begin
            try:
                return self.fam.move_data(
                    target, progress=lambda done, total: job.progress("move", done, total))
            finally:
                release.set()

        def finished():
            release.set()
            self.jobs.resume()
            if was_capturing:
                self.start_capture()

        def then(_report):
            self.settings_changed.emit()
            self._changed_everything()
        job = self._run(self.work, run, on_result, "Could not move the data", on_error=on_error,
                        then=then, on_progress=on_progress, on_finished=finished, memory=False)
        if job is None:  # shutting down: nothing was moved
            finished()

    def forget_everything(self, on_result: Callable | None = None) -> None:
        self._run(self.work, lambda job: self.fam.forget(everything=True), on_result,
                  "Could not delete everything", then=self._changed_everything)
