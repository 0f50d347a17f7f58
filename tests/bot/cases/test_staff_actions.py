"""Take, close, block and duty through the service: each answer says what happened."""

from __future__ import annotations

from tests.bot.cases.helpers import open_case
from tests.conftest import STAFF_ID, Harness


async def test_the_first_take_wins_and_a_closed_case_cannot_be_taken(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    actions = bot.services.cases.staff_actions
    assert await actions.take(case, STAFF_ID, "Saule") == "taken"
    assert await actions.take(case, STAFF_ID + 1, "Bolat") == "already"
    assert await actions.close(case, STAFF_ID)
    assert not await actions.close(case, STAFF_ID)
    closed = await bot.services.cases.get(case.id)
    assert closed is not None and not closed.is_open and closed.taken_by_name == "Saule"
    assert await actions.take(closed, STAFF_ID, "Saule") == "closed"
    await user.wait_for_bot_message(
        lambda m: case.code in (m.text or "") and "закрыто" in (m.text or "")
    )


async def test_blocking_and_unblocking_the_person_behind_a_case(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    actions = bot.services.cases.staff_actions
    await actions.set_blocked(case, STAFF_ID, True)
    assert await bot.services.cases.is_user_blocked(user.id)
    await actions.set_blocked(case, STAFF_ID, False)
    assert not await bot.services.cases.is_user_blocked(user.id)


async def test_duty_is_taken_and_handed_back_once(bot: Harness) -> None:
    actions = bot.services.cases.staff_actions
    assert await actions.set_duty(STAFF_ID, "Saule", on=True)
    assert [e.user_id for e in await bot.services.cases.manual_duty()] == [STAFF_ID]
    assert await actions.set_duty(STAFF_ID, "Saule", on=False)
    assert not await actions.set_duty(STAFF_ID, "Saule", on=False)
    assert await bot.services.cases.manual_duty() == []
