"""GET /healthz and GET /metrics of a running bot, over real HTTP on an ephemeral port."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.ops.health import (
    DATABASE_UNREACHABLE,
    OUTBOX_STALLED,
    UPDATES_STOPPED,
    health_problems,
)
from bot.ops.operations import OPERATIONS_KEY, Operations
from tests.bot.ops.ports import free_port
from tests.conftest import STAFF_CHAT_ID, Harness, HarnessFactory
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import request_case


def health_config() -> dict[str, Any]:
    return {"health": {"listen": f"127.0.0.1:{free_port()}", "outbox_max_age": "5m"}}


STORY = "Муж угрожает, я боюсь за детей"
WEDNESDAY = date(2026, 12, 2)


def operations(bot: Harness) -> Operations:
    assert bot.application is not None
    ops = bot.application.bot_data[OPERATIONS_KEY]
    assert isinstance(ops, Operations)
    return ops


async def fetch(bot: Harness, path: str) -> tuple[int, str]:
    server = operations(bot).health
    assert server is not None, "no [health] in the config"
    host, port = server.address
    async with aiohttp.ClientSession() as session, session.get(f"http://{host}:{port}{path}") as r:
        return r.status, await r.text()


async def healthz(bot: Harness) -> tuple[int, dict[str, Any]]:
    status, text = await fetch(bot, "/healthz")
    return status, json.loads(text)


async def metric_samples(bot: Harness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, text = await fetch(bot, "/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_health_problems_are_named_for_what_is_wrong() -> None:
    limit = timedelta(minutes=5)
    table = [
        (True, True, None, []),
        (True, True, timedelta(minutes=5), []),
        (True, True, timedelta(minutes=5, seconds=1), [OUTBOX_STALLED]),
        (False, True, None, [DATABASE_UNREACHABLE]),
        (True, False, timedelta(0), [UPDATES_STOPPED]),
        (False, False, timedelta(hours=1), [DATABASE_UNREACHABLE, OUTBOX_STALLED, UPDATES_STOPPED]),
    ]
    for reachable, receiving, oldest, expected in table:
        found = health_problems(
            database_reachable=reachable,
            receiving_updates=receiving,
            oldest_pending_age=oldest,
            outbox_max_age=limit,
        )
        assert found == expected, (reachable, receiving, oldest)


async def test_no_health_section_serves_nothing(bot: Harness) -> None:
    assert operations(bot).health is None


async def test_healthz_is_ok_while_the_bot_runs(start_bot: HarnessFactory) -> None:
    bot = await start_bot(health_config())
    status, body = await healthz(bot)
    assert status == 200
    assert body["status"] == "ok" and body["problems"] == []
    assert body["database"] == {"reachable": True}
    assert body["outbox"] == {"pending": 0, "oldest_pending_age_seconds": None}
    assert body["updates"]["receiving"] is True
    assert body["updates"]["last_update_at"] is None
    assert body["backup"] == {"last_at": None}

    user = bot.user()
    await bot.onboard(user, "ru")
    await bot.handled()
    bot.advance(timedelta(seconds=42))
    _, body = await healthz(bot)
    assert body["updates"]["last_update_age_seconds"] == 42.0


async def test_healthz_is_503_when_a_message_waits_too_long(start_bot: HarnessFactory) -> None:
    bot = await start_bot(health_config())
    await bot.services.delivery.stop()
    async with bot.services.write() as tx:
        await tx.outbox.add(
            chat_id=STAFF_CHAT_ID,
            method="sendMessage",
            params={"text": "held back"},
            purpose="test_notice",
        )
    bot.advance(timedelta(minutes=4))
    status, body = await healthz(bot)
    assert status == 200
    assert body["outbox"] == {"pending": 1, "oldest_pending_age_seconds": 240.0}

    bot.advance(timedelta(minutes=2))
    status, body = await healthz(bot)
    assert status == 503
    assert body["status"] == "fail" and body["problems"] == [OUTBOX_STALLED]

    bot.services.delivery.start()
    await bot.handled()
    status, body = await healthz(bot)
    assert status == 200 and body["outbox"]["pending"] == 0


async def test_healthz_is_503_when_updates_stop(start_bot: HarnessFactory) -> None:
    bot = await start_bot(health_config())
    assert bot.application is not None and bot.application.updater is not None
    await bot.application.updater.stop()
    status, body = await healthz(bot)
    assert status == 503
    assert body["problems"] == [UPDATES_STOPPED]
    assert body["updates"]["receiving"] is False


async def test_healthz_is_503_when_the_database_is_unreachable(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(health_config())
    await bot.services.delivery.stop()
    await bot.services.message_log.stop()
    await bot.services.db.close()
    status, body = await healthz(bot)
    assert status == 503
    assert DATABASE_UNREACHABLE in body["problems"]
    assert body["database"] == {"reachable": False}


async def test_metrics_count_updates_sends_and_cases_without_texts_or_ids(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(health_config())
    await bot.duty.send("/start")
    user = bot.user("Gulnara", "ru")
    await bot.onboard(user, "ru")
    await request_case(bot, user, category="crisis", story=STORY)
    await bot.handled()

    samples = await metric_samples(bot)
    assert samples[("helpline_updates_handled_total", ())] >= 5
    assert samples[("helpline_sends_total", (("kind", "case_card"), ("result", "sent")))] == 1
    assert samples[("helpline_outbox_backlog", ())] == 0
    assert samples[("helpline_cases_opened_total", (("urgent", "true"),))] == 1
    # Danger words made the case urgent: one alert, accepted at once (the clock stood still).
    assert samples[("helpline_alert_latency_seconds_count", ())] == 1
    assert samples[("helpline_alert_latency_seconds_bucket", (("le", "1.0"),))] == 1

    _, text = await fetch(bot, "/metrics")
    _, health_text = await fetch(bot, "/healthz")
    for secret in (STORY, "Gulnara", str(user.id), str(STAFF_CHAT_ID), str(bot.duty.id)):
        # A number on its own, not digits inside another (the start time's "…0901945…").
        found = re.compile(rf"(?<![\d.]){re.escape(secret)}(?!\d)")
        assert not found.search(text) and not found.search(health_text), secret


async def test_alert_latency_runs_from_urgent_to_accepted_by_telegram(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(health_config())
    user = bot.user()
    await bot.onboard(user, "ru")
    await bot.handled()
    # Telegram is out of reach for 90 seconds: the alert waits in the outbox.
    await bot.services.delivery.stop()
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    # The case is stored after the numbers are sent; no event says when, the sleep yields.
    async with asyncio.timeout(10):
        while await bot.services.cases.get(1) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    bot.advance(timedelta(seconds=90))
    bot.services.delivery.start()
    await bot.handled()

    samples = await metric_samples(bot)
    latency = "helpline_alert_latency_seconds"
    assert samples[(f"{latency}_count", ())] == 1
    assert samples[(f"{latency}_sum", ())] == 90.0
    assert samples[(f"{latency}_bucket", (("le", "60.0"),))] == 0
    assert samples[(f"{latency}_bucket", (("le", "120.0"),))] == 1


async def test_429s_are_counted_even_when_the_rate_limiter_retries_them(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(health_config())
    user = bot.user()
    bot.emulator.fail_next("sendMessage", count=1, status=429, retry_after=1)
    await bot.onboard(user, "ru")
    await bot.handled()
    samples = await metric_samples(bot)
    assert samples[("helpline_telegram_429_total", ())] == 1


async def test_reminders_sent_are_counted_once_telegram_accepts_them(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({**health_config(), "booking": {"reminders": ["30s"]}})
    start = slot(WEDNESDAY, 12)
    user = bot.user()
    await bot.onboard(user, "ru")
    await book(bot, user, start=start)
    await bot.handled()
    bot.advance(start - timedelta(seconds=30) - bot.clock.now())
    await bot.run_due_work()
    await user.wait_for_bot_message(lambda m: m.content.startswith("🔔"))
    await bot.handled()
    samples = await metric_samples(bot)
    assert samples[("helpline_reminders_sent_total", ())] == 1
    sent = (("kind", "appointment_reminder"), ("result", "sent"))
    assert samples[("helpline_sends_total", sent)] == 1
