"""The update inbox on a real SQLite file: stored once, forgotten when handled, purged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.crypto import TextSealer, new_key
from storage.db import Database
from storage.update_inbox import UpdateInboxStore

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[UpdateInboxStore]:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        yield UpdateInboxStore(db, TextSealer([new_key().encode()]))
    finally:
        await db.close()


async def test_an_update_is_stored_once_and_forgotten_when_handled(
    store: UpdateInboxStore,
) -> None:
    assert await store.store(7, '{"update_id": 7}', NOW)
    assert not await store.store(7, '{"update_id": 7}', NOW), "Telegram's resend stored twice"
    assert [u.update_id for u in await store.unhandled()] == [7]
    await store.mark_handled(7, NOW)
    assert await store.unhandled() == []
    # The id is still known, so a late resend is not handled again...
    assert not await store.store(7, '{"update_id": 7}', NOW)
    # ...until it is purged with the other short-lived rows.
    assert await store.purge_handled(NOW + timedelta(hours=1)) == 1
    assert await store.store(7, '{"update_id": 7}', NOW)


async def test_the_stored_update_is_sealed(store: UpdateInboxStore, tmp_path: Path) -> None:
    import sqlite3

    await store.store(8, '{"text": "он бьёт меня"}', NOW)
    raw = sqlite3.connect(tmp_path / "db.sqlite3").execute("SELECT payload FROM update_inbox")
    assert "бьёт" not in raw.fetchone()[0]
    assert "бьёт" in (await store.unhandled())[0].payload
