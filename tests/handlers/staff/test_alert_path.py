"""The alert path watched: a DM Telegram refuses for good moves the alert on at once."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import code_in, plain

STAFF = "kk"


async def _sos(bot: Harness) -> str:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "получил сигнал" in (m.text or ""))
    return code_in(status.text or "")


async def test_a_duty_psychologist_who_never_started_the_bot_is_named_and_backups_alerted_now(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.backup.send("/start")  # the backup can get DMs; the on-duty one cannot
    with caplog.at_level(logging.ERROR):
        code = await _sos(bot)
        notice = await bot.group.wait_for_bot_message(
            lambda m: (
                plain(bot.tr(STAFF, "staff.dm_failed", code=code, name="Dilnaz")) in (m.text or "")
            )
        )
        # At once: the clock has not moved, no re-alert ran.
        dm = await bot.backup.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert "Bolat" in (notice.text or "")
    assert "Шұғыл өтініш" in (dm.text or "")
    assert any("refused" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    case = await bot.services.cases.by_code(code)
    assert case is not None and case.escalation_step == 0


async def test_a_duty_id_telegram_does_not_know_is_named_with_what_to_fix(
    start_bot: HarnessFactory,
) -> None:
    unknown = 4_242_424
    bot = await start_bot({"duty": [{"user_id": unknown, "days": ["wed"], "hours": "09:00-18:00"}]})
    await bot.backup.send("/start")
    code = await _sos(bot)
    expected = plain(
        bot.tr(STAFF, "staff.dm_failed_no_chat", code=code, name=str(unknown), id=str(unknown))
    )
    await bot.group.wait_for_bot_message(lambda m: expected in (m.text or ""))
    await bot.backup.wait_for_bot_message(lambda m: code in (m.text or ""))
