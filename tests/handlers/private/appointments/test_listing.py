"""My appointments end to end: the list, cancel, forget-me (appointments/listing.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date

from tests.conftest import Harness
from tests.handlers.booking_steps import (
    book,
    has_data,
    press_button_with_data,
    reach_summary,
    seats,
    slot,
)

THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)


async def test_the_list_shows_upcoming_appointments_with_codes(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/appointments")
    empty = await user.wait_for_bot_message()
    assert empty.text == bot.tr("ru", "appointment.none")
    first = await book(bot, user, start=slot(FRIDAY, 9))
    second = await book(bot, user, start=slot(THURSDAY, 9))
    await user.send("/appointments")
    title = await user.wait_for_bot_message()
    assert title.text == "У вас 2 предстоящие записи:"
    soonest = await user.wait_for_bot_message(has_data("ap:cancel:"))
    later = await user.wait_for_bot_message(has_data("ap:cancel:"))
    assert second in soonest.content and "четверг, 3 декабря, 09:00–09:45" in soonest.content
    assert first in later.content
    assert [t for t, _ in soonest.buttons] == ["🔁 Перенести", "✖️ Отменить", "🚪 Быстрый выход"]


async def test_cancel_frees_the_seat_and_tells_staff(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    start = slot(THURSDAY, 9)
    code = await book(bot, user, start=start)
    assert seats(bot, start) == 1
    await user.send("/appointments")
    await user.wait_for_bot_message()
    entry = await user.wait_for_bot_message(has_data("ap:cancel:"))
    await user.press("✖️ Отменить")
    question = await user.wait_for_bot_message(has_data("ap:cancel_yes:"))
    assert code in question.content
    # "No" keeps it.
    await user.press("Нет, оставить")
    kept = await user.wait_for_bot_message()
    assert kept.text == bot.tr("ru", "appointment.kept", code=code)
    assert seats(bot, start) == 1
    await press_button_with_data(user, entry, entry.buttons[1][1] or "")
    await user.wait_for_bot_message(has_data("ap:cancel_yes:"))
    await user.press("Да, отменить")
    done = await user.wait_for_bot_message()
    assert code in done.content and "отменена" in done.content
    assert seats(bot, start) == 0
    notice = await bot.group.wait_for_bot_message(lambda m: code in m.content and "✖️" in m.content)
    assert "Психолог кеңесі" in notice.content
    # The seat is free for somebody else at once.
    other = bot.user("Other")
    await bot.onboard(other, "ru")
    await book(bot, other, start=start)
    assert seats(bot, start) == 1
    # The old buttons now change nothing and say so.
    await user.press_data(entry.buttons[1][1] or "", entry.message_id)
    again = await user.wait_for_bot_message()
    assert again.text == bot.tr("ru", "appointment.already_cancelled", code=code)
    assert seats(bot, start) == 1


async def test_cancel_works_in_kazakh_and_a_summary_after_it_still_books(bot: Harness) -> None:
    user = bot.user(language_code="kk")
    await bot.onboard(user, "kk")
    code = await book(bot, user, start=slot(THURSDAY, 9), language="kk")
    await user.send("/appointments")
    title = await user.wait_for_bot_message()
    assert title.text == "Сіздің алдағы жазылуыңыз (1):"
    await user.wait_for_bot_message(has_data("ap:cancel:"))
    await user.press("✖️ Бас тарту")
    await user.wait_for_bot_message(has_data("ap:cancel_yes:"))
    await user.press("Иә, бас тартамын")
    done = await user.wait_for_bot_message()
    assert code in done.content and "бас тартылды" in done.content
    summary = await reach_summary(bot, user, start=slot(THURSDAY, 9), language="kk")
    assert "бейсенбі" in summary.content


async def test_forget_me_cancels_future_appointments_and_keeps_anonymous_figures(
    bot: Harness,
) -> None:
    user = bot.user("Zhanar")
    await bot.onboard(user, "ru")
    start = slot(THURSDAY, 9)
    code = await book(bot, user, start=start, note="моя заметка")
    await user.send("/forget")
    await user.wait_for_bot_message()
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in m.content)
    # The seat is free again, staff are told (by code only), the row stays anonymous.
    assert seats(bot, start) == 0
    notice = await bot.group.wait_for_bot_message(lambda m: code in m.content and "✖️" in m.content)
    assert "Zhanar" not in notice.content
    with sqlite3.connect(bot.settings.storage.path) as connection:
        row = connection.execute(
            "SELECT user_id, note, status, service_id FROM appointments WHERE code = ?", (code,)
        ).fetchone()
    assert row == (None, None, "cancelled", "psychologist")
    # No reminder goes out to the forgotten user.
    from datetime import datetime

    from tests.conftest import ALMATY

    bot.advance(datetime(2026, 12, 2, 21, 59, tzinfo=ALMATY) - bot.clock.now())
    await bot.run_due_work()
    async with asyncio.timeout(10):
        await bot.services.delivery.wait_idle()
    assert not [m for m in user.bot_messages() if m.content.startswith("🔔")]


async def test_notes_are_erased_after_the_retention_period(bot: Harness) -> None:
    from datetime import timedelta

    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(THURSDAY, 9), note="о сне")
    bot.advance(timedelta(days=bot.settings.privacy.retention_days + 2))
    await bot.run_due_work()
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None and stored.note is None and stored.user_id == user.id
