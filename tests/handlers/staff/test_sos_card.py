"""The /sos card names the "Danger now" button once: why the case is urgent, and no more."""

from __future__ import annotations

import pytest

from tests.conftest import HarnessFactory
from tests.handlers.case_helpers import code_in, plain, settle


@pytest.mark.parametrize("staff_language", ["kk", "ru"])
async def test_the_sos_card_says_danger_now_once(
    start_bot: HarnessFactory, staff_language: str
) -> None:
    bot = await start_bot({"telegram": {"staff_language": staff_language}})
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "112" not in m.content)
    code = code_in(status.text or "")
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content)
    await settle(bot)
    button = plain(bot.tr(staff_language, "menu.sos")).removeprefix("🆘 ")
    text = card.text or ""
    assert text.count(button) == 1, text
    assert plain(bot.tr(staff_language, "card.reason.sos_button")) in text
    assert plain(bot.tr(staff_language, "card.no_story")) in text
