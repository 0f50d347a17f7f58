"""Retention of case texts through the service: closed long enough, the words go."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.cases.helpers import open_case
from tests.conftest import STAFF_ID, Harness


async def test_texts_of_a_case_closed_long_ago_are_erased_and_the_case_stays(
    bot: Harness,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user, story="тайна")).case
    await bot.services.cases.staff_actions.close(case, STAFF_ID)
    kept = timedelta(days=bot.settings.privacy.retention_days)
    cases = bot.services.cases
    assert await cases.erase_closed_case_texts(bot.clock.now() + kept) == 0
    assert await cases.erase_closed_case_texts(bot.clock.now() + kept + timedelta(days=1)) == 1
    erased = await cases.get(case.id)
    assert erased is not None and erased.story is None and erased.category == "crisis"
