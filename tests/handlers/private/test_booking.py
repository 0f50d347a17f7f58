"""Booking end to end: the whole flow in both languages, never double-booked, bad input."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import date, timedelta

from bot.appointments.dates import day_label
from sandbox import SimMessage, SimUser
from tests.conftest import DUTY_ID, STAFF_CHAT_ID, Harness, HarnessFactory
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
from tests.handlers.case_helpers import assert_no_user_identity, request_case, settle

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)


def rows(bot: Harness, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(bot.settings.storage.path) as connection:
        return connection.execute(sql, params).fetchall()


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
        "ср, 2 дек.",
        "чт, 3 дек.",
        "пт, 4 дек.",
        "пн, 7 дек.",
        "вт, 8 дек.",
        "ср, 9 дек.",
    ]
    await user.press("чт, 3 дек.")
    times = await user.wait_for_bot_message(has_data("bk:time:"))
    assert "четверг, 3 декабря" in times.text
    slot_labels = [text for text, data in times.buttons if (data or "").startswith("bk:time:")]
    # 09:00-18:00 in 45-minute slots: 12 of them, the last at 17:15.
    assert slot_labels[0] == "09:00" and slot_labels[-1] == "17:15" and len(slot_labels) == 12
    await user.press("10:30")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("Хочу поговорить о <сыне> & его друзьях")
    naming = await user.wait_for_bot_message(has_data("bk:naming:"))
    assert "24 часа" in naming.text and "2 часа" in naming.text
    await user.press(bot.tr("ru", "booking.button.discreet"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert "четверг, 3 декабря, 10:30–11:15" in summary.text
    assert "Хочу поговорить о <сыне> & его друзьях" in summary.text
    assert "только время и код" in summary.text
    # Nothing is stored before Confirm.
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]

    await confirm(user, summary)
    booked = await user.wait_for_bot_message(is_booked)
    code = code_in(booked)
    assert "Вы записаны" in booked.text
    assert "село Аксу" in booked.text and "+7 725 000 00 00" in booked.text
    assert "/appointments" in booked.text
    assert "10:30–11:15" in booked.text
    # No name and no phone were asked at any point.
    flow = [m for m in user.bot_messages() if m.message_id >= services.message_id]
    for message in flow:
        for question in ("как вас зовут", "ваше имя", "ваш номер", "номер телефона"):
            assert question not in message.text.lower()

    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None and stored.user_id == user.id and stored.is_booked
    assert stored.starts_at == slot(THURSDAY, 10, 30)
    assert stored.note == "Хочу поговорить о <сыне> & его друзьях"
    assert not stored.name_in_reminders
    reminders = await bot.services.appointments.store.reminders_of(stored.id)
    assert [due for due, _ in reminders] == [
        slot(THURSDAY, 10, 30) - timedelta(hours=h) for h in (24, 2)
    ]

    notice = await bot.group.wait_for_bot_message(lambda m: code in m.text)
    assert "Психолог кеңесі" in notice.text  # staff texts in the default language (kk)
    assert "Хочу поговорить о <сыне>" in notice.text
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
    assert "бс, 3 жел." in [text for text, _ in days.buttons]
    await user.press("бс, 3 жел.")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("12:45")
    note_prompt = await user.wait_for_bot_message(has_data("bk:skipnote"))
    assert "Маманға" in note_prompt.text
    await user.press("Өткізіп жіберу")
    naming = await user.wait_for_bot_message(has_data("bk:naming:"))
    assert "24 сағат" in naming.text
    await user.press(bot.tr("kk", "booking.button.named"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert "бейсенбі, 3 желтоқсан, 12:45–13:30" in summary.text
    await user.press("✅ Растау")
    booked = await user.wait_for_bot_message(is_booked)
    assert "Сіз жазылдыңыз" in booked.text and "Ақсу ауылы" in booked.text
    stored = await bot.services.appointments.store.by_code(code_in(booked))
    assert stored is not None and stored.name_in_reminders and stored.note is None


async def test_group_service_shows_seats_left_with_plural_forms(bot: Harness) -> None:
    start = slot(SATURDAY, 10)
    first = bot.user("First")
    await bot.onboard(first, "ru")
    await first.send("/book")
    await first.wait_for_bot_message(has_data("bk:service:"))
    await first.press("Тренинг")
    days = await first.wait_for_bot_message(has_data("bk:day:"))
    # Saturdays only: 5 and 12 December.
    assert data_of(days, "bk:day:") == ["bk:day:training:2026-12-05", "bk:day:training:2026-12-12"]
    await first.press("сб, 5 дек.")
    times = await first.wait_for_bot_message(has_data("bk:time:"))
    assert [t for t, d in times.buttons if (d or "").startswith("bk:time:")] == [
        "10:00 · свободно 12 мест"
    ]
    for count, expected_ru, expected_kk in (
        (10, "свободно 2 места", "2 бос орын"),
        (1, "свободно 1 место", "1 бос орын"),
    ):
        # Others took seats meanwhile (through the same atomic path as the bot).
        for _ in range(count):
            await _book_directly(bot, start, "training")
        for language, expected in (("ru", expected_ru), ("kk", expected_kk)):
            person = bot.user(f"P{count}{language}", language_code=language)
            await bot.onboard(person, language)
            await person.send("/book")
            await person.wait_for_bot_message(has_data("bk:service:"))
            await person.press("Тренинг")
            days = await person.wait_for_bot_message(has_data("bk:day:"))
            await press_button_with_data(person, days, "bk:day:training:2026-12-05")
            times = await person.wait_for_bot_message(has_data("bk:time:"))
            assert f"10:00 · {expected}" in [t for t, _ in times.buttons]


async def _book_directly(bot: Harness, start: object, service_id: str) -> None:
    from datetime import datetime

    from bot.appointments.service import Booking
    from bot.domain.slots import FreeSlot

    assert isinstance(start, datetime)
    person = bot.user()
    await bot.onboard(person, "ru")
    service = bot.settings.service(service_id)
    assert service is not None
    # Through the same atomic path as the bot, as another villager would.
    result = await bot.services.appointments.book(
        Booking(
            user_id=person.id,
            service=service,
            slot=FreeSlot(start, start + service.duration, seats_left=1),
            note=None,
            name_in_reminders=False,
        )
    )
    assert result.ok


async def _many_reach_summary(
    bot: Harness, count: int, service: str, start: object
) -> list[tuple[object, SimMessage]]:
    from datetime import datetime

    assert isinstance(start, datetime)
    users = [bot.user(f"User{i}") for i in range(count)]
    await asyncio.gather(*(bot.onboard(u, "ru") for u in users))
    summaries = await asyncio.gather(
        *(reach_summary(bot, u, start=start, service=service) for u in users)
    )
    return list(zip(users, summaries, strict=True))


async def test_fifty_concurrent_bookings_of_one_slot_get_exactly_one(bot: Harness) -> None:
    start = slot(THURSDAY, 11, 15)
    pairs = await _many_reach_summary(bot, 50, "psychologist", start)
    # Everybody presses Confirm at once.
    await asyncio.gather(*(confirm(u, s) for u, s in pairs))  # type: ignore[arg-type]
    outcomes = await asyncio.gather(
        *(
            u.wait_for_bot_message(lambda m: is_booked(m) or is_just_taken(bot)(m), timeout=20)  # type: ignore[attr-defined]
            for u, _ in pairs
        )
    )
    booked = [m for m in outcomes if is_booked(m)]
    taken = [m for m in outcomes if is_just_taken(bot)(m)]
    assert len(booked) == 1 and len(taken) == 49
    for message in taken:
        # The next free times, right there as buttons: 12:00 is the next slot that day.
        alternatives = [t for t, d in message.buttons if (d or "").startswith("bk:alt:")]
        assert alternatives[0] == "чт, 3 дек., 12:00"
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
            u.wait_for_bot_message(lambda m: is_booked(m) or is_just_taken(bot)(m), timeout=20)  # type: ignore[attr-defined]
            for u, _ in pairs
        )
    )
    assert sum(is_booked(m) for m in outcomes) == 12
    taken = [m for m in outcomes if is_just_taken(bot)(m)]
    assert len(taken) == 18
    for message in taken:
        assert "сб, 12 дек., 10:00 · свободно 12 мест" in [t for t, _ in message.buttons]
    assert rows(bot, "SELECT COUNT(*) FROM appointments WHERE status = 'booked'") == [(12,)]


async def test_an_alternative_time_keeps_the_note_and_books(bot: Harness) -> None:
    start = slot(THURSDAY, 9)
    await _book_directly(bot, start, "psychologist")
    user = bot.user()
    await bot.onboard(user, "ru")
    # The summary was shown while the seat was free; someone took it before Confirm.
    summary = await reach_summary(bot, user, start=slot(THURSDAY, 9, 45), note="о работе")
    await _book_directly(bot, slot(THURSDAY, 9, 45), "psychologist")
    await confirm(user, summary)
    taken = await user.wait_for_bot_message(is_just_taken(bot))
    await user.press("чт, 3 дек., 10:30")
    again = await user.wait_for_bot_message(has_data("bk:confirm:"))
    assert "10:30–11:15" in again.text and "о работе" in again.text
    await confirm(user, again)
    booked = await user.wait_for_bot_message(is_booked)
    stored = await bot.services.appointments.store.by_code(code_in(booked))
    assert stored is not None and stored.note == "о работе"
    assert taken.message_id != again.message_id


async def test_holidays_and_weekends_are_never_offered(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"booking": {"horizon_days": 30}})
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    offered: list[str] = []
    while True:
        offered += data_of(days, "bk:day:")
        later = data_of(days, "bk:page:")
        nav = [text for text, data in days.buttons if data in later]
        if bot.tr("ru", "booking.button.later") not in nav:
            break
        before = list(days.buttons)
        await user.press(bot.tr("ru", "booking.button.later"))
        await bot.emulator.wait_until(lambda before=before: days.buttons != before)  # type: ignore[misc]
    offered_days = {date.fromisoformat(d.rsplit(":", 1)[1]) for d in offered}
    # 16 December: Independence Day (the holidays package); 25 December: booking.holidays.
    assert date(2026, 12, 16) not in offered_days
    assert date(2026, 12, 25) not in offered_days
    assert date(2026, 12, 17) in offered_days and date(2026, 12, 31) in offered_days
    assert all(day.weekday() < 5 for day in offered_days)
    assert len(offered_days) == 20  # 2..31 December, weekdays, minus the two holidays
    # Forged: a holiday is refused even when asked for directly.
    await user.press_data("bk:day:psychologist:2026-12-16", days.message_id)
    answer = await user.wait_for_bot_message(has_data("bk:day:"))
    assert bot.tr("ru", "booking.day_unavailable") in answer.text
    assert day_label(date(2026, 12, 16), "ru") not in [t for t, _ in answer.buttons]


async def test_text_where_a_button_is_expected_asks_again(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.send("завтра в 10")
    hint = await user.wait_for_bot_message()
    assert hint.text == bot.tr("ru", "booking.use_buttons")
    again = await user.wait_for_bot_message(has_data("bk:day:"))
    assert "чт, 3 дек." in [t for t, _ in again.buttons]
    await user.send_sticker()
    hint = await user.wait_for_bot_message()
    assert hint.text == bot.tr("ru", "booking.use_buttons")
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


async def test_forged_and_past_slots_are_refused(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    services = await user.wait_for_bot_message(has_data("bk:service:"))
    # A service that does not exist.
    await user.press_data("bk:service:surgery", services.message_id)
    stale = await user.wait_for_bot_message()
    assert stale.text == bot.tr("ru", "booking.stale_button")
    # A time that is not a slot start (10:07), one in the past and one too soon (today 10:30,
    # now is 10:00 and the minimum lead is 2 hours): "no longer available" and the next times.
    for forged in (
        slot(THURSDAY, 10, 7),
        slot(date(2026, 12, 1), 10, 30),
        slot(date(2026, 12, 2), 10, 30),
    ):
        await user.press_data(
            f"bk:time:psychologist:{int(forged.timestamp())}", services.message_id
        )
        answer = await user.wait_for_bot_message(has_data("bk:alt:"))
        assert bot.tr("ru", "booking.time_unavailable") in answer.text
    assert (
        next(t for t, d in answer.buttons if (d or "").startswith("bk:alt:")) == "ср, 2 дек., 12:00"
    )
    # Garbage in the data.
    for garbage in ("bk:time:psychologist:abc", "bk:day:psychologist:2026-13-45", "bk:confirm:999"):
        await user.press_data(garbage, services.message_id)
        await user.wait_for_bot_message()
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


async def test_a_summary_left_until_the_slot_is_too_close_books_nothing(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    summary = await reach_summary(bot, user, start=slot(date(2026, 12, 2), 12, 45))
    bot.advance(timedelta(hours=1))  # 11:00: 12:45 is now less than 2 hours ahead
    await confirm(user, summary)
    answer = await user.wait_for_bot_message(has_data("bk:alt:"))
    assert bot.tr("ru", "booking.time_unavailable") in answer.text
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


async def test_cancel_and_back_at_the_steps(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("чт, 3 дек.")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("⬅️ Назад")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("⬅️ Назад")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("пт, 4 дек.")
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


async def test_daily_limit_gets_a_calm_answer(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"limits": {"bookings_per_day": 1}})
    user = bot.user()
    await bot.onboard(user, "ru")
    await book(bot, user, start=slot(THURSDAY, 9))
    await user.send("/book")
    answer = await user.wait_for_bot_message()
    assert "предел на день" in answer.text and "+7 725 000 00 00" in answer.text
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(1,)]


async def test_own_overlapping_appointment_is_refused(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(SATURDAY, 10), service="training")
    summary = await reach_summary(bot, user, start=slot(SATURDAY, 10), service="training")
    await confirm(user, summary)
    answer = await user.wait_for_bot_message(has_data("bk:day:"))
    assert code in answer.text
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(1,)]


async def test_a_note_with_danger_words_shows_the_emergency_numbers(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("чт, 3 дек.")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("09:00")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("муж сказал что убьёт меня")
    warning = await user.wait_for_bot_message(has_data("menu:sos"))
    assert "112" in warning.text and "102" in warning.text
    # The booking goes on.
    await user.wait_for_bot_message(has_data("bk:naming:"))


async def test_a_long_note_is_refused_with_its_length(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "kk")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Психолог кеңесі")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("бс, 3 жел.")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("09:00")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("а" * 600)
    answer = await user.wait_for_bot_message()
    assert "600" in answer.text and "500" in answer.text
    await user.send_voice()
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("kk", "booking.note_text_only")


async def test_booking_needs_consent_first(bot: Harness) -> None:
    user = bot.user()
    await user.send("/start")
    await user.wait_for_bot_message()
    await user.press("Русский")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.send("/book")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "consent.required")


async def test_another_command_ends_the_wait_for_a_note(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("чт, 3 дек.")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("09:00")
    note_prompt = await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("/help")
    await user.wait_for_bot_message(lambda m: "/sos" in m.text)
    # Text now is not taken as a note for the specialist ...
    await user.send("просто текст")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.text_outside_flow")
    # ... but the booking's own buttons still work.
    await user.press_data("bk:skipnote", note_prompt.message_id)
    await user.wait_for_bot_message(has_data("bk:naming:"))


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
    await user.press("чт, 3 дек.")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("11:30")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.press("Пропустить")
    await user.wait_for_bot_message(has_data("bk:naming:"))
    await user.press(bot.tr("ru", "booking.button.discreet"))
    summary = await user.wait_for_bot_message(has_data("bk:confirm:"))
    await confirm(user, summary)
    booked = await user.wait_for_bot_message(is_booked)
    assert "город Сарыагаш" in booked.text and "+7 725 111 11 11" in booked.text


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


async def _user_with_answered_case(bot: Harness, name: str) -> tuple[SimUser, str, SimMessage]:
    """A villager whose case the psychologist answered; returns (user, code, the answer)."""
    user = bot.user(name, language_code="ru")
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or "") and m.buttons)
    await settle(bot)
    await bot.duty.send_in(bot.group, "Вы сейчас в безопасности?", reply_to=card.message_id)
    answer = await user.wait_for_bot_message(lambda m: "Психолог:" in (m.text or ""))
    return user, code, answer


async def test_text_at_a_booking_button_step_goes_to_the_open_case(bot: Harness) -> None:
    user, code, _ = await _user_with_answered_case(bot, "Dana")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.send("Нет, он вернулся домой")
    relay = await bot.group.wait_for_bot_message(
        lambda m: "Нет, он вернулся домой" in (m.text or "")
    )
    assert code in (relay.text or "")
    # The booking still waits for its button: the services are offered again.
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    await user.wait_for_bot_message(has_data("bk:day:"))
    assert_no_user_identity(bot, user)


async def test_reply_to_the_psychologist_at_the_note_step_goes_to_the_case(bot: Harness) -> None:
    user, code, answer = await _user_with_answered_case(bot, "Roza")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    await press_button_with_data(user, days, f"bk:day:psychologist:{THURSDAY.isoformat()}")
    times = await user.wait_for_bot_message(has_data("bk:time:"))
    start = slot(THURSDAY, 10, 30)
    await press_button_with_data(user, times, f"bk:time:psychologist:{int(start.timestamp())}")
    await user.wait_for_bot_message(has_data("bk:skipnote"))

    await user.reply(answer.message_id, "Нет, он вернулся домой")
    relay = await bot.group.wait_for_bot_message(
        lambda m: "Нет, он вернулся домой" in (m.text or "")
    )
    assert code in (relay.text or "")
    # Not taken as the note: the note is asked for again, the reminders question is not.
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.press(bot.tr("ru", "booking.button.skip_note"))
    await user.wait_for_bot_message(has_data("bk:naming:"))


async def test_danger_words_in_a_note_make_the_open_case_urgent(bot: Harness) -> None:
    user, code, _ = await _user_with_answered_case(bot, "Gulnar")
    summary = await reach_summary(
        bot, user, start=slot(THURSDAY, 10, 30), note="Муж бьёт, мне страшно возвращаться"
    )
    relay = await bot.group.wait_for_bot_message(lambda m: "Муж бьёт" in (m.text or ""))
    assert code in (relay.text or "")
    await settle(bot)
    urgent = rows(bot, "SELECT urgent FROM cases WHERE code = ?", (code,))
    assert urgent == [(1,)]
    # The booking goes on with the note.
    await confirm(user, summary)
    await user.wait_for_bot_message(is_booked)


async def _at_the_note_step(bot: Harness, user: SimUser) -> None:
    start = slot(THURSDAY, 10, 30)
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Консультация психолога")
    days = await user.wait_for_bot_message(has_data("bk:day:"))
    await press_button_with_data(user, days, f"bk:day:psychologist:{THURSDAY.isoformat()}")
    times = await user.wait_for_bot_message(has_data("bk:time:"))
    await press_button_with_data(user, times, f"bk:time:psychologist:{int(start.timestamp())}")
    await user.wait_for_bot_message(has_data("bk:skipnote"))


async def test_a_voice_or_long_letter_at_the_note_step_goes_to_the_open_case(
    bot: Harness,
) -> None:
    user, code, _ = await _user_with_answered_case(bot, "Aisulu")
    await _at_the_note_step(bot, user)
    relayed = len(rows(bot, "SELECT id FROM case_messages"))
    await user.send_voice()
    # Not refused as "write it as text": it reaches the psychologist; the note is asked again.
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await settle(bot)
    assert len(rows(bot, "SELECT id FROM case_messages")) == relayed + 1
    assert not any(m.text == bot.tr("ru", "booking.note_text_only") for m in user.bot_messages())
    letter = "Он снова пришёл ночью. " * 30
    await user.send(letter)
    relay = await bot.group.wait_for_bot_message(lambda m: "снова пришёл ночью" in (m.text or ""))
    assert code in (relay.text or "")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    assert not any("Слишком длинно" in (m.text or "") for m in user.bot_messages())
    assert_no_user_identity(bot, user)


async def test_danger_words_in_a_note_show_the_numbers_when_the_case_is_already_urgent(
    bot: Harness,
) -> None:
    user, code, _ = await _user_with_answered_case(bot, "Kamila")
    await user.send("муж сказал что убьёт меня")
    await bot.emulator.wait_until(
        lambda: rows(bot, "SELECT urgent FROM cases WHERE code = ?", (code,)) == [(1,)]
    )
    await settle(bot)
    await _at_the_note_step(bot, user)
    await user.send("Он бьёт меня каждый день")
    warning = await user.wait_for_bot_message(has_data("menu:sos"))
    assert "112" in warning.text and "102" in warning.text
    await user.wait_for_bot_message(has_data("bk:naming:"))
    relay = await bot.group.wait_for_bot_message(lambda m: "бьёт меня каждый" in (m.text or ""))
    assert code in (relay.text or "")


async def test_danger_words_in_a_note_of_a_blocked_case_are_not_said_passed_on(
    bot: Harness,
) -> None:
    user = bot.user("Ainur", language_code="ru")
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await settle(bot)
    await bot.staff.send_in(bot.group, f"/block {code}")
    await bot.group.wait_for_bot_message(lambda m: f"/unblock {code}" in (m.text or ""))
    await _at_the_note_step(bot, user)
    await user.send("Он бьёт меня каждый день")
    warning = await user.wait_for_bot_message(has_data("menu:sos"))
    assert "112" in warning.text and "102" in warning.text
    await user.wait_for_bot_message(has_data("bk:naming:"))
    passed = bot.tr("ru", "booking.note_passed_to_case")
    assert not any(m.text == passed for m in user.bot_messages())
    await settle(bot)
    assert not any("бьёт меня каждый" in (m.text or "") for m in bot.group.bot_messages())
