"""Buttons that must not work: someone else's, past (handlers/private/appointments/pressed.py)."""

from __future__ import annotations

from datetime import date

from tests.conftest import Harness
from tests.handlers.booking_steps import (
    book,
    has_data,
    slot,
)

THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)


async def test_someone_elses_appointment_button_changes_nothing(bot: Harness) -> None:
    owner = bot.user("Owner")
    await bot.onboard(owner, "ru")
    code = await book(bot, owner, start=slot(THURSDAY, 9))
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None
    intruder = bot.user("Intruder")
    await bot.onboard(intruder, "ru")
    menu = intruder.last_bot_message()
    for action in ("ap:cancel_yes", "ap:cancel", "ap:move", "ap:come"):
        await intruder.press_data(f"{action}:{stored.id}:{stored.version}", menu.message_id)
        answer = await intruder.wait_for_bot_message()
        assert answer.text == bot.tr("ru", "appointment.not_yours")
    # A forged reschedule straight to the last step is refused too.
    target = int(slot(FRIDAY, 9).timestamp())
    await intruder.press_data(f"rs:ok:{stored.id}:{stored.version}:{target}", menu.message_id)
    answer = await intruder.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "appointment.not_yours")
    after = await bot.services.appointments.store.by_code(code)
    assert after == stored


async def test_an_appointment_in_the_past_cannot_be_changed(bot: Harness) -> None:
    from datetime import timedelta

    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(THURSDAY, 9))
    await user.send("/appointments")
    await user.wait_for_bot_message()
    entry = await user.wait_for_bot_message(has_data("ap:cancel:"))
    bot.advance(timedelta(days=1))  # Thursday 10:00: it has begun
    await user.press("✖️ Отменить")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "appointment.past", code=code)
    assert entry.buttons  # nothing was changed, not even the message
