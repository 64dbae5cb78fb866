"""Notification decisions with a simulated clock: budgets, quiet hours, the busy
probe, the threshold; every decision logged with its reason."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from assistant.notify import (NotificationJob, NullBusyProbe, WindowBusyProbe, in_quiet_hours)
from capture.window import ActiveWindow
from memory.models import Candidate


def local(hour, minute=0, day=23):
    """An aware time at this local wall-clock time (quiet hours are local)."""
    return datetime(2026, 11, day, hour, minute).astimezone()


def add(fam, text, kind="preference", confidence=8):
    from assistant.services import NewObservation

    oid, _ = fam.observe(NewObservation(source="chat", text=text, at=local(9)))
    with fam.ledger.transaction():
        pid = fam.ledger.insert_proposition(Candidate(
            text=text, reasoning="test", confidence=confidence, decay=8, kind=kind, evidence=[oid]))
        fam.ledger.mark_extracted([oid])
        fam.ledger.mark_processed([oid])
    return pid


class Recorder:
    """A Notifier that keeps what it was asked to show."""

    def __init__(self):
        self.shown: list[tuple[str, str, int | None]] = []

    def notify(self, title, body, suggestion_id):
        self.shown.append((title, body, suggestion_id))


class Windows:
    """A WindowInfo whose active window the test sets."""

    name = "test"

    def __init__(self, window=ActiveWindow(app="gedit", title="notes.txt")):
        self.window = window

    def active(self):
        return self.window

    def running_apps(self):
        return [self.window.app] if self.window.app else []


@pytest.fixture
def fam(make_familiar):
    def make(**notify):
        notify.setdefault("threshold", -1.0)
        f = make_familiar(notify=notify)
        f.__dict__["busy_probe"] = NullBusyProbe()
        for text in ("The user loves jazz.", "The user loves chess.", "The user loves Thai food.",
                     "The user loves hiking.", "The user loves opera."):
            add(f, text)
        return f
    return make


def test_quiet_hours_handle_ranges_across_midnight():
    assert in_quiet_hours(local(23, 30), "22:00", "07:00")
    assert in_quiet_hours(local(2), "22:00", "07:00")
    assert in_quiet_hours(local(6, 59), "22:00", "07:00")
    assert not in_quiet_hours(local(7), "22:00", "07:00")
    assert not in_quiet_hours(local(21, 59), "22:00", "07:00")
    assert in_quiet_hours(local(13), "12:30", "14:00")
    assert not in_quiet_hours(local(14), "12:30", "14:00")
    assert not in_quiet_hours(local(3), "00:00", "00:00")  # equal ends: no quiet hours


def test_at_most_the_single_best_suggestion_is_shown(fam):
    f = fam(per_hour=5)
    shown = Recorder()
    d = f.notify_tick(local(12), notifier=shown)
    best = f.suggestions(now=local(12))[0]
    assert d.notified and d.suggestion_id == best.id
    assert shown.shown == [("Familiar", best.text, best.id)]
    assert best.score == pytest.approx(d.score - 0.05)  # one more notification this hour: +0.1 interruption


def test_hourly_budget_with_a_simulated_clock(fam):
    f = fam(per_hour=2)
    shown = Recorder()
    t = local(12)
    decisions = [f.notify_tick(t + timedelta(minutes=m), notifier=shown) for m in (0, 10, 20, 59)]
    assert [d.notified for d in decisions] == [True, True, False, False]
    assert decisions[2].reason == "hourly budget spent (2 of 2 in the last hour)"
    later = f.notify_tick(t + timedelta(minutes=61), notifier=shown)  # the first one left the window
    assert later.notified and "2 of 2 this hour" in later.reason
    assert len({s[2] for s in shown.shown}) == 3  # never the same suggestion twice


def test_quiet_hours_hold_notifications(fam):
    f = fam(quiet_start="22:00", quiet_end="08:00")
    shown = Recorder()
    night = [f.notify_tick(local(h, m), notifier=shown) for h, m in ((22, 0), (23, 45), (3, 0), (7, 59))]
    assert not any(d.notified for d in night)
    assert {d.reason for d in night} == {"quiet hours (22:00–08:00)"}
    assert f.notify_tick(local(8, 0), notifier=shown).notified
    assert len(shown.shown) == 1


def test_no_notification_during_a_call_or_in_fullscreen(fam):
    f = fam()
    windows = Windows(ActiveWindow(app="zoom", title="Zoom Meeting"))
    f.__dict__["busy_probe"] = WindowBusyProbe(windows)
    shown = Recorder()
    d = f.notify_tick(local(12), notifier=shown)
    assert not d.notified and d.reason == "busy: in a call (zoom)"
    windows.window = ActiveWindow(app="firefox", title="Meet - weekly sync")
    assert f.notify_tick(local(12, 5), notifier=shown).reason == "busy: in a call (firefox)"
    windows.window = ActiveWindow(app="mpv", title="film.mkv", fullscreen=True)
    assert f.notify_tick(local(12, 10), notifier=shown).reason == "busy: a fullscreen window (mpv)"
    windows.window = ActiveWindow(app="Code", title="teamsheet.py — editor")
    assert f.notify_tick(local(12, 15), notifier=shown).notified  # "teams" inside a word is no call
    assert len(shown.shown) == 1


def test_threshold_holds_weak_suggestions(fam):
    f = fam(threshold=0.95)
    d = f.notify_tick(local(12), notifier=Recorder())
    best = f.suggestions(now=local(12))[0]
    assert not d.notified and d.suggestion_id == best.id
    assert d.reason == f"best suggestion scores {d.score:.2f}, below the threshold 0.95"


def test_sensitive_propositions_are_never_notified(make_familiar):
    f = make_familiar(notify={"threshold": -1.0})
    f.__dict__["busy_probe"] = NullBusyProbe()
    pid = add(f, "The user loves poetry.")
    f.ledger.update_in_place(pid, sensitive=1)
    d = f.notify_tick(local(12), notifier=Recorder())
    assert not d.notified and d.reason == "nothing new to suggest"
    assert f.suggestions(now=local(12))[0].sensitive  # still listed for the user to see


def test_every_decision_is_logged_with_its_reason(fam):
    f = fam(per_hour=1, quiet_start="22:00", quiet_end="08:00")
    shown = Recorder()
    made = [f.notify_tick(local(12), notifier=shown), f.notify_tick(local(12, 30), notifier=shown),
            f.notify_tick(local(23), notifier=shown)]
    log = f.notification_log()
    assert [(d.notified, d.reason, d.suggestion_id) for d in log] == [
        (d.notified, d.reason, d.suggestion_id) for d in reversed(made)]
    assert [d.at for d in log] == [local(23), local(12, 30), local(12)]
    assert log[-1].text == shown.shown[0][1]


def test_a_failing_notifier_is_logged_not_raised(fam):
    f = fam()

    class Broken:
        def notify(self, title, body, suggestion_id):
            raise OSError("no tray")

    d = f.notify_tick(local(12), notifier=Broken())
    assert not d.notified and d.reason == "the notifier failed: no tray"
    assert f.notify_tick(local(12, 1), notifier=Recorder()).notified  # it was not marked as shown


def test_the_app_hook_notifier_is_used(fam):
    f = fam()
    f.notifier = Recorder()
    assert f.notify_tick(local(12)).notified
    assert len(f.notifier.shown) == 1


def test_notification_job_on_a_scheduler_with_a_simulated_clock(fam):
    from apscheduler.schedulers.background import BackgroundScheduler

    f = fam(per_hour=2, interval_s=600)
    shown = Recorder()
    clock = [local(12)]
    job = f.notification_job(notifier=shown)
    job.clock = lambda: clock[0]
    scheduler = BackgroundScheduler()
    added = job.add_to(scheduler)
    assert added.id == "notify" and added.trigger.interval == timedelta(seconds=600)
    assert scheduler.get_job("notify") is not None
    for _ in range(4):  # what the scheduler would do every interval_s
        job.run()
        clock[0] += timedelta(seconds=job.interval_s)
    assert [d.notified for d in job.decisions] == [True, True, False, False]
    assert len(shown.shown) == 2 and job.errors == 0


def test_notification_job_runs_on_its_own_scheduler_and_stops_cleanly():
    """start() runs the decision every interval_s on a real apscheduler thread; stop()
    leaves no scheduler thread behind."""
    import threading
    import time

    seen = []
    job = NotificationJob(lambda now: seen.append(now) or now, 0.05, clock=lambda: local(12))
    before = set(threading.enumerate())
    job.start()
    deadline = time.monotonic() + 10
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    job.stop()
    assert len(seen) >= 3 and job.errors == 0
    assert job.decisions[-1] == local(12)
    assert set(threading.enumerate()) <= before
    n = len(seen)
    time.sleep(0.2)
    assert len(seen) == n  # nothing runs after stop()


def test_notification_job_survives_a_failing_tick():
    def tick(now):
        raise RuntimeError("database is locked")

    job = NotificationJob(tick, 60, clock=lambda: local(12))
    assert job.run() is None and job.errors == 1


def test_cli_notify_tick_and_log(make_familiar, capsys, monkeypatch):
    from assistant.cli import main

    for var, value in (("FAMILIAR_LLM__BACKEND", "none"), ("FAMILIAR_NOTIFY__QUIET_START", "00:00"),
                       ("FAMILIAR_NOTIFY__QUIET_END", "00:00"), ("FAMILIAR_NOTIFY__THRESHOLD", "-1")):
        monkeypatch.setenv(var, value)
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    f = make_familiar()
    add(f, "The user loves Thai food.")
    f.close()
    assert main(["notify", "--tick"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("notified suggestion 1: Want me to look for something new around Thai food")
    assert main(["notify", "--tick", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["notified"] is False and d["reason"] == "nothing new to suggest"
    assert main(["notifications", "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [(x["notified"], x["suggestion_id"]) for x in log] == [(False, None), (True, 1)]
    assert {"at", "suggestion_id", "notified", "reason"} <= set(log[0])
    assert main(["notifications"]) == 0
    assert "nothing new to suggest" in capsys.readouterr().out


def test_print_notifier_for_terminal_commands(capsys):
    from assistant.notify import PrintNotifier

    PrintNotifier().notify("Familiar", "Want a reminder to drink water?", 7)
    assert capsys.readouterr().out == (
        "Familiar suggests: Want a reminder to drink water? "
        "(familiar suggest accept|dismiss|later|never 7)\n")


def test_later_on_a_notification_brings_it_back_after_the_delay(make_familiar):
    f = make_familiar(notify={"threshold": -1.0, "later_hours": 2, "per_hour": 10})
    f.__dict__["busy_probe"] = NullBusyProbe()
    add(f, "The user loves Thai food.")
    shown = Recorder()
    first = f.notify_tick(local(10), notifier=shown)
    assert first.notified
    f.suggestion_feedback(first.suggestion_id, "later", now=local(10, 1))
    assert f.notify_tick(local(11), notifier=shown).reason == "nothing new to suggest"
    again = f.notify_tick(local(12, 2), notifier=shown)
    assert again.notified and again.suggestion_id == first.suggestion_id
    assert [s[2] for s in shown.shown] == [first.suggestion_id] * 2


def test_changed_settings_apply_to_a_running_familiar(fam):
    f = fam(per_hour=1)
    shown = Recorder()
    assert f.notify_tick(local(12), notifier=shown).notified
    assert not f.notify_tick(local(12, 5), notifier=shown).notified
    notify = f.settings.notify.model_copy(update={"per_hour": 3})
    f.settings = f.settings.model_copy(update={"notify": notify})  # what the settings dialog does
    assert f.notify_tick(local(12, 10), notifier=shown).notified
