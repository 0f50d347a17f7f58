"""Appointments: seats taken atomically, reminders planned and claimed, attendance.

Every change that someone must hear about (the staff group, the user) is given as
`Outgoing` messages built by the caller from the stored appointment; they go into the
outbox in the same transaction as the change, so a message exists iff the change does.

Never double-booked: a seat is taken by one conditional INSERT (or UPDATE, for a
reschedule) that counts the booked rows of the slot in the same statement, inside
BEGIN IMMEDIATE, which holds SQLite's write lock: no other writer, in this process or
another, can slip between the count and the write.
"""

from __future__ import annotations

import enum
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import aiosqlite

from bot.domain.codes import new_code
from bot.domain.language import Language
from storage.audit import record
from storage.crypto import TextSealer
from storage.db import Database, Row, from_db_time, maybe_from_db_time, to_db_time
from storage.outbox import enqueue

Attendance = Literal["came", "no_show"]

_COLUMNS = (
    "a.id, a.code, a.user_id, a.center_id, a.service_id, a.starts_at, a.ends_at, a.status, "
    "a.note, a.name_in_reminders, a.version, a.booked_at, a.confirmed_at, a.cancelled_at, "
    "a.attendance"
)
# How many fresh codes to try when one is already taken (1e9 codes: one retry is rare).
_CODE_ATTEMPTS = 10


@dataclass(frozen=True)
class Appointment:
    id: int
    code: str
    user_id: int | None
    center_id: str
    service_id: str
    starts_at: datetime
    ends_at: datetime
    status: str
    note: str | None
    name_in_reminders: bool
    version: int
    booked_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    attendance: Attendance | None

    @property
    def is_booked(self) -> bool:
        return self.status == "booked"


@dataclass(frozen=True)
class Outgoing:
    """A message for the outbox: to whom, the sendMessage parameters, and why."""

    chat_id: int
    params: dict[str, Any]
    purpose: str


Notices = Callable[[Appointment], Sequence[Outgoing]]


@dataclass(frozen=True)
class AgendaOutgoing:
    """One message of the morning agenda and the appointments it lists, in order."""

    message: Outgoing
    appointment_ids: tuple[int, ...]
    with_buttons: bool


@dataclass(frozen=True)
class AgendaMessage:
    """An agenda message for the staff group (its message id is None until it is
    delivered) and what it lists, in order."""

    record_id: int
    chat_id: int
    message_id: int | None
    day: str
    with_buttons: bool
    entries: tuple[Appointment, ...]


@dataclass(frozen=True)
class NewBooking:
    user_id: int
    center_id: str
    service_id: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    note: str | None
    name_in_reminders: bool
    # (offset, due time) pairs from bot.domain.reminder_schedule.reminder_due_times.
    reminders: Sequence[tuple[timedelta, datetime]]
    # Bookings the user made since this moment count against `daily_limit`.
    limit_since: datetime
    daily_limit: int


class Outcome(enum.Enum):
    DONE = "done"
    SLOT_TAKEN = "slot_taken"  # no seat left at that time
    DAILY_LIMIT = "daily_limit"  # the user already booked enough today
    OVERLAP = "overlap"  # the user has another appointment at that time
    NOT_FOUND = "not_found"  # no such appointment, or not this user's
    CANCELLED = "cancelled"  # the appointment was cancelled already
    OUTDATED = "outdated"  # the button names an earlier version (it was moved since)
    SAME_TIME = "same_time"  # a reschedule to the time it already has


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    appointment: Appointment | None = None
    # With OVERLAP: the user's appointment that is in the way.
    other: Appointment | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DONE


@dataclass(frozen=True)
class DueReminder:
    reminder_id: int
    appointment: Appointment
    language: Language
    offset: timedelta
    due_at: datetime


# What the reminder job wants done with a due reminder: a message to send, or None to skip.
ReminderRenderer = Callable[[DueReminder], Outgoing | None]


