"""The booking questions end to end (handlers/private/booking/questions.py): the centre
asked first when there are several, Back to the question before, Cancel."""

from __future__ import annotations

from datetime import date

from tests.conftest import DUTY_ID, Harness, HarnessFactory
from tests.handlers.booking_steps import (
    confirm,
    data_of,
    has_data,
    is_booked,
    reach_summary,
    rows,
    slot,
)

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)


async def test_cancel_and_back_at_the_steps(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("Четверг, 3 декабря")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("⬅️ Назад")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("⬅️ Назад")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("Пятница, 4 декабря")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("09:00")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("/cancel")
    cancelled = await user.wait_for_bot_message()
    assert cancelled.text == bot.tr("ru", "booking.cancelled")
    # After /cancel, text is no longer taken as a note.
    await user.send("это не заметка")
    outside = await user.wait_for_bot_message()
    assert outside.text == bot.tr("ru", "fallback.text_outside_flow")
    # The Cancel button works the same way at the summary.
    summary = await reach_summary(bot, user, start=slot(THURSDAY, 9))
    confirm_data = data_of(summary, "bk:confirm:")[0]
    await user.press("✖️ Прервать")
    cancelled = await user.wait_for_bot_message()
    assert cancelled.text == bot.tr("ru", "booking.cancelled")
    assert summary.buttons == []  # the pressed message lost its buttons
    # And its Confirm (replayed) is dead now.
    await user.press_data(confirm_data, summary.message_id)
    interrupted = await user.wait_for_bot_message()
    assert interrupted.text == bot.tr("ru", "booking.interrupted")
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


SARYAGASH_STAFF_CHAT_ID = -1001000000002


async def test_several_centres_are_asked_first(start_bot: HarnessFactory) -> None:
    bot = await start_bot(
        {
            "centers": [
                {
                    "id": "sairam",
                    "name": {"kk": "Сайрам орталығы", "ru": "Сайрамский центр"},
                    "address": {"kk": "Ақсу ауылы", "ru": "село Аксу"},
                    "phone": "+7 725 000 00 00",
                },
                {
                    "id": "saryagash",
                    "name": {"kk": "Сарыағаш орталығы", "ru": "Сарыагашский центр"},
                    "address": {"kk": "Сарыағаш қаласы", "ru": "город Сарыагаш"},
                    "phone": "+7 725 111 11 11",
                    # Each centre has a staff group of its own (check-config insists).
                    "staff_chat_id": SARYAGASH_STAFF_CHAT_ID,
                },
            ],
            # With several centres each duty entry names its centre.
            "duty": [
                {
                    "user_id": DUTY_ID,
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                    "hours": "09:00-18:00",
                    "center": "sairam",
                }
            ],
            "services": [
                {
                    "id": "psychologist",
                    "center": "sairam",
                    "name": {"kk": "Психолог кеңесі", "ru": "Консультация психолога"},
                    "duration": "45m",
                    "capacity": 1,
                    "hours": {"thu": "09:00-18:00"},
                },
                {
                    "id": "lawyer",
                    "center": "saryagash",
                    "name": {"kk": "Заңгер кеңесі", "ru": "Консультация юриста"},
                    "duration": "30m",
                    "capacity": 1,
                    "hours": {"thu": "10:00-12:00"},
                },
            ],
        }
    )
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    centres = await user.wait_for_bot_message(has_data("bk:center:"))
    assert [t for t, _ in centres.buttons] == [
        "Сайрамский центр",
        "Сарыагашский центр",
        "✖️ Прервать",
        "🚪 Быстрый выход",
    ]
    await user.press("Сарыагашский центр")
    services = await user.wait_for_bot_message(has_data("bk:service:"))
    assert [t for t, _ in services.buttons] == [
        "Консультация юриста",
        "⬅️ Назад",
        "✖️ Прервать",
        "🚪 Быстрый выход",
    ]
    await user.press("⬅️ Назад")
    await user.wait_for_bot_message(has_data("bk:center:"))
    await user.press("Сарыагашский центр")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация юриста")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("Четверг, 3 декабря")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("11:30")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.press("Пропустить")
    await user.wait_for_bot_message(has_data("bk:naming:"))
    await user.press(bot.tr("ru", "booking.button.discreet"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    await confirm(user, summary)
    booked = await user.wait_for_bot_message(is_booked)
    assert "город Сарыагаш" in booked.content and "+7 725 111 11 11" in booked.content
