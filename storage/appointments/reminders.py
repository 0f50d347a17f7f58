"""Appointment reminders: planned with the appointment, claimed when due (SQL only).

Every function works inside the caller's transaction: a reminder is marked sent in the
same transaction as its outbox row, so a crash can lose neither and repeat neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import aiosqlite

from bot.domain.language import Language
from storage.appointments.records import COLUMNS, DueReminder, fetch_all, read_appointment
from storage.crypto import TextSealer
from storage.db import from_db_time, to_db_time


class ReminderChanges:
    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer) -> None:
        self._connection = connection
        self._sealer = sealer

    async def plan(
        self, appointment_id: int, reminders: Sequence[tuple[timedelta, datetime]]
    ) -> None:
        """(offset, due time) pairs from bot.domain.reminder_schedule.reminder_due_times."""
        await self._connection.executemany(
            "INSERT INTO appointment_reminders (appointment_id, offset_seconds, due_at) "
            "VALUES (?, ?, ?)",
            [
                (appointment_id, int(offset.total_seconds()), to_db_time(due))
                for offset, due in reminders
            ],
        )

    async def drop_planned(self, appointment_id: int, now: datetime) -> None:
        await self._connection.execute(
            "UPDATE appointment_reminders SET status = 'skipped', done_at = ? "
            "WHERE appointment_id = ? AND status = 'planned'",
            (to_db_time(now), appointment_id),
        )

    async def due(self, now: datetime, *, limit: int) -> list[DueReminder]:
        """Up to `limit` planned reminders due by `now`, oldest first."""
        rows = await fetch_all(
            self._connection,
            f"SELECT r.id AS reminder_id, r.offset_seconds, r.due_at, u.language, {COLUMNS} "
            "FROM appointment_reminders r JOIN appointments a ON a.id = r.appointment_id "
            "LEFT JOIN users u ON u.user_id = a.user_id "
            "WHERE r.status = 'planned' AND r.due_at <= ? ORDER BY r.due_at, r.id LIMIT ?",
            (to_db_time(now), limit),
        )
        found = []
        for row in rows:
            language: Language | None = (
                None if row["language"] is None else "kk" if row["language"] == "kk" else "ru"
            )
            found.append(
                DueReminder(
                    reminder_id=row["reminder_id"],
                    appointment=read_appointment(row, self._sealer),
                    language=language,
                    offset=timedelta(seconds=row["offset_seconds"]),
                    due_at=from_db_time(row["due_at"]),
                )
            )
        return found

    async def mark_sent(self, reminder_id: int, outbox_id: int, now: datetime) -> None:
        await self._connection.execute(
            "UPDATE appointment_reminders SET status = 'sent', done_at = ?, outbox_id = ? "
            "WHERE id = ? AND status = 'planned'",
            (to_db_time(now), outbox_id, reminder_id),
        )

    async def mark_skipped(self, reminder_id: int, now: datetime) -> None:
        await self._connection.execute(
            "UPDATE appointment_reminders SET status = 'skipped', done_at = ? "
            "WHERE id = ? AND status = 'planned'",
            (to_db_time(now), reminder_id),
        )
