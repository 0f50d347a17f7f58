"""Staff-only SQL of a case: internal notes, handing a case over, who has taken cases.

Bound to one open write like CaseStore; the repository reads outside any write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from storage.crypto import TextSealer
from storage.db import Database, from_db_time, to_db_time

if TYPE_CHECKING:
    from storage.unit_of_work import Transaction


@dataclass(frozen=True)
class CaseNote:
    id: int
    case_id: int
    staff_id: int
    body: str
    created_at: datetime


class CaseNoteStore:
    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer) -> None:
        self._connection = connection
        self._sealer = sealer

    @classmethod
    def of(cls, tx: Transaction) -> CaseNoteStore:
        return cls(tx.connection, tx.sealer)

    async def add(self, *, case_id: int, staff_id: int, body: str, now: datetime) -> int:
        cursor = await self._connection.execute(
            "INSERT INTO case_notes (case_id, staff_id, body, created_at) VALUES (?, ?, ?, ?)",
            (case_id, staff_id, self._sealer.seal(body), to_db_time(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def hand_over(self, case_id: int, staff_id: int, name: str) -> bool:
        """The case's owner changes; only an open, taken case can be handed over."""
        cursor = await self._connection.execute(
            "UPDATE cases SET taken_by = ?, taken_by_name = ? "
            "WHERE id = ? AND status = 'open' AND taken_at IS NOT NULL",
            (staff_id, name, case_id),
        )
        return cursor.rowcount > 0

    async def erase_of_user(self, user_id: int) -> None:
        """Forget-me: the notes go with the case's texts (before the case loses its link)."""
        await self._connection.execute(
            "DELETE FROM case_notes WHERE case_id IN (SELECT id FROM cases WHERE user_id = ?)",
            (user_id,),
        )

    async def erase_closed(self, closed_before: datetime) -> int:
        """Retention: the notes of cases closed before the moment."""
        cursor = await self._connection.execute(
            "DELETE FROM case_notes WHERE case_id IN (SELECT id FROM cases "
            "WHERE status = 'closed' AND closed_at < ?)",
            (to_db_time(closed_before),),
        )
        return cursor.rowcount


class CaseNoteRepository:
    def __init__(self, db: Database, sealer: TextSealer) -> None:
        self._db = db
        self._sealer = sealer

    async def notes(self, case_id: int) -> list[CaseNote]:
        rows = await self._db.fetch_all(
            "SELECT id, case_id, staff_id, body, created_at FROM case_notes "
            "WHERE case_id = ? ORDER BY id",
            (case_id,),
        )
        return [
            CaseNote(r[0], r[1], r[2], self._sealer.open(r[3]), from_db_time(r[4])) for r in rows
        ]

    async def staff_who_took_cases(self, center_id: str | None = None) -> list[int]:
        """Everyone who ever took a case (of `center_id`, when given): known staff for
        "Pass to…"."""
        if center_id is None:
            rows = await self._db.fetch_all(
                "SELECT DISTINCT taken_by FROM cases WHERE taken_by IS NOT NULL"
            )
        else:
            rows = await self._db.fetch_all(
                "SELECT DISTINCT taken_by FROM cases WHERE taken_by IS NOT NULL AND center_id = ?",
                (center_id,),
            )
        return [int(r[0]) for r in rows]
