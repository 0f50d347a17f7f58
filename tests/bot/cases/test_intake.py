"""Opening a case, turning it urgent, a repeated SOS: through the service, end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cases.intake import SOS_REPEAT_AFTER, DailyLimitReached
from bot.domain.triage import UrgencyReason
from tests.bot.cases.helpers import open_case
from tests.conftest import DUTY_ID, Harness
from tests.handlers.case_helpers import settle


async def test_a_case_is_stored_with_its_card_and_counts_toward_the_day(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    opened = await open_case(bot, user)
    assert not opened.case.urgent and opened.on_duty == []
    card = await bot.group.wait_for_bot_message(lambda m: opened.case.code in (m.text or ""))
    assert bot.tr("kk", "card.take") in [text for text, _ in card.buttons]
    assert await bot.services.cases.intake.cases_today(user.id) == 1


async def test_the_daily_limit_is_checked_when_the_case_is_written(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    for _ in range(bot.settings.limits.cases_per_day):
        await open_case(bot, user)
    with pytest.raises(DailyLimitReached):
        await open_case(bot, user)
    # The next local day counts afresh.
    bot.advance(timedelta(days=1))
    await open_case(bot, user)


async def test_an_open_case_turns_urgent_once(bot: Harness) -> None:
    await bot.duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    opened = await open_case(bot, user)
    intake = bot.services.cases.intake
    turned = await intake.make_urgent(opened.case, [UrgencyReason.DANGER_WORDS], "убьёт меня")
    assert turned is not None and turned.case.urgent and turned.on_duty == [DUTY_ID]
    assert await intake.make_urgent(turned.case, [UrgencyReason.SOS_BUTTON]) is None
    await bot.duty.wait_for_bot_message(lambda m: opened.case.code in (m.text or ""))


async def test_a_repeated_sos_alerts_again_but_not_on_a_double_tap(bot: Harness) -> None:
    await bot.duty.send("/start")
    await bot.backup.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    case = (await open_case(bot, user, sos=True)).case
    intake = bot.services.cases.intake
    assert not await intake.sos_again(case)  # just turned urgent: a double tap
    bot.advance(SOS_REPEAT_AFTER + timedelta(seconds=1))
    assert await intake.sos_again(case)
    assert not await intake.sos_again(case)
    await settle(bot)
    again = [m for m in bot.group.bot_messages() if case.code in (m.text or "")]
    assert len(again) == 2  # the card and one "SOS again"
