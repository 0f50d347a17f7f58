"""Small holes: an old "erase everything" question erases nothing, and a double tap does
not send an edit Telegram rejects ("message is not modified")."""

from __future__ import annotations

from datetime import timedelta

from sandbox import SimUser
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import has_data


async def _ask_to_forget(bot: Harness, language: str = "ru") -> tuple[SimUser, int]:
    user = bot.user()
    await bot.onboard(user, language)
    await user.send("/forget")
    question = await user.wait_for_bot_message(has_data("forget:"))
    return user, question.message_id


async def test_an_old_forget_question_erases_nothing(bot: Harness) -> None:
    user, question = await _ask_to_forget(bot)
    bot.advance(bot.settings.timing.forget_confirm_valid + timedelta(minutes=1))
    await user.press_data("forget:yes", question)
    answer = await user.wait_for_bot_message()
    assert (answer.text or "") == bot.tr("ru", "forget.expired")
    stored = await bot.services.users.get(user.id)
    assert stored is not None and stored.has_consented
    assert user.message(question).buttons == []


async def test_a_fresh_forget_question_still_erases(bot: Harness) -> None:
    user, question = await _ask_to_forget(bot)
    bot.advance(bot.settings.timing.forget_confirm_valid - timedelta(minutes=1))
    await user.press_data("forget:yes", question)
    done = await user.wait_for_bot_message()
    assert (done.text or "") == bot.tr("ru", "forget.done")
    assert await bot.services.users.get(user.id) is None


async def test_how_long_a_forget_question_counts_is_configurable(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"timing": {"forget_confirm_valid": "1h"}})
    user, question = await _ask_to_forget(bot, "kk")
    bot.advance(timedelta(minutes=30))
    await user.press_data("forget:yes", question)
    done = await user.wait_for_bot_message()
    assert (done.text or "") == bot.tr("kk", "forget.done")


async def test_a_double_tap_sends_no_edit_telegram_rejects(bot: Harness) -> None:
    user, question = await _ask_to_forget(bot)
    # Both presses reach Telegram before the bot handles the first: both carry the keyboard.
    await user.press_data("forget:no", question)
    await user.press_data("forget:no", question)
    kept = bot.tr("ru", "forget.kept")
    await user.wait_for_bot_message(lambda m: (m.text or "") == kept)
    await user.wait_for_bot_message(lambda m: (m.text or "") == kept)
    await bot.handled()
    edits = bot.emulator.requests_for("editMessageReplyMarkup")
    assert all(edit.status == 200 for edit in edits), [e.response for e in edits]
    on_question = [e for e in edits if int(e.params.get("message_id", 0)) == question]
    assert len(on_question) == 1
    assert user.message(question).buttons == []
