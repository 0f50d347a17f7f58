"""What /stats accepts as a period, and the instants a period covers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.reports.period import Period, parse_period

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", Period(2026, 11)),
        (" 2026-01 ", Period(2026, 1)),
        ("2026", Period(2026)),
        ("2000", Period(2000)),
        ("2100-12", Period(2100, 12)),
        ("2026-13", None),
        ("2026-00", None),
        ("1999", None),
        ("2101", None),
        ("1999-12", None),
        ("9999-12", None),
        ("0000-01", None),
        ("abc", None),
        ("2026-1", None),
        ("26", None),
        ("2026-11-01", None),
        ("", None),
        ("２０２６", None),  # full-width digits match \d but are not what staff type
    ],
)
def test_parse_period(text: str, expected: Period | None) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("period", "label", "first", "last", "previous"),
    [
        (Period(2026, 11), "2026-11", date(2026, 11, 1), date(2026, 11, 30), Period(2026, 10)),
        (Period(2026, 1), "2026-01", date(2026, 1, 1), date(2026, 1, 31), Period(2025, 12)),
        (Period(2028, 2), "2028-02", date(2028, 2, 1), date(2028, 2, 29), Period(2028, 1)),
        (Period(2026), "2026", date(2026, 1, 1), date(2026, 12, 31), Period(2025)),
    ],
)
def test_period_names_and_days(
    period: Period, label: str, first: date, last: date, previous: Period
) -> None:
    assert period.label == label
    assert period.first_day == first
    assert period.last_day == last
    assert period.previous() == previous
    assert parse_period(label) == period


def test_bounds_are_local_midnights() -> None:
    assert Period(2026, 12).bounds(ALMATY) == (
        datetime(2026, 12, 1, tzinfo=ALMATY),
        datetime(2027, 1, 1, tzinfo=ALMATY),
    )
    assert Period(2026).bounds(ALMATY) == (
        datetime(2026, 1, 1, tzinfo=ALMATY),
        datetime(2027, 1, 1, tzinfo=ALMATY),
    )
    assert Period(2026).months == tuple(date(2026, m, 1) for m in range(1, 13))
    assert Period(2026, 3).months == (date(2026, 3, 1),)
