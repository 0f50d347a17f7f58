"""Erasing what the centre no longer needs, on a clock: run from the tick, at most hourly.

- delivered or failed outbox messages after 48 hours (they may carry user text);
- message ids for the quick exit after 48 hours (Telegram cannot delete older ones);
- texts of closed cases after `privacy.retention_days` (the hooks in `extra` do that).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.context import Services

logger = logging.getLogger(__name__)

SHORT_LIVED = timedelta(hours=48)
RUN_EVERY = timedelta(hours=1)

RetentionHook = Callable[[Services, datetime], Awaitable[int]]


class Retention:
    def __init__(self, extra: list[RetentionHook] | None = None) -> None:
        self.extra: list[RetentionHook] = extra or []
        self._last_run: datetime | None = None

    async def __call__(self, services: Services) -> None:
        now = services.clock.now()
        if self._last_run is not None and now - self._last_run < RUN_EVERY:
            return
        self._last_run = now
        erased = await services.outbox.purge_done(now - SHORT_LIVED)
        erased += await services.message_log.purge_before(now - SHORT_LIVED)
        for hook in self.extra:
            erased += await hook(services, now)
        if erased:
            logger.info("retention erased %d row(s)", erased)
