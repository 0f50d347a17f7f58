"""Free appointment slots: hours, lead time, holidays, horizon, capacity, time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.slots import (
    FreeSlot,
    TimeRange,
    bookable_days,
    day_slots,
    free_slots,
    is_closed_day,
    next_free_slots,
)

ALMATY = ZoneInfo("Asia/Almaty")
WORKDAY = TimeRange(time(9), time(18))
WEEKDAYS = {weekday: WORKDAY for weekday in range(5)}  # Monday to Friday
MIN45 = timedelta(minutes=45)

# 2026-06-01 is a Monday with no public holiday in the week around it.
MONDAY = date(2026, 6, 1)
TUESDAY = date(2026, 6, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ALMATY)


def free(
    day: date,
    *,
    now: datetime | None = None,
    taken: dict[datetime, int] | None = None,
    capacity: int = 1,
    min_lead: timedelta = timedelta(hours=2),
    horizon_days: int = 14,
    extra_holidays: frozenset[date] = frozenset(),
) -> list[FreeSlot]:
    return free_slots(
        day=day,
        weekly_hours=WEEKDAYS,
        duration=MIN45,
        capacity=capacity,
        taken=taken or {},
        now=now if now is not None else at(day - timedelta(days=1), 12),
        min_lead=min_lead,
        horizon_days=horizon_days,
        extra_holidays=extra_holidays,
        tz=ALMATY,
    )


@pytest.mark.parametrize(
    ("hours", "t", "inside"),
    [
        (WORKDAY, time(9), True),
        (WORKDAY, time(17, 59, 59), True),
        (WORKDAY, time(18), False),
        (WORKDAY, time(8, 59), False),
        (TimeRange(time(22), time(8)), time(22), True),
        (TimeRange(time(22), time(8)), time(3), True),
        (TimeRange(time(22), time(8)), time(8), False),
        (TimeRange(time(22), time(8)), time(12), False),
        (TimeRange(time(22), time(0)), time(23, 59), True),
        (TimeRange(time(22), time(0)), time(0), False),
        (TimeRange(time(0), time(0)), time(13), True),
    ],
)
def test_time_range_contains(hours: TimeRange, t: time, inside: bool) -> None:
    assert hours.contains(t) is inside


@pytest.mark.parametrize(
    ("hours", "wraps"),
    [(WORKDAY, False), (TimeRange(time(22), time(8)), True), (TimeRange(time(22), time(0)), True)],
)
def test_time_range_crosses_midnight(hours: TimeRange, wraps: bool) -> None:
    assert hours.crosses_midnight is wraps


@pytest.mark.parametrize(
    ("hours", "duration", "count", "last"),
    [
        (WORKDAY, MIN45, 12, time(17, 15)),
        (WORKDAY, timedelta(minutes=50), 10, time(16, 30)),
        (WORKDAY, timedelta(hours=9), 1, time(9)),
        (WORKDAY, timedelta(hours=10), 0, None),
        (TimeRange(time(14), time(16)), timedelta(hours=2), 1, time(14)),
        (TimeRange(time(21), time(0)), MIN45, 4, time(23, 15)),  # open until midnight
        (None, MIN45, 0, None),
    ],
)
def test_day_slots(
    hours: TimeRange | None, duration: timedelta, count: int, last: time | None
) -> None:
    starts = day_slots(MONDAY, hours, duration, ALMATY)
    assert len(starts) == count
    if last is not None:
        assert starts[-1] == at(MONDAY, last.hour, last.minute)
        assert starts[0].tzinfo is ALMATY


def test_day_slots_rejects_wrapping_hours_and_empty_duration() -> None:
    with pytest.raises(ValueError, match="midnight"):
        day_slots(MONDAY, TimeRange(time(20), time(8)), MIN45, ALMATY)
    with pytest.raises(ValueError, match="positive"):
        day_slots(MONDAY, WORKDAY, timedelta(0), ALMATY)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 6, 1), 4),  # UTC+5 today
        (date(2024, 3, 1), 4),  # the first day of the single zone
        (date(2024, 2, 29), 3),  # Almaty was still UTC+6
    ],
)
def test_slot_instants_follow_the_zone_database(day: date, utc_hour: int) -> None:
    first = day_slots(day, WORKDAY, MIN45, ALMATY)[0]
    assert first == datetime.combine(day, time(utc_hour), tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "extra", "closed"),
    [
        (date(2026, 12, 16), frozenset(), True),  # Independence Day, from the package
        (date(2026, 3, 23), frozenset(), True),  # Nowruz
        (date(2025, 1, 3), frozenset(), True),  # "day off (substituted)" entry
        (date(2026, 12, 17), frozenset({date(2026, 12, 17)}), True),  # the centre's own
        (date(2026, 12, 17), frozenset(), False),
        (MONDAY, frozenset(), False),
    ],
)
def test_is_closed_day(day: date, extra: frozenset[date], closed: bool) -> None:
    assert is_closed_day(day, extra) is closed


@pytest.mark.parametrize(
    ("case", "kwargs", "first", "count"),
    [
        ("whole day", {}, time(9), 12),
        ("lead cuts the morning", {"now": at(MONDAY, 8, 30)}, time(10, 30), 10),
        ("lead lands on a slot start", {"now": at(MONDAY, 9, 15)}, time(11, 15), 9),
        (
            "lead from another zone",
            {"now": datetime(2026, 6, 1, 3, 30, tzinfo=UTC)},
            time(10, 30),
            10,
        ),
        ("no lead", {"now": at(MONDAY, 9, 0), "min_lead": timedelta(0)}, time(9), 12),
        ("after hours", {"now": at(MONDAY, 16, 0)}, None, 0),
        ("past day", {"now": at(MONDAY + timedelta(days=1), 8)}, None, 0),
    ],
)
def test_free_slots_lead_time(
    case: str, kwargs: dict[str, object], first: time | None, count: int
) -> None:
    slots = free(MONDAY, **kwargs)  # type: ignore[arg-type]
    assert len(slots) == count, case
    if first is not None:
        assert slots[0].start == at(MONDAY, first.hour, first.minute), case


@pytest.mark.parametrize(
    ("day", "extra"),
    [
        (date(2026, 12, 16), frozenset[date]()),  # Wednesday, Independence Day
        (date(2026, 12, 17), frozenset({date(2026, 12, 17)})),  # config holiday, Thursday
        (date(2026, 6, 7), frozenset[date]()),  # Sunday: no hours
    ],
)
def test_closed_days_have_no_slots(day: date, extra: frozenset[date]) -> None:
    assert free(day, extra_holidays=extra) == []


# Thursday 28 May 2026: days 0, 1, 13 and 14 from it are all working days.
THURSDAY = date(2026, 5, 28)


@pytest.mark.parametrize(
    ("horizon_days", "day_offset", "open_"),
    [
        (14, 0, True),  # today is day 0
        (14, 13, True),  # the last day within the horizon
        (14, 14, False),
        (1, 0, True),
        (1, 1, False),
        (0, 0, False),
    ],
)
def test_horizon_edge(horizon_days: int, day_offset: int, open_: bool) -> None:
    now = at(THURSDAY, 6)  # early enough for today's slots
    day = THURSDAY + timedelta(days=day_offset)
    assert day.weekday() < 5
    assert bool(free(day, now=now, horizon_days=horizon_days)) is open_


def test_horizon_today_follows_tz_not_utc() -> None:
    # 20:00 UTC on Wednesday is already 01:00 Thursday in Almaty: Thursday is day 0.
    now = datetime(2026, 5, 27, 20, tzinfo=UTC)
    assert free(THURSDAY + timedelta(days=13), now=now)
    assert not free(THURSDAY + timedelta(days=14), now=now)


@pytest.mark.parametrize(
    ("capacity", "booked", "seats_left"),
    [
        (1, 0, 1),
        (1, 1, None),  # full: the slot disappears
        (12, 11, 1),
        (12, 12, None),
        (12, 13, None),  # overbooked by hand still reads as full
        (3, 1, 2),
    ],
)
def test_capacity(capacity: int, booked: int, seats_left: int | None) -> None:
    ten = at(MONDAY, 9, 45)
    slots = {s.start: s for s in free(MONDAY, capacity=capacity, taken={ten: booked})}
    if seats_left is None:
        assert ten not in slots
        assert len(slots) == 11
    else:
        assert slots[ten].seats_left == seats_left
        assert slots[ten].end == at(MONDAY, 10, 30)


def test_taken_compares_instants_not_wall_times() -> None:
    # Storage may hand back UTC; 04:45 UTC is the 09:45 Almaty slot.
    taken = {datetime(2026, 6, 1, 4, 45, tzinfo=UTC): 1}
    starts = [s.start for s in free(MONDAY, taken=taken)]
    assert at(MONDAY, 9, 45) not in starts
    # 09:45 UTC is 14:45 in Almaty, which is not a slot start: nothing else disappears.
    other = {datetime(2026, 6, 1, 9, 45, tzinfo=UTC): 1}
    assert len(free(MONDAY, taken=other)) == 12


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        free(MONDAY, now=datetime(2026, 5, 31, 12))
    with pytest.raises(ValueError, match="aware"):
        free(MONDAY, taken={datetime(2026, 6, 1, 9): 1})


def common(now: datetime) -> dict[str, object]:
    return {
        "weekly_hours": WEEKDAYS,
        "duration": MIN45,
        "capacity": 1,
        "now": now,
        "min_lead": timedelta(hours=2),
        "horizon_days": 14,
        "tz": ALMATY,
    }


def test_bookable_days_skip_weekends_holidays_and_full_days() -> None:
    # Monday 14 December 2026; Wednesday 16th is Independence Day.
    now = at(date(2026, 12, 14), 7)
    tuesday = date(2026, 12, 15)
    full_tuesday = {start: 1 for start in day_slots(tuesday, WORKDAY, MIN45, ALMATY)}
    days = bookable_days(
        **common(now),  # type: ignore[arg-type]
        taken=full_tuesday,
        extra_holidays=frozenset({date(2026, 12, 17)}),
    )
    assert days == [
        date(2026, 12, 14),
        date(2026, 12, 18),
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 24),
        date(2026, 12, 25),
    ]


@pytest.mark.parametrize(
    ("after", "limit", "expected"),
    [
        # the 10:30 slot was just taken: the next ones that day
        (at(MONDAY, 10, 30), 3, [at(MONDAY, 11, 15), at(MONDAY, 12), at(MONDAY, 12, 45)]),
        # late in the day: continue on the next working day
        (at(MONDAY, 17, 15), 1, [at(MONDAY, 17, 15)]),  # "at or after"
        (at(MONDAY, 17, 16), 2, [at(TUESDAY, 9), at(TUESDAY, 9, 45)]),
        # Friday afternoon: over the weekend to Monday
        (at(date(2026, 6, 5), 17, 30), 1, [at(date(2026, 6, 8), 9)]),
        # before now: the lead time still rules (10:30 is taken)
        (at(MONDAY, 6), 1, [at(MONDAY, 11, 15)]),
        (at(MONDAY, 10, 30), 0, []),
        # beyond the horizon: nothing
        (at(MONDAY + timedelta(days=14), 9), 3, []),
    ],
)
def test_next_free_slots(after: datetime, limit: int, expected: list[datetime]) -> None:
    taken = {at(MONDAY, 10, 30): 1}
    slots = next_free_slots(
        **common(at(MONDAY, 8, 30)),  # type: ignore[arg-type]
        taken=taken,
        extra_holidays=frozenset(),
        after=after,
        limit=limit,
    )
    assert [s.start for s in slots] == expected


def test_slots_follow_elapsed_time_across_a_dst_change() -> None:
    # Not Almaty's case (no DST), but a config with another zone must not get a
    # 02:00 slot on the night clocks jump from 02:00 to 03:00.
    berlin = ZoneInfo("Europe/Berlin")
    starts = day_slots(date(2026, 3, 29), TimeRange(time(1), time(4)), timedelta(hours=1), berlin)
    assert [s.strftime("%H:%M %Z") for s in starts] == ["01:00 CET", "03:00 CEST"]
