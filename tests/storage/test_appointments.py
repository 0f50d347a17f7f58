"""Appointments storage on a real SQLite file: atomic seats, codes, reminders, erasure."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.appointments import (
    AgendaOutgoing,
    Appointment,
    AppointmentRepository,
    DueReminder,
    NewBooking,
    Outcome,
    Outgoing,
)
from storage.crypto import TextSealer
from storage.db import Database
from storage.users import UserRepository, erase_user

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
SLOT = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # Thursday 09:00 in Almaty
HOUR = timedelta(hours=1)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "db.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def repo(db: Database) -> AppointmentRepository:
    return AppointmentRepository(db, TextSealer())


async def user(db: Database, user_id: int) -> int:
    users = UserRepository(db)
    await users.set_language(user_id, "ru", NOW)
    await users.give_consent(user_id, NOW)
    return user_id


def booking(
    user_id: int, start: datetime = SLOT, capacity: int = 1, **changes: object
) -> NewBooking:
    values: dict[str, object] = {
        "user_id": user_id,
        "center_id": "sairam",
        "service_id": "psychologist",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=45),
        "capacity": capacity,
        "note": None,
        "name_in_reminders": False,
        "reminders": [(timedelta(hours=2), start - 2 * HOUR)],
        "limit_since": NOW - 5 * HOUR,
        "daily_limit": 5,
    }
    values.update(changes)
    return NewBooking(**values)  # type: ignore[arg-type]


def notice(appointment: Appointment) -> list[Outgoing]:
    return [Outgoing(-100, {"text": f"new {appointment.code}"}, "appointment_notice")]


async def test_fifty_concurrent_bookings_of_one_seat(
    db: Database, repo: AppointmentRepository
) -> None:
    ids = [await user(db, 1000 + i) for i in range(50)]
    results = await asyncio.gather(*(repo.book(booking(i), now=NOW, notices=notice) for i in ids))
    assert sorted(r.outcome.value for r in results).count("done") == 1
    assert all(r.outcome in (Outcome.DONE, Outcome.SLOT_TAKEN) for r in results)
    assert await repo.taken("psychologist", SLOT, SLOT + HOUR) == {SLOT: 1}
    # One notice: only the booking that happened is reported.
    row = await db.fetch_one("SELECT COUNT(*) FROM outbox")
    assert row is not None and row[0] == 1


async def test_a_group_slot_takes_its_capacity(db: Database, repo: AppointmentRepository) -> None:
    ids = [await user(db, 2000 + i) for i in range(30)]
    results = await asyncio.gather(
        *(repo.book(booking(i, capacity=12), now=NOW, notices=notice) for i in ids)
    )
    assert sum(r.ok for r in results) == 12
    assert await repo.taken("psychologist", SLOT, SLOT + HOUR) == {SLOT: 12}


async def test_a_colliding_code_is_drawn_again(
    db: Database, repo: AppointmentRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes: Iterator[str] = iter(["AAA-AAA", "AAA-AAA", "BBB-BBB"])
    monkeypatch.setattr("storage.appointments.new_code", lambda: next(codes))
    first = await repo.book(booking(await user(db, 1)), now=NOW, notices=notice)
    second = await repo.book(booking(await user(db, 2), SLOT + HOUR), now=NOW, notices=notice)
    assert first.appointment is not None and first.appointment.code == "AAA-AAA"
    assert second.appointment is not None and second.appointment.code == "BBB-BBB"


async def test_limit_and_overlap(db: Database, repo: AppointmentRepository) -> None:
    person = await user(db, 1)
    done = await repo.book(booking(person, capacity=5), now=NOW, notices=notice)
    assert done.ok
    overlap = await repo.book(
        booking(person, SLOT + timedelta(minutes=30), capacity=5), now=NOW, notices=notice
    )
    assert overlap.outcome is Outcome.OVERLAP and overlap.other == done.appointment
    limited = await repo.book(
        booking(person, SLOT + 3 * HOUR, daily_limit=1), now=NOW, notices=notice
    )
    assert limited.outcome is Outcome.DAILY_LIMIT


async def test_the_note_is_sealed(db: Database, tmp_path: Path) -> None:
    key = b"t7VwvRZ2YlYc0K8tq2bN0Q5H1qgQm9dVbXKc1b3mQ2I="
    repo = AppointmentRepository(db, TextSealer([key]))
    result = await repo.book(booking(await user(db, 1), note="секрет"), now=NOW, notices=notice)
    assert result.appointment is not None and result.appointment.note == "секрет"
    raw = await db.fetch_one("SELECT note FROM appointments")
    assert raw is not None and "секрет" not in raw[0] and raw[0].startswith("f1:")


async def test_reschedule_takes_the_new_seat_or_keeps_the_old(
    db: Database, repo: AppointmentRepository
) -> None:
    mine = (await repo.book(booking(await user(db, 1)), now=NOW, notices=notice)).appointment
    assert mine is not None
    await repo.book(booking(await user(db, 2), SLOT + HOUR), now=NOW, notices=notice)
    full = await repo.reschedule(
        mine.id, user_id=1, version=1, starts_at=SLOT + HOUR, ends_at=SLOT + 2 * HOUR,
        capacity=1, reminders=[], now=NOW, notices=notice,
    )  # fmt: skip
    assert full.outcome is Outcome.SLOT_TAKEN
    assert await repo.get(mine.id) == mine
    moved = await repo.reschedule(
        mine.id, user_id=1, version=1, starts_at=SLOT + 2 * HOUR, ends_at=SLOT + 3 * HOUR,
        capacity=1, reminders=[(HOUR, SLOT + HOUR)], now=NOW, notices=notice,
    )  # fmt: skip
    assert moved.ok and moved.appointment is not None and moved.appointment.version == 2
    assert await repo.taken("psychologist", SLOT, SLOT + 5 * HOUR) == {
        SLOT + HOUR: 1,
        SLOT + 2 * HOUR: 1,
    }
    assert await repo.reminders_of(mine.id) == [
        (SLOT - 2 * HOUR, "skipped"),
        (SLOT + HOUR, "planned"),
    ]
    stale = await repo.reschedule(
        mine.id, user_id=1, version=1, starts_at=SLOT + 3 * HOUR, ends_at=SLOT + 4 * HOUR,
        capacity=1, reminders=[], now=NOW, notices=notice,
    )  # fmt: skip
    assert stale.outcome is Outcome.OUTDATED
    foreign = await repo.cancel(mine.id, user_id=2, version=None, now=NOW, notices=notice)
    assert foreign.outcome is Outcome.NOT_FOUND and foreign.appointment is None


async def test_a_due_reminder_is_claimed_with_its_outbox_row_once(
    db: Database, repo: AppointmentRepository
) -> None:
    await repo.book(booking(await user(db, 1)), now=NOW, notices=lambda a: [])
    seen: list[DueReminder] = []

    def render(due: DueReminder) -> Outgoing:
        seen.append(due)
        return Outgoing(1, {"text": f"reminder {due.appointment.code}"}, "appointment_reminder")

    assert await repo.claim_due_reminders(SLOT - 3 * HOUR, render) == 0
    assert await repo.claim_due_reminders(SLOT - 2 * HOUR, render) == 1
    assert await repo.claim_due_reminders(SLOT - HOUR, render) == 0
    assert len(seen) == 1 and seen[0].language == "ru"
    row = await db.fetch_one("SELECT chat_id, payload, purpose FROM outbox")
    assert row is not None and row["chat_id"] == 1 and row["purpose"] == "appointment_reminder"
    assert json.loads(TextSealer().open(row["payload"]))["text"].startswith("reminder ")


async def test_a_failed_claim_leaves_neither_claim_nor_message(
    db: Database, repo: AppointmentRepository
) -> None:
    result = await repo.book(booking(await user(db, 1)), now=NOW, notices=lambda a: [])
    assert result.appointment is not None

    def broken(due: DueReminder) -> Outgoing:
        raise RuntimeError("crash between the claim and the outbox row")

    with pytest.raises(RuntimeError):
        await repo.claim_due_reminders(SLOT, broken)
    assert await repo.reminders_of(result.appointment.id) == [(SLOT - 2 * HOUR, "planned")]
    row = await db.fetch_one("SELECT COUNT(*) FROM outbox")
    assert row is not None and row[0] == 0


async def test_a_skipped_reminder_is_not_sent(db: Database, repo: AppointmentRepository) -> None:
    result = await repo.book(booking(await user(db, 1)), now=NOW, notices=lambda a: [])
    assert result.appointment is not None
    assert await repo.claim_due_reminders(SLOT, lambda due: None) == 1
    assert await repo.reminders_of(result.appointment.id) == [(SLOT - 2 * HOUR, "skipped")]


async def test_erasing_a_user_cancels_the_future_and_keeps_anonymous_figures(
    db: Database, repo: AppointmentRepository
) -> None:
    person = await user(db, 1)
    past = await repo.book(
        booking(person, NOW - 4 * HOUR, note="было"), now=NOW - 30 * HOUR, notices=notice
    )
    future = await repo.book(booking(person, SLOT, note="будет"), now=NOW, notices=notice)
    assert past.appointment is not None and future.appointment is not None
    await repo.mark_attendance(past.appointment.id, "came", actor_id=903, now=NOW)
    async with db.transaction() as connection:
        cancelled = await repo.erase_user(connection, person, now=NOW, notices=notice)
        await erase_user(connection, person)
    assert cancelled == 1
    after_past = await repo.get(past.appointment.id)
    after_future = await repo.get(future.appointment.id)
    assert after_past is not None and after_future is not None
    assert after_past.user_id is None and after_past.note is None
    assert after_past.attendance == "came" and after_past.service_id == "psychologist"
    assert after_future.user_id is None and after_future.status == "cancelled"
    assert await repo.taken("psychologist", SLOT, SLOT + HOUR) == {}
    assert await repo.reminders_of(future.appointment.id) == [(SLOT - 2 * HOUR, "skipped")]


async def test_the_agenda_of_a_day_is_claimed_once(
    db: Database, repo: AppointmentRepository
) -> None:
    message = [AgendaOutgoing(Outgoing(-100, {"text": "agenda"}, "agenda"), (), False)]
    assert await repo.claim_agenda_day("2026-12-03", now=NOW, messages=message)
    assert not await repo.claim_agenda_day("2026-12-03", now=NOW, messages=message)
    assert await repo.agenda_sent("2026-12-03")
    row = await db.fetch_one("SELECT COUNT(*) FROM outbox")
    assert row is not None and row[0] == 1
