"""Capture by itself: an apscheduler interval job, plus an activity trigger that
captures at once when the active window changes. One capture at a time."""

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

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(daemon=True)
        self._scheduler.add_job(self.tick, "interval", seconds=self.interval_s,
                                max_instances=1, coalesce=True, id="capture")
        self._scheduler.add_job(self._watch, "interval", seconds=self.poll_s,
                                max_instances=1, coalesce=True, id="window-switch")
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    def tick(self) -> None:
        """One capture, unless one is already running."""
        if not self._busy.acquire(blocking=False):
            return
        try:
            outcome = self._capture()
            self.captures += 1
            if self._on_outcome:
                self._on_outcome(outcome)
        except Exception:  # noqa: BLE001 - the loop survives a bad frame, and says so
            self.errors += 1
            log.exception("capture failed")
        finally:
            self._busy.release()

    def _watch(self) -> None:
        try:
            key = self._window_key()
        except Exception:  # noqa: BLE001
            return
        if key != self._last_key:
            self._last_key = key
            self.tick()
