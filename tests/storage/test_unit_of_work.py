"""The one write boundary: commit with its outbox rows, wake after COMMIT, nesting fails."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.crypto import TextSealer
from storage.db import Database, NestedWriteError
from storage.unit_of_work import UnitOfWork

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "db.sqlite3")
    try:
        yield database
    finally:
        await database.close()


class Wakes:
    def __init__(self) -> None:
        self.pending_seen: list[int] = []

    def __call__(self) -> None:
        self.pending_seen.append(1)


def unit(db: Database, wakes: Wakes) -> UnitOfWork:
    return UnitOfWork(db, TextSealer(), lambda: NOW, wakes)


async def pending(db: Database) -> int:
    row = await db.fetch_one("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
    assert row is not None
    return int(row[0])


async def test_change_and_outbox_commit_together_and_wake_after(db: Database) -> None:
    wakes = Wakes()
    async with unit(db, wakes).write() as tx:
        await tx.connection.execute(
            "INSERT INTO users (user_id, language, created_at) VALUES (7, 'kk', 'x')"
        )
        await tx.outbox.add(chat_id=7, method="sendMessage", params={"text": "a"}, purpose="t")
        assert tx.outbox.added == 1
        assert wakes.pending_seen == [], "woken before COMMIT"
    assert wakes.pending_seen == [1]
    assert await pending(db) == 1


async def test_failure_rolls_back_both_and_does_not_wake(db: Database) -> None:
    wakes = Wakes()
    with pytest.raises(ValueError):
        async with unit(db, wakes).write() as tx:
            await tx.connection.execute(
                "INSERT INTO users (user_id, language, created_at) VALUES (8, 'kk', 'x')"
            )
            await tx.outbox.add(chat_id=8, method="sendMessage", params={"text": "b"}, purpose="t")
            raise ValueError("the change failed half way")
    assert wakes.pending_seen == []
    assert await pending(db) == 0
    assert await db.fetch_one("SELECT 1 FROM users WHERE user_id = 8") is None


async def test_nested_write_raises_at_once_instead_of_hanging(db: Database) -> None:
    work = unit(db, Wakes())

    async def nested() -> None:
        async with work.write(), work.write():
            pass

    # A deadlock would hang here; wait_for turns a hang into a failure of this test.
    with pytest.raises(NestedWriteError, match="a write inside a write"):
        await asyncio.wait_for(nested(), timeout=5)


async def test_read_through_the_database_inside_a_write_raises(db: Database) -> None:
    async def read_inside() -> None:
        async with db.transaction():
            await db.fetch_one("SELECT 1")

    with pytest.raises(NestedWriteError, match="read through the Database inside a write"):
        await asyncio.wait_for(read_inside(), timeout=5)
    # The failed write released the connection: the next one works.
    assert await db.fetch_one("SELECT 1") is not None


async def test_another_task_waits_for_the_write_instead_of_failing(db: Database) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as connection:
            await connection.execute(
                "INSERT INTO users (user_id, language, created_at) VALUES (9, 'kk', 'x')"
            )
            started.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await started.wait()
    reader = asyncio.create_task(db.fetch_one("SELECT user_id FROM users WHERE user_id = 9"))
    await asyncio.sleep(0)
    assert not reader.done()
    release.set()
    await task
    row = await reader
    assert row is not None and row[0] == 9
