"""Monthly figures from anonymous facts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.stats import (
    AppointmentFact,
    CaseFact,
    bar,
    figures_csv,
    month_bounds,
    monthly_figures,
)

ALMATY = ZoneInfo("Asia/Almaty")
T0 = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


def case(category: str, urgent: bool, minutes_to_take: float | None) -> CaseFact:
    taken = T0 + timedelta(minutes=minutes_to_take) if minutes_to_take is not None else None
    return CaseFact("ABC-DEF", T0, category, urgent, taken, None)


def appointment(
    service: str, cancelled: bool = False, attendance: str | None = None
) -> AppointmentFact:
    return AppointmentFact("GHJ-KLM", T0, "sairam", service, cancelled, attendance)


def test_figures() -> None:
    figures = monthly_figures(
        date(2026, 12, 9),
        [
            case("violence", True, 2),
            case("violence", False, 30),
            case("crisis", True, 6),
            case("other", False, None),
        ],
        [
            appointment("psychologist", attendance="came"),
            appointment("psychologist", attendance="no_show"),
            appointment("doctor"),
            appointment("doctor", cancelled=True),
        ],
    )
    assert figures.month == date(2026, 12, 1)
    assert figures.cases == 4 and figures.urgent == 2 and figures.taken == 3
    assert figures.by_category == {"violence": 2, "crisis": 1, "other": 1}
    assert figures.median_minutes_to_take == 6
    assert figures.worst_minutes_to_take == 30
    assert figures.median_minutes_to_take_urgent == 4
    assert (figures.appointments, figures.cancelled, figures.came, figures.no_shows) == (3, 1, 1, 1)
    assert figures.by_service == {"psychologist": 2, "doctor": 1}


def test_empty_month() -> None:
    figures = monthly_figures(date(2026, 1, 1), [], [])
    assert figures.cases == 0 and figures.median_minutes_to_take is None


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        (date(2026, 12, 1), "2026-11-30T19:00:00+00:00", "2026-12-31T19:00:00+00:00"),
        (date(2027, 2, 14), "2027-01-31T19:00:00+00:00", "2027-02-28T19:00:00+00:00"),
        # Before 1 March 2024 Almaty was UTC+6.
        (date(2024, 2, 1), "2024-01-31T18:00:00+00:00", "2024-02-29T19:00:00+00:00"),
    ],
)
def test_month_bounds_in_local_time(month: date, start: str, end: str) -> None:
    lower, upper = month_bounds(month, ALMATY)
    assert lower.astimezone(UTC).isoformat() == start
    assert upper.astimezone(UTC).isoformat() == end


@pytest.mark.parametrize(
    ("value", "largest", "expected"),
    [(0, 5, ""), (5, 5, "▇" * 12), (1, 12, "▇"), (1, 1000, "▇"), (3, 0, "")],
)
def test_bar(value: int, largest: int, expected: str) -> None:
    assert bar(value, largest) == expected


def test_csv_is_anonymous_and_local() -> None:
    text = figures_csv([case("violence", True, 2)], [appointment("doctor", cancelled=True)], ALMATY)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["kind", "code", "date", "category_or_service"]
    assert rows[1] == [
        "case",
        "ABC-DEF",
        "2026-12-02 10:00",
        "violence",
        "yes",
        "2026-12-02 10:02",
        "",
        "open",
    ]
    assert rows[2][0] == "appointment" and rows[2][-1] == "cancelled"
