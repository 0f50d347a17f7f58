"""Appointment keyboards (bot/appointments/keyboards.py): paging, limits, the quick exit."""

from __future__ import annotations

from datetime import date, timedelta

from bot.appointments.keyboards import (
    appointment_data,
    button,
    days_keyboard,
    reminder_buttons,
    times_keyboard,
    user_buttons,
)
from bot.domain.slots import FreeSlot
from bot.keyboards import MAX_BUTTONS
from tests.bot.appointments.presentation import APPOINTMENT, NOON, settings, tr
from tests.conftest import ALMATY


def _data(markup: object) -> list[str]:
    rows = markup.inline_keyboard  # type: ignore[attr-defined]
    return [b.callback_data for row in rows for b in row]


def test_appointment_buttons_carry_id_and_version_and_end_with_the_quick_exit() -> None:
    assert appointment_data("ap:move", APPOINTMENT) == "ap:move:7:1"
    assert _data(user_buttons(tr(), APPOINTMENT)) == ["ap:move:7:1", "ap:cancel:7:1", "menu:exit"]
    assert _data(reminder_buttons(tr(), APPOINTMENT))[0] == "ap:come:7:1"


def test_days_are_paged_six_at_a_time() -> None:
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(14)]
    markup = days_keyboard(
        tr(),
        days,
        1,
        day_data=lambda day: f"d:{day.day}",
        page_data=lambda page: f"p:{page}",
        footer=[button("x", "cancel")],
    )
    assert _data(markup) == [*(f"d:{n}" for n in range(7, 13)), "p:0", "p:2", "cancel", "menu:exit"]


def test_a_day_with_more_times_than_telegram_allows_shows_the_earliest() -> None:
    service = settings().service("psychologist")
    assert service is not None
    slots = [
        FreeSlot(NOON + timedelta(minutes=n), NOON + timedelta(minutes=n + 1), 1)
        for n in range(150)
    ]
    markup = times_keyboard(
        tr(),
        slots,
        service,
        ALMATY,
        slot_data=lambda s: f"t:{s.start.minute}",
        footer=[button("x", "c")],
    )
    assert len(_data(markup)) == MAX_BUTTONS and _data(markup)[0] == "t:0"
