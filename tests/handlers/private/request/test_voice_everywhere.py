"""Someone who cannot write is never stuck: voice works wherever a text is asked, and
the screens say so."""

from __future__ import annotations

import pytest

from bot.domain.codes import CODE_RE
from tests.conftest import Harness
from tests.handlers.case_helpers import code_in, has_data, plain

# Every villager screen that asks for words, and the word for "voice message" on it.
ASKS_FOR_WORDS = (
    "request.ask_story",
    "request.ask_reply",
    "request.opened",
    "request.opened_call",
    "request.already_open",
    "sos.write_if_you_can",
    "request.phone_by_voice",
    "booking.ask_note",
    "booking.note_text_only",
    "feedback.voice_not_kept",
)
VOICE_WORD = {"kk": "дауыстық", "ru": "голосов"}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_screen_that_asks_for_words_says_voice_works(bot: Harness, language: str) -> None:
    for key in ASKS_FOR_WORDS:
        text = bot.tr(language, key, code="7KQ-M2F", limit=500)
        assert VOICE_WORD[language] in text.lower(), key


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_request_and_the_conversation_by_voice_alone(bot: Harness, language: str) -> None:
    user = bot.user("Madina", language)
    await bot.onboard(user, language)
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr(language, "category.crisis"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send_voice(duration=20)
    await user.wait_for_bot_message(has_data("req:reply:"))
    # A call back needs a number; said aloud it is not one: the way on is offered.
    await user.press(bot.tr(language, "request.reply_call"))
    await user.wait_for_bot_message(has_data("req:back"))
    await user.send_voice(duration=5)
    way_on = await user.wait_for_bot_message()
    assert way_on.text == plain(bot.tr(language, "request.phone_by_voice"))
    assert {"req:back", "req:cancel", "menu:exit"} <= {d for _, d in way_on.buttons}
    await user.press(bot.tr(language, "request.back"))
    await user.wait_for_bot_message(has_data("req:reply:"))
    await user.press(bot.tr(language, "request.reply_chat"))
    await user.wait_for_bot_message(has_data("req:send"))
    await user.press(bot.tr(language, "request.send"))
    opened = await user.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
    code = code_in(opened.text or "")
    # The story's voice came with the card; the conversation by voice reaches staff too.
    await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    await bot.group.wait_for_bot_message(lambda m: m.kind == "voice")
    await user.send_voice(duration=7)
    await bot.group.wait_for_bot_message(lambda m: m.kind == "voice")
