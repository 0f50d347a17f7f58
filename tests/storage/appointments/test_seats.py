"""TakenSeats on a real SQLite file: never double-booked, codes, moves, erasure."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest

from storage.appointments import AppointmentStore, ReminderChanges, SeatChanges
from storage.crypto import TextSealer
from storage.db import Database
from storage.users import erase_user
from tests.storage.appointments.conftest import HOUR, NOW, SLOT, seat, take, user


@pytest.fixture
def store(db: Database) -> AppointmentStore:
    return AppointmentStore(db, TextSealer())


async def test_fifty_concurrent_bookings_of_one_seat(db: Database, store: AppointmentStore) -> None:
    ids = [await user(db, 1000 + i) for i in range(50)]
    results = await asyncio.gather(*(take(db, seat(i)) for i in ids))
    assert sum(result is not None for result in results) == 1
    assert await store.taken("psychologist", SLOT, SLOT + HOUR, SLOT) == {SLOT: 1}


async def test_a_group_slot_takes_its_capacity(db: Database, store: AppointmentStore) -> None:
    ids = [await user(db, 2000 + i) for i in range(30)]
    results = await asyncio.gather(*(take(db, seat(i, capacity=12)) for i in ids))
    assert sum(result is not None for result in results) == 12
    assert await store.taken("psychologist", SLOT, SLOT + HOUR, SLOT) == {SLOT: 12}


async def test_a_colliding_code_is_drawn_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes: Iterator[str] = iter(["AAA-AAA", "AAA-AAA", "BBB-BBB"])
    monkeypatch.setattr("storage.appointments.seats.new_code", lambda: next(codes))
    first = await take(db, seat(await user(db, 1)))
    second = await take(db, seat(await user(db, 2), SLOT + HOUR))
    assert first is not None and first.code == "AAA-AAA"
    assert second is not None and second.code == "BBB-BBB"


async def test_overlap_and_bookings_of_the_day(db: Database) -> None:
    person = await user(db, 1)
    done = await take(db, seat(person, capacity=5))
    assert done is not None
    async with db.transaction() as connection:
        seats = SeatChanges(connection, TextSealer())
        later = SLOT + 30 * HOUR / 60
        assert await seats.overlapping(person, later, later + HOUR, exclude=None) == done
        assert await seats.overlapping(person, later, later + HOUR, exclude=done.id) is None
        assert (
            await seats.overlapping(person, SLOT + 3 * HOUR, SLOT + 4 * HOUR, exclude=None) is None
        )
        assert await seats.bookings_since(person, NOW - HOUR) == 1
        assert await seats.bookings_since(person, NOW + HOUR) == 0


async def test_the_note_is_sealed(db: Database) -> None:
    key = b"t7VwvRZ2YlYc0K8tq2bN0Q5H1qgQm9dVbXKc1b3mQ2I="
    sealer = TextSealer([key])
    booked = await take(db, seat(await user(db, 1), note="секрет"), sealer=sealer)
    assert booked is not None and booked.note == "секрет"
    raw = await db.fetch_one("SELECT note FROM appointments")
    assert raw is not None and "секрет" not in raw[0] and raw[0].startswith("f1:")


async def test_a_move_takes_the_new_seat_or_keeps_the_old(
    db: Database, store: AppointmentStore
) -> None:
    mine = await take(db, seat(await user(db, 1)))
    assert mine is not None
    await take(db, seat(await user(db, 2), SLOT + HOUR))
    async with db.transaction() as connection:
        seats = SeatChanges(connection, TextSealer())
        full = await seats.move_if_free(mine, SLOT + HOUR, SLOT + 2 * HOUR, capacity=1, now=SLOT)
        moved = await seats.move_if_free(
            mine, SLOT + 2 * HOUR, SLOT + 3 * HOUR, capacity=1, now=SLOT
        )
        # The button's version is gone now: a second move of the same version changes nothing.
        stale = await seats.move_if_free(
            mine, SLOT + 3 * HOUR, SLOT + 4 * HOUR, capacity=1, now=SLOT
        )
    assert full is None and stale is None
    assert moved is not None and moved.version == 2 and moved.starts_at == SLOT + 2 * HOUR
    assert await store.taken("psychologist", SLOT, SLOT + 5 * HOUR, SLOT) == {
        SLOT + HOUR: 1,
        SLOT + 2 * HOUR: 1,
    }


async def test_a_cancellation_frees_the_seat(db: Database, store: AppointmentStore) -> None:
    mine = await take(db, seat(await user(db, 1), note="о работе"))
    assert mine is not None
    async with db.transaction() as connection:
        cancelled = await SeatChanges(connection, TextSealer()).cancel(mine.id, by="user", now=NOW)
    assert cancelled.status == "cancelled" and cancelled.note == "о работе"
    assert await store.taken("psychologist", SLOT, SLOT + HOUR, SLOT) == {}
    assert await take(db, seat(await user(db, 2))) is not None


async def test_erasing_a_user_cancels_the_future_and_keeps_anonymous_figures(
    db: Database, store: AppointmentStore
) -> None:
    person = await user(db, 1)
    past = await take(db, seat(person, NOW - 4 * HOUR, note="было"), now=NOW - 30 * HOUR)
    future = await take(db, seat(person, SLOT, note="будет"))
    assert past is not None and future is not None
    async with db.transaction() as connection:
        seats = SeatChanges(connection, TextSealer())
        await ReminderChanges(connection, TextSealer()).plan(
            future.id, [(2 * HOUR, SLOT - 2 * HOUR)]
        )
        await seats.set_attendance(past.id, "came", NOW)
        assert [a.id for a in await seats.future_of_user(person, NOW)] == [future.id]
        assert sorted(await seats.ids_of_user(person)) == sorted([past.id, future.id])
        await seats.cancel(future.id, by="forget", now=NOW)
        await ReminderChanges(connection, TextSealer()).drop_planned(future.id, NOW)
        await seats.unlink_user(person)
        await erase_user(connection, person)
    after_past = await store.get(past.id)
    after_future = await store.get(future.id)
    assert after_past is not None and after_future is not None
    assert after_past.user_id is None and after_past.note is None
    assert after_past.attendance == "came" and after_past.service_id == "psychologist"
    assert after_future.user_id is None and after_future.status == "cancelled"
    assert after_future.note is None
    assert await store.taken("psychologist", SLOT, SLOT + HOUR, SLOT) == {}
    assert await store.reminders_of(future.id) == [(SLOT - 2 * HOUR, "skipped")]


async def test_old_notes_are_erased(db: Database, store: AppointmentStore) -> None:
    old = await take(db, seat(await user(db, 1), NOW - 4 * HOUR, note="было"), now=NOW - 30 * HOUR)
    new = await take(db, seat(await user(db, 2), SLOT, note="будет"))
    assert old is not None and new is not None
    async with db.transaction() as connection:
        erased = await SeatChanges(connection, TextSealer()).erase_notes_ended_before(NOW)
    assert erased == 1
    kept_old, kept_new = await store.get(old.id), await store.get(new.id)
    assert kept_old is not None and kept_old.note is None
    assert kept_new is not None and kept_new.note == "будет"


async def test_voice_notes_go_where_notes_go(db: Database, store: AppointmentStore) -> None:
    """Retention, a forget-me cancellation and the unlinking erase a voice note as they
    erase a written one; its staff-group copy is remembered as a voice (to be deleted)."""
    person = await user(db, 1)
    old = await take(
        db,
        replace(seat(person, NOW - 4 * HOUR), voice_note="voice-old"),
        now=NOW - 30 * HOUR,
    )
    future = await take(db, replace(seat(person, SLOT), voice_note="voice-future"))
    other = await take(db, replace(seat(await user(db, 2), SLOT + HOUR), voice_note="voice-kept"))
    assert old is not None and future is not None and other is not None
    assert future.voice_note == "voice-future"
    async with db.transaction() as connection:
        seats = SeatChanges(connection, TextSealer())
        await seats.link_staff_message(-100, 7, future.id)
        await seats.link_staff_message(-100, 8, future.id, kind="voice")
        assert [(m.message_id, m.kind) for m in await seats.staff_messages_of_user(person)] == [
            (7, "notice"),
            (8, "voice"),
        ]
        assert await seats.erase_notes_ended_before(NOW) == 1
        cancelled = await seats.cancel(future.id, by="forget", now=NOW)
        assert cancelled.voice_note is None
    erased_old, kept = await store.get(old.id), await store.get(other.id)
    assert erased_old is not None and erased_old.voice_note is None
    assert kept is not None and kept.voice_note == "voice-kept"
    async with db.transaction() as connection:
        await SeatChanges(connection, TextSealer()).unlink_user(2)
    unlinked = await store.get(other.id)
    assert unlinked is not None and unlinked.voice_note is None
