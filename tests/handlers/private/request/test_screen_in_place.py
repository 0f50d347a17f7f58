"""The risk questions are one message that changes in place, with a progress line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain.triage import LETHALITY_QUESTIONS
from sandbox import SimMessage, SimUser
from tests.conftest import Harness
from tests.handlers.case_helpers import has_data, plain

TOTAL = len(LETHALITY_QUESTIONS)


async def _to_the_offer(bot: Harness, language: str) -> tuple[SimUser, int]:
    user = bot.user("Madina", language)
    await bot.onboard(user, language)
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(bot.tr(language, "category.violence"))
    await user.wait_for_bot_message(has_data("req:safe:"))
    await user.press(bot.tr(language, "request.safe_yes"))
    offer = await user.wait_for_bot_message(has_data("req:screen:"))
    return user, offer.message_id


def text_is(text: str) -> Callable[[SimMessage], bool]:
    return lambda m: m.text == text


def _progress(bot: Harness, language: str, number: int) -> str:
    question = bot.tr(language, f"screen.{LETHALITY_QUESTIONS[number - 1]}")
    return plain(
        bot.tr(language, "request.question", number=number, total=TOTAL, question=question)
    )


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_full_screen_walk_adds_one_message(bot: Harness, language: str) -> None:
    user, offer_id = await _to_the_offer(bot, language)
    before = len(user.bot_messages())
    await user.press(bot.tr(language, "request.screen_start"))
    for number in range(1, TOTAL + 1):
        shown = await user.wait_for_bot_message(
            text_is(_progress(bot, language, number)), include_edits=True
        )
        assert shown.message_id == offer_id
        assert f"{number} / {TOTAL}" in (shown.text or "")
        data = [d for _, d in shown.buttons]
        assert {"req:ans:yes", "req:ans:no", "req:ans:skip", "req:ans:stop"} <= set(data)
        assert {"req:back", "menu:exit"} <= set(data)
        await user.press(bot.tr(language, "request.no"), message_id=offer_id)
    await user.wait_for_bot_message(has_data("req:back"))
    # The offer became the questions and then says they are done; the story prompt is new.
    assert len(user.bot_messages()) == before + 1
    screen = user.message(offer_id)
    assert screen.text == plain(bot.tr(language, "request.screen_done")) and not screen.buttons


async def test_back_goes_to_the_previous_question_in_the_same_message(bot: Harness) -> None:
    user, offer_id = await _to_the_offer(bot, "ru")
    await user.press(bot.tr("ru", "request.screen_start"))
    await user.wait_for_bot_message(lambda m: m.text == _progress(bot, "ru", 1), include_edits=True)
    await user.press(bot.tr("ru", "request.yes"), message_id=offer_id)
    await user.wait_for_bot_message(lambda m: m.text == _progress(bot, "ru", 2), include_edits=True)
    await user.press(bot.tr("ru", "request.back"), message_id=offer_id)
    await user.wait_for_bot_message(lambda m: m.text == _progress(bot, "ru", 1), include_edits=True)
    await user.press(bot.tr("ru", "request.back"), message_id=offer_id)
    offer = plain(bot.tr("ru", "request.screen_offer", count=TOTAL))
    await user.wait_for_bot_message(lambda m: m.text == offer, include_edits=True)
    assert [m.message_id for m in user.bot_messages()][-1] == offer_id
