"""Contact safety SQL: when she left in a hurry, the hours she said are safe, and holding
the outbox rows to her that the rule (bot/domain/contact_safety.py) keeps back."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain.contact_safety import ContactSafety, SafeHours
from bot.domain.slots import TimeRange
from storage.db import Database, Row, maybe_from_db_time, to_db_time

if TYPE_CHECKING:
    from storage.unit_of_work import Transaction

_COLUMNS = "left_at, safe_from, safe_until, weekdays_only"


def _safety(row: Row | None) -> ContactSafety:
    if row is None:
        return ContactSafety()
    hours = None
    if row["safe_from"] is not None and row["safe_until"] is not None:
        window = TimeRange(
            time.fromisoformat(row["safe_from"]), time.fromisoformat(row["safe_until"])
        )
        hours = SafeHours(window, weekdays_only=bool(row["weekdays_only"]))
    return ContactSafety(left_at=maybe_from_db_time(row["left_at"]), safe_hours=hours)


class ContactSafetyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> ContactSafety:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM contact_safety WHERE user_id = ?", (user_id,)
        )
        return _safety(row)

    async def who_left(self) -> set[int]:
        """Everyone whose quick exit still holds messages (until they write)."""
        rows = await self._db.fetch_all(
            "SELECT user_id FROM contact_safety WHERE left_at IS NOT NULL"
        )
        return {int(row[0]) for row in rows}


class ContactSafetyStore:
    """Bound to one open write."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    @classmethod
    def of(cls, tx: Transaction) -> ContactSafetyStore:
        return cls(tx.connection)

    async def get(self, user_id: int) -> ContactSafety:
        cursor = await self._connection.execute(
            f"SELECT {_COLUMNS} FROM contact_safety WHERE user_id = ?", (user_id,)
        )
        row = await cursor.fetchone()
        await cursor.close()
        return _safety(row)

    async def note_left(self, user_id: int, at: datetime) -> None:
        await self._connection.execute(
            "INSERT INTO contact_safety (user_id, left_at) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET left_at = excluded.left_at",
            (user_id, to_db_time(at)),
        )

    async def heard_from(self, user_id: int) -> bool:
        """She wrote: a quick exit holds nothing any more. True if it held something."""
        cursor = await self._connection.execute(
            "UPDATE contact_safety SET left_at = NULL WHERE user_id = ? AND left_at IS NOT NULL",
            (user_id,),
        )
        if cursor.rowcount == 0:
            return False
        await self.look_again(user_id)
        return True

    async def set_hours(self, user_id: int, hours: SafeHours | None) -> None:
        window = hours.window if hours is not None else None
        await self._connection.execute(
            "INSERT INTO contact_safety (user_id, safe_from, safe_until, weekdays_only) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
            "safe_from = excluded.safe_from, safe_until = excluded.safe_until, "
            "weekdays_only = excluded.weekdays_only",
            (
                user_id,
                window.start.strftime("%H:%M") if window else None,
                window.end.strftime("%H:%M") if window else None,
                1 if hours is not None and hours.weekdays_only else 0,
            ),
        )
        await self.look_again(user_id)

    async def look_again(self, user_id: int) -> None:
        """Her held messages are judged afresh at once (her state changed)."""
        await self._connection.execute(
            "UPDATE outbox SET not_before = NULL WHERE chat_id = ? AND status = 'pending' "
            "AND not_before IS NOT NULL",
            (user_id,),
        )


async def erase_contact_safety(connection: aiosqlite.Connection, user_id: int) -> None:
    """Inside the forget-me transaction."""
    await connection.execute("DELETE FROM contact_safety WHERE user_id = ?", (user_id,))
