"""A request about someone else, end to end: its own two questions, 102 and 150 first on
any yes, no risk screen about the writer, and a card that says so."""

from __future__ import annotations

import pytest

from bot.domain.codes import CODE_RE
from tests.conftest import Harness
from tests.handlers.case_helpers import code_in, has_data, plain, settle


async def _ask_about_someone_else(
    bot: Harness, language: str, danger: str, child: str
) -> tuple[str, list[str]]:
    """The flow with the two answers; returns the code and every text the villager saw."""
    tr = bot.tr
    user = bot.user(language_code=language)
    await bot.onboard(user, language)
    await user.send("/request")
    await user.wait_for_bot_message(has_data("req:cat:"))
    await user.press(tr(language, "category.someone_else"))
    await user.wait_for_bot_message(has_data("req:other:"))
    await user.press(tr(language, danger))
    await user.wait_for_bot_message(
        lambda m: m.text == plain(tr(language, "request.child_at_risk"))
    )
    await user.press(tr(language, child))
    await user.wait_for_bot_message(
        lambda m: plain(tr(language, "request.ask_story"))[:25] in (m.text or "")
    )
    await user.send("Соседская девочка плачет каждую ночь")
    await user.wait_for_bot_message(has_data("req:reply:"))
    await user.press(tr(language, "request.reply_chat"))
    await user.wait_for_bot_message(has_data("req:send"))
    await user.press(tr(language, "request.send"))
    opened = await user.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
    await settle(bot)
    return code_in(opened.text or ""), [m.text or "" for m in user.bot_messages()]


@pytest.mark.parametrize("language", ["ru", "kk"])
async def test_a_child_at_risk_gets_102_and_150_first(bot: Harness, language: str) -> None:
    code, seen = await _ask_about_someone_else(bot, language, "request.no", "request.yes")
    call_now = next(t for t in seen if "150" in t and "102" in t)
    story = next(t for t in seen if plain(bot.tr(language, "request.ask_story"))[:25] in t)
    assert seen.index(call_now) < seen.index(story)
    # The writer's own risk screen is never offered.
    for key in ("request.ask_safe", "request.screen_offer"):
        marker = plain(bot.tr(language, key, count=11))[:20]
        assert not any(marker in t for t in seen)
    card = await bot.group.wait_for_bot_message(
        lambda m: code in (m.text or "") and bool(m.buttons)
    )
    expected = plain(
        bot.tr(
            "kk",
            "card.about_other",
            danger=bot.tr("kk", "card.answer_no"),
            child=bot.tr("kk", "card.answer_yes"),
        )
    )
    assert expected in (card.text or "")
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.category == "someone_else"
    assert case.screen == {"other_in_danger": False, "child_at_risk": True}


async def test_no_yes_means_no_numbers_page(bot: Harness) -> None:
    code, seen = await _ask_about_someone_else(bot, "kk", "request.no", "request.dont_know")
    assert not any("150" in t for t in seen)
    card = await bot.group.wait_for_bot_message(
        lambda m: code in (m.text or "") and bool(m.buttons)
    )
    assert bot.tr("kk", "card.answer_unknown") in (card.text or "")
