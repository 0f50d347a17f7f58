"""Dates as a villager reads them (bot/appointments/dates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.appointments.dates import clock, day_label, day_long, relative_day

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ALMATY)  # a Wednesday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ALMATY)


def test_labels_in_both_languages() -> None:
    thursday = date(2026, 12, 3)
    assert day_label(thursday, "ru") == "Четверг, 3 декабря"
    assert day_long(thursday, "ru") == "четверг, 3 декабря"
    assert day_long(thursday, "kk") == "бейсенбі, 3 желтоқсан"


KAZAKH_WEEKDAYS = ("Дүйсенбі", "Сейсенбі", "Сәрсенбі", "Бейсенбі", "Жұма", "Сенбі", "Жексенбі")


@pytest.mark.parametrize("offset", range(7))
def test_kazakh_day_buttons_spell_out_the_day_and_month(offset: int) -> None:
    # CLDR's short Kazakh forms ("дс", "сс", "бс", "жм", "жел.") read as riddles.
    day = date(2026, 11, 30 + offset) if offset == 0 else date(2026, 12, offset)
    label = day_label(day, "kk")
    weekday, rest = label.split(", ")
    assert weekday == KAZAKH_WEEKDAYS[day.weekday()]
    assert "." not in label and rest.split()[1] in ("қараша", "желтоқсан")


@pytest.mark.parametrize(
    ("moment", "days"),
    [
        (at(3, 9), 1),
        (at(2, 23, 59), 0),
        (at(2, 0, 0), 0),
        (at(9, 12), 7),
        # 23:30 UTC on the 2nd is already the 3rd in Almaty.
        (datetime(2026, 12, 2, 23, 30, tzinfo=UTC), 1),
    ],
)
def test_relative_day_in_the_centre_zone(moment: datetime, days: int) -> None:
    assert relative_day(moment, NOW, ALMATY) == days


@pytest.mark.parametrize(
    ("moment", "shown"),
    [(at(3, 9), "09:00"), (datetime(2026, 12, 3, 4, 30, tzinfo=UTC), "09:30")],
)
def test_clock_in_the_centre_zone(moment: datetime, shown: str) -> None:
    assert clock(moment, ALMATY) == shown
