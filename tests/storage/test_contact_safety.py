"""Contact safety SQL: her state round trip, held outbox rows, lifting them when she writes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.domain.contact_safety import ContactSafety, SafeHours
from bot.domain.slots import TimeRange
from storage.contact_safety import ContactSafetyRepository, ContactSafetyStore
from storage.crypto import TextSealer
from storage.db import Database
from storage.outbox import OutboxRepository, enqueue

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HER = 42


async def test_held_rows_wait_and_her_writing_lets_them_go(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        outbox = OutboxRepository(db, TextSealer())
        async with db.transaction() as connection:
            row = await enqueue(
                connection,
                TextSealer(),
                chat_id=HER,
                method="sendMessage",
                params={"text": "answer"},
                purpose="case_staff_answer",
                ref=None,
                now=NOW,
            )
            await ContactSafetyStore(connection).note_left(HER, NOW)
        assert await ContactSafetyRepository(db).who_left() == {HER}
        await outbox.hold(row, NOW + timedelta(days=7))
        # Held: not a lane, not the next message, not a delivery backlog; found when due.
        assert await outbox.lanes_with_pending(NOW) == []
        assert await outbox.next_for_chat(HER, now=NOW) is None
        assert await outbox.backlog() == (0, None)
        assert not await outbox.held_due(NOW)
        assert await outbox.held_due(NOW + timedelta(days=7))
        assert await outbox.lanes_with_pending(NOW + timedelta(days=7)) == [(HER, 0)]
        # She writes: no longer left, and the row is judged afresh at once.
        async with db.transaction() as connection:
            assert await ContactSafetyStore(connection).heard_from(HER)
            assert not await ContactSafetyStore(connection).heard_from(HER)
        assert await ContactSafetyRepository(db).who_left() == set()
        item = await outbox.next_for_chat(HER, now=NOW)
        assert item is not None and item.id == row
    finally:
        await db.close()


async def test_her_hours_round_trip_and_clear(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        repository = ContactSafetyRepository(db)
        assert await repository.get(HER) == ContactSafety()
        hours = SafeHours(TimeRange(time(10), time(13)), weekdays_only=True)
        async with db.transaction() as connection:
            await ContactSafetyStore(connection).set_hours(HER, hours)
        assert await repository.get(HER) == ContactSafety(safe_hours=hours)
        async with db.transaction() as connection:
            await ContactSafetyStore(connection).set_hours(HER, None)
        assert await repository.get(HER) == ContactSafety()
    finally:
        await db.close()