class AppointmentRepository:
    def __init__(self, db: Database, sealer: TextSealer) -> None:
        self._db = db
        self._sealer = sealer

    # ------------------------------------------------------------------ reading

    def _appointment(self, row: Row) -> Appointment:
        attendance: Attendance | None = (
            "came" if row["attendance"] == "came" else "no_show" if row["attendance"] else None
        )
        return Appointment(
            id=row["id"],
            code=row["code"],
            user_id=row["user_id"],
            center_id=row["center_id"],
            service_id=row["service_id"],
            starts_at=from_db_time(row["starts_at"]),
            ends_at=from_db_time(row["ends_at"]),
            status=row["status"],
            note=self._sealer.open(row["note"]) if row["note"] is not None else None,
            name_in_reminders=bool(row["name_in_reminders"]),
            version=row["version"],
            booked_at=from_db_time(row["booked_at"]),
            confirmed_at=maybe_from_db_time(row["confirmed_at"]),
            cancelled_at=maybe_from_db_time(row["cancelled_at"]),
            attendance=attendance,
        )

    async def get(self, appointment_id: int) -> Appointment | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.id = ?", (appointment_id,)
        )
        return self._appointment(row) if row else None

    async def by_code(self, code: str) -> Appointment | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.code = ?", (code,)
        )
        return self._appointment(row) if row else None

    async def upcoming_for_user(self, user_id: int, now: datetime) -> list[Appointment]:
        """Booked appointments that have not ended yet, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.user_id = ? AND a.status = 'booked' "
            "AND a.ends_at > ? ORDER BY a.starts_at, a.id",
            (user_id, to_db_time(now)),
        )
        return [self._appointment(row) for row in rows]

    async def taken(self, service_id: str, since: datetime, until: datetime) -> dict[datetime, int]:
        """Booked seats per slot start of one service, for bot.domain.slots."""
        rows = await self._db.fetch_all(
            "SELECT starts_at, COUNT(*) AS seats FROM appointments "
            "WHERE service_id = ? AND status = 'booked' AND starts_at >= ? AND starts_at < ? "
            "GROUP BY starts_at",
            (service_id, to_db_time(since), to_db_time(until)),
        )
        return {from_db_time(row["starts_at"]): int(row["seats"]) for row in rows}

    async def booked_between(self, since: datetime, until: datetime) -> list[Appointment]:
        """Booked appointments starting in [since, until): the agenda."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.status = 'booked' "
            "AND a.starts_at >= ? AND a.starts_at < ? "
            "ORDER BY a.center_id, a.service_id, a.starts_at, a.id",
            (to_db_time(since), to_db_time(until)),
        )
        return [self._appointment(row) for row in rows]

    async def bookings_since(self, user_id: int, since: datetime) -> int:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM appointments WHERE user_id = ? AND booked_at >= ?",
            (user_id, to_db_time(since)),
        )
        return int(row[0]) if row else 0

    async def reminders_of(self, appointment_id: int) -> list[tuple[datetime, str]]:
        """(due time, status) of an appointment's reminders, in order (tests, support)."""
        rows = await self._db.fetch_all(
            "SELECT due_at, status FROM appointment_reminders WHERE appointment_id = ? "
            "ORDER BY due_at, id",
            (appointment_id,),
        )
        return [(from_db_time(row["due_at"]), row["status"]) for row in rows]

    # ------------------------------------------------------------------ changes

    async def book(self, booking: NewBooking, *, now: datetime, notices: Notices) -> Result:
        """Takes a seat if one is left; plans the reminders; enqueues the notices."""
        async with self._db.transaction() as connection:
            made = await _count(
                connection,
                "SELECT COUNT(*) FROM appointments WHERE user_id = ? AND booked_at >= ?",
                (booking.user_id, to_db_time(booking.limit_since)),
            )
            if made >= booking.daily_limit:
                return Result(Outcome.DAILY_LIMIT)
            other = await self._overlapping(
                connection, booking.user_id, booking.starts_at, booking.ends_at, exclude=None
            )
            if other is not None:
                return Result(Outcome.OVERLAP, other=other)
            appointment_id = await self._insert_if_free(connection, booking, now)
            if appointment_id is None:
                return Result(Outcome.SLOT_TAKEN)
            await _plan_reminders(connection, appointment_id, booking.reminders)
            appointment = await self._fetch(connection, appointment_id)
            await self._enqueue(connection, notices(appointment), appointment.id, now)
        return Result(Outcome.DONE, appointment)

    async def _insert_if_free(
        self, connection: aiosqlite.Connection, booking: NewBooking, now: datetime
    ) -> int | None:
        note = self._sealer.seal(booking.note) if booking.note else None
        starts_at = to_db_time(booking.starts_at)
        for _ in range(_CODE_ATTEMPTS):
            try:
                # The count and the insert are one statement: the seat check cannot go stale.
                cursor = await connection.execute(
                    "INSERT INTO appointments (code, user_id, center_id, service_id, starts_at, "
                    "ends_at, note, name_in_reminders, booked_at) "
                    "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM appointments "
                    "WHERE service_id = ? AND starts_at = ? AND status = 'booked') < ?",
                    (
                        new_code(),
                        booking.user_id,
                        booking.center_id,
                        booking.service_id,
                        starts_at,
                        to_db_time(booking.ends_at),
                        note,
                        int(booking.name_in_reminders),
                        to_db_time(now),
                        booking.service_id,
                        starts_at,
                        booking.capacity,
                    ),
                )
            except sqlite3.IntegrityError as error:
                if "appointments.code" not in str(error):
                    raise
                continue  # the code exists already: draw another
            if cursor.rowcount == 0:
                return None
            assert cursor.lastrowid is not None
            return cursor.lastrowid
        raise RuntimeError("could not draw an unused booking code")

    async def cancel(
        self,
        appointment_id: int,
        *,
        user_id: int,
        version: int | None,
        now: datetime,
        notices: Notices,
    ) -> Result:
        """Frees the seat at once; `version` None accepts any (the list, not a reminder)."""
        async with self._db.transaction() as connection:
            current = await self._owned(connection, appointment_id, user_id, version)
            if not current.ok:
                return current
            await connection.execute(
                "UPDATE appointments SET status = 'cancelled', cancelled_at = ?, "
                "cancelled_by = 'user' WHERE id = ? AND status = 'booked'",
                (to_db_time(now), appointment_id),
            )
            await _drop_planned_reminders(connection, appointment_id, now)
            appointment = await self._fetch(connection, appointment_id)
            await self._enqueue(connection, notices(appointment), appointment.id, now)
        return Result(Outcome.DONE, appointment)

    async def reschedule(
        self,
        appointment_id: int,
        *,
        user_id: int,
        version: int,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        reminders: Sequence[tuple[timedelta, datetime]],
        now: datetime,
        notices: Notices,
    ) -> Result:
        """Moves to a new seat, taken before the old one is freed, in one transaction.

        The seat count of the new slot and the move are one UPDATE: if the new slot is
        full nothing changes and the user keeps the old time.
        """
        async with self._db.transaction() as connection:
            current = await self._owned(connection, appointment_id, user_id, version)
            if not current.ok:
                return current
            assert current.appointment is not None
            if current.appointment.starts_at == starts_at:
                return Result(Outcome.SAME_TIME, current.appointment)
            other = await self._overlapping(
                connection, user_id, starts_at, ends_at, exclude=appointment_id
            )
            if other is not None:
                return Result(Outcome.OVERLAP, current.appointment, other=other)
            cursor = await connection.execute(
                "UPDATE appointments SET starts_at = ?, ends_at = ?, version = version + 1, "
                "reschedules = reschedules + 1, confirmed_at = NULL "
                "WHERE id = ? AND status = 'booked' AND version = ? AND (SELECT COUNT(*) "
                "FROM appointments WHERE service_id = ? AND starts_at = ? AND status = 'booked') "
                "< ?",
                (
                    to_db_time(starts_at),
                    to_db_time(ends_at),
                    appointment_id,
                    version,
                    current.appointment.service_id,
                    to_db_time(starts_at),
                    capacity,
                ),
            )
            if cursor.rowcount == 0:
                return Result(Outcome.SLOT_TAKEN, current.appointment)
            await _drop_planned_reminders(connection, appointment_id, now)
            await _plan_reminders(connection, appointment_id, reminders)
            appointment = await self._fetch(connection, appointment_id)
            await self._enqueue(connection, notices(appointment), appointment.id, now)
        return Result(Outcome.DONE, appointment)

    async def confirm_coming(
        self, appointment_id: int, *, user_id: int, version: int, now: datetime
    ) -> Result:
        """ "I'll come" on a reminder: shown to staff in the agenda."""
        async with self._db.transaction() as connection:
            current = await self._owned(connection, appointment_id, user_id, version)
            if not current.ok:
                return current
            await connection.execute(
                "UPDATE appointments SET confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ?",
                (to_db_time(now), appointment_id),
            )
            appointment = await self._fetch(connection, appointment_id)
        return Result(Outcome.DONE, appointment)

    async def mark_attendance(
        self, appointment_id: int, mark: Attendance, *, actor_id: int, now: datetime
    ) -> Result:
        """A staff mark, recorded in the audit log with the change; a later mark replaces it."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                f"SELECT {_COLUMNS} FROM appointments a WHERE a.id = ?", (appointment_id,)
            )
            row = await cursor.fetchone()
            if row is None:
                return Result(Outcome.NOT_FOUND)
            if row["status"] != "booked":
                return Result(Outcome.CANCELLED, self._appointment(row))
            await connection.execute(
                "UPDATE appointments SET attendance = ?, attendance_at = ? WHERE id = ?",
                (mark, to_db_time(now), appointment_id),
            )
            await record(
                connection,
                at=now,
                actor_id=actor_id,
                action="attended" if mark == "came" else "no_show",
                subject=row["code"],
            )
            appointment = await self._fetch(connection, appointment_id)
        return Result(Outcome.DONE, appointment)

    async def erase_user(
        self, connection: aiosqlite.Connection, user_id: int, *, now: datetime, notices: Notices
    ) -> int:
        """Inside the forget-me transaction: cancels the user's future appointments (staff
        are told, seats freed), erases every note, unlinks the rest. What stays is
        anonymous: service, time, status, attendance. Returns how many were cancelled."""
        cursor = await connection.execute(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.user_id = ? "
            "AND a.status = 'booked' AND a.starts_at > ?",
            (user_id, to_db_time(now)),
        )
        future = [self._appointment(row) for row in await cursor.fetchall()]
        for appointment in future:
            await connection.execute(
                "UPDATE appointments SET status = 'cancelled', cancelled_at = ?, "
                "cancelled_by = 'forget', note = NULL WHERE id = ?",
                (to_db_time(now), appointment.id),
            )
            await _drop_planned_reminders(connection, appointment.id, now)
            cancelled = await self._fetch(connection, appointment.id)
            await self._enqueue(connection, notices(cancelled), cancelled.id, now)
        await connection.execute(
            "UPDATE appointments SET user_id = NULL, note = NULL WHERE user_id = ?", (user_id,)
        )
        return len(future)

    async def link_staff_message(self, chat_id: int, message_id: int, appointment_id: int) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO appointment_staff_messages "
            "(chat_id, message_id, appointment_id) VALUES (?, ?, ?)",
            (chat_id, message_id, appointment_id),
        )

    async def staff_messages_of_user(
        self, connection: aiosqlite.Connection, user_id: int
    ) -> list[tuple[int, str, int, int]]:
        """(appointment id, code, chat id, message id) of the staff-group messages about the
        user's appointments, for forget-me (inside its transaction)."""
        cursor = await connection.execute(
            "SELECT a.id, a.code, m.chat_id, m.message_id FROM appointment_staff_messages m "
            "JOIN appointments a ON a.id = m.appointment_id WHERE a.user_id = ? "
            "ORDER BY m.message_id",
            (user_id,),
        )
        rows = [(r[0], r[1], r[2], r[3]) for r in await cursor.fetchall()]
        await cursor.close()
        return rows

    async def ids_of_user(self, connection: aiosqlite.Connection, user_id: int) -> list[int]:
        cursor = await connection.execute(
            "SELECT id FROM appointments WHERE user_id = ?", (user_id,)
        )
        ids = [row[0] for row in await cursor.fetchall()]
        await cursor.close()
        return ids

    async def erase_old_notes(self, ended_before: datetime) -> int:
        """Retention: notes of appointments that ended before the given moment."""
        return await self._db.execute(
            "UPDATE appointments SET note = NULL WHERE note IS NOT NULL AND ends_at < ?",
            (to_db_time(ended_before),),
        )

    # ------------------------------------------------------------------ reminders

    async def claim_due_reminders(
        self, now: datetime, render: ReminderRenderer, *, limit: int = 200
    ) -> int:
        """Claims up to `limit` planned reminders due by `now`, in one transaction.

        Each is marked sent together with its outbox row, or skipped when `render`
        returns None: a crash can lose neither and repeat neither. Returns how many rows
        were handled (sent or skipped); 0 means nothing is due.
        """
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                f"SELECT r.id AS reminder_id, r.offset_seconds, r.due_at, u.language, {_COLUMNS} "
                "FROM appointment_reminders r JOIN appointments a ON a.id = r.appointment_id "
                "LEFT JOIN users u ON u.user_id = a.user_id "
                "WHERE r.status = 'planned' AND r.due_at <= ? ORDER BY r.due_at, r.id LIMIT ?",
                (to_db_time(now), limit),
            )
            rows = list(await cursor.fetchall())
            for row in rows:
                language: Language = "kk" if row["language"] == "kk" else "ru"
                outgoing = None
                if row["language"] is not None and row["status"] == "booked":
                    outgoing = render(
                        DueReminder(
                            reminder_id=row["reminder_id"],
                            appointment=self._appointment(row),
                            language=language,
                            offset=timedelta(seconds=row["offset_seconds"]),
                            due_at=from_db_time(row["due_at"]),
                        )
                    )
                if outgoing is None:
                    await connection.execute(
                        "UPDATE appointment_reminders SET status = 'skipped', done_at = ? "
                        "WHERE id = ? AND status = 'planned'",
                        (to_db_time(now), row["reminder_id"]),
                    )
                    continue
                outbox_id = await enqueue(
                    connection,
                    self._sealer,
                    chat_id=outgoing.chat_id,
                    method="sendMessage",
                    params=outgoing.params,
                    purpose=outgoing.purpose,
                    ref=row["id"],
                    now=now,
                )
                await connection.execute(
                    "UPDATE appointment_reminders SET status = 'sent', done_at = ?, outbox_id = ? "
                    "WHERE id = ? AND status = 'planned'",
                    (to_db_time(now), outbox_id, row["reminder_id"]),
                )
        return len(rows)

    # ------------------------------------------------------------------ the agenda

    async def claim_agenda_day(
        self, day: str, *, now: datetime, messages: Sequence[AgendaOutgoing]
    ) -> bool:
        """Sends the morning agenda of `day` once: False if it went out already. Each
        message is remembered with what it lists (the outbox ref is that record)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO agenda_runs (day, sent_at) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
                (day, to_db_time(now)),
            )
            if cursor.rowcount == 0:
                return False
            for agenda in messages:
                record_id = await _insert_agenda_message(
                    connection,
                    agenda.message.chat_id,
                    None,
                    day,
                    agenda.with_buttons,
                    agenda.appointment_ids,
                )
                await self._enqueue(connection, [agenda.message], record_id, now)
        return True

    async def record_agenda_message(
        self,
        chat_id: int,
        message_id: int | None,
        day: str,
        with_buttons: bool,
        appointment_ids: Sequence[int],
    ) -> int | None:
        """An agenda message sent directly (/agenda) and what it lists: recorded before it
        is sent (message id None; ``agenda_delivered`` adds it), so a forget-me meanwhile
        finds it. Returns the record id, None when the message lists nobody."""
        if not appointment_ids:
            return None
        async with self._db.transaction() as connection:
            return await _insert_agenda_message(
                connection, chat_id, message_id, day, with_buttons, appointment_ids
            )

    async def agenda_delivered(self, record_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE agenda_messages SET message_id = ? WHERE id = ?", (message_id, record_id)
        )

    async def replace_agenda_entries(
        self,
        chat_id: int,
        message_id: int,
        day: str,
        appointment_ids: Sequence[int],
    ) -> None:
        """A delivered agenda message was redrawn (a mark) and now lists these
        appointments: what forget-me knows of it is replaced (or recorded, if unknown)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT id FROM agenda_messages WHERE chat_id = ? AND message_id = ?",
                (chat_id, message_id),
            )
            found = [row[0] for row in await cursor.fetchall()]
            await cursor.close()
            if not found:
                if appointment_ids:
                    await _insert_agenda_message(
                        connection, chat_id, message_id, day, True, appointment_ids
                    )
                return
            for record_id in found:
                await connection.execute(
                    "DELETE FROM agenda_message_entries WHERE agenda_message_id = ?", (record_id,)
                )
                await _insert_entries(connection, record_id, appointment_ids)

    async def agenda_message(self, record_id: int) -> AgendaMessage | None:
        """One recorded agenda message with all it lists as stored now."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT id, chat_id, message_id, day, with_buttons FROM agenda_messages "
                "WHERE id = ?",
                (record_id,),
            )
            row = await cursor.fetchone()
            await cursor.close()
            if row is None:
                return None
            return await self._agenda_message(connection, tuple(row))

    async def agenda_messages_listing(
        self, connection: aiosqlite.Connection, appointment_ids: Sequence[int]
    ) -> list[AgendaMessage]:
        """Agenda messages (delivered or still queued) that list any of these
        appointments, each with all it lists as stored now (forget-me, inside its
        transaction, after erase_user)."""
        if not appointment_ids:
            return []
        marks = ", ".join("?" * len(appointment_ids))
        cursor = await connection.execute(
            "SELECT DISTINCT m.id, m.chat_id, m.message_id, m.day, m.with_buttons "
            "FROM agenda_messages m JOIN agenda_message_entries e ON e.agenda_message_id = m.id "
            f"WHERE e.appointment_id IN ({marks}) ORDER BY m.id",
            tuple(appointment_ids),
        )
        found = [tuple(row) for row in await cursor.fetchall()]
        await cursor.close()
        return [await self._agenda_message(connection, row) for row in found]

    async def _agenda_message(
        self, connection: aiosqlite.Connection, row: tuple[Any, ...]
    ) -> AgendaMessage:
        record_id, chat_id, message_id, day, with_buttons = row
        cursor = await connection.execute(
            f"SELECT {_COLUMNS} FROM agenda_message_entries e "
            "JOIN appointments a ON a.id = e.appointment_id "
            "WHERE e.agenda_message_id = ? ORDER BY e.position",
            (record_id,),
        )
        entries = tuple(self._appointment(entry) for entry in await cursor.fetchall())
        await cursor.close()
        return AgendaMessage(record_id, chat_id, message_id, day, bool(with_buttons), entries)

    async def redraw_queued_agenda(
        self,
        connection: aiosqlite.Connection,
        record_id: int,
        purposes: Sequence[str],
        text: str,
        reply_markup: dict[str, Any] | None,
    ) -> tuple[bool, int | None]:
        """Forget-me, inside its transaction: the outbox rows of one agenda message (its
        sending and earlier redraws) hold the old text. A pending one gets the redrawn
        text; sent and failed ones are deleted (no copy of a note kept for the purge).
        Returns whether a pending row was rewritten, and the message id a sent row
        reported (the message may be delivered before its record learned the id)."""
        marks = ", ".join("?" * len(purposes))
        cursor = await connection.execute(
            "SELECT id, status, payload, sent_message_id FROM outbox "
            f"WHERE ref = ? AND purpose IN ({marks}) ORDER BY id",
            (record_id, *purposes),
        )
        rows = list(await cursor.fetchall())
        await cursor.close()
        rewritten, sent_message_id = False, None
        for outbox_id, status, payload, message_id in rows:
            if status != "pending":
                if message_id is not None and sent_message_id is None:
                    sent_message_id = int(message_id)
                await connection.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))
                continue
            params = json.loads(self._sealer.open(payload))
            params["text"] = text
            params.pop("reply_markup", None)
            if reply_markup is not None:
                params["reply_markup"] = reply_markup
            await connection.execute(
                "UPDATE outbox SET payload = ? WHERE id = ?",
                (self._sealer.seal(json.dumps(params, ensure_ascii=False)), outbox_id),
            )
            rewritten = True
        return rewritten, sent_message_id

    async def agenda_sent(self, day: str) -> bool:
        row = await self._db.fetch_one("SELECT 1 FROM agenda_runs WHERE day = ?", (day,))
        return row is not None

    # ------------------------------------------------------------------ helpers

    async def _fetch(self, connection: aiosqlite.Connection, appointment_id: int) -> Appointment:
        cursor = await connection.execute(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.id = ?", (appointment_id,)
        )
        row = await cursor.fetchone()
        assert row is not None
        return self._appointment(row)

    async def _owned(
        self,
        connection: aiosqlite.Connection,
        appointment_id: int,
        user_id: int,
        version: int | None,
    ) -> Result:
        cursor = await connection.execute(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.id = ?", (appointment_id,)
        )
        row = await cursor.fetchone()
        # Someone else's appointment looks exactly like a missing one: nothing leaks.
        if row is None or row["user_id"] != user_id:
            return Result(Outcome.NOT_FOUND)
        appointment = self._appointment(row)
        if not appointment.is_booked:
            return Result(Outcome.CANCELLED, appointment)
        if version is not None and appointment.version != version:
            return Result(Outcome.OUTDATED, appointment)
        return Result(Outcome.DONE, appointment)

    async def _overlapping(
        self,
        connection: aiosqlite.Connection,
        user_id: int,
        starts_at: datetime,
        ends_at: datetime,
        *,
        exclude: int | None,
    ) -> Appointment | None:
        cursor = await connection.execute(
            f"SELECT {_COLUMNS} FROM appointments a WHERE a.user_id = ? AND a.status = 'booked' "
            "AND a.starts_at < ? AND a.ends_at > ? AND a.id IS NOT ? LIMIT 1",
            (user_id, to_db_time(ends_at), to_db_time(starts_at), exclude),
        )
        row = await cursor.fetchone()
        return self._appointment(row) if row else None

    async def _enqueue(
        self,
        connection: aiosqlite.Connection,
        messages: Sequence[Outgoing],
        ref: int | None,
        now: datetime,
    ) -> None:
        for message in messages:
            await enqueue(
                connection,
                self._sealer,
                chat_id=message.chat_id,
                method="sendMessage",
                params=message.params,
                purpose=message.purpose,
                ref=ref,
                now=now,
            )


async def _insert_agenda_message(
    connection: aiosqlite.Connection,
    chat_id: int,
    message_id: int | None,
    day: str,
    with_buttons: bool,
    appointment_ids: Sequence[int],
) -> int:
    cursor = await connection.execute(
        "INSERT INTO agenda_messages (chat_id, message_id, day, with_buttons) VALUES (?, ?, ?, ?)",
        (chat_id, message_id, day, int(with_buttons)),
    )
    record_id = cursor.lastrowid
    assert record_id is not None
    await _insert_entries(connection, record_id, appointment_ids)
    return record_id


async def _insert_entries(
    connection: aiosqlite.Connection, record_id: int, appointment_ids: Sequence[int]
) -> None:
    await connection.executemany(
        "INSERT OR IGNORE INTO agenda_message_entries "
        "(agenda_message_id, appointment_id, position) VALUES (?, ?, ?)",
        [(record_id, appointment_id, n) for n, appointment_id in enumerate(appointment_ids)],
    )


async def _count(connection: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> int:
    cursor = await connection.execute(sql, params)
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _plan_reminders(
    connection: aiosqlite.Connection,
    appointment_id: int,
    reminders: Sequence[tuple[timedelta, datetime]],
) -> None:
    await connection.executemany(
        "INSERT INTO appointment_reminders (appointment_id, offset_seconds, due_at) "
        "VALUES (?, ?, ?)",
        [
            (appointment_id, int(offset.total_seconds()), to_db_time(due))
            for offset, due in reminders
        ],
    )


async def _drop_planned_reminders(
    connection: aiosqlite.Connection, appointment_id: int, now: datetime
) -> None:
    await connection.execute(
        "UPDATE appointment_reminders SET status = 'skipped', done_at = ? "
        "WHERE appointment_id = ? AND status = 'planned'",
        (to_db_time(now), appointment_id),
    )
