"""The capture loop as the app runs it: real apscheduler jobs, short intervals, and
either scripted captures, a ScreenObserver over fakes, or a real one on Xvfb.
Every wait polls with a deadline."""
from __future__ import annotations

import logging
import os
import threading
import time

import pytest

from capture.loop import CaptureLoop
from capture.privacy import default_policy
from capture.screen import ScreenObserver
from capture.state import CaptureState
from tests.test_capture_core import FakeActivity, FakeFrames, FakeOcr, FakeWindows
from tests.xvfb import open_window, xvfb_display  # noqa: F401 (fixture)


def wait_for(predicate, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.01)


@pytest.fixture
def make_loop():
    made: list[CaptureLoop] = []

    def make(capture, window_key=lambda: "same window", interval_s=60.0, poll_s=0.05, **kw):
        loop = CaptureLoop(capture, window_key, interval_s, poll_s=poll_s, **kw)
        made.append(loop)
        return loop

    yield make
    for loop in made:
        loop.stop()


class Recorder:
    """A capture that records which window it saw, and when."""

    def __init__(self, window: list[str] | None = None):
        self.window = window or ["mail"]
        self.seen: list[tuple[str, float]] = []

    def __call__(self):
        self.seen.append((self.window[0], time.monotonic()))
        return self.window[0]

    @property
    def windows(self) -> list[str]:
        return [w for w, _ in self.seen]


def test_it_captures_at_once_and_then_on_its_interval(make_loop):
    capture = Recorder()
    outcomes = []
    loop = make_loop(capture, interval_s=0.2, on_outcome=outcomes.append)
    started = time.monotonic()
    loop.start()
    wait_for(lambda: loop.captures >= 1, "the first capture")
    assert capture.seen[0][1] - started < 1.0  # at start, not one interval later
    wait_for(lambda: loop.captures >= 5, "four captures on the interval")
    elapsed = time.monotonic() - started
    loop.stop()
    # the window never changed: the interval job took them, at most one per interval
    assert loop.captures <= 2 + elapsed / 0.2
    assert outcomes == capture.windows and loop.errors == 0


def test_a_window_switch_captures_at_once(make_loop):
    window = ["mail"]
    capture = Recorder(window)
    loop = make_loop(capture, window_key=lambda: window[0])  # the interval job: once a minute
    loop.start()
    wait_for(lambda: loop.captures == 1, "the capture at start")
    polls_later = time.monotonic() + 0.3
    wait_for(lambda: time.monotonic() > polls_later, "a few polls")
    assert loop.captures == 1  # the same window: no new capture
    window[0] = "editor"
    switched = time.monotonic()
    wait_for(lambda: loop.captures == 2, "the capture on the switch", timeout=2.0)
    assert capture.windows == ["mail", "editor"] and capture.seen[1][1] - switched < 1.0


def test_a_switch_during_a_slow_capture_is_not_lost(make_loop, caplog):
    window, release = ["mail"], threading.Event()
    capture = Recorder(window)

    def slow_capture():  # the first one stands for an OCR of a few seconds
        outcome = capture()
        if len(capture.seen) == 1:
            release.wait(5)
        return outcome

    loop = make_loop(slow_capture, window_key=lambda: window[0])
    with caplog.at_level(logging.WARNING):
        loop.start()
        wait_for(lambda: len(capture.seen) == 1, "the first capture to start")
        window[0] = "editor"  # switched while it runs
        polls_later = time.monotonic() + 0.3
        wait_for(lambda: time.monotonic() > polls_later, "a few polls during the capture")
        release.set()
        wait_for(lambda: loop.captures == 2, "the capture of the new window")
    assert capture.windows == ["mail", "editor"]
    # Polls during a long capture are not "skipped: maximum number of running instances".
    assert not [r for r in caplog.records if r.name.startswith("apscheduler")], caplog.text


def test_stop_waits_for_the_capture_and_leaves_no_thread(make_loop):
    before = set(threading.enumerate())
    running, release = threading.Event(), threading.Event()
    outcomes = []

    def capture():
        running.set()
        release.wait(5)
        return "done"

    loop = make_loop(capture, interval_s=0.1, on_outcome=outcomes.append)
    loop.start()
    assert loop.running
    assert running.wait(5)
    threading.Timer(0.2, release.set).start()
    loop.stop()  # returns once the capture in progress has finished
    assert outcomes and outcomes[-1] == "done" and not loop.running
    wait_for(lambda: set(threading.enumerate()) <= before, "the timer thread to end", timeout=2.0)
    assert set(threading.enumerate()) <= before  # no scheduler or worker thread left
    count = loop.captures
    time.sleep(0.3)  # three intervals: nothing runs any more
    assert loop.captures == count
    loop.start()  # and it starts again, capturing at once
    wait_for(lambda: loop.captures > count, "a capture after the restart")


