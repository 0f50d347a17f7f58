"""Forget me, for appointments (bot/appointments/forgetting.py): inside one transaction."""

from __future__ import annotations

from datetime import datetime

from storage.users import erase_user
from tests.bot.appointments.conftest import Kit
from tests.conftest import ALMATY


async def test_future_appointments_are_cancelled_and_a_queued_agenda_loses_the_note(
    kit: Kit,
) -> None:
    person = await kit.user(1)
    booking = kit.booking(person)
    booked = (
        await kit.service.book(
            type(booking)(person, booking.service, booking.slot, "секрет", False)
        )
    ).appointment
    assert booked is not None
    kit.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=ALMATY))
    await kit.service.agenda.send_morning_agenda()
    queued = [row for row in await kit.outbox() if row[2] == "agenda"]
    assert "секрет" in queued[0][3]["text"]
    async with kit.unit.write() as tx:
        await kit.service.eraser(tx.connection, None, person, kit.clock.now())
        await erase_user(tx.connection, person)
    stored = await kit.service.store.get(booked.id)
    assert stored is not None and stored.status == "cancelled" and stored.user_id is None
    assert stored.note is None
    rows = await kit.outbox()
    # The booking's own notice went with the erased refs; staff hear of the cancellation.
    assert [purpose for _, _, purpose, _ in rows] == ["agenda", "appointment_notice"]
    agenda_text = rows[0][3]["text"]
    # The cancelled appointment leaves the queued agenda, as it would a fresh /agenda.
    assert "секрет" not in agenda_text and booked.code not in agenda_text
    assert "секрет" not in rows[1][3]["text"]
