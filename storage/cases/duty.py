"""Who took the shift by /duty, bound to one open write (the rota is in the config)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from storage.db import to_db_time

if TYPE_CHECKING:
    from storage.unit_of_work import Transaction


class DutyStore:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    @classmethod
    def of(cls, tx: Transaction) -> DutyStore:
        return cls(tx.connection)

    async def take(
        self, user_id: int, name: str, now: datetime, center_id: str | None = None
    ) -> None:
        await self._connection.execute(
            "INSERT INTO manual_duty (user_id, name, since, center_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, since = excluded.since, "
            "center_id = excluded.center_id",
            (user_id, name, to_db_time(now), center_id),
        )

    async def hand_back(self, user_id: int) -> bool:
        cursor = await self._connection.execute(
            "DELETE FROM manual_duty WHERE user_id = ?", (user_id,)
        )
        return cursor.rowcount > 0
