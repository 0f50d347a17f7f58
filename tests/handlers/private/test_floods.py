"""Floods stay small: hundreds of messages outside a flow get one calm answer per window,
and a flood into an open case does not push another person's urgent alert back."""

from __future__ import annotations

from tests.conftest import Harness
from tests.handlers.case_helpers import code_in, request_case, settle

FLOOD = 300


async def test_a_flood_outside_any_flow_gets_one_calm_answer(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    before = len(user.bot_messages())
    for number in range(FLOOD):
        await user.send(f"алло {number}")
    await user.wait_for_bot_message()
    await bot.handled()
    answers = user.bot_messages()[before:]
    assert [(m.text or "") for m in answers] == [bot.tr("ru", "fallback.text_outside_flow")]
    # The next window answers again: quiet is per window, not for good.
    bot.advance(bot.settings.timing.fallback_answer_every)
    await user.send("алло?")
    again = await user.wait_for_bot_message()
    assert (again.text or "") == bot.tr("ru", "fallback.text_outside_flow")


async def test_a_flood_into_a_case_does_not_hold_back_another_persons_alert(
    bot: Harness,
) -> None:
    await bot.duty.send("/start")
    flooder = bot.user("Aigul")
    await bot.onboard(flooder, "ru")
    flood_code = await request_case(bot, flooder)
    await settle(bot)
    other = bot.user("Madina")
    await bot.onboard(other, "ru")
    last = f"сообщение {FLOOD - 1}"
    for number in range(FLOOD):
        await flooder.send(f"сообщение {number}")
    await other.send("/sos")
    status = await other.wait_for_bot_message(
        lambda m: "Дежурный психолог" in (m.text or ""), timeout=30
    )
    code = code_in(status.text or "")
    alert = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""), timeout=30)
    flood_end = await bot.group.wait_for_bot_message(
        lambda m: flood_code in (m.text or "") and last in (m.text or ""), timeout=60
    )
    # The alert was sent while the flood was still being relayed.
    assert alert.message_id < flood_end.message_id
    relayed = "\n".join(
        (m.text or "") for m in bot.group.bot_messages() if flood_code in (m.text or "")
    )
    assert all(f"сообщение {n}\n" in relayed + "\n" for n in range(FLOOD))
