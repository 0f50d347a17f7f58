"""Appointments and their seats: SQL only, inside the caller's transaction for changes.

Never double-booked: a seat is taken by one conditional INSERT (or UPDATE, for a move)
that counts the booked rows of the slot in the same statement, inside the caller's
BEGIN IMMEDIATE, which holds SQLite's write lock: no other writer, in this process or
another, can slip between the count and the write.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal

import aiosqlite

from bot.domain.codes import new_code
from storage.appointments.records import (
    COLUMNS,
    Appointment,
    Attendance,
    NewAppointment,
    StaffMessage,
    fetch_all,
    fetch_one,
    read_appointment,
)
from storage.crypto import TextSealer
from storage.db import Database, from_db_time, to_db_time

# How many fresh codes to try when one is already taken (1e9 codes: one retry is rare).
_CODE_ATTEMPTS = 10

# Seats held for a waiting person (storage/migrations/0014_waitlist.sql) count as taken:
# (service_id, starts_at, now) as parameters.
HELD_SEATS = (
    "(SELECT COUNT(*) FROM waitlist WHERE service_id = ? AND starts_at = ? AND held_until > ?)"
)
_BY_ID = f"SELECT {COLUMNS} FROM appointments a WHERE a.id = ?"
_BOOKINGS_SINCE = "SELECT COUNT(*) FROM appointments WHERE user_id = ? AND booked_at >= ?"


class AppointmentStore:
    """Reads outside any write (handlers showing lists, counting free seats)."""

    def __init__(self, db: Database, sealer: TextSealer) -> None:
        self._db = db
        self._sealer = sealer

    async def get(self, appointment_id: int) -> Appointment | None:
        row = await self._db.fetch_one(_BY_ID, (appointment_id,))
        return read_appointment(row, self._sealer) if row else None

    async def by_code(self, code: str) -> Appointment | None:
        row = await self._db.fetch_one(
            f"SELECT {COLUMNS} FROM appointments a WHERE a.code = ?", (code,)
        )
        return read_appointment(row, self._sealer) if row else None

    async def upcoming_for_user(self, user_id: int, now: datetime) -> list[Appointment]:
        """Booked appointments that have not ended yet, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM appointments a WHERE a.user_id = ? AND a.status = 'booked' "
            "AND a.ends_at > ? ORDER BY a.starts_at, a.id",
            (user_id, to_db_time(now)),
        )
        return [read_appointment(row, self._sealer) for row in rows]

    async def taken(
        self, service_id: str, since: datetime, until: datetime, now: datetime
    ) -> dict[datetime, int]:
        """Booked and held seats per slot start of one service, for bot.domain.slots."""
        rows = await self._db.fetch_all(
            "SELECT starts_at, COUNT(*) AS seats FROM ("
            "SELECT starts_at FROM appointments "
            "WHERE service_id = ? AND status = 'booked' AND starts_at >= ? AND starts_at < ? "
            "UNION ALL SELECT starts_at FROM waitlist "
            "WHERE service_id = ? AND held_until > ? AND starts_at >= ? AND starts_at < ?"
            ") GROUP BY starts_at",
            (
                service_id,
                to_db_time(since),
                to_db_time(until),
                service_id,
                to_db_time(now),
                to_db_time(since),
                to_db_time(until),
            ),
        )
        return {from_db_time(row["starts_at"]): int(row["seats"]) for row in rows}

    async def booked_between(self, since: datetime, until: datetime) -> list[Appointment]:
        """Booked appointments starting in [since, until): the agenda."""
        rows = await self._db.fetch_all(_BOOKED_BETWEEN, (to_db_time(since), to_db_time(until)))
        return [read_appointment(row, self._sealer) for row in rows]

    async def bookings_since(self, user_id: int, since: datetime) -> int:
        row = await self._db.fetch_one(_BOOKINGS_SINCE, (user_id, to_db_time(since)))
        return int(row[0]) if row else 0

    async def reminders_of(self, appointment_id: int) -> list[tuple[datetime, str]]:
        """(due time, status) of an appointment's reminders, in order (tests, support)."""
        rows = await self._db.fetch_all(
            "SELECT due_at, status FROM appointment_reminders WHERE appointment_id = ? "
            "ORDER BY due_at, id",
            (appointment_id,),
        )
        return [(from_db_time(row["due_at"]), row["status"]) for row in rows]


