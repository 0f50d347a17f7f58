"""Reminder times: offsets, quiet hours (wrapping or not), booking time, late sending."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.reminder_schedule import (
    in_quiet_hours,
    quiet_hours_end,
    reminder_due_times,
    should_send_late,
)
from bot.domain.slots import TimeRange

ALMATY = ZoneInfo("Asia/Almaty")
NIGHT = TimeRange(time(22), time(8))
SIESTA = TimeRange(time(13), time(15))  # does not wrap
TO_MIDNIGHT = TimeRange(time(22), time(0))
H = timedelta(hours=1)
DEFAULT = (24 * H, 2 * H)

DAY = date(2026, 6, 10)  # a Wednesday


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A moment ``days`` after 10 June 2026, Almaty time."""
    return datetime.combine(DAY + timedelta(days=days), time(hour, minute), tzinfo=ALMATY)


def due_times(
    start: datetime,
    offsets: tuple[timedelta, ...] = DEFAULT,
    quiet: TimeRange | None = NIGHT,
    booked_at: datetime | None = None,
) -> list[tuple[timedelta, datetime]]:
    return reminder_due_times(
        appointment_start=start,
        offsets=offsets,
        quiet_hours=quiet,
        tz=ALMATY,
        booked_at=booked_at if booked_at is not None else at(-7, 12),
    )


@pytest.mark.parametrize(
    ("case", "start", "offsets", "quiet", "booked_at", "expected"),
    [
        (
            "both outside quiet hours",
            at(0, 14),
            DEFAULT,
            NIGHT,
            None,
            [(24 * H, at(-1, 14)), (2 * H, at(0, 12))],
        ),
        (
            "2 h before 09:00 is 07:00, quiet: 21:59 the evening before",
            at(0, 9),
            DEFAULT,
            NIGHT,
            None,
            [(24 * H, at(-1, 9)), (2 * H, at(-1, 21, 59))],
        ),
        (
            "due in the evening part of the night: same evening 21:59",
            at(1, 1),  # an odd time, to land the 2 h reminder at 23:00
            (2 * H,),
            NIGHT,
            None,
            [(2 * H, at(0, 21, 59))],
        ),
        (
            "exactly at quiet start (22:00 is quiet)",
            at(1, 0),
            (2 * H,),
            NIGHT,
            None,
            [(2 * H, at(0, 21, 59))],
        ),
        (
            "exactly at quiet end (08:00 is not quiet)",
            at(0, 10),
            (2 * H,),
            NIGHT,
            None,
            [(2 * H, at(0, 8))],
        ),
        (
            "one minute before quiet end is quiet",
            at(0, 9, 59),
            (2 * H,),
            NIGHT,
            None,
            [(2 * H, at(-1, 21, 59))],
        ),
        (
            "quiet hours that do not wrap",
            at(0, 16),
            (2 * H,),
            SIESTA,
            None,
            [(2 * H, at(0, 12, 59))],
        ),
        ("15:00 ends a siesta", at(0, 17), (2 * H,), SIESTA, None, [(2 * H, at(0, 15))]),
        (
            "quiet until midnight: 00:00 is not quiet",
            at(1, 2),
            (2 * H, 3 * H),
            TO_MIDNIGHT,
            None,
            [(3 * H, at(0, 21, 59)), (2 * H, at(1, 0))],
        ),
        ("no quiet hours", at(0, 9), (2 * H,), None, None, [(2 * H, at(0, 7))]),
        (
            "booked 3 h ahead: the 24 h reminder is dropped",
            at(0, 14),
            DEFAULT,
            NIGHT,
            at(0, 11),
            [(2 * H, at(0, 12))],
        ),
        (
            "booked 1 h ahead: no reminder at all",
            at(0, 14),
            DEFAULT,
            NIGHT,
            at(0, 13),
            [],
        ),
        (
            "due exactly at booking time is kept",
            at(0, 14),
            (2 * H,),
            NIGHT,
            at(0, 12),
            [(2 * H, at(0, 12))],
        ),
        (
            "booked late evening: moved reminder still after booking",
            at(1, 9),
            DEFAULT,
            NIGHT,
            at(0, 21, 30),
            [(2 * H, at(0, 21, 59))],
        ),
        (
            "booked inside quiet hours: moved reminder would be before booking",
            at(1, 9),
            DEFAULT,
            NIGHT,
            at(0, 23),
            [],
        ),
        (
            "same landing time: the larger offset survives",
            at(1, 9),
            (11 * H, 10 * H),  # 22:00 and 23:00, both → 21:59
            NIGHT,
            None,
            [(11 * H, at(0, 21, 59))],
        ),
        (
            "collapse regardless of the order given",
            at(1, 9),
            (10 * H, 11 * H, 10 * H),
            NIGHT,
            None,
            [(11 * H, at(0, 21, 59))],
        ),
        (
            "a moved reminder collides with one due at 21:59 anyway",
            at(1, 9),
            (11 * H + timedelta(minutes=1), 2 * H),
            NIGHT,
            None,
            [(11 * H + timedelta(minutes=1), at(0, 21, 59))],
        ),
        (
            "never at or after the start",
            at(0, 14),
            (timedelta(0), -H, 2 * H),
            NIGHT,
            None,
            [(2 * H, at(0, 12))],
        ),
        (
            "chronological order whatever the offsets' order",
            at(0, 14),
            (2 * H, 24 * H, 48 * H),
            NIGHT,
            None,
            [(48 * H, at(-2, 14)), (24 * H, at(-1, 14)), (2 * H, at(0, 12))],
        ),
        ("no offsets", at(0, 14), (), NIGHT, None, []),
    ],
)
def test_reminder_due_times(
    case: str,
    start: datetime,
    offsets: tuple[timedelta, ...],
    quiet: TimeRange | None,
    booked_at: datetime | None,
    expected: list[tuple[timedelta, datetime]],
) -> None:
    assert due_times(start, offsets, quiet, booked_at) == expected, case


