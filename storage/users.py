"""People who wrote to the bot: their language and their consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.language import Language
from storage.db import Database, Row, maybe_from_db_time, to_db_time


@dataclass(frozen=True)
class User:
    user_id: int
    language: Language
    consented_at: datetime | None
    # The centre she chose (None: not chosen yet, or the region has one centre).
    center_id: str | None = None

    @property
    def has_consented(self) -> bool:
        return self.consented_at is not None


def _user(row: Row) -> User:
    language: Language = "kk" if row["language"] == "kk" else "ru"
    return User(row["user_id"], language, maybe_from_db_time(row["consented_at"]), row["center_id"])


class UserRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> User | None:
        row = await self._db.fetch_one(
            "SELECT user_id, language, consented_at, center_id FROM users WHERE user_id = ?",
            (user_id,),
        )
        return _user(row) if row else None

    async def set_language(self, user_id: int, language: Language, now: datetime) -> User:
        """Creates the user on first choice; the language is all we keep before consent."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO users (user_id, language, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
                (user_id, language, to_db_time(now)),
            )
            cursor = await connection.execute(
                "SELECT user_id, language, consented_at, center_id FROM users WHERE user_id = ?",
                (user_id,),
            )
            row = await cursor.fetchone()
        assert row is not None
        return _user(row)

    async def give_consent(self, user_id: int, now: datetime) -> bool:
        """Records consent once; False when the user has no row (chose no language yet)."""
        changed = await self._db.execute(
            "UPDATE users SET consented_at = COALESCE(consented_at, ?) WHERE user_id = ?",
            (to_db_time(now), user_id),
        )
        return changed > 0

    async def set_center(self, user_id: int, center_id: str) -> bool:
        """Stores her centre; False when she has no row yet."""
        changed = await self._db.execute(
            "UPDATE users SET center_id = ? WHERE user_id = ?", (center_id, user_id)
        )
        return changed > 0

    async def withdraw_consent(self, user_id: int) -> None:
        await self._db.execute("UPDATE users SET consented_at = NULL WHERE user_id = ?", (user_id,))


async def language_of(connection: aiosqlite.Connection, user_id: int) -> Language | None:
    """Inside a write: the language the person chose, None if she is not (or no longer) known."""
    async with connection.execute(
        "SELECT language FROM users WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return "kk" if row[0] == "kk" else "ru"


async def erase_user(connection: aiosqlite.Connection, user_id: int) -> None:
    """Inside the forget-me transaction: the user row and the ids of their chat."""
    await connection.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
    await connection.execute("DELETE FROM message_log WHERE chat_id = ?", (user_id,))
