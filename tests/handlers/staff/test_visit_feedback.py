"""Feedback after an appointment marked "came", end to end: the neutral question in her
language, asked in the marking write and only once, anonymous when answered, and never
after discreet reminders or a quick exit in the last week."""

from __future__ import annotations

import pytest

from sandbox import SimUser
from tests.conftest import Harness
from tests.handlers.booking_steps import book, rows, slot
from tests.handlers.case_helpers import plain
from tests.handlers.staff.test_agenda import WEDNESDAY, is_agenda, settle


async def _mark_came(bot: Harness, code: str) -> None:
    await bot.staff.send_in(bot.group, "/agenda")
    agenda = await bot.group.wait_for_bot_message(is_agenda)
    await bot.staff.press(f"✅ {code} келді", chat=bot.group)
    await bot.emulator.wait_until(lambda: "✅ келді" in agenda.content)
    await settle(bot)


def _questions(bot: Harness, user: SimUser, language: str) -> int:
    question = plain(bot.tr(language, "feedback.question"))
    return sum(m.text == question for m in user.bot_messages())


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_came_brings_the_feedback_question_once(bot: Harness, language: str) -> None:
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    code = await book(bot, user, start=slot(WEDNESDAY, 12), language=language, named=True)
    await settle(bot)
    assert _questions(bot, user, language) == 0
    await _mark_came(bot, code)
    question = await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.question"))
    )
    assert rows(bot, "SELECT user_id, about FROM feedback_asks") == [(user.id, "appointment")]
    # The same neutral words as after a case: nothing names the service or the centre.
    assert [t for t, _ in question.buttons] == [
        bot.tr(language, f"feedback.answer.{a}") for a in ("good", "neutral", "bad")
    ]
    await user.press(bot.tr(language, "feedback.answer.good"), message_id=question.message_id)
    await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.thanks.good"))
    )
    await bot.handled()
    assert rows(bot, "SELECT about, answer FROM feedback") == [("appointment", "good")]
    assert rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]
    # Pressing "came" again asks nothing more.
    await bot.staff.press(f"✅ {code} келді", chat=bot.group)
    await bot.handled()
    await settle(bot)
    assert _questions(bot, user, language) == 1
    assert rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]


async def test_did_not_come_asks_nothing_and_a_correction_asks(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(WEDNESDAY, 12), named=True)
    await settle(bot)
    await bot.staff.send_in(bot.group, "/agenda")
    agenda = await bot.group.wait_for_bot_message(is_agenda)
    await bot.staff.press(f"❌ {code} келмеді", chat=bot.group)
    await bot.emulator.wait_until(lambda: "❌ келмеді" in agenda.content)
    await settle(bot)
    assert _questions(bot, user, "ru") == 0
    assert rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]
    await bot.staff.press(f"✅ {code} келді", chat=bot.group)
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "feedback.question")))


async def test_no_question_after_discreet_reminders(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(WEDNESDAY, 12), named=False)
    await _mark_came(bot, code)
    await bot.handled()
    assert rows(bot, "SELECT attendance FROM appointments") == [("came",)]
    assert _questions(bot, user, "ru") == 0
    assert rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]


async def test_no_question_within_a_week_of_a_quick_exit(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await book(bot, user, start=slot(WEDNESDAY, 12), named=True)
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "safety.neutral")))
    await _mark_came(bot, code)
    await bot.handled()
    assert rows(bot, "SELECT attendance FROM appointments") == [("came",)]
    assert _questions(bot, user, "ru") == 0
    assert rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]
