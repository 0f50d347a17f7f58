"""The bot's Prometheus metrics, defined in one place, with a tiny API for the spots
that count them.

The registry is the bot's own, not prometheus-client's global one: every Application
(several in one test process) counts for itself. Labels carry kinds and results only,
never a text or an id: an outbox purpose is a fixed word such as "case_card".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.clock import Clock
from bot.message_log import MessageCapturingRequest

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Seconds from a case turning urgent to the staff alert accepted by Telegram: the
# promise is "within minutes", so the buckets are finest there.
ALERT_LATENCY_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)

# One delivery attempt's result, the `result` label of helpline_sends_total.
SENT = "sent"
FAILED = "failed"
RETRIED = "retried"
RATE_LIMITED = "rate_limited"


class Metrics:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.registry = CollectorRegistry()
        # When the last update was handled; /healthz shows its age.
        self.last_update_at: datetime | None = None
        self._updates_handled = Counter(
            "helpline_updates_handled",
            "Telegram updates handled",
            registry=self.registry,
        )
        self._sends = Counter(
            "helpline_sends",
            "Outbox delivery attempts by kind (outbox purpose) and result",
            ["kind", "result"],
            registry=self.registry,
        )
        self._rate_limited = Counter(
            "helpline_telegram_429",
            "Answers 429 Too Many Requests from Telegram, to any call",
            registry=self.registry,
        )
        self._backlog = Gauge(
            "helpline_outbox_backlog",
            "Outbox messages waiting to be delivered (read at scrape)",
            registry=self.registry,
        )
        self._oldest_pending = Gauge(
            "helpline_outbox_oldest_pending_age_seconds",
            "Age of the oldest undelivered outbox message, 0 when none (read at scrape)",
            registry=self.registry,
        )
        self._alert_latency = Histogram(
            "helpline_alert_latency_seconds",
            "From a case turning urgent to its staff alert accepted by Telegram",
            buckets=ALERT_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._reminders_sent = Counter(
            "helpline_reminders_sent",
            "Appointment reminders accepted by Telegram",
            registry=self.registry,
        )
        self._cases_opened = Counter(
            "helpline_cases_opened",
            "Help requests opened, by whether they were urgent when opened",
            ["urgent"],
            registry=self.registry,
        )
        self._last_backup = Gauge(
            "helpline_last_backup_timestamp_seconds",
            "When the last daily backup was made (Unix time), 0 when none",
            registry=self.registry,
        )

    def update_handled(self) -> None:
        self._updates_handled.inc()
        self.last_update_at = self._clock.now()

    def send_attempted(self, kind: str, result: str) -> None:
        self._sends.labels(kind=kind, result=result).inc()

    def rate_limited(self) -> None:
        self._rate_limited.inc()

    def alert_accepted(self, latency: timedelta) -> None:
        self._alert_latency.observe(max(latency.total_seconds(), 0.0))

    def reminder_sent(self) -> None:
        self._reminders_sent.inc()

    def case_opened(self, *, urgent: bool) -> None:
        self._cases_opened.labels(urgent="true" if urgent else "false").inc()

    def backup_made(self, at: datetime) -> None:
        self._last_backup.set(at.timestamp())

    def outbox_backlog(self, pending: int, oldest_age: timedelta | None) -> None:
        self._backlog.set(pending)
        self._oldest_pending.set(oldest_age.total_seconds() if oldest_age is not None else 0)

    def render(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)


class CountingRequest(MessageCapturingRequest):
    """The bot's HTTP transport (it notes message ids, see bot/message_log.py), telling
    `on_rate_limited` of every 429 answer: the rate limiter retries most of them
    before delivery ever sees one."""

    def __init__(self, on_rate_limited: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_rate_limited = on_rate_limited

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status == 429:
            self._on_rate_limited()
        return status, payload
