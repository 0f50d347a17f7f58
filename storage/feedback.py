"""Feedback SQL: questions asked, anonymous answers and lines, the quick-exit times.

An answer is stored without any id, and its question row goes in the same transaction
(`FeedbackStore.answer`), so nothing links a stored answer to a person.
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
class StoredFeedback:
    """One anonymous answer: its day, what it was about, the answer."""

    given_on: datetime
    about: str
    answer: str


class FeedbackStore:
    """Bound to one open write."""

    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer) -> None:
        self._connection = connection
        self._sealer = sealer

    @classmethod
    def of(cls, tx: Transaction) -> FeedbackStore:
        return cls(tx.connection, tx.sealer)

    async def used_quick_exit_since(self, user_id: int, since: datetime) -> bool:
        cursor = await self._connection.execute(
            "SELECT 1 FROM quick_exits WHERE user_id = ? AND at >= ?",
            (user_id, to_db_time(since)),
        )
        return await cursor.fetchone() is not None

    async def chose_discreet_reminders(self, user_id: int) -> bool:
        """She chose reminders that do not name the service for one of her appointments.

        Read from the appointments table (storage/migrations/0005): the booking flow asks
        every time, and a discreet choice anywhere means the phone may not be hers alone.
        """
        cursor = await self._connection.execute(
            "SELECT 1 FROM appointments WHERE user_id = ? AND name_in_reminders = 0 LIMIT 1",
            (user_id,),
        )
        return await cursor.fetchone() is not None

    async def ask(self, *, token: str, user_id: int, about: str, now: datetime) -> None:
        await self._connection.execute(
            "INSERT INTO feedback_asks (token, user_id, about, asked_at) VALUES (?, ?, ?, ?)",
            (token, user_id, about, to_db_time(now)),
        )

    async def answer(self, *, token: str, user_id: int, answer: str, day: datetime) -> str | None:
        """Stores the answer with no id and drops its question; what it was about, or None
        if there is no such question for this person (answered already, or expired)."""
        cursor = await self._connection.execute(
            "DELETE FROM feedback_asks WHERE token = ? AND user_id = ? RETURNING about",
            (token, user_id),
        )
        row = await cursor.fetchone()
        await cursor.close()
        if row is None:
            return None
        about = str(row[0])
        await self._connection.execute(
            "INSERT INTO feedback (about, answer, given_on) VALUES (?, ?, ?)",
            (about, answer, to_db_time(day)),
        )
        return about

    async def add_comment(self, *, about: str, body: str, day: datetime) -> None:
        await self._connection.execute(
            "INSERT INTO feedback_comments (about, body, given_on) VALUES (?, ?, ?)",
            (about, self._sealer.seal(body), to_db_time(day)),
        )


async def note_quick_exit(connection: aiosqlite.Connection, user_id: int, at: datetime) -> None:
    await connection.execute(
        "INSERT INTO quick_exits (user_id, at) VALUES (?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET at = excluded.at",
        (user_id, to_db_time(at)),
    )


async def erase_feedback_of_user(connection: aiosqlite.Connection, user_id: int) -> None:
    """Forget me: open questions and the quick-exit time (answers hold no id already)."""
    await connection.execute("DELETE FROM feedback_asks WHERE user_id = ?", (user_id,))
    await connection.execute("DELETE FROM quick_exits WHERE user_id = ?", (user_id,))


class FeedbackRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def note_quick_exit(self, user_id: int, at: datetime) -> None:
        async with self._db.transaction() as connection:
            await note_quick_exit(connection, user_id, at)

    async def answers(self, start: datetime, end: datetime) -> list[StoredFeedback]:
        rows = await self._db.fetch_all(
            "SELECT given_on, about, answer FROM feedback "
            "WHERE given_on >= ? AND given_on < ? ORDER BY given_on, id",
            (to_db_time(start), to_db_time(end)),
        )
        return [StoredFeedback(from_db_time(r[0]), r[1], r[2]) for r in rows]

    async def purge(self, *, asked_before: datetime, comments_before: datetime) -> int:
        """Unanswered questions and quick-exit times older than a week; old lines of text."""
        async with self._db.transaction() as connection:
            erased = 0
            for sql, moment in (
                ("DELETE FROM feedback_asks WHERE asked_at < ?", asked_before),
                ("DELETE FROM quick_exits WHERE at < ?", asked_before),
                ("DELETE FROM feedback_comments WHERE given_on < ?", comments_before),
            ):
                cursor = await connection.execute(sql, (to_db_time(moment),))
                erased += cursor.rowcount
        return erased
