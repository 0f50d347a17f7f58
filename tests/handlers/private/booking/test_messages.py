"""What the user writes during a booking (handlers/private/booking/messages.py): the note,
text where a button is expected, danger words, and an open case coming first."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sandbox import SimMessage, SimUser
from tests.conftest import Harness
from tests.handlers.booking_steps import (
    has_data,
    press_button_with_data,
    rows,
    slot,
)
from tests.handlers.case_helpers import assert_no_user_identity, request_case, settle

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)


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
    assert "Четверг, 3 декабря" in [t for t, _ in again.buttons]
    await user.send_sticker()
    hint = await user.wait_for_bot_message()
    assert hint.text == bot.tr("ru", "booking.use_buttons")
    assert rows(bot, "SELECT COUNT(*) FROM appointments") == [(0,)]


async def test_a_note_with_danger_words_gets_one_answer_and_the_note_is_asked_again(
    bot: Harness,
) -> None:
    """Danger words where a note is asked: the numbers and "send to a psychologist now", in
    one message and nothing after it (issue 17); the booking still waits for its note."""
    user = bot.user()
    await bot.onboard(user, "ru")
    await _at_the_note_step(bot, user, slot(THURSDAY, 9))
    before = len(user.bot_messages())
    await user.send("муж сказал что убьёт меня")
    await bot.handled()
    answers = user.bot_messages()[before:]
    assert len(answers) == 1 and has_data("danger:send:")(answers[0])
    assert "112" in answers[0].content and "102" in answers[0].content
    # The booking goes on from the note step.
    await user.press(bot.tr("ru", "booking.button.skip_note"))
    await user.wait_for_bot_message(has_data("bk:naming:"))


async def test_a_long_note_is_refused_with_its_length(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "kk")
    await user.send("/book")
    await user.wait_for_bot_message(has_data("bk:service:"))
    await user.press("Психолог кеңесі")
    await user.wait_for_bot_message(has_data("bk:day:"))
    await user.press("Бейсенбі, 3 желтоқсан")
    await user.wait_for_bot_message(has_data("bk:time:"))
    await user.press("09:00")
    await user.wait_for_bot_message(has_data("bk:skipnote"))
    await user.send("а" * 600)
    answer = await user.wait_for_bot_message()
    assert "600" in answer.content and "500" in answer.content
    # Neither words nor a voice message (a voice is a note: test_voice_note.py).
    await user.send_sticker()
    answer = await user.wait_for_bot_message()
    assert answer.text == bot.tr("kk", "booking.note_text_only")


async def _user_with_answered_case(bot: Harness, name: str) -> tuple[SimUser, str, SimMessage]:
    """A villager whose case the psychologist answered; returns (user, code, the answer)."""
    user = bot.user(name, language_code="ru")
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
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


async def test_danger_words_in_a_note_go_to_the_open_case_with_one_tap(bot: Harness) -> None:
    user, code, _ = await _user_with_answered_case(bot, "Gulnar")
    await _at_the_note_step(bot, user)
    await user.send("Муж бьёт, мне страшно возвращаться")
    await user.wait_for_bot_message(has_data("danger:send:"))
    await user.press(bot.tr("ru", "danger.send_now"))
    relay = await bot.group.wait_for_bot_message(lambda m: "Муж бьёт" in (m.text or ""))
    assert code in (relay.text or "")
    await settle(bot)
    assert rows(bot, "SELECT urgent FROM cases WHERE code = ?", (code,)) == [(1,)]
    # The booking goes on from the note step.
    await user.press(bot.tr("ru", "booking.button.skip_note"))
    await user.wait_for_bot_message(has_data("bk:naming:"))


async def _at_the_note_step(bot: Harness, user: SimUser, start: datetime | None = None) -> None:
    start = start or slot(THURSDAY, 10, 30)
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


async def test_danger_words_in_a_note_of_a_blocked_case_get_the_numbers_and_go_nowhere(
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
    await user.wait_for_bot_message(has_data("danger:send:"))
    await user.press(bot.tr("ru", "danger.send_now"))
    numbers = await user.wait_for_bot_message(lambda m: "112" in m.content)
    assert "102" in numbers.content
    await bot.handled()
    await settle(bot)
    assert not any("бьёт меня каждый" in (m.text or "") for m in bot.group.bot_messages())


async def test_danger_words_in_a_note_alert_the_staff_of_a_case_already_urgent(
    bot: Harness,
) -> None:
    """The case was urgent already: the note's danger words, sent with the one tap, are not
    one more relayed line, the people on duty and whoever took the case hear them at once."""
    await bot.duty.send("/start")
    user, code, _ = await _user_with_answered_case(bot, "Zhanar")
    await user.send("муж сказал что убьёт меня")
    await bot.emulator.wait_until(
        lambda: rows(bot, "SELECT urgent FROM cases WHERE code = ?", (code,)) == [(1,)]
    )
    await settle(bot)
    bot.advance(timedelta(minutes=1))
    await _at_the_note_step(bot, user)
    alerts = len([m for m in bot.duty.bot_messages() if code in (m.text or "")])
    await user.send("Он бьёт меня каждый день")
    await user.wait_for_bot_message(has_data("danger:send:"))
    await user.press(bot.tr("ru", "danger.send_now"))
    await bot.handled()
    await settle(bot)
    assert len([m for m in bot.duty.bot_messages() if code in (m.text or "")]) == alerts + 1
    relay = [m for m in bot.group.bot_messages() if "бьёт меня каждый" in (m.text or "")]
    assert len(relay) == 1 and code in (relay[0].text or "")
