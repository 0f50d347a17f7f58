"""One write boundary: a change and the messages it causes commit together.

    async with services.write() as tx:
        ...the change, through tx.connection and the stores bound to it...
        await tx.outbox.add(chat_id=..., method="sendMessage", params=..., purpose=...)

The outbox rows exist if and only if the change does. After COMMIT, and only then, the
unit of work calls its `after_commit` hook (the bot wakes delivery there), so no caller
ever wakes delivery by hand and no message waits for an unrelated wake-up. A write
started inside another write of the same task raises NestedWriteError at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiosqlite

from storage.crypto import TextSealer
from storage.db import Database
from storage.outbox import enqueue


class OutboxWriter:
    """Adds messages to the outbox inside one transaction and counts them."""

    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer, now: datetime):
        self._connection = connection
        self._sealer = sealer
        self._now = now
        self.added = 0

    async def add(
        self,
        *,
        chat_id: int,
        method: str,
        params: dict[str, Any],
        purpose: str,
        ref: int | None = None,
        priority: int = 0,
    ) -> int:
        item_id = await enqueue(
            self._connection,
            self._sealer,
            chat_id=chat_id,
            method=method,
            params=params,
            purpose=purpose,
            ref=ref,
            now=self._now,
            priority=priority,
        )
        self.added += 1
        return item_id


class Transaction:
    """One write in progress: its connection, its moment and its outbox."""

    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer, now: datetime):
        self.connection = connection
        self.sealer = sealer
        self.now = now
        self.outbox = OutboxWriter(connection, sealer, now)


class UnitOfWork:
    def __init__(
        self,
        db: Database,
        sealer: TextSealer,
        now: Callable[[], datetime],
        after_commit: Callable[[], None],
    ) -> None:
        self._db = db
        self._sealer = sealer
        self._now = now
        self._after_commit = after_commit

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        async with self._db.transaction() as connection:
            transaction = Transaction(connection, self._sealer, self._now())
            yield transaction
        # Committed. Rows enqueued with the bare `enqueue` are not counted, so delivery is
        # woken after every write: a wake with nothing new costs one indexed read.
        self._after_commit()
