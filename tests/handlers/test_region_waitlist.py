"""The waitlist in a region of two centres: a seat freed at one centre's service is
offered to the person waiting for it there, and the booking that follows is told to that
centre's group only."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import START, HarnessFactory
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
    slot,
)
from tests.handlers.case_helpers import settle

SERVICE = "saryagash_psychologist"


async def test_a_freed_seat_is_offered_and_booked_within_its_centre(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None
    start = slot(START.date() + timedelta(days=1), 12)
    holder, waiting = bot.user("Dana", "kk"), bot.user("Ainur", "kk")
    for person in (holder, waiting):
        await bot.onboard(person, "kk", center="saryagash")
    summary = await reach_summary(bot, waiting, start=start, service=SERVICE, language="kk")
    held_code = await book(bot, holder, start=start, service=SERVICE, language="kk")
    await confirm(waiting, summary)
    taken = await waiting.wait_for_bot_message(is_just_taken(bot, "kk"))
    await press_button_with_data(waiting, taken, data_of(taken, "wl:join:")[0])
    await waiting.wait_for_bot_message(lambda m: m.content == bot.tr("kk", "waitlist.joined"))

    await holder.send("/appointments")
    entry = await holder.wait_for_bot_message(has_data("ap:cancel:"))
    await press_button_with_data(holder, entry, data_of(entry, "ap:cancel:")[0])
    question = await holder.wait_for_bot_message(has_data("ap:cancel_yes:"))
    await press_button_with_data(holder, question, data_of(question, "ap:cancel_yes:")[0])
    offer = await waiting.wait_for_bot_message(has_data("wl:take:"))
    await press_button_with_data(waiting, offer, data_of(offer, "wl:take:")[0])
    code = code_in(await waiting.wait_for_bot_message(is_booked))

    await bot.second_group.wait_for_bot_message(lambda m: code in m.content)
    await settle(bot)
    for message in bot.group.bot_messages():
        assert code not in message.content and held_code not in message.content
