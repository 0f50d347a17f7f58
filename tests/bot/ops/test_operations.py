"""The operations side of a running bot: what it attaches, and which deliveries it counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.appointments.messages import PURPOSE_REMINDER
from bot.cases.outgoing import CARD, NOTICE, REPOST
from bot.ops.metrics import Metrics
from bot.ops.operations import OPERATIONS_KEY, Operations, count_deliveries
from storage.outbox import OutboxItem
from tests.bot.ops.ports import free_port
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import code_in

LATENCY = "helpline_alert_latency_seconds_count"
REMINDERS = "helpline_reminders_sent_total"


def operations(bot: Harness) -> Operations:
    assert bot.application is not None
    ops = bot.application.bot_data[OPERATIONS_KEY]
    assert isinstance(ops, Operations)
    return ops


def counted(metrics: Metrics) -> dict[str, float]:
    wanted = (LATENCY, REMINDERS)
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(metrics.render().decode())
        for sample in family.samples
        if sample.name in wanted
    }


def item(purpose: str, ref: int | None, created_at: datetime) -> OutboxItem:
    return OutboxItem(
        id=1,
        chat_id=1,
        method="sendMessage",
        params={},
        purpose=purpose,
        ref=ref,
        attempts=0,
        created_at=created_at,
    )


async def test_without_health_or_backup_sections_nothing_more_runs(bot: Harness) -> None:
    ops = operations(bot)
    assert ops.health is None
    assert ops.backups is None


async def test_a_backup_section_adds_the_daily_backup_and_health_serves(
    start_bot: HarnessFactory, tmp_path: Path
) -> None:
    bot = await start_bot(
        {
            "backup": {"dir": str(tmp_path / "backups"), "time": "03:00", "keep": 2},
            "health": {"listen": f"127.0.0.1:{free_port()}"},
        }
    )
    ops = operations(bot)
    assert ops.backups is not None
    assert ops.health is not None
    assert time(3, 0) in [work.at for work in bot.services.daily_work]
    await ops.stop()
    assert ops.health is None


SECOND = timedelta(seconds=1)


# When each message was written, after the case turned urgent, given `escalate_after`.
@pytest.mark.parametrize(
    ("purpose", "with_ref", "written_after", "reminders", "alerts"),
    [
        (PURPOSE_REMINDER, False, lambda _: timedelta(0), 1, 0),
        (CARD, True, lambda _: timedelta(0), 0, 1),
        (REPOST, True, lambda after: after - SECOND, 0, 1),
        # A re-alert is written escalate_after later or more: not the first alert.
        (CARD, True, lambda after: after, 0, 0),
        # A card written before the case turned urgent.
        (CARD, True, lambda _: -SECOND, 0, 0),
        (CARD, False, lambda _: timedelta(0), 0, 0),
        (NOTICE, True, lambda _: timedelta(0), 0, 0),
    ],
)
async def test_which_deliveries_are_counted(
    bot: Harness,
    purpose: str,
    with_ref: bool,
    written_after: Callable[[timedelta], timedelta],
    reminders: int,
    alerts: int,
) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "получил сигнал" in (m.text or ""))
    case = await bot.services.cases.by_code(code_in(status.text or ""))
    assert case is not None and case.urgent_at is not None
    created_at = case.urgent_at + written_after(bot.settings.urgent.escalate_after)
    metrics = Metrics(bot.clock)
    observe = count_deliveries(bot.services, metrics)

    await observe(item(purpose, case.id if with_ref else None, created_at), 77)

    assert counted(metrics) == {LATENCY: alerts, REMINDERS: reminders}
