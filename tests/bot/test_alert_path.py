"""The alert path watched: the bot's rights in the staff group, urgent messages stuck."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

import pytest

from bot.alert_path import CANNOT_MANAGE_TOPICS, CANNOT_POST, NOT_MEMBER, staff_group_problems
from sandbox.state import MemberStatus
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import plain

STAFF = "kk"


@pytest.mark.parametrize(
    ("status", "forum", "problems"),
    [
        ("administrator", False, []),
        # An administrator without the topics right (the emulator gives it in forums only).
        ("administrator", True, [CANNOT_MANAGE_TOPICS]),
        ("creator", True, []),
        ("member", False, []),
        ("member", True, [CANNOT_MANAGE_TOPICS]),
        ("restricted", False, [CANNOT_POST]),
        ("restricted", True, [CANNOT_POST, CANNOT_MANAGE_TOPICS]),
        ("left", True, [NOT_MEMBER]),
        ("kicked", False, [NOT_MEMBER]),
    ],
)
async def test_staff_group_problems_read_from_the_bots_membership(
    bot: Harness, status: MemberStatus, forum: bool, problems: list[str]
) -> None:
    bot.group.set_bot_status(status)
    asked: list[bool] = []

    async def is_forum() -> bool:
        asked.append(True)
        return forum

    assert bot.application is not None
    found = await staff_group_problems(bot.application.bot, bot.group.id, is_forum)

    assert found == problems
    # Whether it is a forum is asked only of a group the bot is still in.
    assert asked == ([] if problems == [NOT_MEMBER] else [True])


async def test_a_group_telegram_does_not_know_is_not_a_membership(bot: Harness) -> None:
    async def is_forum() -> bool:
        return False

    assert bot.application is not None
    assert await staff_group_problems(bot.application.bot, -100_999_999, is_forum) == [NOT_MEMBER]


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
