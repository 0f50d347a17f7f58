"""Ids of private-chat messages, kept for the quick exit and for 48 hours at most."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.db import Database, to_db_time

_SLICE = 500


class MessageLogRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_consented(
        self, entries: Iterable[tuple[int, int, datetime]]
    ) -> list[tuple[int, int, datetime]]:
        """Stores the ids of chats whose user consented; returns the others, unstored
        (before consent nothing but the language is kept)."""
        entries = list(entries)
        if not entries:
            return []
        chats = sorted({chat_id for chat_id, _, _ in entries})
        consented: set[int] = set()
        async with self._db.transaction() as connection:
            # In slices: SQLite limits the number of parameters of one statement.
            for start in range(0, len(chats), _SLICE):
                part = chats[start : start + _SLICE]
                cursor = await connection.execute(
                    "SELECT user_id FROM users "
                    f"WHERE consented_at IS NOT NULL AND user_id IN ({','.join('?' * len(part))})",
                    part,
                )
                consented |= {row[0] for row in await cursor.fetchall()}
                await cursor.close()
            await connection.executemany(
                "INSERT OR IGNORE INTO message_log (chat_id, message_id, at) VALUES (?, ?, ?)",
                [(c, m, to_db_time(at)) for c, m, at in entries if c in consented],
            )
        return [entry for entry in entries if entry[0] not in consented]

    async def ids_since(self, chat_id: int, since: datetime) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT message_id FROM message_log WHERE chat_id = ? AND at >= ? ORDER BY message_id",
            (chat_id, to_db_time(since)),
        )
        return [row["message_id"] for row in rows]

    async def forget_chat(self, chat_id: int) -> None:
        await self._db.execute("DELETE FROM message_log WHERE chat_id = ?", (chat_id,))

    async def purge_before(self, before: datetime) -> int:
        return await self._db.execute("DELETE FROM message_log WHERE at < ?", (to_db_time(before),))
