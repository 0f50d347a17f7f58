"""The staff side: /agenda, the morning agenda, attendance marks, and nobody else."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import date, datetime, timedelta

from sandbox import SimMessage, SimUser
from tests.conftest import ALMATY, STAFF_CHAT_ID, STAFF_ID, Harness
from tests.handlers.booking_steps import book, slot

WEDNESDAY = date(2026, 12, 2)
THURSDAY = date(2026, 12, 3)


def db_rows(bot: Harness, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(bot.settings.storage.path) as connection:
        return connection.execute(sql, params).fetchall()


async def settle(bot: Harness) -> None:
    async with asyncio.timeout(10):
        await bot.services.delivery.wait_idle()


def is_agenda(message: SimMessage) -> bool:
    return message.content.startswith("📋")


def outbox_holding(bot: Harness, words: str) -> list[object]:
    """Outbox rows (any status) whose sealed payload contains these words."""
    sealer = bot.services.sealer
    return [
        row[0]
        for row in db_rows(bot, "SELECT id, payload FROM outbox")
        if words in sealer.open(str(row[1]))
    ]


async def forget(user: SimUser) -> None:
    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in m.content)


async def test_agenda_lists_the_day_and_marks_attendance(bot: Harness) -> None:
    first, second = bot.user("Aigul"), bot.user("Dana")
    await bot.onboard(first, "ru")
    await bot.onboard(second, "kk")
    code_a = await book(bot, first, start=slot(WEDNESDAY, 12), note="хочу про сон")
    code_b = await book(bot, second, start=slot(WEDNESDAY, 12, 45), language="kk")
    await settle(bot)
    await bot.staff.send_in(bot.group, "/agenda")
    agenda = await bot.group.wait_for_bot_message(is_agenda)
    assert "сәрсенбі, 2 желтоқсан" in agenda.content and "Психолог кеңесі" in agenda.content
    assert f"12:00 · {code_a}" in agenda.content and f"12:45 · {code_b}" in agenda.content
    assert "хочу про сон" in agenda.content
    assert [t for t, _ in agenda.buttons] == [
        f"✅ {code_a} келді",
        f"❌ {code_a} келмеді",
        f"✅ {code_b} келді",
        f"❌ {code_b} келмеді",
    ]
    for secret in ("Aigul", "Dana", str(first.id), str(second.id), "_private"):
        assert secret not in agenda.content

    await bot.staff.press(f"✅ {code_a} келді", chat=bot.group)
    await bot.emulator.wait_until(lambda: "✅ келді" in agenda.content)
    await bot.staff.press(f"❌ {code_b} келмеді", chat=bot.group)
    await bot.emulator.wait_until(lambda: "❌ келмеді" in agenda.content)
    assert db_rows(bot, "SELECT code, attendance FROM appointments ORDER BY starts_at") == [
        (code_a, "came"),
        (code_b, "no_show"),
    ]
    # A wrong mark is corrected by pressing the other button.
    await bot.staff.press(f"✅ {code_b} келді", chat=bot.group)
    await bot.emulator.wait_until(lambda: agenda.content.count("✅ келді") == 2)
    audit = db_rows(bot, "SELECT actor_id, action, subject FROM audit_log ORDER BY id")
    assert (STAFF_ID, "agenda", None) in audit
    assert audit[-3:] == [
        (STAFF_ID, "attended", code_a),
        (STAFF_ID, "no_show", code_b),
        (STAFF_ID, "attended", code_b),
    ]
    assert [a.text for a in bot.emulator.callback_answers][-1] == f"{code_b}: келді деп белгіленді."


async def test_morning_agenda_goes_out_once_a_day(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(THURSDAY, 9))
    await settle(bot)
    # Today's (Wednesday's) 08:30 has passed: the first tick sends today's, with nobody booked.
    await bot.run_due_work()
    today = await bot.group.wait_for_bot_message(is_agenda)
    assert today.text == bot.tr("kk", "agenda.empty", day="сәрсенбі, 2 желтоқсан")
    bot.advance(datetime(2026, 12, 3, 8, 29, tzinfo=ALMATY) - bot.clock.now())
    await bot.run_due_work()
    await settle(bot)
    assert [m for m in bot.group.bot_messages() if is_agenda(m) and "бейсенбі" in m.content] == []
    bot.advance(timedelta(minutes=1))
    await bot.run_due_work()
    morning = await bot.group.wait_for_bot_message(is_agenda)
    assert "бейсенбі, 3 желтоқсан" in morning.content and f"09:00 · {code}" in morning.content
    assert f"✅ {code} келді" in [t for t, _ in morning.buttons]
    await bot.run_due_work()
    await bot.restart()
    bot.advance(timedelta(hours=1))
    await bot.run_due_work()
    await settle(bot)
    thursdays = [m for m in bot.group.bot_messages() if is_agenda(m) and "бейсенбі" in m.content]
    assert len(thursdays) == 1
    staff_text = json.dumps(
        [r.params for r in bot.emulator.requests if r.params.get("chat_id") == STAFF_CHAT_ID],
        ensure_ascii=False,
    )
    assert str(user.id) not in staff_text and "aigul" not in staff_text.lower()


async def test_no_marks_before_the_day(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(THURSDAY, 9))
    await settle(bot)
    await bot.staff.send_in(bot.group, "/agenda ертең")
    agenda = await bot.group.wait_for_bot_message(is_agenda)
    assert code in agenda.content and agenda.buttons == []
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None
    await bot.staff.press_data(f"ag:came:{stored.id}", agenda.message_id, chat=bot.group)
    await bot.emulator.wait_until(
        lambda: bot.emulator.callback_answers[-1].text == bot.tr("kk", "agenda.too_early")
    )
    assert db_rows(bot, "SELECT attendance FROM appointments") == [(None,)]
    await bot.staff.send_in(bot.group, "/agenda someday")
    usage = await bot.group.wait_for_bot_message()
    assert usage.text == bot.tr("kk", "agenda.usage")


async def test_only_staff_in_the_staff_group(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(WEDNESDAY, 12))
    await settle(bot)
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None
    # /agenda in a private chat is just an unknown command; no agenda leaks.
    await user.send("/agenda")
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("ru", "fallback.unknown_command")
    # A villager forging an attendance button changes nothing.
    query = await user.press_data(f"ag:came:{stored.id}", answer.message_id)
    await bot.emulator.wait_until(lambda: any(a.id == query for a in bot.emulator.callback_answers))
    assert db_rows(bot, "SELECT attendance FROM appointments") == [(None,)]


async def test_a_full_day_of_long_notes_fits_telegram(bot: Harness) -> None:
    codes = []
    for number in range(12):
        user = bot.user(f"Villager{number}")
        await bot.onboard(user, "ru")
        start = slot(THURSDAY, 9) + number * timedelta(minutes=45)
        note = (f"заметка {number} " + "очень подробно о том, что случилось. " * 20)[:500]
        codes.append(await book(bot, user, start=start, note=note))
    await settle(bot)

    def agenda_of_thursday() -> list[SimMessage]:
        return [m for m in bot.group.bot_messages() if is_agenda(m) and "бейсенбі" in m.content]

    await bot.staff.send_in(bot.group, "/agenda ертең")
    await bot.emulator.wait_until(
        lambda: all(any(c in m.content for m in agenda_of_thursday()) for c in codes)
    )
    asked = agenda_of_thursday()
    assert all(len(m.content) < 4096 for m in asked)
    assert "…" in asked[0].content and "заметка 0 очень" in asked[0].content

    bot.advance(datetime(2026, 12, 3, 8, 30, tzinfo=ALMATY) - bot.clock.now())
    await bot.run_due_work()
    await settle(bot)
    morning = agenda_of_thursday()[len(asked) :]
    assert all(any(code in m.content for m in morning) for code in codes)
    assert all(len(m.content) < 4096 for m in morning)
    # Every entry still has its two buttons.
    assert sum(len(m.buttons) for m in morning) == 24


async def test_a_staff_member_forging_a_mark_in_a_private_chat_changes_nothing(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(WEDNESDAY, 12))
    await settle(bot)
    stored = await bot.services.appointments.store.by_code(code)
    assert stored is not None
    await bot.staff.send("/start")
    answer = await bot.staff.wait_for_bot_message()
    query = await bot.staff.press_data(f"ag:came:{stored.id}", answer.message_id)
    await bot.emulator.wait_until(lambda: any(a.id == query for a in bot.emulator.callback_answers))
    await settle(bot)
    assert db_rows(bot, "SELECT attendance FROM appointments") == [(None,)]
    assert db_rows(bot, "SELECT action FROM audit_log WHERE action = 'attended'") == []


async def test_agenda_dates_out_of_range_get_the_usage(bot: Harness) -> None:
    for word in ("9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2026-02-30"):
        await bot.staff.send_in(bot.group, f"/agenda {word}")
        usage = await bot.group.wait_for_bot_message()
        assert usage.text == bot.tr("kk", "agenda.usage"), word


async def test_forget_me_takes_the_note_out_of_agenda_messages(bot: Harness) -> None:
    other = bot.user("Dana")
    await bot.onboard(other, "ru")
    kept = await book(bot, other, start=slot(THURSDAY, 9), note="хочу про сон")
    user = bot.user("Saltanat")
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(THURSDAY, 9, 45), note="у меня синяки, муж кричит")
    await settle(bot)
    # One agenda sent directly (/agenda), one through the outbox (the morning agenda).
    await bot.staff.send_in(bot.group, "/agenda ертең")
    asked = await bot.group.wait_for_bot_message(lambda m: is_agenda(m) and "синяки" in m.content)
    bot.advance(datetime(2026, 12, 3, 8, 30, tzinfo=ALMATY) - bot.clock.now())
    await bot.run_due_work()
    await settle(bot)
    morning = await bot.group.wait_for_bot_message(
        lambda m: is_agenda(m) and "синяки" in m.content and m.message_id != asked.message_id
    )
    buttons = morning.buttons

    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in m.content)
    await settle(bot)
    for message in (asked, morning):
        assert "синяки" not in message.content and "муж" not in message.content
        # Forget-me cancelled her appointment: it goes, as from a fresh /agenda; the rest
        # of the day stays as it was.
        assert code not in message.content
        assert kept in message.content and "хочу про сон" in message.content
    # Her buttons went with her entry; the others stay as they were.
    assert asked.buttons == []
    assert morning.buttons == [b for b in buttons if code not in b[0]] != buttons
    staff_text = json.dumps(
        [r.params for r in bot.emulator.requests if r.params.get("chat_id") == STAFF_CHAT_ID],
        ensure_ascii=False,
    )
    assert str(user.id) not in staff_text
    # Sent agenda messages and redraws keep no copy of the note in the outbox either.
    assert not outbox_holding(bot, "синяки")


async def test_the_redraw_after_forget_me_shows_what_agenda_shows(bot: Harness) -> None:
    cancelled_earlier = bot.user("Dana")
    await bot.onboard(cancelled_earlier, "ru")
    gone = await book(bot, cancelled_earlier, start=slot(THURSDAY, 9), note="о сне")
    user = bot.user("Saltanat")
    await bot.onboard(user, "ru")
    await book(bot, user, start=slot(THURSDAY, 9, 45), note="синяки")
    await settle(bot)
    await bot.staff.send_in(bot.group, "/agenda ертең")
    asked = await bot.group.wait_for_bot_message(lambda m: is_agenda(m) and gone in m.content)
    # Dana cancels after the agenda was shown: the message still lists her, as sent.
    appointment = await bot.services.appointments.store.by_code(gone)
    assert appointment is not None
    await bot.services.appointments.cancel(cancelled_earlier.id, appointment.id, None)
    await settle(bot)

    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: "Стереть" in m.content)
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in m.content)
    await settle(bot)
    await bot.staff.send_in(bot.group, "/agenda ертең")
    fresh = await bot.group.wait_for_bot_message(lambda m: m.message_id > asked.message_id)
    # Neither the appointment cancelled earlier nor the forgotten one is listed: the
    # redraw and a fresh /agenda say the same (no appointments left that day).
    assert gone not in asked.content and "синяки" not in asked.content
    assert asked.content == fresh.content


async def test_forget_me_redraws_a_morning_agenda_still_queued(bot: Harness) -> None:
    other = bot.user("Dana")
    await bot.onboard(other, "ru")
    kept = await book(bot, other, start=slot(THURSDAY, 9), note="хочу про сон")
    user = bot.user("Saltanat")
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(THURSDAY, 9, 45), note="у меня синяки, муж кричит")
    await settle(bot)
    # The morning agenda is queued but not delivered yet (a backlog, Telegram slow).
    await bot.services.delivery.stop()
    bot.advance(datetime(2026, 12, 3, 8, 30, tzinfo=ALMATY) - bot.clock.now())
    await bot.run_due_work()
    assert outbox_holding(bot, "синяки")
    await forget(user)
    assert not outbox_holding(bot, "синяки")
    bot.services.delivery.start()
    morning = await bot.group.wait_for_bot_message(lambda m: is_agenda(m) and kept in m.content)
    await settle(bot)
    assert "синяки" not in morning.content and "муж" not in morning.content
    # Forget-me cancelled her appointment: it is not listed, as in a fresh /agenda.
    assert code not in morning.content
    assert kept in morning.content and "хочу про сон" in morning.content
    assert len([m for m in bot.group.bot_messages() if is_agenda(m)]) == 1
    # Still remembered, with its message id, for the next forget-me.
    assert db_rows(bot, "SELECT message_id FROM agenda_messages") == [(morning.message_id,)]
    await forget(other)
    await settle(bot)
    # Nothing booked is left that day: the message says so, as /agenda would.
    assert "хочу про сон" not in morning.content and kept not in morning.content
    assert morning.content.startswith("📋") and morning.buttons == []


async def test_a_mark_redraw_that_adds_a_booking_is_known_to_forget_me(bot: Harness) -> None:
    first = bot.user("Aigul")
    await bot.onboard(first, "ru")
    code_a = await book(bot, first, start=slot(WEDNESDAY, 15))
    await settle(bot)
    await bot.staff.send_in(bot.group, "/agenda")
    agenda = await bot.group.wait_for_bot_message(is_agenda)
    later = bot.user("Dana")
    await bot.onboard(later, "ru")
    code_b = await book(bot, later, start=slot(WEDNESDAY, 15, 45), note="муж пьёт и кричит")
    await settle(bot)
    # The mark redraws the live day: the later booking and its note appear.
    await bot.staff.press(f"✅ {code_a} келді", chat=bot.group)
    await bot.emulator.wait_until(lambda: "муж пьёт" in agenda.content)
    await forget(later)
    await settle(bot)
    await bot.emulator.wait_until(lambda: "муж пьёт" not in agenda.content)
    # Her appointment was cancelled by forget-me: gone from the redraw, as from /agenda.
    assert code_a in agenda.content and code_b not in agenda.content
    assert "✅ келді" in agenda.content
