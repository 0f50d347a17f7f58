"""The booking conversation end to end (handlers/private/booking/flow.py): the whole flow in
both languages, leaving for another flow, the quick exit."""

from __future__ import annotations

import json
from datetime import date, timedelta

from tests.conftest import STAFF_CHAT_ID, Harness
from tests.handlers.booking_steps import (
    code_in,
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


def staff_requests_text(bot: Harness) -> str:
    return json.dumps(
        [r.params for r in bot.emulator.requests if r.params.get("chat_id") == STAFF_CHAT_ID],
        ensure_ascii=False,
    )


async def test_whole_booking_in_russian(bot: Harness) -> None:
    user = bot.user("Aigul", language_code="ru")
    await bot.onboard(user, "ru")
    await user.send("/book")
    services = await user.wait_for_bot_message(has_data("bk:service:"))
    # One centre: no centre question; the services, then Cancel.
    assert [text for text, _ in services.buttons] == [
        "Консультация психолога",
        "Тренинг",
        "✖️ Прервать",
        "🚪 Быстрый выход",
    ]
    await user.press("Консультация психолога")
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    labels = [text for text, data in days.buttons if (data or "").startswith("bk:day:")]
    # Today (slots from 12:00 are still 2 h ahead), Thu, Fri, then Mon..Wed: never the weekend.
    assert labels == [
        "Среда, 2 декабря",
        "Четверг, 3 декабря",
        "Пятница, 4 декабря",
        "Понедельник, 7 декабря",
        "Вторник, 8 декабря",
        "Среда, 9 декабря",
    ]
    await user.press("Четверг, 3 декабря")
    times = await user.wait_for_bot_message(has_data("bk:time:"))
    assert "четверг, 3 декабря" in times.content
    slot_labels = [text for text, data in times.buttons if (data or "").startswith("bk:time:")]
    # 09:00-18:00 in 45-minute slots: 12 of them, the last at 17:15.
    assert slot_labels[0] == "09:00" and slot_labels[-1] == "17:15" and len(slot_labels) == 12
    await user.press("10:30")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("Хочу поговорить о <сыне> & его друзьях")
    naming = await user.wait_for_bot_message(has_data("bk:naming:"))
    assert "24 часа" in naming.content and "2 часа" in naming.content
    await user.press(bot.tr("ru", "booking.button.discreet"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert "четверг, 3 декабря, 10:30–11:15" in summary.content
    assert "Хочу поговорить о <сыне> & его друзьях" in summary.content
    assert "только время и код" in summary.content
    # Nothing is stored before Confirm.
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]

    await confirm(user, summary)
    booked = await user.wait_for_bot_message(is_booked)
    code = code_in(booked)
    assert "Вы записаны" in booked.content
    assert "село Аксу" in booked.content and "+7 725 000 00 00" in booked.content
    assert "/appointments" in booked.content
    assert "10:30–11:15" in booked.content
    # No name and no phone were asked at any point.
    flow = [m for m in user.bot_messages() if m.message_id >= services.message_id]
    for message in flow:
        for question in ("как вас зовут", "ваше имя", "ваш номер", "номер телефона"):
            assert question not in message.content.lower()

    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None and stored.user_id == user.id and stored.is_booked
    assert stored.starts_at == slot(THURSDAY, 10, 30)
    assert stored.note == "Хочу поговорить о <сыне> & его друзьях"
    assert not stored.name_in_reminders
    reminders = await bot.services.appointments.store.reminders_of(stored.id)
    assert [due for due, _ in reminders] == [
        slot(THURSDAY, 10, 30) - timedelta(hours=h) for h in (24, 2)
    ]

    notice = await bot.group.wait_for_bot_message(lambda m: code in m.content)
    assert "Психолог кеңесі" in notice.content  # staff texts in the default language (kk)
    assert "Хочу поговорить о <сыне>" in notice.content
    staff_text = staff_requests_text(bot)
    for secret in ("Aigul", "aigul_private", str(user.id)):
        assert secret not in staff_text
    assert not bot.emulator.requests_for("forwardMessage")


async def test_whole_booking_in_kazakh_with_the_service_named_in_reminders(bot: Harness) -> None:
    user = bot.user("Aizhan", language_code="kk")
    await bot.onboard(user, "kk")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Психолог кеңесі")
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    assert "Бейсенбі, 3 желтоқсан" in [text for text, _ in days.buttons]
    await user.press("Бейсенбі, 3 желтоқсан")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("12:45")
    note_prompt = await user.wait_for_bot_message(has_data("bk:skipnote"))
    assert "Маманға" in note_prompt.content
    await user.press("Өткізіп жіберу")
    naming = await user.wait_for_bot_message(has_data("bk:naming:"))
    assert "24 сағат" in naming.content
    await user.press(bot.tr("kk", "booking.button.named"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert "бейсенбі, 3 желтоқсан, 12:45–13:30" in summary.content
    await user.press("✅ Растау")
    booked = await user.wait_for_bot_message(is_booked)
    assert "Сіз жазылдыңыз" in booked.content and "Ақсу ауылы" in booked.content
    stored = await bot.services.appointments.store.by_code(code_in(booked))
    assert stored is not None and stored.name_in_reminders and stored.note is None


async def test_another_command_ends_the_wait_for_a_note(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("Четверг, 3 декабря")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("09:00")
    note_prompt = await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("/help")
    await user.wait_for_bot_message(lambda m: "/sos" in m.content)
    # Text now is not taken as a note for the specialist ...
    await user.send("просто текст")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.text_outside_flow")
    # ... but the booking's own buttons still work.
    await user.press_data("bk:skipnote", note_prompt.message_id)
    await user.wait_for_bot_message(has_data("bk:naming:"))


async def test_quick_exit_ends_the_booking_without_a_trace(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    summary = await reach_summary(bot, user, start=slot(THURSDAY, 9), note="секрет")
    confirm_data = data_of(summary, "bk:confirm:")[0]
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    await user.send("привет")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.text_outside_flow")
    # The old Confirm (replayed) books nothing.
    menu = user.last_bot_message()
    await user.press_data(confirm_data, menu.message_id)
    interrupted = await user.wait_for_bot_message()
    assert interrupted.text == bot.tr("ru", "booking.interrupted")
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


# ------------------------------------------------------------------ an open case comes first
