"""The staff agenda (bot/appointments/agenda.py): the morning agenda once a day, /agenda
remembered before it is sent, attendance marks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage.appointments import AgendaChanges, AgendaDays
from tests.bot.appointments.conftest import THURSDAY_NOON, Kit
from tests.conftest import ALMATY, STAFF_CHAT_ID


async def test_the_morning_agenda_goes_out_once_a_day(kit: Kit) -> None:
    booked = (await kit.service.book(kit.booking(await kit.user(1)))).appointment
    assert booked is not None
    kit.clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=ALMATY))
    agenda = kit.service.agenda
    await agenda.send_morning_agenda()  # before agenda_time: nothing
    assert [purpose for _, _, purpose, _ in await kit.outbox()] == ["appointment_notice"]
    kit.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=ALMATY))
    await agenda.send_morning_agenda()
    await agenda.send_morning_agenda()  # claimed: not twice
    rows = [row for row in await kit.outbox() if row[2] == "agenda"]
    assert len(rows) == 1 and rows[0][0] == STAFF_CHAT_ID and booked.code in rows[0][3]["text"]
    record = await kit.db.fetch_one("SELECT ref FROM outbox WHERE purpose = 'agenda'")
    assert record is not None
    async with kit.unit.write() as tx:
        listed = await AgendaChanges(tx.connection, tx.sealer).message(record[0])
    assert listed is not None and [entry.id for entry in listed.entries] == [booked.id]


async def test_a_closed_day_with_nobody_booked_sends_nothing(kit: Kit) -> None:
    kit.clock.set(datetime(2026, 12, 6, 9, 0, tzinfo=ALMATY))  # a Sunday
    await kit.service.agenda.send_morning_agenda()
    assert await kit.outbox() == []
    assert await AgendaDays(kit.db).sent("2026-12-06")


async def test_agenda_on_request_is_audited_and_recorded_before_sending(kit: Kit) -> None:
    booked = (await kit.service.book(kit.booking(await kit.user(1)))).appointment
    assert booked is not None
    recorded = await kit.service.agenda.open_day(
        date(2026, 12, 3), actor_id=903, chat_id=STAFF_CHAT_ID, with_marks=False
    )
    assert [part.part.appointment_ids for part in recorded] == [(booked.id,)]
    assert recorded[0].record_id is not None
    audit = await kit.db.fetch_all("SELECT actor_id, action, detail FROM audit_log")
    assert [tuple(row) for row in audit] == [(903, "agenda", "2026-12-03")]


async def test_marks_are_refused_before_the_day_and_stored_on_it(kit: Kit) -> None:
    booked = (await kit.service.book(kit.booking(await kit.user(1)))).appointment
    assert booked is not None
    agenda = kit.service.agenda
    early = await agenda.mark(booked.id, "came", actor_id=903, chat_id=None, message_id=None)
    assert early.outcome == "too_early"
    assert (
        await agenda.mark(999, "came", actor_id=903, chat_id=None, message_id=None)
    ).outcome == ("unknown")
    kit.clock.set(THURSDAY_NOON + timedelta(hours=1))
    done = await agenda.mark(
        booked.id, "no_show", actor_id=903, chat_id=STAFF_CHAT_ID, message_id=5
    )
    assert done.outcome == "done" and done.redrawn is not None
    stored = await kit.service.store.get(booked.id)
    assert stored is not None and stored.attendance == "no_show"
    await kit.service.cancel(1, booked.id, None)
    cancelled = await agenda.mark(booked.id, "came", actor_id=903, chat_id=None, message_id=None)
    assert cancelled.outcome == "cancelled" and cancelled.code == booked.code
