"""The alert path watched: a DM Telegram refuses for good moves the alert on at once."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

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


def _pending_duty_alerts(bot: Harness) -> int:
    with sqlite3.connect(bot.settings.storage.path) as db:
        query = "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND purpose = ?"
        return int(db.execute(query, ("case_duty_alert",)).fetchone()[0])


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]


async def test_lost_rights_in_the_staff_group_reach_the_admins(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.admin.send("/start")
    bot.group.set_bot_status("restricted")
    with caplog.at_level(logging.ERROR):
        bot.advance(bot.settings.timing.alert_path_check)
        await bot.run_due_work()
    dm = await bot.admin.wait_for_bot_message(
        lambda m: (
            plain(bot.tr(STAFF, "alert_path.cannot_post", chat_id=bot.group.id)) in (m.text or "")
        )
    )
    assert any("cannot_post" in line for line in _errors(caplog))
    # Told once, not every few minutes while it lasts...
    bot.advance(bot.settings.timing.alert_path_check)
    await bot.run_due_work()
    await bot.handled()
    assert [m for m in bot.admin.bot_messages() if (m.text or "") == (dm.text or "")] == [dm]
    # ...and told when it is fixed.
    bot.group.set_bot_status("administrator")
    bot.advance(bot.settings.timing.alert_path_check)
    await bot.run_due_work()
    await bot.admin.wait_for_bot_message(
        lambda m: (m.text or "") == bot.tr(STAFF, "alert_path.fixed")
    )


async def test_the_check_runs_only_as_often_as_configured(start_bot: HarnessFactory) -> None:
    bot = await start_bot({"timing": {"alert_path_check": "1h"}})
    await bot.admin.send("/start")
    calls = len(bot.emulator.requests_for("getChatMember"))
    bot.advance(timedelta(minutes=30))
    await bot.run_due_work()
    assert len(bot.emulator.requests_for("getChatMember")) == calls
    bot.advance(timedelta(minutes=30))
    await bot.run_due_work()
    assert len(bot.emulator.requests_for("getChatMember")) > calls


async def test_a_bot_removed_from_the_group_is_reported_at_start(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.admin.send("/start")
    bot.group.set_bot_status("left")
    with caplog.at_level(logging.ERROR):
        await bot.restart()
    await bot.admin.wait_for_bot_message(
        lambda m: (
            plain(bot.tr(STAFF, "alert_path.not_member", chat_id=bot.group.id)) in (m.text or "")
        )
    )
    assert any("not_member" in line for line in _errors(caplog))


async def test_a_forum_where_the_bot_may_not_manage_topics_is_reported(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(forum=True)
    await bot.admin.send("/start")
    bot.group.set_bot_status("member")
    bot.advance(bot.settings.timing.alert_path_check)
    await bot.run_due_work()
    expected = plain(bot.tr(STAFF, "alert_path.cannot_manage_topics", chat_id=bot.group.id))
    await bot.admin.wait_for_bot_message(lambda m: expected in (m.text or ""))


async def test_an_urgent_alert_stuck_for_a_minute_reaches_admins_and_backups(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.admin.send("/start")
    await bot.backup.send("/start")
    await bot.handled()
    # Delivery stops (a bug, a stuck connection): the urgent card and DMs stay pending.
    await bot.services.delivery.stop()
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    await bot.emulator.wait_until(lambda: _pending_duty_alerts(bot) > 0, timeout=10)
    bot.advance(bot.settings.timing.urgent_undelivered_after - timedelta(seconds=5))
    await bot.run_due_work()
    assert not [m for m in bot.admin.bot_messages() if "/health" in (m.text or "")]
    with caplog.at_level(logging.ERROR):
        bot.advance(timedelta(seconds=10))
        await bot.run_due_work()
    to_admin = await bot.admin.wait_for_bot_message(lambda m: "/health" in (m.text or ""))
    await bot.backup.wait_for_bot_message(lambda m: (m.text or "") == (to_admin.text or ""))
    assert any("undelivered" in line for line in _errors(caplog))
    # Once per stuck message, not on every tick (newer ones, re-alerts, are told later).
    bot.advance(timedelta(seconds=20))
    await bot.run_due_work()
    assert len([m for m in bot.admin.bot_messages() if "/health" in (m.text or "")]) == 1
    bot.services.delivery.start()
