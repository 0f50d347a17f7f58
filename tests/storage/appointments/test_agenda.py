"""The agenda on a real SQLite file: a day claimed once, messages and what they list."""

from __future__ import annotations

from storage.appointments import AgendaChanges, AgendaDays
from storage.crypto import TextSealer
from storage.db import Database
from tests.storage.appointments.conftest import HOUR, NOW, SLOT, seat, take, user


async def test_the_agenda_of_a_day_is_claimed_once(db: Database) -> None:
    async with db.transaction() as connection:
        agenda = AgendaChanges(connection, TextSealer())
        assert await agenda.claim_day("2026-12-03", NOW)
        assert not await agenda.claim_day("2026-12-03", NOW)
    assert await AgendaDays(db).sent("2026-12-03")
    assert not await AgendaDays(db).sent("2026-12-04")


async def test_a_message_lists_its_appointments_in_order(db: Database) -> None:
    first = await take(db, seat(await user(db, 1), SLOT + HOUR, note="позже"))
    second = await take(db, seat(await user(db, 2), SLOT))
    assert first is not None and second is not None
    async with db.transaction() as connection:
        agenda = AgendaChanges(connection, TextSealer())
        record_id = await agenda.record_message(
            -100, None, "2026-12-03", True, [second.id, first.id]
        )
        await agenda.set_message_id(record_id, 55)
        stored = await agenda.message(record_id)
        listing = await agenda.messages_listing([first.id])
        assert await agenda.messages_listing([]) == []
    assert stored is not None and stored.message_id == 55 and stored.with_buttons
    assert [entry.id for entry in stored.entries] == [second.id, first.id]
    assert stored.entries[1].note == "позже"
    assert [found.record_id for found in listing] == [record_id]


async def test_a_redrawn_message_replaces_what_it_lists(db: Database) -> None:
    first = await take(db, seat(await user(db, 1), SLOT))
    second = await take(db, seat(await user(db, 2), SLOT + HOUR))
    assert first is not None and second is not None
    async with db.transaction() as connection:
        agenda = AgendaChanges(connection, TextSealer())
        record_id = await agenda.record_message(-100, 55, "2026-12-03", True, [first.id])
        await agenda.replace_entries(-100, 55, "2026-12-03", [first.id, second.id])
        # A message never recorded (sent before records existed) is recorded now.
        await agenda.replace_entries(-100, 77, "2026-12-03", [second.id])
        replaced = await agenda.message(record_id)
        listing = await agenda.messages_listing([second.id])
    assert replaced is not None and [e.id for e in replaced.entries] == [first.id, second.id]
    assert sorted(found.message_id or 0 for found in listing) == [55, 77]
