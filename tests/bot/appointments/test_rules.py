"""Pure booking rules (bot/appointments/rules.py): which button times are honoured, windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.appointments.rules import (
    DAYS_PER_PAGE,
    Unavailable,
    day_window,
    from_timestamp,
    local_midnight,
    offered_slot,
    over_daily_limit,
    page_count,
    page_of,
    parse_day,
    timestamp,
    why_unavailable,
)
from bot.config import BookingSettings, Localized, Service
from bot.domain.slots import TimeRange

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ALMATY)  # a Wednesday
BOOKING = BookingSettings(
    horizon_days=14,
    min_lead=timedelta(hours=2),
    reminders=(timedelta(hours=24), timedelta(hours=2)),
    quiet_hours=TimeRange(time(22), time(8)),
    holidays=frozenset({date(2026, 12, 25)}),
    agenda_time=time(8, 30),
)
WEEKDAYS = {day: TimeRange(time(9), time(18)) for day in range(5)}
PSYCHOLOGIST = Service(
    "psychologist", "sairam", Localized("Психолог", "Психолог"), timedelta(minutes=45), 1, WEEKDAYS
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("start", "taken", "offered"),
    [
        (at(3, 9), {}, True),  # a slot start on a working day
        (at(3, 17, 15), {}, True),  # the last one: 17:15-18:00
        (at(3, 18), {}, False),  # closing time is not a start
        (at(3, 9, 10), {}, False),  # not on the 45-minute grid (a forged button)
        (at(2, 11, 15), {}, False),  # today, less than 2 hours ahead
        (at(2, 12), {}, True),  # today, exactly 2 hours ahead
        (at(1, 12), {}, False),  # yesterday
        (at(5, 10), {}, False),  # Saturday: closed
        (at(16, 10), {}, False),  # Independence Day (the holidays package)
        (at(25, 10), {}, False),  # a centre holiday (and past the horizon)
        (at(3, 9), {at(3, 9): 1}, False),  # full
        (at(3, 9), {at(3, 9).astimezone(UTC): 1}, False),  # full, counted in UTC
    ],
)
def test_offered_slot(start: datetime, taken: dict[datetime, int], offered: bool) -> None:
    slot = offered_slot(PSYCHOLOGIST, start, taken, NOW, BOOKING, ALMATY)
    assert (slot is not None) is offered
    if slot is not None:
        assert slot.start == start and slot.end == start + timedelta(minutes=45)


def test_day_window_is_the_local_day_in_utc() -> None:
    start, end = day_window(date(2026, 12, 3), ALMATY)
    assert start == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    assert local_midnight(NOW, ALMATY) == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def test_pages_of_days() -> None:
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(DAYS_PER_PAGE * 2 + 1)]
    assert page_count(days) == 3
    assert page_of(days, 0) == (days[:DAYS_PER_PAGE], 0)
    assert page_of(days, 2) == (days[-1:], 2)
    assert page_of(days, 99) == (days[-1:], 2)  # a forged page number is clamped
    assert page_of(days, -5) == (days[:DAYS_PER_PAGE], 0)
    assert page_of([], 0) == ([], 0)


@pytest.mark.parametrize("text", ["", "abc", "-1", "1.5", "9" * 12])
def test_from_timestamp_refuses_garbage(text: str) -> None:
    assert from_timestamp(text, ALMATY) is None


def test_timestamps_round_trip_in_the_centre_zone() -> None:
    moment = at(3, 9)
    back = from_timestamp(str(timestamp(moment)), ALMATY)
    assert back == moment and back is not None and back.tzinfo == ALMATY
    assert parse_day("2026-12-03") == date(2026, 12, 3)
    assert parse_day("2026-13-45") is None


@pytest.mark.parametrize(
    ("start", "taken", "why"),
    [
        (at(3, 9), {}, None),  # free
        (at(3, 9), {at(3, 10): 1}, None),  # another time is full
        (at(3, 9), {at(3, 9): 1}, Unavailable.FULL),  # its one seat is taken
        (at(2, 12), {at(2, 12): 1}, Unavailable.FULL),  # today, far enough, full
        (at(2, 11, 15), {}, Unavailable.GONE),  # too close to now
        (at(2, 11, 15), {at(2, 11, 15): 1}, Unavailable.GONE),  # too close (and full)
        (at(1, 12), {}, Unavailable.GONE),  # past
        (at(5, 10), {}, Unavailable.GONE),  # closed day
        (at(3, 9, 10), {}, Unavailable.GONE),  # off the grid (forged)
        (at(25, 10), {at(25, 10): 1}, Unavailable.GONE),  # a holiday
    ],
)
def test_why_unavailable(
    start: datetime, taken: dict[datetime, int], why: Unavailable | None
) -> None:
    assert why_unavailable(PSYCHOLOGIST, start, taken, NOW, BOOKING, ALMATY) is why


@pytest.mark.parametrize(
    ("made_today", "limit", "reached"),
    [(0, 1, False), (1, 1, True), (2, 3, False), (3, 3, True), (4, 3, True), (0, 0, True)],
)
def test_the_daily_limit(made_today: int, limit: int, reached: bool) -> None:
    assert over_daily_limit(made_today, limit) is reached
