"""When may we write to her: her quick exit, her safe hours, the message's kind, the clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.contact_safety import (
    SAFE_WINDOWS,
    Because,
    ContactSafety,
    Hold,
    Kind,
    SafeHours,
    when_to_write,
)
from bot.domain.slots import TimeRange

TZ = ZoneInfo("Asia/Almaty")
# A Wednesday, 14:02 local time.
NOW = datetime(2026, 12, 2, 14, 2, tzinfo=TZ)
WEEK = timedelta(days=7)
LEFT_AT = NOW - timedelta(minutes=5)
LEFT = ContactSafety(left_at=LEFT_AT)
MORNINGS = SafeHours(SAFE_WINDOWS["morning"])
TEN_TO_ONE_WEEKDAYS = SafeHours(TimeRange(time(10), time(13)), weekdays_only=True)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("safety", "kind", "now", "expected"),
    [
        # Nothing said: everything goes now.
        (ContactSafety(), Kind.STAFF, NOW, None),
        (ContactSafety(), Kind.REMINDER, NOW, None),
        # After a quick exit: held until the period passes (or she writes: the caller
        # clears left_at); the numbers she asked for go at once.
        (LEFT, Kind.STAFF, NOW, Hold(LEFT_AT + WEEK, Because.LEFT)),
        (LEFT, Kind.REMINDER, NOW, Hold(LEFT_AT + WEEK, Because.LEFT)),
        (LEFT, Kind.QUESTION, NOW, Hold(LEFT_AT + WEEK, Because.LEFT)),
        (LEFT, Kind.URGENT_SAFETY, NOW, None),
        # The period passed: the exit holds nothing any more.
        (LEFT, Kind.STAFF, NOW + WEEK, None),
        # Her hours: inside, now; outside, the next start (tomorrow morning).
        (ContactSafety(safe_hours=MORNINGS), Kind.STAFF, at(2, 9), None),
        (ContactSafety(safe_hours=MORNINGS), Kind.STAFF, NOW, Hold(at(3, 8), Because.HOURS)),
        (ContactSafety(safe_hours=MORNINGS), Kind.STAFF, at(2, 7), Hold(at(2, 8), Because.HOURS)),
        (ContactSafety(safe_hours=MORNINGS), Kind.URGENT_SAFETY, NOW, None),
        (
            ContactSafety(safe_hours=MORNINGS),
            Kind.QUESTION,
            at(2, 12),
            Hold(at(3, 8), Because.HOURS),
        ),
        # Weekdays only: Friday afternoon waits until Monday 10:00; Saturday too.
        (
            ContactSafety(safe_hours=TEN_TO_ONE_WEEKDAYS),
            Kind.REMINDER,
            at(4, 15),
            Hold(at(7, 10), Because.HOURS),
        ),
        (
            ContactSafety(safe_hours=TEN_TO_ONE_WEEKDAYS),
            Kind.STAFF,
            at(5, 11),
            Hold(at(7, 10), Because.HOURS),
        ),
        (ContactSafety(safe_hours=TEN_TO_ONE_WEEKDAYS), Kind.STAFF, at(7, 12, 59), None),
        # Both: the exit's period ends at night, and her hours then hold it to the morning.
        (
            ContactSafety(left_at=at(1, 22), safe_hours=MORNINGS),
            Kind.STAFF,
            at(2, 9),
            Hold(at(9, 8), Because.LEFT),
        ),
    ],
)
def test_when_to_write(
    safety: ContactSafety, kind: Kind, now: datetime, expected: Hold | None
) -> None:
    assert when_to_write(safety, kind, now, tz=TZ, hold_after_exit=WEEK) == expected


def test_the_hours_are_read_in_the_centres_time_zone() -> None:
    # 03:30 UTC is 08:30 in Almaty: inside the morning.
    utc_moment = datetime(2026, 12, 2, 3, 30, tzinfo=ZoneInfo("UTC"))
    assert MORNINGS.contains(utc_moment, TZ)


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="now"):
        when_to_write(
            ContactSafety(), Kind.STAFF, datetime(2026, 12, 2, 14, 0), tz=TZ, hold_after_exit=WEEK
        )
