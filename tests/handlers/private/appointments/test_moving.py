"""Moving a booked appointment end to end (handlers/private/appointments/moving.py)."""

from __future__ import annotations

from datetime import date

from tests.conftest import Harness
from tests.handlers.booking_steps import (
    book,
    code_in,
    has_data,
    seats,
    slot,
)

THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)


async def test_reschedule_moves_the_seat_and_old_buttons_are_refused(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    old_start, new_start = slot(THURSDAY, 9), slot(FRIDAY, 12)
    code = await book(bot, user, start=old_start)
    before = await bot.services.appointments.store.by_code(code)
    assert before is not None
    await user.send("/appointments")
    await user.wait_for_bot_message()
    entry = await user.wait_for_bot_message(has_data("ap:move:"))
    old_cancel = entry.buttons[1][1] or ""
    await user.press("🔁 Перенести")
    days = await user.wait_for_bot_message(has_data("rs:day:"))
    assert code in days.content
    await user.press("Пятница, 4 декабря")
    times = await user.wait_for_bot_message(has_data("rs:time:"))
    old_time = times.buttons[0][1] or ""
    await user.press("12:00")
    question = await user.wait_for_bot_message(has_data("rs:ok:"))
    assert "Было: четверг, 3 декабря, 09:00–09:45" in question.content
    assert "Станет: пятница, 4 декабря, 12:00–12:45" in question.content
    await user.press("✅ Да, перенести")
    moved = await user.wait_for_bot_message(has_data("ap:move:"))
    assert code_in(moved) == code and "пятница, 4 декабря, 12:00–12:45" in moved.content
    assert seats(bot, old_start) == 0 and seats(bot, new_start) == 1
    after = await bot.services.appointments.store.by_code(code)
    assert after is not None and after.version == before.version + 1
    reminders = await bot.services.appointments.store.reminders_of(after.id)
    assert [status for _, status in reminders].count("planned") == 2
    assert all(due < new_start for due, _ in reminders)
    notice = await bot.group.wait_for_bot_message(lambda m: "🔁" in m.content)
    assert code in notice.content and "12:00" in notice.content
    # The list's old Cancel names the earlier version: it changes nothing and says so.
    await user.press_data(old_cancel, entry.message_id)
    outdated = await user.wait_for_bot_message()
    assert "перенесли" in outdated.content and "12:00" in outdated.content
    # So does an old time button of the finished reschedule.
    await user.press_data(old_time, times.message_id)
    outdated = await user.wait_for_bot_message()
    assert "перенесли" in outdated.content
    assert seats(bot, new_start) == 1


async def test_reschedule_to_a_slot_just_taken_keeps_the_old_time(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    old_start, wanted = slot(THURSDAY, 9), slot(FRIDAY, 9)
    code = await book(bot, user, start=old_start)
    await user.send("/appointments")
    await user.wait_for_bot_message()
    await user.wait_for_bot_message(has_data("ap:move:"))
    await user.press("🔁 Перенести")
    await user.wait_for_bot_message(has_data("rs:day:"))
    await user.press("Пятница, 4 декабря")
    await user.wait_for_bot_message(has_data("rs:time:"))
    await user.press("09:00")
    question = await user.wait_for_bot_message(has_data("rs:ok:"))
    other = bot.user("Quick")
    await bot.onboard(other, "ru")
    await book(bot, other, start=wanted)
    await user.press_data(
        next(d for _, d in question.buttons if (d or "").startswith("rs:ok:")) or "",
        question.message_id,
    )
    taken = await user.wait_for_bot_message(has_data("rs:time:"))
    assert bot.tr("ru", "booking.just_taken") in taken.content
    assert "Пятница, 4 декабря, 09:45" in [t for t, _ in taken.buttons]
    assert seats(bot, old_start) == 1 and seats(bot, wanted) == 1
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None and stored.starts_at == old_start
