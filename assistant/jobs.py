"""The app's periodic jobs on one apscheduler scheduler: processing what capture and
chat observed, and the notification decision (the capture loop keeps its own, it
starts and stops with capture).

A job here only says that its time has come (``fn`` returns at once): the desktop app
passes a Qt signal's ``emit``, and the work itself runs on the app's queues, so it
never overlaps the same work started by hand and never blocks the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable

# apscheduler runs a job late by up to this much (a suspended laptop, a busy CPU)
# instead of skipping it with a warning; coalesce makes missed runs one.
GRACE_S = 60


class PeriodicJobs:
    def __init__(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(daemon=True)
        self._intervals: dict[str, float] = {}

    def add(self, name: str, fn: Callable[[], object], every_s: float) -> None:
        """Run ``fn`` every ``every_s`` seconds (a job of that name is replaced)."""
        self._scheduler.add_job(fn, "interval", seconds=every_s, id=name, replace_existing=True,
                                max_instances=1, coalesce=True, misfire_grace_time=GRACE_S)
        self._intervals[name] = float(every_s)

    def every(self, name: str) -> float | None:
        return self._intervals.get(name)

    def reschedule(self, name: str, every_s: float) -> None:
        """A new interval; the next run is one interval from now."""
        if self._intervals.get(name) == float(every_s):
            return
        self._scheduler.reschedule_job(name, trigger="interval", seconds=every_s)
        self._intervals[name] = float(every_s)

    def next_run(self, name: str):
        job = self._scheduler.get_job(name)
        return None if job is None else job.next_run_time

    def pause(self) -> None:
        """No runs until resume() (a started scheduler only)."""
        if self._scheduler.running:
            self._scheduler.pause()

    def resume(self) -> None:
        if self._scheduler.running:
            self._scheduler.resume()

    @property
    def running(self) -> bool:
        return self._scheduler.running

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
