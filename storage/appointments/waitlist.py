"""The waitlist of full slots (storage/migrations/0014_waitlist.sql): SQL only, inside the
caller's transaction. A held seat counts as taken in seats.py's conditional statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.appointments.records import fetch_all, fetch_one
from storage.db import Row, from_db_time, maybe_from_db_time, to_db_time


@dataclass(frozen=True)
class WaitlistEntry:
    id: int
    user_id: int
    service_id: str
    starts_at: datetime
    ends_at: datetime
    held_until: datetime | None
    # When a held seat's offer goes out (it waits for the end of quiet hours); None: sent.
    offer_at: datetime | None = None


def _entry(row: Row) -> WaitlistEntry:
    return WaitlistEntry(
        id=row["id"],
        user_id=row["user_id"],
        service_id=row["service_id"],
        starts_at=from_db_time(row["starts_at"]),
        ends_at=from_db_time(row["ends_at"]),
        held_until=maybe_from_db_time(row["held_until"]),
        offer_at=maybe_from_db_time(row["offer_at"]),
    )


_COLUMNS = "id, user_id, service_id, starts_at, ends_at, held_until, offer_at"


class WaitlistChanges:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def join(
        self, user_id: int, service_id: str, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> bool:
        """False when she waits for this slot already."""
        cursor = await self._connection.execute(
            "INSERT OR IGNORE INTO waitlist (user_id, service_id, starts_at, ends_at, joined_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (user_id, service_id, to_db_time(starts_at), to_db_time(ends_at), to_db_time(now)),
        )
        return cursor.rowcount > 0

    async def seats_taken(self, service_id: str, starts_at: datetime, now: datetime) -> int:
        """Booked seats and live holds of one slot."""
        row = await fetch_one(
            self._connection,
            "SELECT (SELECT COUNT(*) FROM appointments WHERE service_id = ? AND starts_at = ? "
            "AND status = 'booked') + (SELECT COUNT(*) FROM waitlist WHERE service_id = ? "
            "AND starts_at = ? AND held_until > ?)",
            (service_id, to_db_time(starts_at), service_id, to_db_time(starts_at), to_db_time(now)),
        )
        return int(row[0]) if row else 0

    async def first_waiting(self, service_id: str, starts_at: datetime) -> WaitlistEntry | None:
        """The longest-waiting person of a slot who has no offer yet."""
        row = await fetch_one(
            self._connection,
            f"SELECT {_COLUMNS} FROM waitlist WHERE service_id = ? AND starts_at = ? "
            "AND held_until IS NULL ORDER BY id LIMIT 1",
            (service_id, to_db_time(starts_at)),
        )
        return _entry(row) if row else None

    async def hold(self, entry_id: int, until: datetime, offer_at: datetime | None = None) -> None:
        """The seat is hers until `until`; `offer_at`: her offer goes out later (None: it
        goes now, or went)."""
        await self._connection.execute(
            "UPDATE waitlist SET held_until = ?, offer_at = ? WHERE id = ?",
            (to_db_time(until), to_db_time(offer_at) if offer_at else None, entry_id),
        )

    async def due_offers(self, now: datetime) -> list[WaitlistEntry]:
        """Held seats whose offer was kept for the morning and may go out now."""
        rows = await fetch_all(
            self._connection,
            f"SELECT {_COLUMNS} FROM waitlist WHERE offer_at IS NOT NULL AND offer_at <= ? "
            "ORDER BY id",
            (to_db_time(now),),
        )
        return [_entry(row) for row in rows]

    async def live_hold(self, entry_id: int, user_id: int, now: datetime) -> WaitlistEntry | None:
        """Her entry with a seat still held for her, else None."""
        row = await fetch_one(
            self._connection,
            f"SELECT {_COLUMNS} FROM waitlist WHERE id = ? AND user_id = ? AND held_until > ?",
            (entry_id, user_id, to_db_time(now)),
        )
        return _entry(row) if row else None

    async def remove(self, entry_id: int) -> None:
        await self._connection.execute("DELETE FROM waitlist WHERE id = ?", (entry_id,))

    async def take_expired(self, now: datetime) -> list[WaitlistEntry]:
        """Holds that ran out, and entries of slots that started: deleted, returned."""
        rows = await fetch_all(
            self._connection,
            f"DELETE FROM waitlist WHERE held_until <= ? OR starts_at <= ? RETURNING {_COLUMNS}",
            (to_db_time(now), to_db_time(now)),
        )
        return [_entry(row) for row in rows]

    async def take_user(self, user_id: int) -> list[WaitlistEntry]:
        """Forget-me: her entries, deleted, returned (a seat she held frees)."""
        rows = await fetch_all(
            self._connection,
            f"DELETE FROM waitlist WHERE user_id = ? RETURNING {_COLUMNS}",
            (user_id,),
        )
        return [_entry(row) for row in rows]
