"""What she says about her safety rules what staff may do (issue 18), end to end:
"not safe to talk" reaches the card and forbids a call-back; a quick exit is told to staff
and holds their messages until she writes again; her safe hours hold them until then."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from sandbox import SimMessage, SimUser
from tests.conftest import Harness, HarnessFactory
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import (
    assert_no_user_identity,
    code_in,
    has_data,
    plain,
    request_case,
    settle,
)

LANGUAGES = ["kk", "ru"]
THURSDAY = date(2026, 12, 3)


def _text(message: SimMessage) -> str:
    return message.text or message.caption or ""


async def _card(bot: Harness, code: str) -> SimMessage:
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    return card


def _staff_label(bot: Harness, language: str) -> str:
    return plain(bot.tr(language, "conversation.staff_label"))


def _answers(bot: Harness, user: SimUser, language: str) -> list[SimMessage]:
    """What staff wrote that reached her chat (and is still there)."""
    label = _staff_label(bot, language)
    return [m for m in user.bot_messages() if label in _text(m)]


def _group_says(bot: Harness, key: str, **params: str) -> list[SimMessage]:
    wanted = plain(bot.tr("kk", key, **params))
    return [m for m in bot.group.bot_messages() if wanted in (m.text or "")]


async def _not_safe_request(bot: Harness, user: SimUser, language: str) -> str:
    """/request → violence → "not safe" → go on briefly → story → (only) this chat → send."""
    tr = bot.tr
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(tr(language, "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))
    await user.press(tr(language, "request.safe_no"))
    await user.wait_for_bot_message(has_data("req:safe:brief"))
    await user.press(tr(language, "request.continue_briefly"))
    await user.wait_for_bot_message(has_data("req:back"))
    story = "Күйеуім ішіп келеді, қорқамын." if language == "kk" else "Муж пьёт, мне страшно."
    await user.send(story)
    choice = await user.wait_for_bot_message(has_data("req:reply:"))
    # No call-back is offered while it is not safe to talk, and she is told why.
    assert [d for _, d in choice.buttons if (d or "").startswith("req:reply:")] == [
        "req:reply:chat"
    ]
    assert plain(tr(language, "request.reply_not_safe")) in choice.content
    # An old or forged "call me" press changes nothing: still no number asked.
    await user.press_data("req:reply:call", choice.message_id)
    summary = await user.wait_for_bot_message(has_data("req:send"))
    assert plain(tr(language, "request.summary_chat")) in summary.content
    await user.press(tr(language, "request.send"))
    opened = await user.wait_for_bot_message(lambda m: "-" in (m.text or "") and bool(m.text))
    return code_in(opened.text or "")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_not_safe_to_talk_is_on_the_card_forbids_calls_and_warns_until_she_says_safe(
    start_bot: HarnessFactory, language: str
) -> None:
    # The staff side speaks the villager's language here, so both catalogues are read.
    bot = await start_bot({"telegram": {"staff_language": language}})
    user = bot.user("Aigul", language)
    await bot.onboard(user, language)
    code = await _not_safe_request(bot, user, language)
    card = await _card(bot, code)
    tr = bot.tr
    assert plain(tr(language, "card.not_safe")) in card.content
    assert plain(tr(language, "card.reply_call", phone="X")).split("X")[0] not in card.content

    # Every staff answer while it is not safe: staff are warned again; her answer carries
    # her way to say it is safe now.
    await bot.staff.send_in(bot.group, "Сәлеметсіз бе", reply_to=card.message_id)
    answer = await user.wait_for_bot_message(lambda m: "Сәлеметсіз бе" in _text(m))
    assert [text for text, _ in answer.buttons] == [tr(language, "safe_talk.button")]
    warning = plain(tr(language, "safety_notice.not_safe"))
    await bot.group.wait_for_bot_message(lambda m: warning in (m.text or ""))
    # Her own messages reach the group with the warning on them too.
    await user.send("Қазір үйде жалғызбын" if language == "kk" else "Сейчас я одна дома")
    relay = await bot.group.wait_for_bot_message(
        lambda m: (
            "-" in (m.text or "")
            and ("жалғызбын" in (m.text or "") or "одна дома" in (m.text or ""))
        )
    )
    assert warning in (relay.text or "")
    await settle(bot)

    # She says it is safe now: staff are told, and the warnings stop.
    await user.press(tr(language, "safe_talk.button"), message_id=answer.message_id)
    await user.wait_for_bot_message(lambda m: m.text == plain(tr(language, "safe_talk.noted")))
    safe = plain(tr(language, "safety_notice.safe_again"))
    await bot.group.wait_for_bot_message(lambda m: safe in (m.text or ""))
    await settle(bot)
    warnings_before = [m for m in bot.group.bot_messages() if warning in (m.text or "")]
    await bot.staff.send_in(bot.group, "Қоңырау шалайын ба?", reply_to=card.message_id)
    later = await user.wait_for_bot_message(lambda m: "Қоңырау шалайын ба?" in _text(m))
    assert later.buttons == []
    await bot.handled()
    assert [m for m in bot.group.bot_messages() if warning in (m.text or "")] == warnings_before
    assert_no_user_identity(bot, user)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_quick_exit_is_told_to_staff_and_their_messages_wait_until_she_writes(
    start_bot: HarnessFactory, language: str
) -> None:
    bot = await start_bot({"telegram": {"staff_language": language}})
    tr = bot.tr
    user = bot.user("Aigul", language)
    await bot.onboard(user, language)
    code = await request_case(bot, user, language)
    card = await _card(bot, code)
    await bot.staff.send_in(bot.group, "Мен осындамын", reply_to=card.message_id)
    await user.wait_for_bot_message(lambda m: "Мен осындамын" in _text(m))
    await settle(bot)

    bot.advance(timedelta(hours=4, minutes=2))  # 14:02 in Almaty
    await user.send("/exit")
    neutral = await user.wait_for_bot_message(
        lambda m: m.text == plain(tr(language, "safety.neutral"))
    )
    # The case's card hears of it at once, with the time, in the staff's language.
    left = plain(tr(language, "safety_notice.left", time="14:02"))
    notice = await bot.group.wait_for_bot_message(lambda m: left in (m.text or ""))
    assert code in (notice.text or "") and notice.reply_to_message_id == card.message_id

    # Staff answer: held, not sent, and staff are told so and until when at the latest.
    await bot.staff.send_in(bot.group, "Сіз қауіпсізсіз бе?", reply_to=card.message_id)
    held = plain(tr(language, "safety_notice.held_left", time="14:02", until="09.12 14:02"))
    await bot.group.wait_for_bot_message(lambda m: held in (m.text or ""))
    await bot.staff.send_in(bot.group, "Жауап берсеңіз болды", reply_to=card.message_id)
    await bot.handled()
    bot.advance(timedelta(hours=1))
    await bot.run_due_work()
    await bot.handled()
    assert [m.message_id for m in user.bot_messages()] == [neutral.message_id]

    # She writes again: what waited goes, in order.
    await user.send("/start")
    await user.wait_for_bot_message(lambda m: "Жауап берсеңіз болды" in _text(m))
    await settle(bot)
    texts = [_text(m) for m in _answers(bot, user, language)]
    assert [t.split("\n", 1)[1] for t in texts] == ["Сіз қауіпсізсіз бе?", "Жауап берсеңіз болды"]
    assert_no_user_identity(bot, user)


async def test_a_quick_exit_holds_staff_messages_only_for_the_period_the_centre_sets(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"privacy": {"hold_after_exit": "2h"}})
    user = bot.user("Aigul", "ru")
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card = await _card(bot, code)
    await user.send("/exit")
    await bot.group.wait_for_bot_message(
        lambda m: plain(bot.tr("kk", "safety_notice.left", time="10:00")) in (m.text or "")
    )
    await bot.staff.send_in(bot.group, "Мы рядом", reply_to=card.message_id)
    await bot.handled()
    assert _answers(bot, user, "ru") == []
    bot.advance(timedelta(hours=2, minutes=1))
    await bot.run_due_work()
    await user.wait_for_bot_message(lambda m: "Мы рядом" in _text(m))


async def test_a_quick_exit_holds_the_reminder_until_she_writes(bot: Harness) -> None:
    user = bot.user("Aigul", "ru")
    await bot.onboard(user, "ru")
    await book(bot, user, start=slot(THURSDAY, 12), named=True)
    await settle(bot)
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == bot.tr("ru", "safety.neutral"))
    # The 24-hour reminder falls due: held (the booking answer went before the exit).
    bot.advance(timedelta(hours=2))
    await bot.run_due_work()
    await bot.handled()
    assert not any(has_data("ap:come:")(m) for m in user.bot_messages())
    await user.send("Сәлем")
    await user.wait_for_bot_message(has_data("ap:come:"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_her_safe_hours_hold_staff_answers_and_the_card_shows_them(
    start_bot: HarnessFactory, language: str
) -> None:
    bot = await start_bot({"telegram": {"staff_language": language}})
    tr = bot.tr
    user = bot.user("Aigul", language)
    await bot.onboard(user, language)
    code = await request_case(bot, user, language)
    card = await _card(bot, code)

    # The menu: evenings, weekdays only (it is Wednesday 10:00 in Almaty).
    await user.send("/help")
    await user.wait_for_bot_message(has_data("menu:hours"))
    await user.press(tr(language, "menu.hours"))
    await user.wait_for_bot_message(has_data("hours:"))
    await user.press(tr(language, "safe_hours.evening"))
    await user.wait_for_bot_message(has_data("hours:evening:"))
    await user.press(tr(language, "safe_hours.days_weekdays"))
    weekdays = tr(language, "safe_hours.weekdays", window="17:00–21:00")
    await user.wait_for_bot_message(
        lambda m: plain(tr(language, "safe_hours.saved", hours=weekdays)) in m.content
    )
    shown = plain(tr(language, "safety_notice.hours", hours=weekdays))
    hours = await bot.group.wait_for_bot_message(lambda m: shown in (m.text or ""))
    assert hours.reply_to_message_id == card.message_id

    # A staff answer at 10:00 waits for 17:00; staff are told until when.
    await bot.staff.send_in(bot.group, "Кешке жазамын", reply_to=card.message_id)
    held = plain(tr(language, "safety_notice.held_hours", hours=weekdays, until="02.12 17:00"))
    await bot.group.wait_for_bot_message(lambda m: held in (m.text or ""))
    await bot.handled()
    assert _answers(bot, user, language) == []

    # The answer to her own /sos is not held: the numbers come at once.
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in m.content)
    await bot.handled()
    assert _answers(bot, user, language) == []

    bot.advance(timedelta(hours=7))
    await bot.run_due_work()
    await user.wait_for_bot_message(lambda m: "Кешке жазамын" in _text(m))
    assert_no_user_identity(bot, user)


async def _mornings(bot: Harness, user: SimUser) -> None:
    await user.send("/help")
    await user.wait_for_bot_message(has_data("menu:hours"))
    await user.press(bot.tr("ru", "menu.hours"))
    await user.wait_for_bot_message(has_data("hours:"))
    await user.press(bot.tr("ru", "safe_hours.morning"))
    await user.wait_for_bot_message(has_data("hours:morning:"))
    await user.press(bot.tr("ru", "safe_hours.days_all"))
    await user.wait_for_bot_message(lambda m: "08:00–12:00" in m.content)


async def test_hours_chosen_before_a_request_come_right_under_its_card(bot: Harness) -> None:
    user = bot.user("Aigul", "ru")
    await bot.onboard(user, "ru")
    await _mornings(bot, user)
    code = await request_case(bot, user, "ru")
    card = await _card(bot, code)
    shown = plain(bot.tr("kk", "safety_notice.hours", hours="08:00–12:00"))
    after = bot.group.bot_messages()[bot.group.bot_messages().index(card) + 1 :]
    assert any(shown in (m.text or "") and code in (m.text or "") for m in after)


async def test_forget_erases_her_safe_hours(bot: Harness) -> None:
    user = bot.user("Aigul", "ru")
    await bot.onboard(user, "ru")
    await _mornings(bot, user)
    database = sqlite3.connect(bot.settings.storage.path)
    count = "SELECT COUNT(*) FROM contact_safety WHERE user_id = ?"
    assert database.execute(count, (user.id,)).fetchone() == (1,)
    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press(bot.tr("ru", "forget.yes"))
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "forget.done")))
    assert database.execute(count, (user.id,)).fetchone() == (0,)
