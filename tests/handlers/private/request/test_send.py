"""Entering the request flow and "Send": why a new case is refused, and what an urgent
user is told about who was alerted."""

from __future__ import annotations

import pytest

from handlers.common import emergency_numbers
from handlers.private.request.send import refusal, urgent_status
from sandbox import SimUser
from storage.users import User
from tests.conftest import DUTY_ID, Harness, HarnessFactory
from tests.handlers.case_helpers import code_in, request_case, settle


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


@pytest.mark.parametrize(
    ("on_duty", "taken", "key"),
    [
        ([DUTY_ID], False, "request.alerted"),
        ([], True, "request.alerted"),
        ([], False, "request.nobody_on_duty"),
    ],
)
async def test_the_urgent_status_says_whether_anyone_was_reached(
    bot: Harness, on_duty: list[int], taken: bool, key: str
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "получил сигнал" in (m.text or ""))
    code = code_in(status.text or "")
    await settle(bot)
    case = await bot.services.cases.by_code(code)
    assert case is not None
    if taken:
        await bot.services.cases.staff_actions.take(case, bot.staff.id, "Saule")
        case = await bot.services.cases.by_code(code)
        assert case is not None and case.taken_at is not None

    tr = bot.services.tr("ru")
    assert urgent_status(tr, case, on_duty) == tr(key, code=code)


async def test_cancel_outside_the_flow_says_there_is_nothing_to_cancel(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/cancel")
    said = await user.wait_for_bot_message()
    assert said.text == bot.tr("ru", "request.nothing_to_cancel")
    assert said.buttons  # and the menu again
