"""A real SQLite file per test, and a user who may book."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.appointments import Appointment, NewAppointment, SeatChanges
from storage.crypto import TextSealer
from storage.db import Database
from storage.users import UserRepository

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
SLOT = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # Thursday 09:00 in Almaty
HOUR = timedelta(hours=1)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "db.sqlite3")
    yield database
    await database.close()


async def user(db: Database, user_id: int) -> int:
    users = UserRepository(db)
    await users.set_language(user_id, "ru", NOW)
    await users.give_consent(user_id, NOW)
    return user_id


def seat(
    user_id: int, start: datetime = SLOT, capacity: int = 1, note: str | None = None
) -> NewAppointment:
    return NewAppointment(
        user_id=user_id,
        center_id="sairam",
        service_id="psychologist",
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        capacity=capacity,
        note=note,
        name_in_reminders=False,
    )


async def take(
    db: Database, new: NewAppointment, now: datetime = NOW, sealer: TextSealer | None = None
) -> Appointment | None:
    """Takes a seat in a transaction of its own, as the service does."""
    async with db.transaction() as connection:
        return await SeatChanges(connection, sealer or TextSealer()).insert_if_free(new, now)
