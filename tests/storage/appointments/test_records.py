"""Rows into Appointment values (storage/appointments/records.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from storage.appointments.records import read_appointment
from storage.crypto import TextSealer


def _row(attendance: str | None, note: str | None, voice_note: str | None = None) -> sqlite3.Row:
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    row: sqlite3.Row = connection.execute(
        "SELECT 1 AS id, 'AAA-BBB' AS code, 5 AS user_id, 'sairam' AS center_id, "
        "'psychologist' AS service_id, '2026-12-03T04:00:00.000000Z' AS starts_at, "
        "'2026-12-03T04:45:00.000000Z' AS ends_at, 'booked' AS status, ? AS note, "
        "1 AS name_in_reminders, 2 AS version, '2026-12-02T05:00:00.000000Z' AS booked_at, "
        "NULL AS confirmed_at, NULL AS cancelled_at, ? AS attendance, ? AS voice_note",
        (note, attendance, voice_note),
    ).fetchone()
    return row


@pytest.mark.parametrize(
    ("stored", "read"), [(None, None), ("came", "came"), ("no_show", "no_show")]
)
def test_attendance(stored: str | None, read: str | None) -> None:
    assert read_appointment(_row(stored, None), TextSealer()).attendance == read


def test_a_sealed_note_is_opened_and_times_are_aware() -> None:
    sealer = TextSealer([b"t7VwvRZ2YlYc0K8tq2bN0Q5H1qgQm9dVbXKc1b3mQ2I="])
    appointment = read_appointment(_row(None, sealer.seal("заметка")), sealer)
    assert appointment.note == "заметка" and appointment.name_in_reminders
    assert appointment.starts_at == datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    assert appointment.is_booked and appointment.confirmed_at is None
    assert appointment.voice_note is None


def test_a_sealed_voice_note_is_opened() -> None:
    sealer = TextSealer([b"t7VwvRZ2YlYc0K8tq2bN0Q5H1qgQm9dVbXKc1b3mQ2I="])
    sealed = sealer.seal("voice-file-1")
    assert "voice-file-1" not in sealed
    appointment = read_appointment(_row(None, None, sealed), sealer)
    assert appointment.voice_note == "voice-file-1" and appointment.note is None
