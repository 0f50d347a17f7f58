"""The waitlist end to end: a full slot's "tell me when a seat frees", the offer after a
cancellation with the seat held for 30 minutes, the next person after an offer runs out,
and forget-me."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest

from bot.appointments.service import Booking, Outcome
from bot.domain.slots import FreeSlot
from sandbox import SimMessage, SimUser
from tests.conftest import Harness
from tests.handlers.booking_steps import (
    book,
    code_in,
    confirm,
    data_of,
    has_data,
    is_booked,
    is_just_taken,
    press_button_with_data,
    reach_summary,
    rows,
    seats,
    slot,
)
from tests.handlers.case_helpers import plain

THURSDAY = date(2026, 12, 3)


async def _settle(bot: Harness) -> None:
    async with asyncio.timeout(10):
        await bot.services.delivery.wait_idle()


async def _full_then_join(
    bot: Harness, holder: SimUser, waiting: list[tuple[SimUser, str]], start: datetime
) -> str:
    """Everyone in `waiting` reaches the summary, `holder` books the seat first, and each
    waiting person gets "just taken" and joins the waitlist. Returns the holder's code."""
    summaries = [await reach_summary(bot, u, start=start, language=lang) for u, lang in waiting]
    code = await book(bot, holder, start=start)
    for (user, language), summary in zip(waiting, summaries, strict=True):
        await confirm(user, summary)
        taken = await user.wait_for_bot_message(is_just_taken(bot, language))
        assert [t for t, d in taken.buttons if (d or "").startswith("wl:join:")] == [
            bot.tr(language, "booking.button.waitlist")
        ]
        await press_button_with_data(user, taken, data_of(taken, "wl:join:")[0])
        joined = plain(bot.tr(language, "waitlist.joined"))
        answer = await user.wait_for_bot_message()
        assert answer.text == joined
    return code


async def _cancel(user: SimUser) -> None:
    """Cancels her only appointment through /appointments (the buttons, not the words)."""
    await user.send("/appointments")
    entry = await user.wait_for_bot_message(has_data("ap:cancel:"))
    await press_button_with_data(user, entry, data_of(entry, "ap:cancel:")[0])
    question = await user.wait_for_bot_message(has_data("ap:cancel_yes:"))
    await press_button_with_data(user, question, data_of(question, "ap:cancel_yes:")[0])
    await user.wait_for_bot_message(lambda m: "ap:cancel_yes:" not in str(m.buttons))


def _is_offer(message: SimMessage) -> bool:
    return has_data("wl:take:")(message)


async def _third_person_books(bot: Harness, start: datetime) -> Outcome:
    """Another villager tries the seat through the same conditional insert as the bot."""
    person = bot.user()
    await bot.onboard(person, "ru")
    service = bot.settings.service("psychologist")
    assert service is not None
    slot_ = FreeSlot(start, start + service.duration, seats_left=1)
    result = await bot.services.appointments.book(Booking(person.id, service, slot_, None, False))
    return result.outcome


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_full_slot_join_cancel_offer_book(bot: Harness, language: str) -> None:
    start = slot(THURSDAY, 9)
    holder, waiting = bot.user("Holder"), bot.user("Waiting", language_code=language)
    await bot.onboard(holder, "ru")
    await bot.onboard(waiting, language)
    await _full_then_join(bot, holder, [(waiting, language)], start)
    assert rows(bot, "SELECT user_id, held_until FROM waitlist") == [(waiting.id, None)]
    await _cancel(holder)
    offer = await waiting.wait_for_bot_message(_is_offer)
    assert offer.text == plain(
        bot.tr(
            language,
            "waitlist.offer",
            when=bot.tr(
                language,
                "appointment.when",
                day={"ru": "четверг, 3 декабря", "kk": "бейсенбі, 3 желтоқсан"}[language],
                time="09:00",
            ),
            until=(bot.clock.now() + timedelta(minutes=30))
            .astimezone(start.tzinfo)
            .strftime("%H:%M"),
        )
    )
    # Neutral: nothing names the service on a phone that may be shared.
    service = bot.settings.service("psychologist")
    assert service is not None
    assert service.name.get(language) not in (offer.text or "")  # type: ignore[arg-type]
    # The held seat is hers: nobody else books it meanwhile, nor sees it among free times.
    assert seats(bot, start) == 0
    assert await _third_person_books(bot, start) is Outcome.SLOT_TAKEN
    appointments = bot.services.appointments
    assert appointments.offered_slot(await appointments.taken_seats(service), start) is None
    await press_button_with_data(waiting, offer, data_of(offer, "wl:take:")[0])
    booked = await waiting.wait_for_bot_message(is_booked)
    code = code_in(booked)
    assert rows(bot, "SELECT user_id FROM appointments WHERE code = ?", (code,)) == [(waiting.id,)]
    assert seats(bot, start) == 1
    assert rows(bot, "SELECT COUNT(*) FROM waitlist") == [(0,)]
    await bot.group.wait_for_bot_message(lambda m: code in m.content)


