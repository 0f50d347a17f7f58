"""The operations side of one bot, started at the end of post_init and stopped in
post_stop / post_shutdown: metrics, the health server, systemd, daily backups."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import Application

from bot.appointments.messages import PURPOSE_REMINDER
from bot.cases.outgoing import CARD, NOW_URGENT, REPOST
from bot.clock import Clock
from bot.config import Settings
from bot.context import DailyWork, Services
from bot.delivery import DeliveredHook
from bot.ops.backups import DailyBackups
from bot.ops.health import HealthServer, HealthSources
from bot.ops.metrics import Metrics
from bot.ops.systemd import SystemdNotifier
from storage.outbox import OutboxItem

logger = logging.getLogger(__name__)

OPERATIONS_KEY = "operations"


class Operations:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        # Made before the Application: its update processor counts into it.
        self.metrics = Metrics(clock)
        self.backups: DailyBackups | None = None
        self.health: HealthServer | None = None
        self._systemd = SystemdNotifier()

    def attach(self, services: Services) -> None:
        """Before delivery starts: what it delivers from the first message on is counted;
        the daily backup joins the due work."""
        settings = self._settings
        services.delivery.observers.append(count_deliveries(services, self.metrics))
        if settings.backup is not None:
            backups = DailyBackups(
                settings.backup,
                services.db.path,
                settings.general.timezone,
                self._clock,
                self.metrics,
            )
            self.backups = backups

            async def back_up(_: Services) -> None:
                await backups.run_due()

            services.daily_work.append(DailyWork(settings.backup.time, back_up))

    async def start(
        self, application: Application[Any, Any, Any, Any, Any, Any], services: Services
    ) -> None:
        """Last in post_init: the bot is ready when this tells systemd so."""
        settings = self._settings
        if settings.health is not None:
            self.health = HealthServer(
                HealthSources(
                    settings=settings.health,
                    clock=self._clock,
                    db=services.db,
                    outbox=services.outbox,
                    metrics=self.metrics,
                    receiving_updates=lambda: _receiving_updates(application),
                    last_backup_at=lambda: self.backups.last_backup_at if self.backups else None,
                )
            )
            await self.health.start()
        self._systemd.ready()

    async def stopping(self) -> None:
        await self._systemd.stopping()

    async def stop(self) -> None:
        await self._systemd.stopping()
        if self.health is not None:
            await self.health.stop()
            self.health = None


def _receiving_updates(application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    # The updater runs while polling or while serving the webhook.
    return application.running and application.updater is not None and application.updater.running


def count_deliveries(services: Services, metrics: Metrics) -> DeliveredHook:
    """Counts, among the messages Telegram accepted, reminders and urgent alerts."""
    escalate_after = services.settings.urgent.escalate_after

    async def observe(item: OutboxItem, message_id: int | None) -> None:
        if item.purpose == PURPOSE_REMINDER:
            metrics.reminder_sent()
            return
        if item.purpose not in (CARD, REPOST, NOW_URGENT) or item.ref is None:
            return
        case = await services.cases.get(item.ref)
        if case is None or case.urgent_at is None:
            return
        # Only the alert written when the case turned urgent; a re-alert is written
        # escalate_after later or more, and a card sent before it turned urgent is older.
        written_after = item.created_at - case.urgent_at
        if not timedelta(0) <= written_after < escalate_after:
            return
        metrics.alert_accepted(services.clock.now() - case.urgent_at)

    return observe
