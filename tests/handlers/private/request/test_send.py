"""Entering the request flow and "Send": why a new case is refused, and what an urgent
user is told about who was alerted."""

from __future__ import annotations

from handlers.common import emergency_numbers
from handlers.private.request.send import refusal
from sandbox import SimUser
from storage.users import User
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import request_case, settle


async def user_record(bot: Harness, user: SimUser) -> User:
    record = await bot.services.users.get(user.id)
    assert record is not None
    return record


def numbers(bot: Harness) -> str:
    return emergency_numbers(bot.services, bot.services.tr("ru"))


async def why_refused(bot: Harness, user: SimUser) -> str | None:
    return await refusal(bot.services, await user_record(bot, user), bot.services.tr("ru"))


async def test_a_new_case_is_refused_for_an_open_case_then_the_daily_limit(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"limits": {"cases_per_day": 1}})
    user = bot.user()
    await bot.onboard(user, "ru")
    assert await why_refused(bot, user) is None

    code = await request_case(bot, user)
    await settle(bot)
    assert await why_refused(bot, user) == bot.tr("ru", "request.already_open", code=code)

    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.close(case, staff_id=bot.staff.id)
    assert await why_refused(bot, user) == bot.tr("ru", "request.daily_limit", numbers=numbers(bot))


async def test_a_blocked_person_is_refused_first(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user)
    await settle(bot)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.set_blocked(case, bot.staff.id, blocked=True)

    # Before the open case: a blocked person is not told about cases at all.
    assert await why_refused(bot, user) == bot.tr(
        "ru", "request.not_accepted", numbers=numbers(bot)
    )


async def test_cancel_outside_the_flow_says_there_is_nothing_to_cancel(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/cancel")
    said = await user.wait_for_bot_message()
    assert said.text == bot.tr("ru", "request.nothing_to_cancel")
    assert said.buttons  # and the menu again
