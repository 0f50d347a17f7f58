"""Reminders end to end: at their offset, discreet, never in quiet hours, never lost or doubled."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from sandbox import SimMessage, SimUser
from tests.conftest import ALMATY, Harness, HarnessFactory
from tests.handlers.booking_steps import book, has_data, slot

WEDNESDAY = date(2026, 12, 2)
THURSDAY = date(2026, 12, 3)
SECONDS = {"booking": {"reminders": ["30s"]}}


def reminders_in(user: SimUser) -> list[SimMessage]:
    return [m for m in user.bot_messages() if m.content.startswith("🔔 Напоминание")]


def move_to(bot: Harness, moment: datetime) -> None:
    bot.advance(moment - bot.clock.now())


async def settle(bot: Harness) -> None:
    async with asyncio.timeout(10):
        await bot.services.delivery.wait_idle()


async def booked(bot: Harness, start: datetime, *, named: bool = False) -> tuple[SimUser, str]:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=start, named=named)
    await settle(bot)
    return user, code


async def test_a_reminder_arrives_at_its_offset_discreetly(start_bot: HarnessFactory) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, code = await booked(bot, start)
    move_to(bot, start - timedelta(seconds=31))
    await bot.run_due_work()
    await settle(bot)
    assert reminders_in(user) == []
    bot.advance(timedelta(seconds=1))  # 11:59:30: exactly 30 s before
    await bot.run_due_work()
    reminder = await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    assert reminder.text == f"🔔 Напоминание: сегодня в 12:00, код {code}."
    assert "психолог" not in reminder.text.lower()
    assert [t for t, _ in reminder.buttons] == [
        "✅ Приду",
        "🔁 Перенести",
        "✖️ Отменить",
        "🚪 Быстрый выход",
    ]
    await bot.run_due_work()
    await settle(bot)
    assert len(reminders_in(user)) == 1
    await user.press("✅ Приду")
    thanks = await user.wait_for_bot_message()
    assert "Спасибо" in thanks.content and code in thanks.content
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None and stored.confirmed_at is not None


async def test_a_reminder_names_the_service_only_when_the_user_chose_it(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, code = await booked(bot, start, named=True)
    move_to(bot, start - timedelta(seconds=30))
    await bot.run_due_work()
    reminder = await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    assert reminder.text == (
        f"🔔 Напоминание: сегодня в 12:00, Консультация психолога, код {code}."
    )


async def test_a_reminder_missed_while_the_bot_was_down_goes_out_late(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, code = await booked(bot, start)
    await bot.stop()
    move_to(bot, start - timedelta(seconds=10))  # due 20 s ago, the appointment still ahead
    await bot.start()
    await bot.run_due_work()
    reminder = await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    assert code in reminder.content
    await bot.run_due_work()
    await settle(bot)
    assert len(reminders_in(user)) == 1


async def test_a_reminder_missed_until_the_appointment_began_is_skipped(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, code = await booked(bot, start)
    await bot.stop()
    move_to(bot, start + timedelta(minutes=1))
    await bot.start()
    await bot.run_due_work()
    await settle(bot)
    assert reminders_in(user) == []
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None
    assert [
        status for _, status in await bot.services.appointments.store.reminders_of(stored.id)
    ] == ["skipped"]


async def test_a_stop_across_the_send_delivers_it_once(start_bot: HarnessFactory) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, code = await booked(bot, start)
    move_to(bot, start - timedelta(seconds=30))
    # Telegram fails the first try; the bot stops while it waits to retry.
    bot.emulator.fail_next("sendMessage", count=1, status=500)
    await bot.run_due_work()
    await bot.emulator.wait_until(
        lambda: any(r.status == 500 for r in bot.emulator.requests_for("sendMessage"))
    )
    await bot.stop()
    assert reminders_in(user) == []
    await bot.start()
    reminder = await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    assert code in reminder.content
    # The claim committed with the outbox row: a new tick finds nothing to send.
    await bot.run_due_work()
    await settle(bot)
    assert len(reminders_in(user)) == 1


async def test_a_sent_reminder_is_not_repeated_after_a_restart(start_bot: HarnessFactory) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, _ = await booked(bot, start)
    move_to(bot, start - timedelta(seconds=30))
    await bot.run_due_work()
    await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    await settle(bot)
    await bot.restart()
    bot.advance(timedelta(seconds=5))
    await bot.run_due_work()
    await settle(bot)
    assert len(reminders_in(user)) == 1


async def test_a_reminder_due_in_quiet_hours_goes_out_at_21_59(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    user, code = await booked(bot, start)
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None
    # 24 h before (Wednesday 09:00) was before booking; 2 h before (07:00) is in 22:00-08:00.
    planned = await bot.services.appointments.store.reminders_of(stored.id)
    assert planned == [(datetime(2026, 12, 2, 21, 59, tzinfo=ALMATY), "planned")]
    move_to(bot, datetime(2026, 12, 2, 21, 58, 59, tzinfo=ALMATY))
    await bot.run_due_work()
    await settle(bot)
    assert reminders_in(user) == []
    bot.advance(timedelta(seconds=1))
    await bot.run_due_work()
    reminder = await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    assert reminder.text == f"🔔 Напоминание: завтра в 09:00, код {code}."


async def test_a_late_reminder_waits_for_the_end_of_quiet_hours(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    user, code = await booked(bot, start)
    await bot.stop()
    move_to(bot, datetime(2026, 12, 2, 23, 0, tzinfo=ALMATY))
    await bot.start()
    await bot.run_due_work()
    move_to(bot, datetime(2026, 12, 3, 7, 59, tzinfo=ALMATY))
    await bot.run_due_work()
    await settle(bot)
    assert reminders_in(user) == []
    move_to(bot, datetime(2026, 12, 3, 8, 0, tzinfo=ALMATY))
    await bot.run_due_work()
    reminder = await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    assert reminder.text == f"🔔 Напоминание: сегодня в 09:00, код {code}."


async def test_a_cancelled_appointment_gets_no_reminder(start_bot: HarnessFactory) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, _ = await booked(bot, start)
    await user.send("/appointments")
    await user.wait_for_bot_message(has_data("ap:cancel:"))
    await user.press("✖️ Отменить")
    await user.wait_for_bot_message(has_data("ap:cancel_yes:"))
    await user.press("Да, отменить")
    await user.wait_for_bot_message(lambda m: "отменена" in m.content)
    move_to(bot, start - timedelta(seconds=30))
    await bot.run_due_work()
    await settle(bot)
    assert reminders_in(user) == []


async def test_reminder_buttons_cancel_and_reschedule(start_bot: HarnessFactory) -> None:
    bot = await start_bot(SECONDS)
    start = slot(WEDNESDAY, 12)
    user, code = await booked(bot, start)
    move_to(bot, start - timedelta(seconds=30))
    await bot.run_due_work()
    reminder = await user.wait_for_bot_message(lambda m: m.content.startswith("🔔 Напоминание"))
    cancel = next(d for _, d in reminder.buttons if (d or "").startswith("ap:cancel:"))
    await user.press("🔁 Перенести")
    days = await user.wait_for_bot_message(has_data("rs:day:"))
    assert code in days.content
    # Changed their mind: Cancel on the same reminder still works (nothing moved yet).
    await user.press_data(cancel or "", reminder.message_id)
    await user.wait_for_bot_message(has_data("ap:cancel_yes:"))
    await user.press("Да, отменить")
    done = await user.wait_for_bot_message()
    assert code in done.content and "отменена" in done.content
