"""Ids of private-chat messages, kept for the quick exit and for 48 hours at most."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.db import Database, to_db_time


class MessageLogRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_many(self, entries: Iterable[tuple[int, int, datetime]]) -> None:
        rows = [(chat_id, message_id, to_db_time(at)) for chat_id, message_id, at in entries]
        if rows:
            await self._db.execute_many(
                "INSERT OR IGNORE INTO message_log (chat_id, message_id, at) VALUES (?, ?, ?)", rows
            )

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
