"""On-duty rota: shifts, midnight wrap, manual /duty, expiry, escalation targets."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.rota import DutyShift, ManualDuty, escalation_targets, on_duty
from bot.domain.slots import TimeRange

ALMATY = ZoneInfo("Asia/Almaty")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WORKDAYS = frozenset({MON, TUE, WED, THU, FRI})

DAY = DutyShift(user_id=1, weekdays=WORKDAYS, hours=TimeRange(time(9), time(18)))
NIGHT = DutyShift(user_id=2, weekdays=frozenset({MON}), hours=TimeRange(time(20), time(8)))
SUNDAY = DutyShift(user_id=3, weekdays=frozenset({SUN}), hours=TimeRange(time(10), time(14)))
ROTA = (DAY, NIGHT, SUNDAY)

# 1 June 2026 is a Monday.
MONDAY = date(2026, 6, 1)
TWELVE_HOURS = timedelta(hours=12)


def at(days: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment ``days`` after Monday 1 June 2026, Almaty time."""
    day = MONDAY + timedelta(days=days)
    return datetime.combine(day, time(hour, minute, second), tzinfo=ALMATY)


def duty_now(
    now: datetime,
    rota: tuple[DutyShift, ...] = ROTA,
    manual: tuple[ManualDuty, ...] = (),
) -> list[int]:
    return on_duty(now=now, tz=ALMATY, rota=rota, manual=manual, max_manual=TWELVE_HOURS)


@pytest.mark.parametrize(
    ("case", "now", "expected"),
    [
        ("weekday inside hours", at(0, 10), [1]),
        ("first minute of the shift", at(0, 9), [1]),
        ("shift end is exclusive", at(0, 18), []),
        ("before the shift", at(2, 8, 59), []),
        ("Saturday", at(5, 10), []),
        ("Sunday shift", at(6, 13, 59), [3]),
        ("Monday night, evening part", at(0, 20), [2]),
        ("Monday night, after midnight", at(1, 3), [2]),
        ("Monday night covers Tue 07:59", at(1, 7, 59, 59), [2]),
        ("Monday night ends Tue 08:00", at(1, 8), []),
        ("no night shift Tuesday evening", at(1, 21), []),
        ("Monday morning is not Monday's night", at(0, 7), []),
        ("Sunday night is not covered", at(6, 22), []),
        ("now given in UTC", datetime(2026, 6, 1, 5, tzinfo=UTC), [1]),  # 10:00 Almaty
        ("UTC date differs from local date", datetime(2026, 6, 1, 22, tzinfo=UTC), [2]),
    ],
)
def test_rota(case: str, now: datetime, expected: list[int]) -> None:
    assert duty_now(now) == expected, case


def test_overlapping_shifts_keep_rota_order() -> None:
    late = DutyShift(user_id=4, weekdays=WORKDAYS, hours=TimeRange(time(12), time(20)))
    assert duty_now(at(0, 13), rota=(late, DAY)) == [4, 1]
    assert duty_now(at(0, 19), rota=(late, DAY)) == [4]


def test_empty_rota() -> None:
    assert duty_now(at(0, 10), rota=()) == []


@pytest.mark.parametrize(
    ("case", "now", "manual", "expected"),
    [
        ("manual before rota", at(0, 10), (ManualDuty(7, at(0, 9)),), [7, 1]),
        (
            "most recent /duty first",
            at(0, 10),
            (ManualDuty(7, at(0, 8)), ManualDuty(8, at(0, 9))),
            [8, 7, 1],
        ),
        ("rota person also on manual duty: once", at(0, 10), (ManualDuty(1, at(0, 9)),), [1]),
        ("manual outside rota hours", at(5, 3), (ManualDuty(7, at(4, 22)),), [7]),
        ("still on 11:59:59 after /duty", at(0, 20, 59, 59), (ManualDuty(7, at(0, 9)),), [7, 2]),
        ("expired after max_manual", at(0, 21), (ManualDuty(7, at(0, 9)),), [2]),
        ("expired long ago", at(2, 10), (ManualDuty(7, at(0, 9)),), [1]),
        (
            "since given in UTC",
            at(0, 10),
            (ManualDuty(7, datetime(2026, 6, 1, 4, tzinfo=UTC)),),
            [7, 1],
        ),
        ("clock skew: since a bit ahead", at(0, 10), (ManualDuty(7, at(0, 10, 0, 5)),), [7, 1]),
    ],
)
def test_manual_duty(
    case: str, now: datetime, manual: tuple[ManualDuty, ...], expected: list[int]
) -> None:
    assert duty_now(now, manual=manual) == expected, case


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        duty_now(datetime(2026, 6, 1, 10))


@pytest.mark.parametrize(
    ("step", "on_duty_ids", "backups", "expected"),
    [
        (0, [1], [5, 6], [1]),
        (0, [1, 7], [5, 6], [1, 7]),
        (1, [1], [5, 6], [1, 5, 6]),
        (3, [1], [5, 6], [1, 5, 6]),
        (1, [1, 5], [5, 6], [1, 5, 6]),  # a backup on duty is alerted once
        (0, [1, 1], [], [1]),
        (0, [], [5, 6], [5, 6]),  # nobody on duty: backups at once
        (2, [], [5, 6], [5, 6]),
        (0, [], [], []),  # the caller must tell the user nobody is reachable
        (1, [1], [], [1]),
    ],
)
def test_escalation_targets(
    step: int, on_duty_ids: list[int], backups: list[int], expected: list[int]
) -> None:
    assert escalation_targets(step=step, on_duty=on_duty_ids, backups=backups) == expected


def test_escalation_step_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="step"):
        escalation_targets(step=-1, on_duty=[1], backups=[])
