"""The app's periodic jobs (assistant/jobs.py) on a real apscheduler scheduler."""

from __future__ import annotations

import threading
import time

from assistant.jobs import PeriodicJobs


def wait_for(cond, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_jobs_run_pause_resume_reschedule_and_stop():
    calls: list[str] = []
    lock = threading.Lock()

    def record():
        with lock:
            calls.append(threading.current_thread().name)

    jobs = PeriodicJobs()
    jobs.add("tick", record, 0.05)
    assert jobs.every("tick") == 0.05 and not jobs.running
    time.sleep(0.2)
    assert calls == []  # nothing before start
    jobs.start()
    try:
        assert wait_for(lambda: len(calls) >= 3)
        assert threading.main_thread().name not in calls  # on the scheduler's threads
        jobs.pause()
        time.sleep(0.1)  # a run already under way may finish
        paused_at = len(calls)
        time.sleep(0.3)
        assert len(calls) == paused_at
        jobs.resume()
        assert wait_for(lambda: len(calls) > paused_at)
        first = jobs.next_run("tick")
        jobs.reschedule("tick", 3600)
        assert jobs.every("tick") == 3600 and jobs.next_run("tick") > first
        jobs.reschedule("tick", 3600)  # the same interval: left alone
    finally:
        jobs.stop()
    assert not jobs.running
    stopped_at = len(calls)
    time.sleep(0.2)
    assert len(calls) == stopped_at
