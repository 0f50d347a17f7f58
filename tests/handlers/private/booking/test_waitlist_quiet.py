"""Quiet hours hold for waitlist offers: a seat freed at 05:22 is held for her at once,
her offer goes out at 08:00 (the end of 22:00-08:00), and the hold runs from then."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.appointments.service import Outcome
from tests.conftest import Harness, HarnessFactory
from tests.handlers.booking_steps import data_of, is_booked, press_button_with_data, rows, slot
from tests.handlers.case_helpers import plain, settle
from tests.handlers.private.booking.test_waitlist import (
    THURSDAY,
    _cancel,
    _full_then_join,
    _is_offer,
    _third_person_books,
)


def _at(bot: Harness, moment: datetime) -> None:
    bot.advance(moment - bot.clock.now())


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_seat_freed_in_quiet_hours_is_offered_in_the_morning(
    bot: Harness, language: str
) -> None:
    start = slot(THURSDAY, 9, 45)
    holder, waiting = bot.user("Holder"), bot.user("Waiting", language_code=language)
    await bot.onboard(holder, "ru")
    await bot.onboard(waiting, language)
    await _full_then_join(bot, holder, [(waiting, language)], start)

    _at(bot, slot(THURSDAY, 5, 22))
    await _cancel(holder)
    await bot.handled()
    await settle(bot)
    assert not any(_is_offer(m) for m in waiting.bot_messages())
    # The seat is hers meanwhile: a night-time booker does not take it from under her.
    assert await _third_person_books(bot, start) is Outcome.SLOT_TAKEN

    _at(bot, slot(THURSDAY, 7, 59))
    await bot.run_due_work()
    await settle(bot)
    assert not any(_is_offer(m) for m in waiting.bot_messages())

    _at(bot, slot(THURSDAY, 8, 0))
    await bot.run_due_work()
    offer = await waiting.wait_for_bot_message(_is_offer)
    sent_at = datetime.fromtimestamp(offer.date, start.tzinfo)
    assert sent_at.strftime("%H:%M") == "08:00"
    until = plain(bot.tr(language, "waitlist.offer", when="W", until="08:30")).split("W")[-1]
    assert until in (offer.text or "")

    # Held for 30 minutes from the offer, not from the night.
    _at(bot, slot(THURSDAY, 8, 29))
    await bot.run_due_work()
    await settle(bot)
    await press_button_with_data(waiting, offer, data_of(offer, "wl:take:")[0])
    await waiting.wait_for_bot_message(is_booked)
    assert rows(bot, "SELECT COUNT(*) FROM waitlist") == [(0,)]


async def test_an_offer_kept_for_the_morning_still_runs_out_after_its_hold(
    bot: Harness,
) -> None:
    start = slot(THURSDAY, 9, 45)
    holder, waiting = bot.user("Holder"), bot.user("Waiting")
    await bot.onboard(holder, "ru")
    await bot.onboard(waiting, "ru")
    await _full_then_join(bot, holder, [(waiting, "ru")], start)
    _at(bot, slot(THURSDAY - timedelta(days=1), 23))  # Wednesday 23:00
    await _cancel(holder)
    await bot.handled()
    _at(bot, slot(THURSDAY, 8, 0))
    await bot.run_due_work()
    offer = await waiting.wait_for_bot_message(_is_offer)
    _at(bot, slot(THURSDAY, 8, 31))
    await bot.run_due_work()
    await settle(bot)
    await press_button_with_data(waiting, offer, data_of(offer, "wl:take:")[0])
    await waiting.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "waitlist.expired")))
    assert await _third_person_books(bot, start) is Outcome.DONE


async def test_a_slot_that_begins_before_the_morning_is_offered_to_nobody(
    start_bot: HarnessFactory,
) -> None:
    # A centre whose quiet hours end at 09:30, after the 09:00 slot begins.
    bot = await start_bot({"booking": {"quiet_hours": "22:00-09:30"}})
    start = slot(THURSDAY, 9)
    holder, waiting = bot.user("Holder"), bot.user("Waiting")
    await bot.onboard(holder, "ru")
    await bot.onboard(waiting, "ru")
    await _full_then_join(bot, holder, [(waiting, "ru")], start)
    _at(bot, slot(THURSDAY, 5, 0))
    await _cancel(holder)
    await bot.handled()
    _at(bot, slot(THURSDAY, 8, 59))
    await bot.run_due_work()
    await settle(bot)
    assert not any(_is_offer(m) for m in waiting.bot_messages())
    assert rows(bot, "SELECT held_until, offer_at FROM waitlist") == [(None, None)]
