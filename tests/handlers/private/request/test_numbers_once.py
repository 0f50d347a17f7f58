"""The emergency numbers reach a villager once per answer, however the danger came up:
/sos before and after consent, an urgent request, danger words in a story or later."""

from __future__ import annotations

import pytest

from bot.domain.codes import CODE_RE
from sandbox import SimUser
from tests.conftest import Harness
from tests.handlers.case_helpers import code_in, has_data, plain, request_case, settle

# Threats to kill: words of danger in each language.
STORIES = {
    "kk": "Күйеуім мені өлтіремін деп қорқытты, балаларым қорқып отыр.",
    "ru": "Муж сказал, что убьёт меня, дети боятся.",
}
LANGUAGES = ["kk", "ru"]


def numbers_blocks(bot: Harness, user: SimUser, language: str) -> int:
    """How many messages the villager got with the emergency numbers in them."""
    title = plain(bot.tr(language, "emergency.title"))
    return sum(title in (m.text or "") for m in user.bot_messages(include_deleted=True))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_sos_before_consent_gives_the_numbers_once(bot: Harness, language: str) -> None:
    await bot.duty.send("/start")
    user = bot.user("Madina", language)
    await user.send("/sos")
    await user.wait_for_bot_message(has_data("sos:consent"))
    await user.press(bot.tr(language, "sos.consent_and_alert"))
    code_in((await user.wait_for_bot_message(lambda m: _has_code(m.text))).text or "")
    await settle(bot)
    assert numbers_blocks(bot, user, language) == 1


@pytest.mark.parametrize("language", LANGUAGES)
async def test_sos_after_consent_gives_the_numbers_once(bot: Harness, language: str) -> None:
    await bot.duty.send("/start")
    user = bot.user("Madina", language)
    await bot.onboard(user, language)
    await user.send("/sos")
    code_in((await user.wait_for_bot_message(lambda m: _has_code(m.text))).text or "")
    await settle(bot)
    assert numbers_blocks(bot, user, language) == 1


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_urgent_request_gives_the_numbers_once(bot: Harness, language: str) -> None:
    """Danger words in the story: the numbers when the words are seen, not again at Send."""
    await bot.duty.send("/start")
    user = bot.user("Madina", language)
    await bot.onboard(user, language)
    code = await request_case(bot, user, language, category="violence", story=STORIES[language])
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert card.text
    await settle(bot)
    assert numbers_blocks(bot, user, language) == 1


@pytest.mark.parametrize("language", LANGUAGES)
async def test_danger_words_in_the_conversation_give_the_numbers_once(
    bot: Harness, language: str
) -> None:
    await bot.duty.send("/start")
    user = bot.user("Madina", language)
    await bot.onboard(user, language)
    await request_case(bot, user, language)
    await user.send(STORIES[language])
    await user.wait_for_bot_message(
        lambda m: plain(bot.tr(language, "emergency.title")) in (m.text or "")
    )
    await user.send(STORIES[language])
    await bot.handled()
    assert numbers_blocks(bot, user, language) == 1


def _has_code(text: str | None) -> bool:
    return CODE_RE.search(text or "") is not None