async def test_an_offer_that_runs_out_goes_to_the_next_person(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    holder, first, second = bot.user("Holder"), bot.user("First"), bot.user("Second")
    for user in (holder, first, second):
        await bot.onboard(user, "ru")
    await _full_then_join(bot, holder, [(first, "ru"), (second, "ru")], start)
    await _cancel(holder)
    offer = await first.wait_for_bot_message(_is_offer)
    await _settle(bot)
    assert not any(_is_offer(m) for m in second.bot_messages())
    # Before the 30 minutes are up nothing moves.
    bot.advance(timedelta(minutes=29))
    await bot.run_due_work()
    await _settle(bot)
    assert not any(_is_offer(m) for m in second.bot_messages())
    assert await _third_person_books(bot, start) is Outcome.SLOT_TAKEN
    bot.advance(timedelta(minutes=2))
    await bot.run_due_work()
    second_offer = await second.wait_for_bot_message(_is_offer)
    # The first offer is dead now.
    await press_button_with_data(first, offer, data_of(offer, "wl:take:")[0])
    await first.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "waitlist.expired")))
    assert seats(bot, start) == 0
    await press_button_with_data(second, second_offer, data_of(second_offer, "wl:take:")[0])
    await second.wait_for_bot_message(is_booked)
    assert rows(bot, "SELECT user_id FROM appointments WHERE status = 'booked'") == [(second.id,)]
    assert seats(bot, start) == 1


async def test_forget_me_takes_her_off_the_waitlist(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    holder, waiting = bot.user("Holder"), bot.user("Waiting")
    await bot.onboard(holder, "ru")
    await bot.onboard(waiting, "ru")
    await _full_then_join(bot, holder, [(waiting, "ru")], start)
    assert rows(bot, "SELECT COUNT(*) FROM waitlist") == [(1,)]
    await waiting.send("/forget")
    await waiting.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await waiting.press("Да, стереть всё")
    await waiting.wait_for_bot_message(lambda m: "стёрты" in m.content)
    assert rows(bot, "SELECT COUNT(*) FROM waitlist") == [(0,)]
    # A cancellation now offers the seat to nobody: it is simply free.
    await _cancel(holder)
    await _settle(bot)
    assert not any(_is_offer(m) for m in waiting.bot_messages())
    assert await _third_person_books(bot, start) is Outcome.DONE


async def test_forget_me_of_the_holder_offers_her_seat(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    holder, waiting = bot.user("Holder"), bot.user("Waiting")
    await bot.onboard(holder, "ru")
    await bot.onboard(waiting, "ru")
    await _full_then_join(bot, holder, [(waiting, "ru")], start)
    await holder.send("/forget")
    await holder.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await holder.press("Да, стереть всё")
    await holder.wait_for_bot_message(lambda m: "стёрты" in m.content)
    offer = await waiting.wait_for_bot_message(_is_offer)
    await press_button_with_data(waiting, offer, data_of(offer, "wl:take:")[0])
    await waiting.wait_for_bot_message(is_booked)
    assert seats(bot, start) == 1


async def test_a_move_away_offers_the_seat(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    holder, waiting = bot.user("Holder"), bot.user("Waiting")
    await bot.onboard(holder, "ru")
    await bot.onboard(waiting, "ru")
    code = await _full_then_join(bot, holder, [(waiting, "ru")], start)
    appointments = bot.services.appointments
    moving = await appointments.store.by_code(code)
    assert moving is not None
    later = slot(THURSDAY, 11, 15)
    service = bot.settings.service("psychologist")
    assert service is not None
    new_slot = FreeSlot(later, later + service.duration, seats_left=1)
    moved = await appointments.move(holder.id, moving.id, moving.version, new_slot)
    assert moved.ok
    offer = await waiting.wait_for_bot_message(_is_offer)
    await press_button_with_data(waiting, offer, data_of(offer, "wl:take:")[0])
    await waiting.wait_for_bot_message(is_booked)
    assert seats(bot, start) == 1 and seats(bot, later) == 1
