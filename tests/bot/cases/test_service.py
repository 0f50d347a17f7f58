"""The cases service's reads agree with each other."""

from __future__ import annotations

from tests.bot.cases.helpers import open_case
from tests.conftest import Harness


async def test_a_case_is_found_by_id_code_and_its_user(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user)).case
    cases = bot.services.cases
    assert await cases.get(case.id) == case
    assert await cases.by_code(case.code) == case
    assert await cases.open_case_of(user.id) == case
    assert not await cases.is_user_blocked(user.id)
    assert await cases.messages(case.id) == []
