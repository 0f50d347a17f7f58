"""AppointmentService (bot/appointments/service.py): the change, its reminders and its
staff notice commit together; delivery wakes after each commit; the daily limit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.appointments.service import Outcome
from bot.domain.slots import FreeSlot
from tests.bot.appointments.conftest import THURSDAY_NOON, Kit
from tests.conftest import STAFF_CHAT_ID


async def test_a_booking_stores_its_reminders_and_one_staff_notice(kit: Kit) -> None:
    person = await kit.user(700123456)
    result = await kit.service.book(kit.booking(person))
    assert result.ok and result.appointment is not None
    code = result.appointment.code
    assert [due for due, _ in await kit.service.store.reminders_of(result.appointment.id)] == [
        THURSDAY_NOON - timedelta(hours=24),
        THURSDAY_NOON - timedelta(hours=2),
    ]
    (notice,) = await kit.outbox()
    assert notice[:3] == (STAFF_CHAT_ID, "sendMessage", "appointment_notice")
    assert code in notice[3]["text"] and str(person) not in notice[3]["text"]
    assert kit.wakes == 1


async def test_fifty_concurrent_bookings_of_one_seat_make_one_notice(kit: Kit) -> None:
    people = [await kit.user(1000 + n) for n in range(50)]
    results = await asyncio.gather(*(kit.service.book(kit.booking(p)) for p in people))
    assert sorted(r.outcome.value for r in results).count("done") == 1
    assert all(r.outcome in (Outcome.DONE, Outcome.SLOT_TAKEN) for r in results)
    # Only the booking that happened is reported.
    assert len(await kit.outbox()) == 1


async def test_the_daily_limit_and_an_overlap_store_nothing(kit: Kit) -> None:
    person = await kit.user(1)
    first = await kit.service.book(kit.booking(person, THURSDAY_NOON, "training"))
    # Training is on Saturdays: a booking of it at a Thursday time still overlaps itself.
    assert first.ok
    overlap = await kit.service.book(kit.booking(person, THURSDAY_NOON + timedelta(minutes=30)))
    assert overlap.outcome is Outcome.OVERLAP and overlap.other == first.appointment
    for hour in range(1, 5):
        assert (
            await kit.service.book(kit.booking(person, THURSDAY_NOON + timedelta(hours=3 * hour)))
        ).ok
    assert await kit.service.daily_limit_reached(person)
    limited = await kit.service.book(kit.booking(person, THURSDAY_NOON + timedelta(days=1)))
    assert limited.outcome is Outcome.DAILY_LIMIT
    # A new local day: the limit counts again from midnight.
    kit.clock.advance(timedelta(days=1))
    assert not await kit.service.daily_limit_reached(person)


async def test_cancel_and_move_refuse_what_is_not_yours_or_outdated(kit: Kit) -> None:
    mine = (await kit.service.book(kit.booking(await kit.user(1)))).appointment
    assert mine is not None
    other = await kit.user(2)
    assert (await kit.service.cancel(other, mine.id, None)).outcome is Outcome.NOT_FOUND
    new_slot = FreeSlot(THURSDAY_NOON + timedelta(hours=2), THURSDAY_NOON + timedelta(hours=3), 1)
    assert (await kit.service.move(other, mine.id, mine.version, new_slot)).outcome is (
        Outcome.NOT_FOUND
    )
    same = FreeSlot(mine.starts_at, mine.ends_at, 1)
    assert (await kit.service.move(1, mine.id, mine.version, same)).outcome is Outcome.SAME_TIME
    moved = await kit.service.move(1, mine.id, mine.version, new_slot)
    assert moved.ok and moved.appointment is not None and moved.appointment.version == 2
    stale = await kit.service.move(1, mine.id, mine.version, new_slot)
    assert stale.outcome is Outcome.OUTDATED
    assert (await kit.service.confirm_coming(1, mine.id, mine.version)).outcome is Outcome.OUTDATED
    cancelled = await kit.service.cancel(1, mine.id, None)
    assert cancelled.ok
    assert (await kit.service.cancel(1, mine.id, None)).outcome is Outcome.CANCELLED
    purposes = [purpose for _, _, purpose, _ in await kit.outbox()]
    assert purposes == ["appointment_notice"] * 3  # new, moved, cancelled
    assert [status for _, status in await kit.service.store.reminders_of(mine.id)] == [
        "skipped",
        "skipped",
        "skipped",
        "skipped",
    ]


async def test_a_move_to_a_full_slot_keeps_the_old_time(kit: Kit) -> None:
    mine = (await kit.service.book(kit.booking(await kit.user(1)))).appointment
    taken = THURSDAY_NOON + timedelta(hours=2)
    assert (await kit.service.book(kit.booking(await kit.user(2), taken))).ok
    assert mine is not None
    full = await kit.service.move(
        1, mine.id, mine.version, FreeSlot(taken, taken + timedelta(minutes=45), 1)
    )
    assert full.outcome is Outcome.SLOT_TAKEN
    assert await kit.service.store.get(mine.id) == mine
