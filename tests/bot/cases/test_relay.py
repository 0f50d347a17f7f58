"""The relay through the service: a user's message reaches the group; receipts are rare."""

from __future__ import annotations

from datetime import timedelta

from bot.cases.relay import ACKNOWLEDGE_EVERY
from tests.bot.cases.helpers import open_case
from tests.conftest import Harness


async def test_a_user_message_is_relayed_with_the_case_label(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    await bot.services.cases.relay.add_user_message(case, "text", "<b>и ещё</b>", None)
    relayed = await bot.group.wait_for_bot_message(lambda m: "и ещё" in (m.text or ""))
    assert case.code in (relayed.text or "") and "<b>" in (relayed.text or "")  # escaped
    assert [m.body for m in await bot.services.cases.messages(case.id)] == ["<b>и ещё</b>"]


async def test_receipts_are_said_once_in_a_while_and_a_flood_is_slowed(bot: Harness) -> None:
    relay = bot.services.cases.relay
    now = bot.clock.now()
    assert relay.receipt(1, now) == "passed_on"
    assert relay.receipt(1, now + timedelta(seconds=1)) is None
    assert relay.receipt(2, now) == "passed_on"  # per person
    later = now + ACKNOWLEDGE_EVERY
    answers = [relay.receipt(1, later + timedelta(milliseconds=n)) for n in range(9)]
    assert answers[0] == "passed_on" and answers[-1] == "slow_down"
    assert answers.count("slow_down") == 1
