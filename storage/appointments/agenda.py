"""The staff group's agenda: which days went out, and what each agenda message lists.

An agenda message is remembered with the appointments it lists (in order), so that
forget-me can redraw it without the erased note. SQL only, inside the caller's
transaction, except the one read `AgendaDays.sent`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from storage.appointments.records import (
    COLUMNS,
    AgendaMessage,
    fetch_all,
    fetch_one,
    read_appointment,
)
from storage.crypto import TextSealer
from storage.db import Database, Row, to_db_time


class AgendaDays:
    """Reads outside any write."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def sent(self, day: str) -> bool:
        row = await self._db.fetch_one("SELECT 1 FROM agenda_runs WHERE day = ?", (day,))
        return row is not None


class AgendaChanges:
    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer) -> None:
        self._connection = connection
        self._sealer = sealer

    async def claim_day(self, day: str, now: datetime) -> bool:
        """The morning agenda of `day` is claimed once: False if it went out already."""
        cursor = await self._connection.execute(
            "INSERT INTO agenda_runs (day, sent_at) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
            (day, to_db_time(now)),
        )
        return cursor.rowcount > 0

    async def record_message(
        self,
        chat_id: int,
        message_id: int | None,
        day: str,
        with_buttons: bool,
        appointment_ids: Sequence[int],
    ) -> int:
        """An agenda message and what it lists; its id (the outbox ref of its sending)."""
        cursor = await self._connection.execute(
            "INSERT INTO agenda_messages (chat_id, message_id, day, with_buttons) "
            "VALUES (?, ?, ?, ?)",
            (chat_id, message_id, day, int(with_buttons)),
        )
        record_id = cursor.lastrowid
        assert record_id is not None
        await self._insert_entries(record_id, appointment_ids)
        return record_id

    async def set_message_id(self, record_id: int, message_id: int) -> None:
        await self._connection.execute(
            "UPDATE agenda_messages SET message_id = ? WHERE id = ?", (message_id, record_id)
        )

    async def replace_entries(
        self, chat_id: int, message_id: int, day: str, appointment_ids: Sequence[int]
    ) -> None:
        """A delivered agenda message was redrawn (a mark) and now lists these
        appointments: what is known of it is replaced (or recorded, if unknown)."""
        rows = await fetch_all(
            self._connection,
            "SELECT id FROM agenda_messages WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        if not rows:
            if appointment_ids:
                await self.record_message(chat_id, message_id, day, True, appointment_ids)
            return
        for row in rows:
            await self._connection.execute(
                "DELETE FROM agenda_message_entries WHERE agenda_message_id = ?", (row[0],)
            )
            await self._insert_entries(row[0], appointment_ids)

    async def message(self, record_id: int) -> AgendaMessage | None:
        """One recorded agenda message with all it lists as stored now."""
        row = await fetch_one(
            self._connection,
            "SELECT id, chat_id, message_id, day, with_buttons FROM agenda_messages WHERE id = ?",
            (record_id,),
        )
        return await self._with_entries(row) if row is not None else None

    async def messages_listing(self, appointment_ids: Sequence[int]) -> list[AgendaMessage]:
        """Agenda messages (delivered or still queued) that list any of these
        appointments, each with all it lists as stored now."""
        if not appointment_ids:
            return []
        marks = ", ".join("?" * len(appointment_ids))
        rows = await fetch_all(
            self._connection,
            "SELECT DISTINCT m.id, m.chat_id, m.message_id, m.day, m.with_buttons "
            "FROM agenda_messages m JOIN agenda_message_entries e ON e.agenda_message_id = m.id "
            f"WHERE e.appointment_id IN ({marks}) ORDER BY m.id",
            tuple(appointment_ids),
        )
        return [await self._with_entries(row) for row in rows]

    async def _with_entries(self, row: Row) -> AgendaMessage:
        record_id, chat_id, message_id, day, with_buttons = tuple(row)
        # What /agenda would list now: booked appointments only. One cancelled since the
        # message was sent (or by the forget-me that redraws it) drops out of the redraw.
        entries = await fetch_all(
            self._connection,
            f"SELECT {COLUMNS} FROM agenda_message_entries e "
            "JOIN appointments a ON a.id = e.appointment_id "
            "WHERE e.agenda_message_id = ? AND a.status = 'booked' ORDER BY e.position",
            (record_id,),
        )
        return AgendaMessage(
            record_id,
            chat_id,
            message_id,
            day,
            bool(with_buttons),
            tuple(read_appointment(entry, self._sealer) for entry in entries),
        )

    async def _insert_entries(self, record_id: int, appointment_ids: Sequence[int]) -> None:
        await self._connection.executemany(
            "INSERT OR IGNORE INTO agenda_message_entries "
            "(agenda_message_id, appointment_id, position) VALUES (?, ?, ?)",
            [(record_id, appointment_id, n) for n, appointment_id in enumerate(appointment_ids)],
        )
