"""The outbox: what must reach Telegram, stored before anyone is told it was sent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.crypto import TextSealer
from storage.db import Database, Row, from_db_time, to_db_time


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    method: str
    params: dict[str, Any]
    purpose: str
    ref: int | None
    attempts: int
    created_at: datetime
    # 1: about an urgent case; it goes before ordinary messages, in the chat and overall.
    priority: int = 0


async def enqueue(
    connection: aiosqlite.Connection,
    sealer: TextSealer,
    *,
    chat_id: int,
    method: str,
    params: dict[str, Any],
    purpose: str,
    ref: int | None,
    now: datetime,
    priority: int = 0,
) -> int:
    """Adds a message inside the caller's transaction, so it exists iff the change does.

    Within one chat, messages go out by priority (urgent = 1), then in the order added."""
    payload = sealer.seal(json.dumps({"chat_id": chat_id, **params}, ensure_ascii=False))
    cursor = await connection.execute(
        "INSERT INTO outbox (chat_id, method, payload, purpose, ref, created_at, priority) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (chat_id, method, payload, purpose, ref, to_db_time(now), priority),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


# Not held, or held until a moment that has come (a NULL moment: no filter).
_RELEASED = "(? IS NULL OR not_before IS NULL OR not_before <= ?)"


def _released_params(now: datetime | None) -> tuple[str | None, str | None]:
    moment = None if now is None else to_db_time(now)
    return moment, moment


class OutboxRepository:
    def __init__(self, db: Database, sealer: TextSealer) -> None:
        self._db = db
        self._sealer = sealer

    async def lanes_with_pending(self, now: datetime | None = None) -> list[tuple[int, int]]:
        """(chat, priority) pairs with pending messages, urgent ones first; with `now`,
        messages held for her safety until later do not count."""
        rows = await self._db.fetch_all(
            "SELECT chat_id, priority, MIN(id) AS first FROM outbox "
            f"WHERE status = 'pending' AND {_RELEASED} "
            "GROUP BY chat_id, priority ORDER BY priority DESC, first",
            _released_params(now),
        )
        return [(row["chat_id"], row["priority"]) for row in rows]

    async def next_for_chat(
        self, chat_id: int, priority: int | None = None, now: datetime | None = None
    ) -> OutboxItem | None:
        """The next pending message of a chat (of one priority, if given); with `now`, not
        one held for her safety until later."""
        row = await self._db.fetch_one(
            "SELECT id, chat_id, method, payload, purpose, ref, attempts, created_at, priority "
            f"FROM outbox WHERE status = 'pending' AND chat_id = ? AND {_RELEASED} "
            "AND (? IS NULL OR priority = ?) ORDER BY priority DESC, id LIMIT 1",
            (chat_id, *_released_params(now), priority, priority),
        )
        return None if row is None else self._item(row)

    async def lane_head(
        self, chat_id: int, priority: int, limit: int, now: datetime | None = None
    ) -> list[OutboxItem]:
        """The first pending messages of one chat and priority, in sending order; with
        `now`, none held for her safety until later."""
        rows = await self._db.fetch_all(
            "SELECT id, chat_id, method, payload, purpose, ref, attempts, created_at, priority "
            f"FROM outbox WHERE status = 'pending' AND chat_id = ? AND priority = ? "
            f"AND {_RELEASED} ORDER BY id LIMIT ?",
            (chat_id, priority, *_released_params(now), limit),
        )
        return [self._item(row) for row in rows]

    def _item(self, row: Row) -> OutboxItem:
        return OutboxItem(
            id=row["id"],
            chat_id=row["chat_id"],
            method=row["method"],
            params=json.loads(self._sealer.open(row["payload"])),
            purpose=row["purpose"],
            ref=row["ref"],
            attempts=row["attempts"],
            created_at=from_db_time(row["created_at"]),
            priority=row["priority"],
        )

    async def lane(self, chat_id: int, priority: int) -> list[tuple[int, str, int | None]]:
        """The pending messages of one chat and priority in sending order: (id, purpose, ref)."""
        rows = await self._db.fetch_all(
            "SELECT id, purpose, ref FROM outbox WHERE status = 'pending' AND chat_id = ? "
            "AND priority = ? ORDER BY id",
            (chat_id, priority),
        )
        return [(row["id"], row["purpose"], row["ref"]) for row in rows]

    async def hold(self, item_id: int, until: datetime) -> None:
        """Not looked at again before `until` (her safety, bot/contact_safety.py)."""
        await self._db.execute(
            "UPDATE outbox SET not_before = ? WHERE id = ? AND status = 'pending'",
            (to_db_time(until), item_id),
        )

    async def held_due(self, now: datetime) -> bool:
        """Whether a held message's time has come (delivery must look again)."""
        row = await self._db.fetch_one(
            "SELECT 1 FROM outbox WHERE status = 'pending' AND not_before <= ? LIMIT 1",
            (to_db_time(now),),
        )
        return row is not None

    async def mark_sent(self, item_id: int, message_id: int | None, now: datetime) -> bool:
        """False when the row is gone: forget-me erased it while it was being sent."""
        changed = await self._db.execute(
            "UPDATE outbox SET status = 'sent', sent_message_id = ?, done_at = ?, "
            "attempts = attempts + 1 WHERE id = ?",
            (message_id, to_db_time(now), item_id),
        )
        return changed > 0

    async def mark_retry(self, item_id: int, error: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error, item_id),
        )

    async def mark_failed(self, item_id: int, error: str, now: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, "
            "done_at = ? WHERE id = ?",
            (error, to_db_time(now), item_id),
        )

    async def update_params(self, item_id: int, chat_id: int, params: dict[str, Any]) -> None:
        """Rewrites a pending message (a recreated forum topic gives it a new thread)."""
        payload = self._sealer.seal(json.dumps({"chat_id": chat_id, **params}, ensure_ascii=False))
        await self._db.execute("UPDATE outbox SET payload = ? WHERE id = ?", (payload, item_id))

    async def count(self, status: str) -> int:
        row = await self._db.fetch_one("SELECT COUNT(*) FROM outbox WHERE status = ?", (status,))
        return int(row[0]) if row else 0

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many messages wait, and since when the oldest of them waits."""
        row = await self._db.fetch_one(
            # Held for her safety: waiting on purpose, not a delivery backlog.
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending' "
            "AND not_before IS NULL"
        )
        if row is None or row[1] is None:
            return 0, None
        return int(row[0]), from_db_time(row[1])

    async def purge_done(self, before: datetime) -> int:
        """Delivered or failed messages older than `before` (they may carry user text)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM outbox WHERE status != 'pending' AND done_at < ?",
                (to_db_time(before),),
            )
            return cursor.rowcount


