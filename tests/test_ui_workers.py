"""Jobs run off the GUI thread and report on it; Quit stops them at their next check."""

from __future__ import annotations

import os
import threading

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from assistant.errors import UsageError  # noqa: E402


def test_a_job_runs_elsewhere_and_reports_on_the_gui_thread(qtbot):
    from ui.workers import JobQueue

    queue = JobQueue("test")
    gui = threading.get_ident()
    seen: dict = {"tokens": [], "progress": []}

    def work(job):
        seen["worker"] = threading.get_ident()
        for t in ("a", "b", "c"):
            job.token(t)
        job.progress("extract", 1, 2)
        return 42

    def on_token(t):
        seen["tokens"].append((t, threading.get_ident()))

    done = []
    queue.submit(work, on_result=lambda v: done.append((v, threading.get_ident())),
                 on_token=on_token,
                 on_progress=lambda *a: seen["progress"].append(a))
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert done == [(42, gui)]
    assert seen["worker"] != gui
    assert seen["tokens"] == [("a", gui), ("b", gui), ("c", gui)]  # in order, on the GUI thread
    assert seen["progress"] == [("extract", 1, 2)]
    qtbot.waitUntil(lambda: not queue.busy, timeout=10_000)
    queue.shutdown()


def test_errors_reach_the_callback_and_jobs_run_one_at_a_time(qtbot):
    from ui.workers import JobQueue

    queue = JobQueue("test")
    order: list[str] = []
    errors: list[BaseException] = []
    queue.submit(lambda job: order.append("first"))

    def failing(job):
        order.append("second")
        raise UsageError("Say something.")
    queue.submit(failing, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert order == ["first", "second"]
    assert isinstance(errors[0], UsageError) and str(errors[0]) == "Say something."
    queue.shutdown()


def test_shutdown_stops_a_running_job_at_its_next_check(qtbot):
    from ui.workers import JobQueue

    queue = JobQueue("test")
    started = threading.Event()
    steps: list[int] = []
    results: list = []

    def long(job):
        started.set()
        for i in range(10_000):
            job.progress("model", i, 10_000)
            steps.append(i)
            threading.Event().wait(0.001)
        return "finished"

    queue.submit(long, on_result=results.append)
    assert started.wait(10)
    assert queue.shutdown(10_000)  # returns once the job has stopped
    assert len(steps) < 10_000 and results == []
    assert queue.submit(lambda job: None) is None
