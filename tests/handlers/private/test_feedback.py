"""Feedback after a closed case, end to end: the question in her language, the answer
stored without any id, the optional line, never after discreet reminders or a quick exit
in the last week, and counted in /stats' workbook."""

from __future__ import annotations

import io
import sqlite3
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from sandbox import SimUser
from tests.conftest import Harness
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import plain, request_case, settle
from tests.handlers.staff.test_stats import uploaded


async def _closed_case(bot: Harness, user: SimUser, language: str) -> str:
    code = await request_case(bot, user, language)
    await settle(bot)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.close(case, staff_id=bot.staff.id)
    await settle(bot)
    return code


def _rows(bot: Harness, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(bot.settings.storage.path) as db:
        return db.execute(sql).fetchall()


def _asked(bot: Harness, user: SimUser, language: str) -> bool:
    question = plain(bot.tr(language, "feedback.question"))
    return any(m.text == question for m in user.bot_messages())


@pytest.mark.parametrize(("language", "line"), [("ru", "Спасибо, стало легче"), ("kk", "Рақмет")])
async def test_feedback_after_a_closed_case_is_anonymous_and_counted(
    bot: Harness, language: str, line: str
) -> None:
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    await _closed_case(bot, user, language)
    question = await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.question"))
    )
    labels = [t for t, _ in question.buttons]
    bad_data = question.buttons[2][1] or ""
    assert labels == [bot.tr(language, f"feedback.answer.{a}") for a in ("good", "neutral", "bad")]
    await user.press(bot.tr(language, "feedback.answer.good"), message_id=question.message_id)
    await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.thanks.good"))
    )
    await user.send(line)
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr(language, "feedback.done")))
    await bot.handled()
    # Stored without any id; the question row is gone, so nothing links the two.
    assert _rows(bot, "SELECT about, answer FROM feedback") == [("case", "good")]
    assert _rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]
    assert _rows(bot, "SELECT body FROM feedback_comments") == [(f"p:{line}",)]
    # The line is neither relayed to staff nor opened as a case.
    assert not any(line in (m.text or "") for m in bot.group.messages())
    assert _rows(bot, "SELECT COUNT(*) FROM cases") == [(1,)]
    # A second press of the same question counts nothing more.
    await user.press_data(bad_data, message_id=question.message_id)
    await bot.handled()
    assert _rows(bot, "SELECT COUNT(*) FROM feedback") == [(1,)]
    # Counted in the admins' workbook.
    await bot.admin.send("/start")
    await bot.admin.wait_for_bot_message()
    await bot.admin.send_in(bot.group, "/stats")
    await bot.group.wait_for_bot_message(lambda m: m.kind == "photo", timeout=30)
    await bot.admin.press(bot.tr("kk", "stats.csv"), chat=bot.group)
    await bot.emulator.wait_until(lambda: len(bot.emulator.answered("sendDocument")) == 2, 30)
    excel = uploaded(bot.emulator.requests_for("sendDocument")[1], "document")
    workbook = load_workbook(io.BytesIO(excel.data))
    tr = bot.services.tr("kk")
    feedback_rows = list(workbook.worksheets[3].iter_rows(values_only=True))[1:]
    assert [row[2] for row in feedback_rows] == [tr("report.feedback.good")]
    summary = [r[:2] for r in workbook.worksheets[0].iter_rows(values_only=True)]
    assert (tr("report.feedback.good"), 1) in summary
    assert (tr("report.feedback.bad"), 0) in summary


