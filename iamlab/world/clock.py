"""The simulated world's clock: fixed start, moves only when the learner moves it.

Credentials expire against this clock, so a notebook can show a key stopping working
(``world.clock.advance(hours=2)``) without waiting two hours. Always timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# A Monday morning, chosen so that every run of a notebook prints the same times.
START = datetime(2025, 1, 6, 9, 0, 0, tzinfo=timezone.utc)


class Clock:
    """Simulated time in UTC. ``advance`` moves it forward; it never moves on its own."""

    __slots__ = ("_now",)

    def __init__(self, start: datetime = START) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware start time (use timezone.utc)")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        """The current simulated time (UTC)."""
        return self._now

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0,
                seconds: float = 0) -> datetime:
        """Move time forward and return the new time. Time never goes backwards."""
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta(0):
            raise ValueError("the clock only moves forward: give a positive amount of time")
        self._now += step
        return self._now

    def __repr__(self) -> str:
        return f"Clock({iso(self._now)})"


def iso(moment: datetime) -> str:
    """``2025-01-06T09:00:00Z``: how AWS writes times in credentials and logs."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
