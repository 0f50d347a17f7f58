"""Reminders on a real SQLite file: planned, due, claimed once with their outbox row."""

from __future__ import annotations

import json

import pytest

from storage.appointments import AppointmentStore, ReminderChanges
from storage.crypto import TextSealer
from storage.db import Database
from storage.outbox import enqueue
from storage.users import erase_user
from tests.storage.appointments.conftest import HOUR, NOW, SLOT, seat, take, user


async def _booked_with_reminder(db: Database, user_id: int = 1) -> int:
    booked = await take(db, seat(await user(db, user_id), capacity=5))
    assert booked is not None
    async with db.transaction() as connection:
        await ReminderChanges(connection, TextSealer()).plan(
            booked.id, [(2 * HOUR, SLOT - 2 * HOUR)]
        )
    return booked.id


async def test_a_due_reminder_is_claimed_with_its_outbox_row_once(db: Database) -> None:
    appointment_id = await _booked_with_reminder(db)
    sealer = TextSealer()
    for moment, expected in ((SLOT - 3 * HOUR, 0), (SLOT - 2 * HOUR, 1), (SLOT - HOUR, 0)):
        async with db.transaction() as connection:
            reminders = ReminderChanges(connection, sealer)
            due = await reminders.due(moment, limit=10)
            for item in due:
                assert item.language == "ru" and item.appointment.id == appointment_id
                outbox_id = await enqueue(
                    connection, sealer, chat_id=1, method="sendMessage",
                    params={"text": f"reminder {item.appointment.code}"},
                    purpose="appointment_reminder", ref=appointment_id, now=moment,
                )  # fmt: skip
                await reminders.mark_sent(item.reminder_id, outbox_id, moment)
        assert len(due) == expected
    row = await db.fetch_one("SELECT chat_id, payload, purpose FROM outbox")
    assert row is not None and row["chat_id"] == 1 and row["purpose"] == "appointment_reminder"
    assert json.loads(sealer.open(row["payload"]))["text"].startswith("reminder ")
    assert await AppointmentStore(db, sealer).reminders_of(appointment_id) == [
        (SLOT - 2 * HOUR, "sent")
    ]


async def test_a_failed_claim_leaves_neither_claim_nor_message(db: Database) -> None:
    appointment_id = await _booked_with_reminder(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as connection:
            reminders = ReminderChanges(connection, TextSealer())
            (item,) = await reminders.due(SLOT, limit=10)
            outbox_id = await enqueue(
                connection, TextSealer(), chat_id=1, method="sendMessage", params={"text": "x"},
                purpose="appointment_reminder", ref=appointment_id, now=SLOT,
            )  # fmt: skip
            await reminders.mark_sent(item.reminder_id, outbox_id, SLOT)
            raise RuntimeError("crash before the commit")
    store = AppointmentStore(db, TextSealer())
    assert await store.reminders_of(appointment_id) == [(SLOT - 2 * HOUR, "planned")]
    row = await db.fetch_one("SELECT COUNT(*) FROM outbox")
    assert row is not None and row[0] == 0


async def test_a_skipped_reminder_is_not_due_again(db: Database) -> None:
    appointment_id = await _booked_with_reminder(db)
    async with db.transaction() as connection:
        reminders = ReminderChanges(connection, TextSealer())
        (item,) = await reminders.due(SLOT, limit=10)
        await reminders.mark_skipped(item.reminder_id, SLOT)
        assert await reminders.due(SLOT, limit=10) == []
    store = AppointmentStore(db, TextSealer())
    assert await store.reminders_of(appointment_id) == [(SLOT - 2 * HOUR, "skipped")]


async def test_the_reminder_of_a_forgotten_user_has_no_language(db: Database) -> None:
    await _booked_with_reminder(db, user_id=7)
    async with db.transaction() as connection:
        await erase_user(connection, 7)
        (item,) = await ReminderChanges(connection, TextSealer()).due(SLOT, limit=10)
    assert item.language is None


async def test_due_reminders_come_oldest_first_within_the_limit(db: Database) -> None:
    ids = [await _booked_with_reminder(db, user_id=10 + n) for n in range(3)]
    async with db.transaction() as connection:
        reminders = ReminderChanges(connection, TextSealer())
        await reminders.plan(ids[2], [(5 * HOUR, SLOT - 5 * HOUR)])
        due = await reminders.due(NOW + 30 * HOUR, limit=2)
    assert [item.due_at for item in due] == [SLOT - 5 * HOUR, SLOT - 2 * HOUR]
