"""The outbox looked at for the alert-path watch and /health: backlog and stuck urgent rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.crypto import TextSealer
from storage.db import Database
from storage.outbox import OutboxRepository, enqueue
from storage.outbox_health import pending_backlog, refused_chat, urgent_pending_since

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "outbox.sqlite3")
    yield database
    await database.close()


async def add(
    db: Database, purpose: str, *, minutes_ago: int, priority: int = 0, ref: int | None = None
) -> int:
    async with db.transaction() as connection:
        return await enqueue(
            connection,
            TextSealer(),
            chat_id=100,
            method="sendMessage",
            params={"text": "x"},
            purpose=purpose,
            ref=ref,
            now=NOW - timedelta(minutes=minutes_ago),
            priority=priority,
        )


async def mark_sent(db: Database, item_id: int) -> None:
    async with db.transaction() as connection:
        await connection.execute("UPDATE outbox SET status = 'sent' WHERE id = ?", (item_id,))


async def test_backlog_is_empty_when_nothing_waits(db: Database) -> None:
    assert await pending_backlog(db) == []


async def test_backlog_groups_pending_rows_largest_first_with_the_oldest(db: Database) -> None:
    await add(db, "reminder", minutes_ago=5)
    await add(db, "card", minutes_ago=30)
    await add(db, "card", minutes_ago=10)
    sent = await add(db, "reminder", minutes_ago=90)
    await mark_sent(db, sent)

    backlog = await pending_backlog(db)

    assert [(b.purpose, b.count, b.oldest) for b in backlog] == [
        ("card", 2, NOW - timedelta(minutes=30)),
        ("reminder", 1, NOW - timedelta(minutes=5)),
    ]


@pytest.mark.parametrize(
    ("purpose", "priority", "minutes_ago", "stuck"),
    [
        ("card", 1, 20, True),  # urgent by priority, written before the line
        ("case_duty_alert", 0, 20, True),  # a DM to the on-duty person is urgent anyway
        ("card", 0, 20, False),  # an ordinary card is not urgent
        ("card", 1, 5, False),  # urgent, but written after the line
        ("card", 1, 10, False),  # exactly at the line: not before it
    ],
)
async def test_urgent_pending_since(
    db: Database, purpose: str, priority: int, minutes_ago: int, stuck: bool
) -> None:
    item_id = await add(db, purpose, minutes_ago=minutes_ago, priority=priority, ref=7)

    found = await urgent_pending_since(db, NOW - timedelta(minutes=10))

    assert [m.id for m in found] == ([item_id] if stuck else [])
    if stuck:
        assert found[0].purpose == purpose
        assert found[0].ref == 7
        assert found[0].created_at == NOW - timedelta(minutes=minutes_ago)
        # Which chat it waits for says whose centre it is (bot/alert_path.py).
        assert found[0].chat_id == 100


async def test_a_delivered_urgent_row_is_not_stuck(db: Database) -> None:
    item_id = await add(db, "card", minutes_ago=60, priority=1)
    await mark_sent(db, item_id)

    assert await urgent_pending_since(db, NOW) == []


BLOCKED = "Forbidden: bot was blocked by the user"


@pytest.mark.parametrize(
    ("history", "refused"),
    [
        ([], False),  # nothing says either way
        ([("failed", BLOCKED)], True),
        ([("failed", "Bad Request: chat not found")], True),
        ([("failed", "Forbidden: user is deactivated")], True),
        # A later DM delivered: reachable again.
        ([("failed", BLOCKED), ("sent", None)], False),
        # Delivered before, refused since: unreachable now.
        ([("sent", None), ("failed", BLOCKED)], True),
        # A failure of another kind says nothing about reaching them: the refusal stands.
        (
            [
                ("failed", BLOCKED),
                ("failed", "message is too long"),
            ],
            True,
        ),
        ([("sent", None), ("failed", "Bad Request: message is too long")], False),
        ([("pending", None)], False),
    ],
)
async def test_refused_chat_reads_the_newest_word_on_the_chat(
    db: Database, history: list[tuple[str, str | None]], refused: bool
) -> None:
    outbox = OutboxRepository(db, TextSealer())
    refused_at = None
    for minutes_ago, (status, error) in zip(range(len(history), 0, -1), history, strict=True):
        item_id = await add(db, "case_duty_alert", minutes_ago=minutes_ago + 10)
        done = NOW - timedelta(minutes=minutes_ago)
        if status == "sent":
            await outbox.mark_sent(item_id, 1, done)
        elif status == "failed":
            assert error is not None
            await outbox.mark_failed(item_id, error, done)
            if "too long" not in error:
                refused_at = done

    found = await refused_chat(db, 100)

    assert (found is not None) is refused
    if found is not None:
        assert found.at == refused_at
