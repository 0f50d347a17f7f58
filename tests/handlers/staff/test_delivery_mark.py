"""A staff answer that reached her is marked by a reaction on the staff member's own
message, not by a new message: the group's 20 messages a minute stay for alerts."""

from __future__ import annotations

import pytest

from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import plain, request_case, settle

DELIVERED = [{"type": "emoji", "emoji": "👌"}]


async def _answered(bot: Harness, staff_language: str, text: str) -> int:
    """A case, an answer to its card; the answer's message id once she has it."""
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await settle(bot)
    answer = await bot.staff.send_in(bot.group, text, reply_to=card.message_id)
    await user.wait_for_bot_message(lambda m: text in m.content)
    await bot.handled()
    await settle(bot)
    return answer.message_id


@pytest.mark.parametrize("staff_language", ["kk", "ru"])
async def test_a_delivered_answer_gets_a_reaction_and_no_message(
    start_bot: HarnessFactory, staff_language: str
) -> None:
    bot = await start_bot({"telegram": {"staff_language": staff_language}})
    answer_id = await _answered(bot, staff_language, "Здравствуйте, я вас слушаю.")
    assert bot.group.message(answer_id).bot_reactions == DELIVERED
    said = plain(bot.tr(staff_language, "staff.answer_delivered"))
    assert not [m for m in bot.group.bot_messages() if m.text == said]
    assert not [
        r for r in bot.emulator.requests if r.method == "sendMessage" and said in str(r.params)
    ]


@pytest.mark.parametrize("staff_language", ["kk", "ru"])
async def test_a_group_without_that_reaction_gets_the_mark_as_a_message(
    start_bot: HarnessFactory, staff_language: str
) -> None:
    bot = await start_bot({"telegram": {"staff_language": staff_language}})
    # The group's admins allowed other reactions only: Telegram refuses this one.
    bot.emulator.fail_next(
        "setMessageReaction", status=400, description="Bad Request: REACTION_INVALID"
    )
    answer_id = await _answered(bot, staff_language, "Я на связи.")
    said = plain(bot.tr(staff_language, "staff.answer_delivered"))
    marks = [m for m in bot.group.bot_messages() if m.text == said]
    assert [m.reply_to_message_id for m in marks] == [answer_id]
    assert bot.group.message(answer_id).bot_reactions == []
