"""Manual duty: taken by /duty, handed back once."""

from __future__ import annotations

from datetime import timedelta

from storage.cases import CaseRepository, DutyStore
from storage.crypto import TextSealer
from storage.db import Database
from tests.storage.cases.helpers import NOW


async def test_manual_duty(db: Database, sealer: TextSealer) -> None:
    repository = CaseRepository(db, sealer)
    async with db.transaction() as connection:
        await DutyStore(connection).take(901, "Dilnaz", NOW)
        await DutyStore(connection).take(903, "Saule", NOW + timedelta(minutes=1))
    assert [e.user_id for e in await repository.manual_duty()] == [903, 901]
    async with db.transaction() as connection:
        assert await DutyStore(connection).hand_back(903)
        assert not await DutyStore(connection).hand_back(903)
    assert [e.name for e in await repository.manual_duty()] == ["Dilnaz"]
