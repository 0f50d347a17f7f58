"""No update is lost in a crash: each is stored before Telegram hears it arrived.

python-telegram-bot confirms the updates of one getUpdates answer when it asks for the
next ones, and its webhook answers 200 as soon as an update is queued. Both put every
update into the application's update queue first, and wait for that. This queue stores
the update (sealed) before queueing it, so the confirmation, or the 200, comes only once
the update is on disk. The per-chat processor marks it handled when its handlers finish;
at the next start whatever was stored and not handled is handled then. An update Telegram
sends again (stored, not yet confirmed) is recognised by its id and not handled twice.

With polling (``batching``), the updates of one getUpdates answer are stored together, in
one transaction, and queued once stored; the next getUpdates, which confirms them, waits
for that (``stored``, called by the bot before it asks). One by one, 120 texts took some
120 ms to store before a /sos right behind them was even queued. A webhook's update is
stored before its 200, as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, Update
from telegram.request import HTTPXRequest

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
        # Polling: updates stored in batches before the next getUpdates (see the module doc).
        self.batching = False
        self._batch: list[tuple[Update, str]] = []
        self._storing: asyncio.Task[None] | None = None

    def attach(self, store: UpdateInboxStore, now: Callable[[], datetime]) -> None:
        """In post_init, once the database is open: from then on updates are stored."""
        self._store = store
        self._now = now

    async def put(self, item: object) -> None:
        if self.batching and self._store is not None and isinstance(item, Update):
            try:
                payload = json.dumps(item.to_dict(), ensure_ascii=False)
            except Exception:
                logger.exception("could not store an update before handling it")
                await super().put(item)
                return
            self._batch.append((item, payload))
            if self._storing is None or self._storing.done():
                self._storing = asyncio.create_task(self._store_batches())
            return
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

    async def stored(self) -> None:
        """Until every update put so far is stored and queued (before getUpdates confirms)."""
        while self._storing is not None and not self._storing.done():
            await asyncio.shield(self._storing)

    async def _store_batches(self) -> None:
        while self._batch and self._store is not None and self._now is not None:
            batch, self._batch = self._batch, []
            try:
                with urgent_work():
                    fresh = await self._store.store_many(
                        [(update.update_id, payload) for update, payload in batch], self._now()
                    )
            except Exception:
                # Handling them unstored is better than not handling them at all.
                logger.exception("could not store updates before handling them")
                fresh = {update.update_id for update, _ in batch}
            for update, _ in batch:
                if update.update_id in fresh:
                    self.put_nowait(update)
                else:
                    logger.debug("update %d arrived again: handled once only", update.update_id)

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


class StoredFirstRequest(HTTPXRequest):
    """The transport of getUpdates: it asks only once the last answer's updates are stored
    (asking again is what confirms them to Telegram)."""

    def __init__(self, update_queue: PersistentUpdateQueue, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._update_queue = update_queue

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await self._update_queue.stored()
        return await super().do_request(*args, **kwargs)