async def erase_refs(
    connection: aiosqlite.Connection, purpose_prefix: str, refs: list[int]
) -> None:
    """Inside the forget-me transaction: every message about these rows, sent or not
    (a sent card still holds the story until the 48-hour purge)."""
    for ref in refs:
        await connection.execute(
            "DELETE FROM outbox WHERE purpose LIKE ? AND ref = ?", (purpose_prefix + "%", ref)
        )


async def erase_chat(connection: aiosqlite.Connection, chat_id: int) -> None:
    """Inside the forget-me transaction: nothing pending to the user, no copy of what was sent."""
    await connection.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,))


@dataclass(frozen=True)
class StoredMessage:
    """An outbox row as it stands: pending, sent (with the message id) or failed."""

    id: int
    status: str
    params: dict[str, Any]
    sent_message_id: int | None


async def messages_with_ref(
    connection: aiosqlite.Connection, sealer: TextSealer, ref: int, purposes: Sequence[str]
) -> list[StoredMessage]:
    """Inside the caller's transaction: the rows of these purposes about one record."""
    marks = ", ".join("?" * len(purposes))
    cursor = await connection.execute(
        "SELECT id, status, payload, sent_message_id FROM outbox "
        f"WHERE ref = ? AND purpose IN ({marks}) ORDER BY id",
        (ref, *purposes),
    )
    rows = list(await cursor.fetchall())
    await cursor.close()
    return [
        StoredMessage(
            id=row[0],
            status=row[1],
            params=json.loads(sealer.open(row[2])),
            sent_message_id=int(row[3]) if row[3] is not None else None,
        )
        for row in rows
    ]


async def rewrite_pending(
    connection: aiosqlite.Connection, sealer: TextSealer, item_id: int, params: dict[str, Any]
) -> None:
    """Inside the caller's transaction: a pending message goes out with these parameters."""
    await connection.execute(
        "UPDATE outbox SET payload = ? WHERE id = ?",
        (sealer.seal(json.dumps(params, ensure_ascii=False)), item_id),
    )


async def delete_message(connection: aiosqlite.Connection, item_id: int) -> None:
    await connection.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
