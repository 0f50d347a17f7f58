"""When may we write to her: what she told us about her safety, the message's kind, the clock.

One rule for every message the bot writes to a villager (bot/contact_safety.py applies it
where the outbox releases a message, bot/delivery.py): after a quick exit nothing but
urgent safety messages reaches her phone until she writes again (or the centre's period
passes); outside the hours she chose, staff replies, reminders and questions wait for the
next safe hour. "Not safe to talk" holds nothing back: it forbids calling, not writing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.slots import TimeRange, require_aware


class Kind(enum.Enum):
    """What a message to her is, as far as her safety is concerned."""

    # The numbers and answers to her own /sos or "Danger now": she asked for them now.
    URGENT_SAFETY = "urgent_safety"
    # Anything staff write or cause: answers, "taken", "closed", referrals.
    STAFF = "staff"
    REMINDER = "reminder"
    # Feedback questions, waitlist offers: nobody waits for them.
    QUESTION = "question"


# The choices she is offered (buttons): a name and its daily window.
SAFE_WINDOWS: dict[str, TimeRange] = {
    "morning": TimeRange(time(8), time(12)),
    "day": TimeRange(time(12), time(17)),
    "evening": TimeRange(time(17), time(21)),
}


@dataclass(frozen=True)
class SafeHours:
    """When she said it is safe to write: a daily window, on weekdays only or every day."""

    window: TimeRange
    weekdays_only: bool = False

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        local = moment.astimezone(tz)
        if self.weekdays_only and local.weekday() >= 5:
            return False
        return self.window.contains(local.time().replace(tzinfo=None))

    def next_start(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The first moment from `moment` on that lies inside the hours."""
        if self.contains(moment, tz):
            return moment
        local = moment.astimezone(tz)
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            start = datetime.combine(day, self.window.start, tzinfo=tz)
            if start >= local and self.contains(start, tz):
                return start
        raise AssertionError("a week always holds a safe hour")  # pragma: no cover


@dataclass(frozen=True)
class ContactSafety:
    """What she told us: when she left in a hurry (and has not written since), her hours."""

    left_at: datetime | None = None
    safe_hours: SafeHours | None = None


class Because(enum.Enum):
    LEFT = "left"  # she left in a hurry and has not written since
    HOURS = "hours"  # outside the hours she chose


@dataclass(frozen=True)
class Hold:
    """Not before `until`; she writing again lifts a LEFT hold at once."""

    until: datetime
    because: Because


def when_to_write(
    safety: ContactSafety,
    kind: Kind,
    now: datetime,
    *,
    tz: ZoneInfo,
    hold_after_exit: timedelta,
) -> Hold | None:
    """None: the message may go now; else it is held (and why, for staff)."""
    require_aware(now, "now")
    if kind is Kind.URGENT_SAFETY:
        return None
    if safety.left_at is not None and now < safety.left_at + hold_after_exit:
        until = safety.left_at + hold_after_exit
        if safety.safe_hours is not None:
            until = safety.safe_hours.next_start(until, tz)
        return Hold(until, Because.LEFT)
    if safety.safe_hours is not None and not safety.safe_hours.contains(now, tz):
        return Hold(safety.safe_hours.next_start(now, tz), Because.HOURS)
    return None
