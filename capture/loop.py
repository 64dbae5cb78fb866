"""Capture by itself: an apscheduler interval job, plus an activity trigger that
captures at once when the active window changes. One capture at a time.

The window watch asks `window_key()` every `poll_s` seconds; a new key (including
the first one, so the loop captures as soon as it starts) runs a capture. A switch
seen while a capture is running is not lost: the key is only taken as handled once
a capture for it has run. Pausing is the capture's own business (`CaptureState`,
shared with the CLI): the loop keeps ticking and each capture returns "paused".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class CaptureLoop:
    def __init__(self, capture: Callable[[], Any], window_key: Callable[[], Any],
                 interval_s: float, poll_s: float = 0.5,
                 on_outcome: Callable[[Any], None] | None = None):
        self._capture = capture
        self._window_key = window_key
        self.interval_s = interval_s
        self.poll_s = poll_s
        self._on_outcome = on_outcome
        self._busy = threading.Lock()
        self._last_key: Any = None
        self._scheduler = None
        self.captures = 0
        self.errors = 0
        self.last_error: str | None = None  # the latest failure, until a capture succeeds

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        if self._scheduler is not None:
            return
        from apscheduler.schedulers.background import BackgroundScheduler

        self._last_key = None  # capture at once, also after a restart
        self._scheduler = BackgroundScheduler(daemon=True)
        # Two instances of each job: a second one finds the loop busy (or only reads the
        # window key) and returns at once. With one, apscheduler logs a warning for every
        # run skipped while an OCR of a few seconds holds the first.
        self._scheduler.add_job(self.tick, "interval", seconds=self.interval_s,
                                max_instances=2, coalesce=True, id="capture")
        self._scheduler.add_job(self._watch, "interval", seconds=self.poll_s,
                                max_instances=2, coalesce=True, id="window-switch")
        self._scheduler.start()

    def stop(self) -> None:
        """Stop both jobs; returns once a capture in progress has finished and the
        scheduler's threads are gone."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    def tick(self) -> bool:
        """One capture, unless one is already running; whether it ran."""
        if not self._busy.acquire(blocking=False):
            return False
        try:
            outcome = self._capture()
            self.captures += 1
            if self._on_outcome:
                self._on_outcome(outcome)
            self.last_error = None
        except Exception as exc:  # noqa: BLE001 - the loop survives a bad frame, and says so
            self.errors += 1
            message = f"{type(exc).__name__}: {exc}"
            if message != self.last_error:  # once per kind of failure, not every interval
                log.exception("capture failed")
            else:
                log.debug("capture failed again: %s", message)
            self.last_error = message
        finally:
            self._busy.release()
        return True

    def _watch(self) -> None:
        try:
            key = self._window_key()
        except Exception as exc:  # noqa: BLE001 - unknown window: the interval job still runs
            log.debug("window key unavailable: %r", exc)
            return
        if key != self._last_key and self.tick():
            self._last_key = key