def test_due_times_are_local_and_inputs_may_be_utc() -> None:
    # 04:00 UTC is 09:00 in Almaty; the 2 h reminder (07:00 local) is quiet.
    start = datetime(2026, 6, 10, 4, tzinfo=UTC)
    result = due_times(start, booked_at=datetime(2026, 6, 1, tzinfo=UTC))
    assert result == [(24 * H, at(-1, 9)), (2 * H, at(-1, 21, 59))]
    assert all(due.tzinfo is ALMATY for _, due in result)
    # Read in UTC the 07:00 reminder is 02:00, not quiet: the zone must be tz's.
    assert result[1][1] == datetime(2026, 6, 9, 16, 59, tzinfo=UTC)


def test_whole_day_quiet_hours_are_rejected() -> None:
    with pytest.raises(ValueError, match="whole day"):
        due_times(at(0, 14), quiet=TimeRange(time(8), time(8)))


@pytest.mark.parametrize(
    ("moment", "quiet", "expected"),
    [
        (at(0, 22), NIGHT, True),
        (at(0, 21, 59), NIGHT, False),
        (at(0, 3), NIGHT, True),
        (at(0, 8), NIGHT, False),
        (at(0, 7, 59), NIGHT, True),
        (at(0, 13), SIESTA, True),
        (at(0, 15), SIESTA, False),
        (at(0, 23), SIESTA, False),
        (at(0, 23), None, False),
        (datetime(2026, 6, 10, 17, tzinfo=UTC), NIGHT, True),  # 22:00 in Almaty
        (datetime(2026, 6, 10, 3, tzinfo=UTC), NIGHT, False),  # 08:00 in Almaty
    ],
)
def test_in_quiet_hours(moment: datetime, quiet: TimeRange | None, expected: bool) -> None:
    assert in_quiet_hours(moment, quiet, ALMATY) is expected


@pytest.mark.parametrize(
    ("moment", "quiet", "expected"),
    [
        (at(0, 23), NIGHT, at(1, 8)),
        (at(0, 22), NIGHT, at(1, 8)),
        (at(0, 3), NIGHT, at(0, 8)),
        (at(0, 8), NIGHT, at(0, 8)),  # not quiet: now
        (at(0, 12), NIGHT, at(0, 12)),
        (at(0, 14), SIESTA, at(0, 15)),
        (at(0, 23), TO_MIDNIGHT, at(1, 0)),
        (at(0, 23), None, at(0, 23)),
        (datetime(2026, 6, 10, 18, tzinfo=UTC), NIGHT, at(1, 8)),  # 23:00 in Almaty
    ],
)
def test_quiet_hours_end(moment: datetime, quiet: TimeRange | None, expected: datetime) -> None:
    end = quiet_hours_end(moment, quiet, ALMATY)
    assert end == expected
    assert end.tzinfo is ALMATY
    assert not in_quiet_hours(end, quiet, ALMATY)


@pytest.mark.parametrize(
    ("case", "due", "now", "start", "send"),
    [
        ("missed, appointment ahead", at(0, 12), at(0, 13), at(0, 14), True),
        ("missed by a day, still ahead", at(-1, 14), at(0, 13, 59), at(0, 14), True),
        ("on time", at(0, 12), at(0, 12), at(0, 14), True),
        ("appointment starts now", at(0, 12), at(0, 14), at(0, 14), False),
        ("appointment already begun", at(0, 12), at(0, 15), at(0, 14), False),
        ("not due yet", at(0, 12), at(0, 11), at(0, 14), False),
        ("mixed zones", at(0, 12), datetime(2026, 6, 10, 8, 59, tzinfo=UTC), at(0, 14), True),
    ],
)
def test_should_send_late(
    case: str, due: datetime, now: datetime, start: datetime, send: bool
) -> None:
    assert should_send_late(due=due, now=now, appointment_start=start) is send, case
