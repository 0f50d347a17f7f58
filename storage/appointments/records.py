"""What the appointment stores return: plain frozen dataclasses, read from rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import aiosqlite

from bot.domain.language import Language
from storage.crypto import TextSealer
from storage.db import Params, Row, from_db_time, maybe_from_db_time

Attendance = Literal["came", "no_show"]

# The columns `read_appointment` needs, from the table aliased `a`.
COLUMNS = (
    "a.id, a.code, a.user_id, a.center_id, a.service_id, a.starts_at, a.ends_at, a.status, "
    "a.note, a.name_in_reminders, a.version, a.booked_at, a.confirmed_at, a.cancelled_at, "
    "a.attendance, a.voice_note"
)


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
    # A voice message's file id, her note said aloud (a text note and a voice note are
    # one or the other).
    voice_note: str | None = None

    @property
    def is_booked(self) -> bool:
        return self.status == "booked"


def read_appointment(row: Row, sealer: TextSealer) -> Appointment:
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
        note=sealer.open(row["note"]) if row["note"] is not None else None,
        name_in_reminders=bool(row["name_in_reminders"]),
        version=row["version"],
        booked_at=from_db_time(row["booked_at"]),
        confirmed_at=maybe_from_db_time(row["confirmed_at"]),
        cancelled_at=maybe_from_db_time(row["cancelled_at"]),
        attendance=attendance,
        voice_note=sealer.open(row["voice_note"]) if row["voice_note"] is not None else None,
    )


@dataclass(frozen=True)
class NewAppointment:
    """A seat to take: the slot, how many seats it has, and what the user chose."""

    user_id: int
    center_id: str
    service_id: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    note: str | None
    name_in_reminders: bool
    voice_note: str | None = None


@dataclass(frozen=True)
class DueReminder:
    reminder_id: int
    appointment: Appointment
    # None when the user is gone (forgotten): nobody to remind.
    language: Language | None
    offset: timedelta
    due_at: datetime


@dataclass(frozen=True)
class StaffMessage:
    """A staff-group message about an appointment, remembered for forget-me: a notice
    (edited then) or the copy of a voice note (deleted then)."""

    appointment_id: int
    code: str
    chat_id: int
    message_id: int
    kind: Literal["notice", "voice"] = "notice"


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


async def fetch_one(connection: aiosqlite.Connection, sql: str, params: Params) -> Row | None:
    """One row through the caller's transaction (a read through the Database would refuse)."""
    cursor = await connection.execute(sql, params)
    row: Row | None = await cursor.fetchone()
    await cursor.close()
    return row


async def fetch_all(connection: aiosqlite.Connection, sql: str, params: Params) -> list[Row]:
    cursor = await connection.execute(sql, params)
    rows = list(await cursor.fetchall())
    await cursor.close()
    return rows