async def test_skip_and_a_stranger_cannot_answer(bot: Harness) -> None:
    user, stranger = bot.user(), bot.user("Stranger")
    await bot.onboard(user, "ru")
    await bot.onboard(stranger, "ru")
    await _closed_case(bot, user, "ru")
    question = await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr("ru", "feedback.question"))
    )
    # Someone else with the button's data gets a dead button.
    own = stranger.last_bot_message()
    await stranger.press_data(question.buttons[0][1] or "", message_id=own.message_id)
    await bot.handled()
    assert _rows(bot, "SELECT COUNT(*) FROM feedback") == [(0,)]
    await user.press(bot.tr("ru", "feedback.answer.bad"), message_id=question.message_id)
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press(bot.tr("ru", "feedback.skip"))
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "feedback.done")))
    # After a skip, her next words go to the usual flows, not to feedback.
    await user.send("Можно ещё спросить?")
    await user.wait_for_bot_message()
    await bot.handled()
    assert _rows(bot, "SELECT answer FROM feedback") == [("bad",)]
    assert _rows(bot, "SELECT COUNT(*) FROM feedback_comments") == [(0,)]


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_a_voice_for_the_line_gets_a_plain_answer_and_the_line_is_still_awaited(
    bot: Harness, language: str
) -> None:
    """The line is kept without a name; a voice is the person herself, so it is not kept,
    and she is told so (never silence, never "press a button")."""
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    await _closed_case(bot, user, language)
    await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.question"))
    )
    await user.press(bot.tr(language, "feedback.answer.good"))
    await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.thanks.good"))
    )
    await user.send_voice(duration=6)
    answer = await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.voice_not_kept"))
    )
    assert [t for t, _ in answer.buttons] == [bot.tr(language, "feedback.skip")]
    await user.send("Хорошо")
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr(language, "feedback.done")))
    await bot.handled()
    assert _rows(bot, "SELECT body FROM feedback_comments") == [("p:Хорошо",)]
    assert not any(m.kind == "voice" for m in bot.group.messages())


async def test_danger_words_after_an_answer_go_to_the_triage(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await _closed_case(bot, user, "ru")
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "feedback.question")))
    await user.press(bot.tr("ru", "feedback.answer.neutral"))
    await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr("ru", "feedback.thanks.neutral"))
    )
    await user.send("Он сказал, что убьёт меня")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    await bot.handled()
    assert _rows(bot, "SELECT COUNT(*) FROM feedback_comments") == [(0,)]


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_no_feedback_within_a_week_of_a_quick_exit(bot: Harness, language: str) -> None:
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr(language, "safety.neutral")))
    await _closed_case(bot, user, language)
    await bot.handled()
    assert not _asked(bot, user, language)
    assert _rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]
    # A week later she is asked again.
    bot.advance(timedelta(days=8))
    await _closed_case(bot, user, language)
    await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.question"))
    )


@pytest.mark.parametrize("named", [False, True])
async def test_no_feedback_after_discreet_reminders(bot: Harness, named: bool) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await book(bot, user, start=slot(date(2026, 12, 3), 11, 15), named=named)
    await _closed_case(bot, user, "ru")
    await bot.handled()
    # Reminders that name the service: she said the phone is hers; discreet ones: not asked.
    assert _asked(bot, user, "ru") is named
    assert _rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(1 if named else 0,)]


async def test_forget_me_and_retention_take_what_links_feedback_to_her(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "safety.neutral")))
    bot.advance(timedelta(days=8))
    await _closed_case(bot, user, "ru")
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "feedback.question")))
    assert _rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(1,)]
    # An unanswered question and the quick-exit time go after a week.
    bot.advance(timedelta(days=8))
    await bot.run_due_work()
    assert _rows(bot, "SELECT COUNT(*) FROM feedback_asks") == [(0,)]
    assert _rows(bot, "SELECT COUNT(*) FROM quick_exits") == [(0,)]
    # Forget me takes a fresh quick-exit time at once.
    await user.send("/exit")
    await user.wait_for_bot_message(lambda m: m.text == plain(bot.tr("ru", "safety.neutral")))
    assert _rows(bot, "SELECT COUNT(*) FROM quick_exits") == [(1,)]
    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press("Да, стереть всё")
    await user.wait_for_bot_message(lambda m: "стёрты" in (m.text or ""))
    assert _rows(bot, "SELECT COUNT(*) FROM quick_exits") == [(0,)]


@pytest.mark.parametrize(("language", "good_words"), [("ru", "что было хорошо"), ("kk", "жақсы")])
async def test_did_not_help_is_answered_as_such(
    bot: Harness, language: str, good_words: str
) -> None:
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    await _closed_case(bot, user, language)
    await user.wait_for_bot_message(
        lambda m: m.text == plain(bot.tr(language, "feedback.question"))
    )
    await user.press(bot.tr(language, "feedback.answer.bad"))
    thanks = await user.wait_for_bot_message(lambda m: bool(m.buttons))
    assert thanks.text == plain(bot.tr(language, "feedback.thanks.bad"))
    assert good_words not in thanks.content
    assert [t for t, _ in thanks.buttons] == [bot.tr(language, "feedback.skip")]
    await bot.handled()
    assert _rows(bot, "SELECT answer FROM feedback") == [("bad",)]
