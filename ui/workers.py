"""Work off the GUI thread: a Job is a QRunnable whose QObject relay lives on the GUI
thread, so its signals (and the callbacks connected to them) run there.

    jobs = JobQueue("model")
    jobs.submit(lambda job: fam.chat(msg, on_token=job.token),
                on_result=show, on_token=append, on_error=report)

The function gets the job: ``job.progress(stage, done, total)`` and ``job.token(text)``
report back; ``job.check()`` raises Stopped once the queue is shutting down.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


_background = threading.local()
BACKGROUND_NICE = 10


def lower_priority() -> None:
    """Make the calling thread yield the CPU to the GUI thread (Linux: a per-thread nice
    value, inherited by threads it starts, e.g. the embedder's and OCR's). Once per thread."""
    if getattr(_background, "lowered", False):
        return
    _background.lowered = True
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        except OSError:
            pass


class Stopped(Exception):
    """Raised inside a job when the app is quitting; whatever was half-done is rolled back."""


class _Relay(QObject):
    result = Signal(object)
    error = Signal(object)
    progress = Signal(str, int, int)
    token = Signal(str)
    finished = Signal()

    def __init__(self, callbacks: dict[str, Callable | None]):
        super().__init__()
        self._callbacks = callbacks
        self.result.connect(self._on_result)
        self.error.connect(self._on_error)
        self.progress.connect(self._on_progress)
        self.token.connect(self._on_token)
        self.finished.connect(self._on_finished)

    def _call(self, name: str, *args) -> None:
        fn = self._callbacks.get(name)
        if fn is not None:
            fn(*args)

    @Slot(object)
    def _on_result(self, value):
        self._call("on_result", value)

    @Slot(object)
    def _on_error(self, exc):
        self._call("on_error", exc)

    @Slot(str, int, int)
    def _on_progress(self, stage, done, total):
        self._call("on_progress", stage, done, total)

    @Slot(str)
    def _on_token(self, text):
        self._call("on_token", text)

    @Slot()
    def _on_finished(self):
        self._call("on_finished")


class Job(QRunnable):
    def __init__(self, fn: Callable[[Job], Any], relay: _Relay, stop: threading.Event, name: str):
        super().__init__()
        self.setAutoDelete(False)  # the queue keeps it until its relay says finished
        self.fn = fn
        self.relay = relay
        self.name = name
        self._stop = stop

    # called from the worker thread --------------------------------------------------
    def progress(self, stage: str, done: int, total: int) -> None:
        self.check()
        self.relay.progress.emit(stage, int(done), int(total))

    def token(self, text: str) -> None:
        self.check()
        self.relay.token.emit(text)

    def check(self) -> None:
        if self._stop.is_set():
            raise Stopped()

    def run(self) -> None:
        lower_priority()
        try:
            value = self.fn(self)
        except Stopped:
            log.info("job %s stopped", self.name)
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread
            if not _is_expected(exc):
                log.error("job %s failed", self.name, exc_info=exc)
            self.relay.error.emit(exc)
        else:
            self.relay.result.emit(value)
        finally:
            self.relay.finished.emit()


def _is_expected(exc: BaseException) -> bool:
    from assistant.errors import FamiliarError

    return isinstance(exc, FamiliarError)


class JobQueue(QObject):
    """One worker thread (by default): jobs run one after another, in order."""

    busy_changed = Signal(bool)

    def __init__(self, name: str, threads: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.pool.setExpiryTimeout(-1)
        self._stop = threading.Event()
        self._jobs: set[Job] = set()

    def submit(self, fn: Callable[[Job], Any], *, on_result: Callable | None = None,
               on_error: Callable | None = None, on_progress: Callable | None = None,
               on_token: Callable | None = None, on_finished: Callable | None = None,
               name: str = "") -> Job | None:
        if self._stop.is_set():
            return None
        callbacks: dict[str, Callable | None] = {
            "on_result": on_result, "on_error": on_error, "on_progress": on_progress,
            "on_token": on_token}
        relay = _Relay(callbacks)
        job = Job(fn, relay, self._stop, name or getattr(fn, "__name__", "job"))

        def done():
            self._jobs.discard(job)
            if on_finished is not None:
                on_finished()
            if not self._jobs:
                self.busy_changed.emit(False)

        callbacks["on_finished"] = done
        was_idle = not self._jobs
        self._jobs.add(job)
        if was_idle:
            self.busy_changed.emit(True)
        self.pool.start(job)
        return job

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Ask running jobs to stop at their next check and wait for them."""
        self._stop.set()
        self.pool.clear()
        return self.pool.waitForDone(timeout_ms)
