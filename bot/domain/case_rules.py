"""Pure rules of cases: what a request may be about, escalation timing, the daily
limit's day, flood control. No I/O here."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

# What the user picks at the first step; "unknown" is a /sos case, which asks nothing.
CATEGORIES: Final[tuple[str, ...]] = ("violence", "crisis", "addiction", "someone_else", "other")
UNKNOWN_CATEGORY: Final = "unknown"
# The category for which the Lethality Screen is offered.
SCREENED_CATEGORY: Final = "violence"

# How the user wants to be answered, and what a message of a case may be.
ReplyBy = Literal["chat", "call"]
MessageKind = Literal["text", "voice", "photo", "document"]


def next_escalation(
    *, step: int, now: datetime, escalate_after: timedelta, max_escalations: int
) -> datetime | None:
    """When the re-alert after `step` is due (0 = the first alert), or None at the end."""
    if step >= max_escalations:
        return None
    return now + escalate_after


def cases_day_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of the user's local day: `limits.cases_per_day` counts from it."""
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


class FloodWindow:
    """Counts one person's messages in a sliding window; says when to ask them to wait.

    Nothing is dropped because of it: it only decides when the bot says "please wait"
    (once per window), while every message still goes to the database and the outbox.
    """

    def __init__(self, window: timedelta = timedelta(seconds=10), limit: int = 8) -> None:
        self._window = window
        self._limit = limit
        self._hits: dict[int, deque[datetime]] = {}
        self._warned: dict[int, datetime] = {}

    def hit(self, key: int, now: datetime) -> bool:
        """Records a message; True when the sender should now be asked to slow down."""
        hits = self._hits.setdefault(key, deque())
        hits.append(now)
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) <= self._limit:
            return False
        warned = self._warned.get(key)
        if warned is not None and now - warned < self._window:
            return False
        self._warned[key] = now
        return True

    def forget_idle(self, now: datetime) -> None:
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self._window
        ]:
            self._hits.pop(key, None)
            self._warned.pop(key, None)