def test_a_failing_capture_does_not_kill_the_loop(make_loop, caplog):
    calls = []

    def capture():
        calls.append(1)
        if len(calls) <= 3:
            raise OSError("XGetImage() failed")
        return "ok"

    def window_key():
        raise RuntimeError("window backend broke")  # the watch fails; the interval goes on

    outcomes = []
    loop = make_loop(capture, window_key=window_key, interval_s=0.05, on_outcome=outcomes.append)
    with caplog.at_level(logging.DEBUG, logger="capture.loop"):
        loop.start()
        wait_for(lambda: loop.errors == 3, "three failures")
        assert loop.last_error == "OSError: XGetImage() failed"
        wait_for(lambda: len(outcomes) >= 2, "captures after the failures")
    assert loop.last_error is None and outcomes[:2] == ["ok", "ok"]
    # The traceback is logged once for a failure that repeats, not at every interval.
    logged = [r for r in caplog.records if r.name == "capture.loop" and r.levelno >= logging.ERROR]
    assert len(logged) == 1 and logged[0].exc_info is not None


def test_a_failing_outcome_handler_does_not_kill_the_loop(make_loop):
    def on_outcome(outcome):
        raise ValueError("the GUI went away")

    loop = make_loop(lambda: "ok", interval_s=0.05, on_outcome=on_outcome)
    loop.start()
    wait_for(lambda: loop.errors >= 3, "several captures")
    assert loop.captures >= 3


def test_pause_and_resume_with_a_screen_observer(make_loop, tmp_path):
    frames, ocr = FakeFrames(), FakeOcr()
    obs = ScreenObserver(frames, ocr, FakeWindows(), FakeActivity(), default_policy(),
                         CaptureState(tmp_path))
    cli_state = CaptureState(tmp_path)  # as `familiar capture pause` sees it, from elsewhere
    cli_state.pause()
    outcomes = []
    loop = make_loop(obs.capture, interval_s=0.05, on_outcome=outcomes.append)
    loop.start()
    wait_for(lambda: len(outcomes) >= 4, "captures while paused")
    assert {o.reason for o in outcomes} == {"paused"}
    assert frames.grabs == [] and ocr.calls == 0  # not a pixel read
    cli_state.resume()
    wait_for(lambda: any(o.captured for o in outcomes), "a capture after resuming")
    wait_for(lambda: outcomes[-1].reason == "unchanged", "the unchanged screen after it")
    assert ocr.calls == 1
    cli_state.pause()
    seen = len(outcomes)
    wait_for(lambda: len(outcomes) >= seen + 3, "captures after pausing again")
    assert outcomes[-1].reason == "paused" and ocr.calls == 1


def test_old_screenshots_are_deleted_when_the_loop_starts(make_loop, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    old, fresh = shots / "20250101T000000000000.png", shots / "recent.png"
    for path, age_h in ((old, 25), (fresh, 1)):
        path.write_bytes(b"\x89PNG")
        os.utime(path, (time.time() - age_h * 3600,) * 2)
    state = CaptureState(tmp_path)
    state.pause()  # even while paused (or locked, or idle)
    obs = ScreenObserver(FakeFrames(), FakeOcr(), FakeWindows(), FakeActivity(), default_policy(),
                         state, screenshot_dir=shots)  # keep_screenshots: off by now
    loop = make_loop(obs.capture)
    loop.start()
    wait_for(lambda: not old.exists(), "the expired screenshot to go")
    assert fresh.exists()


def test_the_loop_on_a_real_screen(make_loop, xvfb_display, tmp_path, monkeypatch):
    """Real mss frames, X11 window info and activity on Xvfb (the OCR is scripted):
    focusing another window captures it at once."""
    from capture.activity import activity
    from capture.frames import MssFrames
    from capture.window import window_info

    env = {"DISPLAY": xvfb_display}
    monkeypatch.setenv("DISPLAY", xvfb_display)  # for mss
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    obs = ScreenObserver(MssFrames(), FakeOcr(), window_info(env), activity(env), default_policy(),
                         CaptureState(tmp_path))

    def window_key():
        w = obs.windows.active()
        return w.app, w.title

    outcomes = []
    loop = make_loop(obs.capture, window_key=window_key, on_outcome=outcomes.append)
    with open_window(xvfb_display, "Inbox - Mail", "Meeting at 10:30", app_class="Mail",
                     position=(40, 60)) as mail, \
         open_window(xvfb_display, "notes.txt - Editor", "Buy oat milk", app_class="Editor",
                     position=(900, 500)) as editor:
        mail.focus()
        loop.start()
        wait_for(lambda: any(o.captured for o in outcomes), "the mail window's capture")
        editor.focus()
        wait_for(lambda: outcomes[-1].captured and outcomes[-1].window.app == "Editor",
                 "the editor's capture after the switch")
        loop.stop()
        captured = [o for o in outcomes if o.captured]
        assert [o.window.app for o in captured] == ["Mail", "Editor"]
        assert [o.window.bounds for o in captured] == [mail.bounds(), editor.bounds()]
    assert not loop.errors
