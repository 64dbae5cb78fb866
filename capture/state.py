"""Whether capture is paused, kept in a small file in the data dir so that the CLI,
the app and the background job agree."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from memory.timeutil import from_iso, now_utc, to_iso

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|hours?|d|days?)?\s*$", re.I)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "hour": 3600,
          "hours": 3600, "d": 86400, "day": 86400, "days": 86400}


def parse_duration(text: str) -> timedelta:
    """'30m', '2h', '90s', '1d', or a bare number of minutes."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration; use e.g. 30m, 2h or 1d.")
    value, unit = float(m.group(1)), (m.group(2) or "m").lower()
    return timedelta(seconds=value * _UNITS[unit])


@dataclass(frozen=True)
class PauseState:
    paused: bool
    until: datetime | None = None  # None with paused=True: until resumed

    def describe(self) -> str:
        if not self.paused:
            return "capture is on"
        if self.until:
            return f"capture is paused until {self.until.astimezone():%Y-%m-%d %H:%M}"
        return "capture is paused until you resume it"


class CaptureState:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "capture_state.json"

    def get(self, now: datetime | None = None) -> PauseState:
        now = now or now_utc()
        try:
            raw = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return PauseState(False)
        if not raw.get("paused"):
            return PauseState(False)
        until = from_iso(raw["until"]) if raw.get("until") else None
        if until is not None and until <= now:
            return PauseState(False)
        return PauseState(True, until)

    def pause(self, duration: timedelta | None = None, now: datetime | None = None) -> PauseState:
        until = (now or now_utc()) + duration if duration else None
        self._write({"paused": True, "until": to_iso(until) if until else None})
        return PauseState(True, until)

    def resume(self) -> PauseState:
        self._write({"paused": False, "until": None})
        return PauseState(False)

    def _write(self, data: dict) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
