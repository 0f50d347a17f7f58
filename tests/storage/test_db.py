"""Storage: migrations from empty to newest, repositories on a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from storage.backup_files import online_backup
from storage.crypto import TextSealer
from storage.db import Database, from_db_time, load_migrations, to_db_time
from storage.outbox import OutboxRepository, enqueue, erase_chat
from storage.users import UserRepository, erase_user

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


async def test_migrations_from_empty_to_newest_then_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    newest = len(load_migrations())
    db = await Database.open(path)
    try:
        assert await db.schema_version() == newest
        assert await db.migrate() == 0
    finally:
        await db.close()
    again = await Database.open(path)
    try:
        assert await again.migrate() == 0
        assert await again.schema_version() == newest
    finally:
        await again.close()


async def test_pragmas(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        journal = await db.fetch_one("PRAGMA journal_mode")
        foreign = await db.fetch_one("PRAGMA foreign_keys")
        timeout = await db.fetch_one("PRAGMA busy_timeout")
        secure = await db.fetch_one("PRAGMA secure_delete")
        assert journal is not None and journal[0] == "wal"
        assert foreign is not None and foreign[0] == 1
        assert timeout is not None and timeout[0] > 0
        assert secure is not None and secure[0] == 1
    finally:
        await db.close()


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as connection:
                await connection.execute(
                    "INSERT INTO users (user_id, language, created_at) VALUES (1, 'kk', 'x')"
                )
                raise RuntimeError("boom")
        assert await db.fetch_one("SELECT * FROM users") is None
    finally:
        await db.close()


async def test_users_language_and_consent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    users = UserRepository(db)
    try:
        assert await users.get(42) is None
        assert not await users.give_consent(42, NOW)
        user = await users.set_language(42, "ru", NOW)
        assert user.language == "ru" and not user.has_consented
        assert await users.give_consent(42, NOW)
        user = await users.set_language(42, "kk", NOW)
        assert user.language == "kk" and user.consented_at == NOW
        await users.withdraw_consent(42)
        assert not (await users.get(42)).has_consented  # type: ignore[union-attr]
        async with db.transaction() as connection:
            await erase_user(connection, 42)
        assert await users.get(42) is None
    finally:
        await db.close()


async def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await UserRepository(db).set_language(7, "kk", NOW)
        online_backup(db.path, tmp_path / "copy.sqlite3")
    finally:
        await db.close()
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT user_id FROM users").fetchall() == [(7,)]


def test_times_round_trip_and_sort() -> None:
    earlier, later = NOW, NOW.replace(hour=10)
    assert from_db_time(to_db_time(earlier)) == earlier
    assert to_db_time(earlier) < to_db_time(later)
    with pytest.raises(ValueError):
        to_db_time(datetime(2026, 1, 1))


def test_stored_moments_read_back_in_utc_and_other_text_is_refused() -> None:
    moment = NOW.replace(microsecond=123456)
    read = from_db_time(to_db_time(moment))
    assert read == moment and read.utcoffset() == timedelta(0)
    for text in ("2026-12-02T04:00:00.000000", "2026-12-02T04:00:00+05:00", "2026-12-02T04Z", ""):
        with pytest.raises(ValueError):
            from_db_time(text)


async def test_a_task_cancelled_while_beginning_leaves_no_transaction_open(tmp_path: Path) -> None:
    # Delivery tasks are cancelled at shutdown, possibly right at BEGIN; the BEGIN still
    # runs in aiosqlite's thread, and must not leave the next transaction "nested".
    import asyncio
    import contextlib

    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        for attempt in range(5):
            task = asyncio.create_task(
                db.execute(
                    "INSERT INTO users (user_id, language, created_at) VALUES (?, 'kk', 'x')",
                    (attempt,),
                )
            )
            await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            async with db.transaction() as connection:
                await connection.execute("SELECT 1")
        assert await db.fetch_one("SELECT * FROM users") is None
    finally:
        await db.close()


async def test_outbox_sends_urgent_messages_first_within_a_chat(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    outbox = OutboxRepository(db, TextSealer())
    try:
        async with db.transaction() as connection:
            for number in range(3):
                await enqueue(
                    connection,
                    TextSealer(),
                    chat_id=-100,
                    method="sendMessage",
                    params={"text": f"notice {number}"},
                    purpose="appointment_notice",
                    ref=None,
                    now=NOW,
                )
            await enqueue(
                connection,
                TextSealer(),
                chat_id=-100,
                method="sendMessage",
                params={"text": "URGENT"},
                purpose="case_card",
                ref=1,
                now=NOW,
                priority=1,
            )
            await enqueue(
                connection,
                TextSealer(),
                chat_id=5,
                method="sendMessage",
                params={"text": "reminder"},
                purpose="appointment_reminder",
                ref=None,
                now=NOW,
            )
        order = []
        for _ in range(4):
            item = await outbox.next_for_chat(-100)
            assert item is not None
            order.append(item.params["text"])
            await outbox.mark_sent(item.id, 1, NOW)
        assert order == ["URGENT", "notice 0", "notice 1", "notice 2"]
    finally:
        await db.close()


def test_backup_command_while_the_database_is_open(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[telegram]\nstaff_chat_id = -100123\n[privacy]\nallow_plaintext = true\n",
        encoding="utf-8",
    )

    async def scenario() -> None:
        db = await Database.open(tmp_path / "helpline.sqlite3")  # the running bot's connection
        try:
            await UserRepository(db).set_language(8, "ru", NOW)
            assert (
                main(["backup", "--to", str(tmp_path / "b.sqlite3"), "--config", str(config)]) == 0
            )
        finally:
            await db.close()

    asyncio.run(scenario())
    with sqlite3.connect(tmp_path / "b.sqlite3") as copy:
        assert copy.execute("SELECT user_id, language FROM users").fetchall() == [(8, "ru")]
    missing = tmp_path / "other.toml"
    missing.write_text(
        config.read_text().replace("[privacy]", '[storage]\npath = "none.sqlite3"\n[privacy]')
    )
    assert main(["backup", "--to", str(tmp_path / "c.sqlite3"), "--config", str(missing)]) == 1


async def test_outbox_ids_are_never_reused_after_erasure(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        async with db.transaction() as connection:
            first = await enqueue(
                connection,
                TextSealer(),
                chat_id=1,
                method="sendMessage",
                params={"text": "a"},
                purpose="case_relay",
                ref=1,
                now=NOW,
            )
            await erase_chat(connection, 1)
            second = await enqueue(
                connection,
                TextSealer(),
                chat_id=2,
                method="sendMessage",
                params={"text": "b"},
                purpose="case_erased",
                ref=1,
                now=NOW,
            )
        assert second > first
        # A late "sent" for the erased row touches nothing.
        assert not await OutboxRepository(db, TextSealer()).mark_sent(first, 5, NOW)
        assert await OutboxRepository(db, TextSealer()).next_for_chat(2) is not None
    finally:
        await db.close()
