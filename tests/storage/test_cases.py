"""Case storage on a real SQLite file: codes, claims, escalation steps, relays, forgetting."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import cases as store
from storage.cases import CaseRepository, CodeTaken
from storage.crypto import TextSealer, new_key
from storage.db import Database
from storage.outbox import enqueue

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "cases.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def sealer() -> TextSealer:
    return TextSealer([new_key().encode("ascii")])


async def _case(
    db: Database, sealer: TextSealer, code: str = "7KQ-M2F", user_id: int = 42, **extra: object
) -> int:
    values: dict[str, object] = {
        "code": code,
        "user_id": user_id,
        "language": "ru",
        "category": "violence",
        "urgent_reasons": ["sos_button"],
        "story": "Он сказал, что убьёт меня",
        "story_voice": ["voice-1"],
        "screen": {"weapon": True, "gun": None},
        "reply_by": "call",
        "callback_phone": "+7 701 234 56 78",
        "now": NOW,
        "next_escalation_at": NOW + timedelta(minutes=5),
        "topic_id": None,
    }
    values.update(extra)
    async with db.transaction() as connection:
        return await store.insert_case(connection, sealer, **values)  # type: ignore[arg-type]


async def test_a_case_round_trips_and_its_texts_are_sealed_at_rest(
    db: Database, sealer: TextSealer
) -> None:
    case_id = await _case(db, sealer)
    case = await CaseRepository(db, sealer).get(case_id)
    assert case is not None
    assert (case.code, case.user_id, case.urgent, case.urgent_reasons) == (
        "7KQ-M2F",
        42,
        True,
        ("sos_button",),
    )
    assert case.story == "Он сказал, что убьёт меня" and case.story_voice == ("voice-1",)
    assert case.screen == {"weapon": True, "gun": None}
    assert case.callback_phone == "+7 701 234 56 78"
    with sqlite3.connect(db.path) as raw:
        row = raw.execute("SELECT story, callback_phone, screen FROM cases").fetchone()
    assert all(value.startswith("f1:") for value in row)
    assert "убьёт" not in " ".join(row) and "701" not in " ".join(row)


async def test_a_taken_code_is_refused(db: Database, sealer: TextSealer) -> None:
    await _case(db, sealer)
    with pytest.raises(CodeTaken):
        await _case(db, sealer, user_id=43)


async def test_only_the_first_claim_wins_and_it_stops_escalation(
    db: Database, sealer: TextSealer
) -> None:
    case_id = await _case(db, sealer)
    async with db.transaction() as connection:
        assert await store.claim(connection, case_id, 901, "Dilnaz", NOW)
        assert not await store.claim(connection, case_id, 902, "Bolat", NOW)
        assert not await store.advance_escalation(connection, case_id, 1, None)
    case = await CaseRepository(db, sealer).get(case_id)
    assert case is not None and case.taken_by == 901 and case.next_escalation_at is None
    assert await CaseRepository(db, sealer).due_escalations(NOW + timedelta(hours=1)) == []


async def test_escalation_steps_are_claimed_once(db: Database, sealer: TextSealer) -> None:
    case_id = await _case(db, sealer)
    repository = CaseRepository(db, sealer)
    assert await repository.due_escalations(NOW + timedelta(minutes=4)) == []
    due = await repository.due_escalations(NOW + timedelta(minutes=5))
    assert [c.id for c in due] == [case_id]
    later = NOW + timedelta(minutes=10)
    async with db.transaction() as connection:
        assert await store.advance_escalation(connection, case_id, 1, later)
        # The same step again (a second worker, a replay) changes nothing.
        assert not await store.advance_escalation(connection, case_id, 1, later)
    case = await repository.get(case_id)
    assert case is not None and case.escalation_step == 1 and case.next_escalation_at == later


async def test_relays_wait_while_a_batch_is_pending(db: Database, sealer: TextSealer) -> None:
    case_id = await _case(db, sealer)
    async with db.transaction() as connection:
        first = await store.add_message(
            connection,
            sealer,
            case_id=case_id,
            author="user",
            kind="text",
            body="1",
            file_id=None,
            now=NOW,
        )
        outbox_id = await enqueue(
            connection,
            sealer,
            chat_id=-100,
            method="sendMessage",
            params={"text": "1"},
            purpose="case_relay",
            ref=case_id,
            now=NOW,
        )
        await store.set_relay(connection, [first], outbox_id)
        await store.add_message(
            connection,
            sealer,
            case_id=case_id,
            author="user",
            kind="text",
            body="2",
            file_id=None,
            now=NOW,
        )
        assert await store.has_pending_relay(connection, case_id)
        waiting = await store.unrelayed_user_messages(connection, sealer, case_id)
    assert [m.body for m in waiting] == ["2"]
    repository = CaseRepository(db, sealer)
    assert await repository.cases_with_stalled_relays() == []
    await db.execute("UPDATE outbox SET status = 'failed'")
    assert await repository.cases_with_stalled_relays() == [case_id]


async def test_forgetting_unlinks_and_blanks_but_keeps_the_counts(
    db: Database, sealer: TextSealer
) -> None:
    open_id = await _case(db, sealer)
    closed_id = await _case(db, sealer, code="AAA-BBB")
    other_id = await _case(db, sealer, code="CCC-DDD", user_id=7)
    async with db.transaction() as connection:
        await store.close_case(connection, closed_id, NOW)
        await store.add_message(
            connection,
            sealer,
            case_id=open_id,
            author="user",
            kind="text",
            body="тайна",
            file_id=None,
            now=NOW,
        )
        assert await store.forget_user_cases(connection, 42, NOW) == [open_id]
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


async def test_retention_erases_texts_of_old_closed_cases(db: Database, sealer: TextSealer) -> None:
    old_id = await _case(db, sealer)
    open_id = await _case(db, sealer, code="AAA-BBB", user_id=43)
    async with db.transaction() as connection:
        await store.close_case(connection, old_id, NOW)
    repository = CaseRepository(db, sealer)
    assert await repository.erase_closed_texts(NOW) == 0
    assert await repository.erase_closed_texts(NOW + timedelta(days=1)) == 1
    assert await repository.erase_closed_texts(NOW + timedelta(days=1)) == 0
    old = await repository.get(old_id)
    kept = await repository.get(open_id)
    assert old is not None and old.story is None and old.user_id == 42
    assert kept is not None and kept.story is not None


async def test_block_covers_every_case_of_the_person(db: Database, sealer: TextSealer) -> None:
    first = await _case(db, sealer)
    await _case(db, sealer, code="AAA-BBB")
    await _case(db, sealer, code="CCC-DDD", user_id=7)
    repository = CaseRepository(db, sealer)
    async with db.transaction() as connection:
        assert await store.set_blocked(connection, first, True) == 2
    assert await repository.is_user_blocked(42) and not await repository.is_user_blocked(7)
    async with db.transaction() as connection:
        await store.set_blocked(connection, first, False)
    assert not await repository.is_user_blocked(42)


async def test_manual_duty(db: Database, sealer: TextSealer) -> None:
    repository = CaseRepository(db, sealer)
    async with db.transaction() as connection:
        await store.take_duty(connection, 901, "Dilnaz", NOW)
        await store.take_duty(connection, 903, "Saule", NOW + timedelta(minutes=1))
    assert [e.user_id for e in await repository.manual_duty()] == [903, 901]
    async with db.transaction() as connection:
        assert await store.hand_back_duty(connection, 903)
        assert not await store.hand_back_duty(connection, 903)
    assert [e.name for e in await repository.manual_duty()] == ["Dilnaz"]


async def test_counting_todays_cases_does_not_need_the_write_lock(
    db: Database, sealer: TextSealer
) -> None:
    """Another writer (the backup command, a migration) holds SQLite's write lock: the
    daily-limit check is a plain read and answers at once (WAL), it does not wait."""
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from bot import casework

    await _case(db, sealer)
    services = SimpleNamespace(
        clock=SimpleNamespace(now=lambda: NOW + timedelta(hours=1)),
        settings=SimpleNamespace(general=SimpleNamespace(timezone=ZoneInfo("Asia/Almaty"))),
        cases=CaseRepository(db, sealer),
        db=db,
    )
    writer = sqlite3.connect(db.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        async with asyncio.timeout(1):
            assert await casework.cases_today(services, 42) == 1  # type: ignore[arg-type]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
