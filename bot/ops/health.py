"""GET /healthz and GET /metrics on `[health] listen`, for a monitor, docker's
HEALTHCHECK and Prometheus.

/healthz answers 200 with a small JSON when all is well and 503 (same JSON, with the
problems named) when the database cannot be read, the oldest undelivered message is
older than `[health] outbox_max_age`, or the bot no longer receives updates (polling
or webhook stopped). Neither answer carries a text or an id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.clock import Clock
from bot.config import HealthSettings
from bot.ops.metrics import CONTENT_TYPE, Metrics
from storage.db import Database
from storage.outbox import OutboxRepository

logger = logging.getLogger(__name__)

DATABASE_UNREACHABLE = "database_unreachable"
OUTBOX_STALLED = "outbox_stalled"
UPDATES_STOPPED = "updates_stopped"

# A database that does not answer a trivial read within this is as good as down.
DATABASE_TIMEOUT = timedelta(seconds=5)


def health_problems(
    *,
    database_reachable: bool,
    receiving_updates: bool,
    oldest_pending_age: timedelta | None,
    outbox_max_age: timedelta,
) -> list[str]:
    """What is wrong, by name; empty when the bot is healthy."""
    problems = []
    if not database_reachable:
        problems.append(DATABASE_UNREACHABLE)
    if oldest_pending_age is not None and oldest_pending_age > outbox_max_age:
        problems.append(OUTBOX_STALLED)
    if not receiving_updates:
        problems.append(UPDATES_STOPPED)
    return problems


def _moment(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _age(now: datetime, value: datetime | None) -> float | None:
    return round((now - value).total_seconds(), 3) if value is not None else None


@dataclass
class HealthSources:
    """Where the answers come from; `receiving_updates` is the updater's state and
    `last_backup_at` the daily backups' (None when they are off)."""

    settings: HealthSettings
    clock: Clock
    db: Database
    outbox: OutboxRepository
    metrics: Metrics
    receiving_updates: Callable[[], bool]
    last_backup_at: Callable[[], datetime | None]


async def health_report(sources: HealthSources) -> tuple[bool, dict[str, Any]]:
    """(healthy, the JSON body); also refreshes the outbox gauges."""
    now = sources.clock.now()
    reachable, pending, oldest = True, 0, None
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT.total_seconds()):
            await sources.db.schema_version()
            pending, oldest = await sources.outbox.backlog()
    except Exception as error:  # any failure to read is "unreachable", by design
        logger.warning("health check: database unreachable (%s)", type(error).__name__)
        reachable = False
    oldest_age = now - oldest if oldest is not None else None
    sources.metrics.outbox_backlog(pending, oldest_age)
    receiving = sources.receiving_updates()
    problems = health_problems(
        database_reachable=reachable,
        receiving_updates=receiving,
        oldest_pending_age=oldest_age,
        outbox_max_age=sources.settings.outbox_max_age,
    )
    body = {
        "status": "fail" if problems else "ok",
        "problems": problems,
        "updates": {
            "receiving": receiving,
            "last_update_at": _moment(sources.metrics.last_update_at),
            "last_update_age_seconds": _age(now, sources.metrics.last_update_at),
        },
        "outbox": {
            "pending": pending,
            "oldest_pending_age_seconds": _age(now, oldest),
        },
        "database": {"reachable": reachable},
        "backup": {"last_at": _moment(sources.last_backup_at())},
    }
    return not problems, body


class HealthServer:
    def __init__(self, sources: HealthSources) -> None:
        self._sources = sources
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (the real port when `listen` asked for port 0)."""
        assert self._runner is not None and self._runner.addresses, "not started"
        host, port = self._runner.addresses[0][:2]
        return str(host), int(port)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        # No access log: a monitor asks every few seconds and the lines say nothing.
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        settings = self._sources.settings
        await web.TCPSite(self._runner, settings.listen.host, settings.listen.port).start()
        logger.info("health and metrics on %s:%d", *self.address)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        healthy, body = await health_report(self._sources)
        return web.json_response(body, status=200 if healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        # The outbox gauges are read now, at scrape time.
        await health_report(self._sources)
        return web.Response(
            body=self._sources.metrics.render(), headers={"Content-Type": CONTENT_TYPE}
        )
