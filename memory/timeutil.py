"""Timestamps: stored as ISO 8601 in UTC so that they sort as text.

Every "now" in Familiar comes from ``now_utc``; ``simulated_clock`` replaces it for a
simulation at accelerated time (benchmarks/soak.py), so that everything (observations,
chat, retention, notifications) runs on the one simulated clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_clock: Callable[[], datetime] | None = None


def now_utc() -> datetime:
    return datetime.now(UTC) if _clock is None else _clock().astimezone(UTC)


@contextmanager
def simulated_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, ``now_utc()`` is ``clock()`` (an aware datetime)."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield
    finally:
        _clock = previous


def to_iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.astimezone()  # a naive time is the user's local time
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.astimezone()
    return dt.astimezone(UTC)
