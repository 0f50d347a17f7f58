"""No update is lost in a crash: each is stored before Telegram hears it arrived.

python-telegram-bot confirms the updates of one getUpdates answer when it asks for the
next ones, and its webhook answers 200 as soon as an update is queued. Both put every
update into the application's update queue first, and wait for that. This queue stores
the update (sealed) before queueing it, so the confirmation, or the 200, comes only once
the update is on disk. The per-chat processor marks it handled when its handlers finish;
at the next start whatever was stored and not handled is handled then. An update Telegram
sends again (stored, not yet confirmed) is recognised by its id and not handled twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot, Update

from storage.update_inbox import UpdateInboxStore
from storage.urgent_lock import urgent_work

logger = logging.getLogger(__name__)

# An update whose handling crashed the bot this often is dropped, so one poisoned
# update cannot stop the bot from ever starting again.
MAX_REPLAYS = 3
# Telegram keeps an unconfirmed update for 24 hours: its id is remembered twice as long.
HANDLED_IDS_KEPT = timedelta(hours=48)


class PersistentUpdateQueue(asyncio.Queue[object]):
    """The application's update queue; stores each update before queueing it."""

    def __init__(self) -> None:
        super().__init__()
        self._store: UpdateInboxStore | None = None
        self._now: Callable[[], datetime] | None = None

    def attach(self, store: UpdateInboxStore, now: Callable[[], datetime]) -> None:
        """In post_init, once the database is open: from then on updates are stored."""
        self._store = store
        self._now = now

    async def put(self, item: object) -> None:
        if self._store is not None and self._now is not None and isinstance(item, Update):
            try:
                payload = json.dumps(item.to_dict(), ensure_ascii=False)
                # Every update passes here one after another, a /sos among them: storing
                # one is a short write that must not wait behind a burst (urgent_lock.py).
                with urgent_work():
                    stored = await self._store.store(item.update_id, payload, self._now())
                if not stored:
                    logger.debug("update %d arrived again: handled once only", item.update_id)
                    return
            except Exception:
                # Handling it unstored is better than not handling it at all.
                logger.exception("could not store an update before handling it")
        await super().put(item)

    async def mark_handled(self, update: object) -> None:
        if self._store is None or self._now is None or not isinstance(update, Update):
            return
        try:
            await self._store.mark_handled(update.update_id, self._now())
        except Exception:
            # At worst it is handled again after a restart; the handlers tolerate that.
            logger.exception("could not mark an update handled")

    async def replay_unhandled(self, bot: Bot) -> int:
        """At start: queues what was stored and not handled before the bot stopped."""
        if self._store is None or self._now is None:
            return 0
        replayed = 0
        for stored in await self._store.unhandled():
            if stored.replays >= MAX_REPLAYS:
                logger.error("update %d failed %d times: dropped", stored.update_id, stored.replays)
                await self._store.mark_handled(stored.update_id, self._now())
                continue
            await self._store.count_replay(stored.update_id)
            update = Update.de_json(json.loads(stored.payload), bot)
            await super().put(update)
            replayed += 1
        if replayed:
            logger.warning("handling %d update(s) stored before the last stop", replayed)
        return replayed

    async def purge_handled(self) -> int:
        if self._store is None or self._now is None:
            return 0
        return await self._store.purge_handled(self._now() - HANDLED_IDS_KEPT)
