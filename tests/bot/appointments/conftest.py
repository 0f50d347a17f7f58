"""The appointment service on a real SQLite file, without Telegram: what it stores and
what it puts into the outbox are read back from the database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.appointments.service import AppointmentService, Booking
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.slots import FreeSlot
from bot.i18n import Texts
from storage.crypto import TextSealer
from storage.db import Database
from storage.unit_of_work import UnitOfWork
from storage.users import UserRepository
from tests.conftest import ALMATY, START, make_settings

THURSDAY_NOON = datetime(2026, 12, 3, 12, 0, tzinfo=ALMATY)


class Kit:
    def __init__(self, settings: Settings, db: Database, clock: ManualClock) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.wakes = 0
        self.sealer = TextSealer()
        self.unit = UnitOfWork(db, self.sealer, clock.now, self._wake)
        self.service = AppointmentService(
            settings=settings,
            texts=Texts.load(),
            clock=clock,
            db=db,
            sealer=self.sealer,
            unit=self.unit,
        )

    def _wake(self) -> None:
        self.wakes += 1

    async def user(self, user_id: int, language: str = "ru") -> int:
        users = UserRepository(self.db)
        await users.set_language(user_id, language, self.clock.now())  # type: ignore[arg-type]
        await users.give_consent(user_id, self.clock.now())
        return user_id

    def booking(
        self, user_id: int, start: datetime = THURSDAY_NOON, service_id: str = "psychologist"
    ) -> Booking:
        service = self.settings.service(service_id)
        assert service is not None
        slot = FreeSlot(start, start + service.duration, seats_left=service.capacity)
        return Booking(user_id, service, slot, note=None, name_in_reminders=False)

    async def outbox(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        """(chat id, method, purpose, parameters) of every outbox row, in order."""
        rows = await self.db.fetch_all(
            "SELECT chat_id, method, purpose, payload FROM outbox ORDER BY id"
        )
        return [(row[0], row[1], row[2], json.loads(self.sealer.open(row[3]))) for row in rows]


@pytest.fixture
async def kit(tmp_path: Path) -> AsyncIterator[Kit]:
    settings = make_settings(tmp_path, "http://127.0.0.1:9")
    db = await Database.open(settings.storage.path)
    yield Kit(settings, db, ManualClock(START))
    await db.close()


def later(kit: Kit, hours: float) -> None:
    kit.clock.advance(timedelta(hours=hours))
