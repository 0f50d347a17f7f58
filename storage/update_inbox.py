"""Updates held until handled: stored before Telegram is told they arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.crypto import TextSealer
from storage.db import Database, to_db_time


@dataclass(frozen=True)
class StoredUpdate:
    update_id: int
    payload: str  # the update as JSON
    replays: int


class UpdateInboxStore:
    def __init__(self, db: Database, sealer: TextSealer) -> None:
        self._db = db
        self._sealer = sealer

    async def store(self, update_id: int, payload: str, now: datetime) -> bool:
        """False when the update was seen before (handled, or stored and not yet handled)."""
        # Every update passes here before it is handled: one statement, one round trip.
        changed = await self._db.execute_alone(
            "INSERT OR IGNORE INTO update_inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
            (update_id, self._sealer.seal(payload), to_db_time(now)),
        )
        return changed > 0

    async def store_many(self, updates: list[tuple[int, str]], now: datetime) -> set[int]:
        """Stores a getUpdates answer's updates in one transaction; the ids not seen before."""
        fresh: set[int] = set()
        async with self._db.transaction() as connection:
            for update_id, payload in updates:
                cursor = await connection.execute(
                    "INSERT OR IGNORE INTO update_inbox (update_id, payload, received_at) "
                    "VALUES (?, ?, ?)",
                    (update_id, self._sealer.seal(payload), to_db_time(now)),
                )
                if cursor.rowcount > 0:
                    fresh.add(update_id)
        return fresh

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        await self._db.execute_alone(
            "UPDATE update_inbox SET payload = NULL, handled_at = ? WHERE update_id = ?",
            (to_db_time(now), update_id),
        )

    async def unhandled(self) -> list[StoredUpdate]:
        rows = await self._db.fetch_all(
            "SELECT update_id, payload, replays FROM update_inbox "
            "WHERE handled_at IS NULL ORDER BY update_id"
        )
        return [
            StoredUpdate(row["update_id"], self._sealer.open(row["payload"]), row["replays"])
            for row in rows
        ]

    async def count_replay(self, update_id: int) -> None:
        await self._db.execute(
            "UPDATE update_inbox SET replays = replays + 1 WHERE update_id = ?", (update_id,)
        )

    async def purge_handled(self, before: datetime) -> int:
        return await self._db.execute(
            "DELETE FROM update_inbox WHERE handled_at IS NOT NULL AND handled_at < ?",
            (to_db_time(before),),
        )
