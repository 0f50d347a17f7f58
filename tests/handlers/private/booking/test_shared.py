"""What booking and moving share (handlers/private/booking/shared.py): a booking button
works only for someone who consented."""

from __future__ import annotations

from datetime import date

from tests.conftest import Harness

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)


async def test_booking_needs_consent_first(bot: Harness) -> None:
    user = bot.user()
    await user.send("/start")
    await user.wait_for_bot_message()
    await user.press("Русский")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.send("/book")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "consent.required")