_BOOKED_BETWEEN = (
    f"SELECT {COLUMNS} FROM appointments a WHERE a.status = 'booked' "
    "AND a.starts_at >= ? AND a.starts_at < ? "
    "ORDER BY a.center_id, a.service_id, a.starts_at, a.id"
)


class SeatChanges:
    """Appointments inside the caller's transaction (services.write())."""

    def __init__(self, connection: aiosqlite.Connection, sealer: TextSealer) -> None:
        self._connection = connection
        self._sealer = sealer

    async def get(self, appointment_id: int) -> Appointment | None:
        row = await fetch_one(self._connection, _BY_ID, (appointment_id,))
        return read_appointment(row, self._sealer) if row else None

    async def bookings_since(self, user_id: int, since: datetime) -> int:
        row = await fetch_one(self._connection, _BOOKINGS_SINCE, (user_id, to_db_time(since)))
        return int(row[0]) if row else 0

    async def booked_between(self, since: datetime, until: datetime) -> list[Appointment]:
        rows = await fetch_all(
            self._connection, _BOOKED_BETWEEN, (to_db_time(since), to_db_time(until))
        )
        return [read_appointment(row, self._sealer) for row in rows]

    async def overlapping(
        self, user_id: int, starts_at: datetime, ends_at: datetime, *, exclude: int | None
    ) -> Appointment | None:
        """The user's booked appointment that overlaps [starts_at, ends_at), if any."""
        row = await fetch_one(
            self._connection,
            f"SELECT {COLUMNS} FROM appointments a WHERE a.user_id = ? AND a.status = 'booked' "
            "AND a.starts_at < ? AND a.ends_at > ? AND a.id IS NOT ? LIMIT 1",
            (user_id, to_db_time(ends_at), to_db_time(starts_at), exclude),
        )
        return read_appointment(row, self._sealer) if row else None

    async def insert_if_free(self, new: NewAppointment, now: datetime) -> Appointment | None:
        """Takes a seat if one is left; None when the slot is full."""
        note = self._sealer.seal(new.note) if new.note else None
        voice_note = self._sealer.seal(new.voice_note) if new.voice_note else None
        starts_at = to_db_time(new.starts_at)
        for _ in range(_CODE_ATTEMPTS):
            try:
                # The count and the insert are one statement: the seat check cannot go stale.
                cursor = await self._connection.execute(
                    "INSERT INTO appointments (code, user_id, center_id, service_id, starts_at, "
                    "ends_at, note, voice_note, name_in_reminders, booked_at) "
                    "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM appointments "
                    f"WHERE service_id = ? AND starts_at = ? AND status = 'booked') + {HELD_SEATS} "
                    "< ?",
                    (
                        new_code(),
                        new.user_id,
                        new.center_id,
                        new.service_id,
                        starts_at,
                        to_db_time(new.ends_at),
                        note,
                        voice_note,
                        int(new.name_in_reminders),
                        to_db_time(now),
                        new.service_id,
                        starts_at,
                        new.service_id,
                        starts_at,
                        to_db_time(now),
                        new.capacity,
                    ),
                )
            except sqlite3.IntegrityError as error:
                if "appointments.code" not in str(error):
                    raise
                continue  # the code exists already: draw another
            if cursor.rowcount == 0:
                return None
            assert cursor.lastrowid is not None
            return await self.get(cursor.lastrowid)
        raise RuntimeError("could not draw an unused booking code")

    async def move_if_free(
        self,
        appointment: Appointment,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        now: datetime,
    ) -> Appointment | None:
        """Takes the new seat before the old one is freed: the seat count of the new slot
        and the move are one UPDATE. None when the slot is full (or the appointment
        changed meanwhile): nothing changed and the user keeps the old time."""
        cursor = await self._connection.execute(
            "UPDATE appointments SET starts_at = ?, ends_at = ?, version = version + 1, "
            "reschedules = reschedules + 1, confirmed_at = NULL "
            "WHERE id = ? AND status = 'booked' AND version = ? AND (SELECT COUNT(*) "
            "FROM appointments WHERE service_id = ? AND starts_at = ? AND status = 'booked') "
            f"+ {HELD_SEATS} < ?",
            (
                to_db_time(starts_at),
                to_db_time(ends_at),
                appointment.id,
                appointment.version,
                appointment.service_id,
                to_db_time(starts_at),
                appointment.service_id,
                to_db_time(starts_at),
                to_db_time(now),
                capacity,
            ),
        )
        if cursor.rowcount == 0:
            return None
        return await self.get(appointment.id)

    async def cancel(self, appointment_id: int, *, by: str, now: datetime) -> Appointment:
        """Frees the seat at once; `by` is who cancelled ('user', 'forget'). A note goes
        with a forget-me cancellation (a voice note too)."""
        erase_note = ", note = NULL, voice_note = NULL" if by == "forget" else ""
        await self._connection.execute(
            f"UPDATE appointments SET status = 'cancelled', cancelled_at = ?, "
            f"cancelled_by = ?{erase_note} WHERE id = ? AND status = 'booked'",
            (to_db_time(now), by, appointment_id),
        )
        cancelled = await self.get(appointment_id)
        assert cancelled is not None
        return cancelled

    async def confirm_coming(self, appointment_id: int, now: datetime) -> Appointment:
        await self._connection.execute(
            "UPDATE appointments SET confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ?",
            (to_db_time(now), appointment_id),
        )
        confirmed = await self.get(appointment_id)
        assert confirmed is not None
        return confirmed

    async def set_attendance(
        self, appointment_id: int, mark: Attendance, now: datetime
    ) -> Appointment:
        await self._connection.execute(
            "UPDATE appointments SET attendance = ?, attendance_at = ? WHERE id = ?",
            (mark, to_db_time(now), appointment_id),
        )
        marked = await self.get(appointment_id)
        assert marked is not None
        return marked

    # ------------------------------------------------------------------ forget-me

    async def future_of_user(self, user_id: int, now: datetime) -> list[Appointment]:
        rows = await fetch_all(
            self._connection,
            f"SELECT {COLUMNS} FROM appointments a WHERE a.user_id = ? "
            "AND a.status = 'booked' AND a.starts_at > ?",
            (user_id, to_db_time(now)),
        )
        return [read_appointment(row, self._sealer) for row in rows]

    async def ids_of_user(self, user_id: int) -> list[int]:
        rows = await fetch_all(
            self._connection, "SELECT id FROM appointments WHERE user_id = ?", (user_id,)
        )
        return [row[0] for row in rows]

    async def unlink_user(self, user_id: int) -> None:
        """What stays is anonymous: service, time, status, attendance."""
        await self._connection.execute(
            "UPDATE appointments SET user_id = NULL, note = NULL, voice_note = NULL "
            "WHERE user_id = ?",
            (user_id,),
        )

    async def staff_messages_of_user(self, user_id: int) -> list[StaffMessage]:
        """The staff-group notices (and voice notes) about the user's appointments."""
        rows = await fetch_all(
            self._connection,
            "SELECT a.id, a.code, m.chat_id, m.message_id, m.kind "
            "FROM appointment_staff_messages m "
            "JOIN appointments a ON a.id = m.appointment_id WHERE a.user_id = ? "
            "ORDER BY m.message_id",
            (user_id,),
        )
        return [
            StaffMessage(row[0], row[1], row[2], row[3], "voice" if row[4] == "voice" else "notice")
            for row in rows
        ]

    async def link_staff_message(
        self,
        chat_id: int,
        message_id: int,
        appointment_id: int,
        kind: Literal["notice", "voice"] = "notice",
    ) -> None:
        await self._connection.execute(
            "INSERT OR IGNORE INTO appointment_staff_messages "
            "(chat_id, message_id, appointment_id, kind) VALUES (?, ?, ?, ?)",
            (chat_id, message_id, appointment_id, kind),
        )

    async def erase_notes_ended_before(self, ended_before: datetime) -> int:
        """Retention: notes (and voice notes) of appointments that ended before the moment."""
        cursor = await self._connection.execute(
            "UPDATE appointments SET note = NULL, voice_note = NULL "
            "WHERE (note IS NOT NULL OR voice_note IS NOT NULL) AND ends_at < ?",
            (to_db_time(ended_before),),
        )
        return cursor.rowcount
