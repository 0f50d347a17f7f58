"""Cases in SQL: codes, claims, escalation steps, blocking, forgetting, retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storage.cases import CaseMessageStore, CaseRepository, CaseStore, CodeTaken
from storage.crypto import TextSealer
from storage.db import Database
from tests.storage.cases.helpers import NOW, insert_case


async def test_a_taken_code_is_refused(db: Database, sealer: TextSealer) -> None:
    await insert_case(db, sealer)
    with pytest.raises(CodeTaken):
        await insert_case(db, sealer, user_id=43)


async def test_only_the_first_claim_wins_and_it_stops_escalation(
    db: Database, sealer: TextSealer
) -> None:
    case_id = await insert_case(db, sealer)
    async with db.transaction() as connection:
        assert await CaseStore(connection, sealer).claim(case_id, 901, "Dilnaz", NOW)
        assert not await CaseStore(connection, sealer).claim(case_id, 902, "Bolat", NOW)
        assert not await CaseStore(connection, sealer).advance_escalation(case_id, 1, None, None)
    case = await CaseRepository(db, sealer).get(case_id)
    assert case is not None and case.taken_by == 901 and case.next_escalation_at is None
    assert await CaseRepository(db, sealer).due_escalations(NOW + timedelta(hours=1)) == []


async def test_escalation_steps_are_claimed_once(db: Database, sealer: TextSealer) -> None:
    case_id = await insert_case(db, sealer)
    repository = CaseRepository(db, sealer)
    assert await repository.due_escalations(NOW + timedelta(minutes=4)) == []
    due = await repository.due_escalations(NOW + timedelta(minutes=5))
    assert [c.id for c in due] == [case_id]
    later = NOW + timedelta(minutes=10)
    async with db.transaction() as connection:
        store = CaseStore(connection, sealer)
        # Read before a hand-over to another centre: that centre's chain starts afresh.
        assert not await store.advance_escalation(case_id, 1, later, "saryagash")
        assert await store.advance_escalation(case_id, 1, later, None)
        # The same step again (a second worker, a replay) changes nothing.
        assert not await store.advance_escalation(case_id, 1, later, None)
    case = await repository.get(case_id)
    assert case is not None and case.escalation_step == 1 and case.next_escalation_at == later


async def test_forgetting_unlinks_and_blanks_but_keeps_the_counts(
    db: Database, sealer: TextSealer
) -> None:
    open_id = await insert_case(db, sealer)
    closed_id = await insert_case(db, sealer, code="AAA-BBB")
    other_id = await insert_case(db, sealer, code="CCC-DDD", user_id=7)
    async with db.transaction() as connection:
        await CaseStore(connection, sealer).close(closed_id, NOW)
        await CaseMessageStore(connection, sealer).add(
            case_id=open_id,
            author="user",
            kind="text",
            body="тайна",
            file_id=None,
            now=NOW,
        )
        assert await CaseStore(connection, sealer).forget_user(42, NOW) == [open_id]
    repository = CaseRepository(db, sealer)
    for case_id in (open_id, closed_id):
        case = await repository.get(case_id)
        assert case is not None
        assert case.user_id is None and case.story is None and case.callback_phone is None
        assert case.screen is None and case.story_voice == () and not case.is_open
        assert case.category == "violence" and case.urgent and case.created_at == NOW
    assert [m.body for m in await repository.messages(open_id)] == [None]
    other = await repository.get(other_id)
    assert other is not None and other.user_id == 7 and other.story is not None
    assert await repository.open_case_of(42) is None


async def _erase_closed_texts(db: Database, sealer: TextSealer, before: datetime) -> int:
    async with db.transaction() as connection:
        return await CaseStore(connection, sealer).erase_closed_texts(before)


async def test_retention_erases_texts_of_old_closed_cases(db: Database, sealer: TextSealer) -> None:
    old_id = await insert_case(db, sealer)
    open_id = await insert_case(db, sealer, code="AAA-BBB", user_id=43)
    async with db.transaction() as connection:
        await CaseStore(connection, sealer).close(old_id, NOW)
    repository = CaseRepository(db, sealer)
    assert await _erase_closed_texts(db, sealer, NOW) == 0
    assert await _erase_closed_texts(db, sealer, NOW + timedelta(days=1)) == 1
    assert await _erase_closed_texts(db, sealer, NOW + timedelta(days=1)) == 0
    old = await repository.get(old_id)
    kept = await repository.get(open_id)
    assert old is not None and old.story is None and old.user_id == 42
    assert kept is not None and kept.story is not None


async def test_block_covers_every_case_of_the_person(db: Database, sealer: TextSealer) -> None:
    first = await insert_case(db, sealer)
    await insert_case(db, sealer, code="AAA-BBB")
    await insert_case(db, sealer, code="CCC-DDD", user_id=7)
    repository = CaseRepository(db, sealer)
    async with db.transaction() as connection:
        assert await CaseStore(connection, sealer).set_blocked(first, True) == 2
    assert await repository.is_user_blocked(42) and not await repository.is_user_blocked(7)
    async with db.transaction() as connection:
        await CaseStore(connection, sealer).set_blocked(first, False)
    assert not await repository.is_user_blocked(42)
