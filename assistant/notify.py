"""When a suggestion may interrupt: at most the single best one, now and then.

``Notifications.tick(now)`` makes one decision, in this order, and logs it with its
reason whatever it is (table ``notification_log``):

1. notifications off (notify.enabled) → no;
2. quiet hours (notify.quiet_start–quiet_end, local time; a range may cross
   midnight; equal ends mean none) → no;
3. the hourly budget (notify.per_hour notifications in the last 60 minutes) spent → no;
4. the user is busy (a call, a fullscreen window, a locked screen: a BusyProbe) → no;
5. no suggestion that was not notified before and rests on nothing sensitive → no;
6. the best one scores below notify.threshold → no;
7. else the notifier shows it (a LogNotifier line by default; the desktop app
   gives a tray notifier).

``NotificationJob`` runs ``tick`` on an apscheduler interval (notify.interval_s);
the clock is a parameter, so tests drive it with simulated time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from assistant.settings import NotifySettings
from assistant.suggest import Context, Suggester
from memory.ledger import Ledger
from memory.timeutil import from_iso, now_utc, to_iso

log = logging.getLogger(__name__)

TITLE = "Familiar"

# Conferencing apps, by the app name (WM_CLASS, exe name) or the window title.
CALL_APPS = ("zoom", "teams", "skype", "webex", "jitsi", "whereby", "gotomeeting", "bluejeans",
             "facetime", "ringcentral", "slack huddle", "discord", "mumble", "linphone",
             "jami", "wire", "element call", "big blue button", "bigbluebutton")
_CALL_TITLE = re.compile(
    r"\b(?:zoom meeting|google meet|meet\s+[-\u2013\u2014]\s|microsoft teams|webex|jitsi meet|"
    r"whereby|huddle|video call|voice call|in a call)\b", re.I)


class Notifier(Protocol):
    def notify(self, title: str, body: str, suggestion_id: int | None) -> None:
        """Show one notification; may raise, the decision is then logged as failed."""


class LogNotifier:
    """The default: a line in the log (and nothing on screen)."""

    def notify(self, title: str, body: str, suggestion_id: int | None) -> None:
        log.info("notification (suggestion %s): %s — %s", suggestion_id, title, body)


class PrintNotifier:
    """For a command running in a terminal (`familiar capture run`): one line on stdout."""

    def notify(self, title: str, body: str, suggestion_id: int | None) -> None:
        print(f"{title} suggests: {body} (familiar suggest accept|dismiss|later|never "
              f"{suggestion_id})", flush=True)


class BusyProbe(Protocol):
    def busy(self) -> str | None:
        """Why the user should not be interrupted now, or None."""


class NullBusyProbe:
    """Cannot tell: never busy."""

    def busy(self) -> str | None:
        return None


class WindowBusyProbe:
    """Busy in a call (a conferencing app or call window is active), in a fullscreen
    window, or behind a locked screen; reads capture/window.py and capture/activity.py
    backends, whatever desktop they found."""

    def __init__(self, windows, activity=None):
        self.windows = windows
        self.activity = activity

    def busy(self) -> str | None:
        try:
            if self.activity is not None and self.activity.screen_locked():
                return "the screen is locked"
        except Exception:  # noqa: BLE001 - a probe that fails cannot tell
            pass
        try:
            w = self.windows.active()
        except Exception:  # noqa: BLE001
            return None
        app = (w.app or "").lower()
        title = w.title or ""
        for name in CALL_APPS:
            if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", app):
                return f"in a call ({w.app})"
        if _CALL_TITLE.search(title):
            return f"in a call ({w.app or 'call window'})"
        if w.fullscreen:
            return f"a fullscreen window ({w.app or 'unknown app'})"
        return None


def default_busy_probe() -> BusyProbe:
    try:
        from capture.activity import activity
        from capture.window import window_info

        return WindowBusyProbe(window_info(), activity())
    except Exception as exc:  # noqa: BLE001 - no desktop: nothing to probe
        log.info("busy probe unavailable (%s); notifications will not wait for calls", exc)
        return NullBusyProbe()


def _clock(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def in_quiet_hours(now: datetime, start: str, end: str) -> bool:
    """``now`` (any timezone) in [start, end) of the local day; may cross midnight."""
    t = now.astimezone().time().replace(tzinfo=None)
    a, b = _clock(start), _clock(end)
    if a == b:
        return False
    if a < b:
        return a <= t < b
    return t >= a or t < b


@dataclass(frozen=True)
class NotificationDecision:
    at: datetime
    suggestion_id: int | None
    notified: bool
    reason: str
    score: float | None = None
    text: str | None = None  # the suggestion's text, while it is still stored

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "suggestion_id": self.suggestion_id,
                "notified": self.notified, "reason": self.reason,
                "score": None if self.score is None else round(self.score, 4), "text": self.text}


class Notifications:
    def __init__(self, ledger: Ledger, settings: NotifySettings | Callable[[], NotifySettings],
                 suggester: Suggester, probe: Callable[[], BusyProbe] = NullBusyProbe):
        self.ledger = ledger
        self._settings = settings if callable(settings) else (lambda: settings)  # read on every use
        self.suggester = suggester
        self._probe = probe  # built on first use (it may open a display connection)

    @property
    def settings(self) -> NotifySettings:
        return self._settings()

    def busy(self) -> str | None:
        try:
            return self._probe().busy()
        except Exception as exc:  # noqa: BLE001
            log.debug("busy probe failed: %s", exc)
            return None

    def sent_in_last_hour(self, now: datetime) -> int:
        return self.ledger._query(
            "SELECT count(*) FROM notification_log WHERE notified=1 AND at > ? AND at <= ?",
            (to_iso(now - timedelta(hours=1)), to_iso(now)))[0][0]

    def context(self, now: datetime | None = None) -> Context:
        now = now or now_utc()
        s = self.settings
        return Context(now=now, busy=self.busy(), quiet=in_quiet_hours(now, s.quiet_start, s.quiet_end),
                       recent_notifications=self.sent_in_last_hour(now))

    def tick(self, now: datetime | None = None, notifier: Notifier | None = None) -> NotificationDecision:
        """One decision: notify the best suggestion now, or say why not."""
        now = now or now_utc()
        s = self.settings
        if not s.enabled:
            return self._record(now, None, False, "notifications are off (notify.enabled)")
        if in_quiet_hours(now, s.quiet_start, s.quiet_end):
            return self._record(now, None, False, f"quiet hours ({s.quiet_start}–{s.quiet_end})")
        sent = self.sent_in_last_hour(now)
        if sent >= s.per_hour:
            return self._record(now, None, False,
                                f"hourly budget spent ({sent} of {s.per_hour} in the last hour)")
        busy = self.busy()
        if busy:
            return self._record(now, None, False, f"busy: {busy}")
        ctx = Context(now=now, recent_notifications=sent)
        candidates = [x for x in self.suggester.suggestions(ctx, refresh=True, limit=1000)
                      if x.notified_at is None and not x.sensitive]
        if not candidates:
            return self._record(now, None, False, "nothing new to suggest")
        best = candidates[0]
        if best.score < s.threshold:
            return self._record(now, best.id, False,
                                f"best suggestion scores {best.score:.2f}, below the threshold "
                                f"{s.threshold:.2f}", best.score, best.text)
        try:
            (notifier or LogNotifier()).notify(TITLE, best.text, best.id)
        except Exception as exc:  # noqa: BLE001 - a broken tray never stops the job
            log.warning("notifier failed: %s", exc)
            return self._record(now, best.id, False, f"the notifier failed: {exc}", best.score, best.text)
        self.suggester.mark_notified(best.id, now)
        return self._record(now, best.id, True,
                            f"score {best.score:.2f} ≥ threshold {s.threshold:.2f}; "
                            f"{sent + 1} of {s.per_hour} this hour", best.score, best.text)

    def _record(self, now: datetime, sid: int | None, notified: bool, reason: str,
                score: float | None = None, text: str | None = None) -> NotificationDecision:
        with self.ledger.transaction() as db:
            db.execute("INSERT INTO notification_log(at, suggestion_id, notified, reason, score)"
                       " VALUES (?,?,?,?,?)", (to_iso(now), sid, int(notified), reason, score))
        log.info("notification decision: %s (%s)", "notify" if notified else "no", reason)
        return NotificationDecision(now, sid, notified, reason, score, text)

    def log(self, limit: int = 50) -> list[NotificationDecision]:
        """The latest decisions, newest first."""
        rows = self.ledger._query(
            "SELECT n.at, n.suggestion_id, n.notified, n.reason, n.score, s.text FROM notification_log n"
            " LEFT JOIN suggestions s ON s.id = n.suggestion_id ORDER BY n.id DESC LIMIT ?", (limit,))
        return [NotificationDecision(from_iso(r[0]), r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]


class NotificationJob:
    """The scheduled decision: add it to an apscheduler scheduler (the desktop app's,
    or its own with start()/stop())."""

    job_id = "notify"

    def __init__(self, tick: Callable[[datetime], NotificationDecision], interval_s: float,
                 clock: Callable[[], datetime] = now_utc):
        self._tick = tick
        self.interval_s = interval_s
        self.clock = clock
        self.decisions: list[NotificationDecision] = []
        self.errors = 0
        self._scheduler = None

    def run(self) -> NotificationDecision | None:
        try:
            decision = self._tick(self.clock())
        except Exception:  # noqa: BLE001 - the job survives, and says so in the log
            self.errors += 1
            log.exception("notification decision failed")
            return None
        self.decisions = [*self.decisions[-99:], decision]
        return decision

    def add_to(self, scheduler):
        return scheduler.add_job(self.run, "interval", seconds=self.interval_s, id=self.job_id,
                                 max_instances=1, coalesce=True, replace_existing=True)

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(daemon=True)
        self.add_to(self._scheduler)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
