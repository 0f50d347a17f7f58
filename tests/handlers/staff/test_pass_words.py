"""A case passed to a colleague says so on its card: passed from whom to whom, never
"taken by" the colleague who did not take it."""

from __future__ import annotations

import pytest

from tests.conftest import HarnessFactory
from tests.handlers.case_helpers import plain, request_case, settle


@pytest.mark.parametrize("staff_language", ["kk", "ru"])
async def test_the_card_says_passed_from_a_to_b(
    start_bot: HarnessFactory, staff_language: str
) -> None:
    bot = await start_bot({"telegram": {"staff_language": staff_language}})
    tr = bot.tr
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    await bot.staff.press(
        tr(staff_language, "card.take"), chat=bot.group, message_id=card.message_id
    )
    await bot.group.wait_for_bot_message(
        lambda m: tr(staff_language, "card.pass") in [t for t, _ in m.buttons], include_edits=True
    )
    await settle(bot)
    await bot.staff.press(
        tr(staff_language, "card.pass"), chat=bot.group, message_id=card.message_id
    )
    picker = await bot.group.wait_for_bot_message(lambda m: "Bolat" in [t for t, _ in m.buttons])
    await bot.staff.press("Bolat", chat=bot.group, message_id=picker.message_id)
    await bot.handled()
    await settle(bot)

    text = bot.group.message(card.message_id).text or ""
    passed = tr(
        staff_language, "staff_tools.passed", from_name="Saule", to_name="Bolat", time="10:00"
    )
    assert plain(passed) in text, text
    taken_by_bolat = plain(tr(staff_language, "card.taken", name="Bolat", time="X"))
    assert taken_by_bolat.split("X")[0].rstrip(", ") not in text, text
