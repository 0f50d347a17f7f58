"""Confirm end to end (handlers/private/booking/confirm.py): never double-booked, the next
free times when a seat was just taken, a double tap books once."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sandbox import SimMessage
from tests.conftest import Harness
from tests.handlers.booking_steps import (
    book,
    book_directly,
    code_in,
    confirm,
    data_of,
    has_data,
    is_booked,
    is_just_taken,
    reach_summary,
    rows,
    slot,
)

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)


async def _many_reach_summary(
    bot: Harness, count: int, service: str, start: object
) -> list[tuple[object, SimMessage]]:
    from datetime import datetime

    assert isinstance(start, datetime)
    users = [bot.user(f"User{i}") for i in range(count)]
    # Deadlines, not waits: all users' steps queue behind each other on two cores.
    await asyncio.gather(*(bot.onboard(u, "ru", timeout=60) for u in users))
    summaries = await asyncio.gather(
        *(reach_summary(bot, u, start=start, service=service, step_timeout=60) for u in users)
    )
    return list(zip(users, summaries, strict=True))


async def test_fifty_concurrent_bookings_of_one_slot_get_exactly_one(bot: Harness) -> None:
    start = slot(THURSDAY, 11, 15)
    pairs = await _many_reach_summary(bot, 50, "psychologist", start)
    # Everybody presses Confirm at once.
    await asyncio.gather(*(confirm(u, s) for u, s in pairs))  # type: ignore[arg-type]
    outcomes = await asyncio.gather(
        *(
            u.wait_for_bot_message(lambda m: is_booked(m) or is_just_taken(bot)(m), timeout=60)  # type: ignore[attr-defined]
            for u, _ in pairs
        )
    )
    booked = [m for m in outcomes if is_booked(m)]
    taken = [m for m in outcomes if is_just_taken(bot)(m)]
    assert len(booked) == 1 and len(taken) == 49
    for message in taken:
        # The next free times, right there as buttons: 12:00 is the next slot that day.
        alternatives = [t for t, d in message.buttons if (d or "").startswith("bk:alt:")]
        assert alternatives[0] == "Четверг, 3 декабря, 12:00"
    assert rows(
        bot,
        "SELECT COUNT(*) FROM appointments WHERE status = 'booked' AND service_id = 'psychologist'",
    ) == [(1,)]


async def test_thirty_concurrent_bookings_of_a_training_get_exactly_twelve(bot: Harness) -> None:
    start = slot(SATURDAY, 10)
    pairs = await _many_reach_summary(bot, 30, "training", start)
    await asyncio.gather(*(confirm(u, s) for u, s in pairs))  # type: ignore[arg-type]
    outcomes = await asyncio.gather(
        *(
            u.wait_for_bot_message(lambda m: is_booked(m) or is_just_taken(bot)(m), timeout=60)  # type: ignore[attr-defined]
            for u, _ in pairs
        )
    )
    assert sum(is_booked(m) for m in outcomes) == 12
    taken = [m for m in outcomes if is_just_taken(bot)(m)]
    assert len(taken) == 18
    for message in taken:
        assert "Суббота, 12 декабря, 10:00 · свободно 12 мест" in [t for t, _ in message.buttons]
    assert rows(bot, "SELECT COUNT(*) FROM appointments WHERE status = 'booked'") == [(12,)]


async def test_an_alternative_time_keeps_the_note_and_books(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    await book_directly(bot, start, "psychologist")
    user = bot.user()
    await bot.onboard(user, "ru")
    # The summary was shown while the seat was free; someone took it before Confirm.
    summary = await reach_summary(bot, user, start=slot(THURSDAY, 9, 45), note="о работе")
    await book_directly(bot, slot(THURSDAY, 9, 45), "psychologist")
    await confirm(user, summary)
    taken = await user.wait_for_bot_message(is_just_taken(bot))
    await user.press("Четверг, 3 декабря, 10:30")
    again = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert "10:30–11:15" in again.content and "о работе" in again.content
    await confirm(user, again)
    booked = await user.wait_for_bot_message(is_booked)
    stored = await bot.services.appointments.store.by_code(code_in(booked))
    assert stored is not None and stored.note == "о работе"
    assert taken.message_id != again.message_id


async def test_a_summary_left_until_the_slot_is_too_close_books_nothing(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    summary = await reach_summary(bot, user, start=slot(date(2026, 12, 2), 12, 45))
    bot.advance(timedelta(hours=1))  # 11:00: 12:45 is now less than 2 hours ahead
    await confirm(user, summary)
    answer = await user.wait_for_bot_message(has_data("bk:alt:"))
    assert bot.tr("ru", "booking.time_unavailable") in answer.content
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


async def test_confirm_pressed_twice_books_once(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    summary = await reach_summary(bot, user, start=slot(THURSDAY, 9))
    confirm_data = data_of(summary, "bk:confirm:")[0]
    # A double tap: both presses leave before the first answer arrives.
    await user.press_data(confirm_data, summary.message_id)
    await user.press_data(confirm_data, summary.message_id)
    await user.wait_for_bot_message(is_booked)
    second = await user.wait_for_bot_message()
    assert second.text == bot.tr("ru", "booking.interrupted")
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(1,)]


async def test_own_overlapping_appointment_is_refused(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(SATURDAY, 10), service="training")
    summary = await reach_summary(bot, user, start=slot(SATURDAY, 10), service="training")
    await confirm(user, summary)
    answer = await user.wait_for_bot_message(has_data("bk:day:"))
    assert code in answer.content
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(1,)]
