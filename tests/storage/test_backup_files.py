"""Backups, file checks and the exclusive lock, on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.backup_files import (
    DatabaseFileFacts,
    DatabaseInUse,
    inspect_database_file,
    online_backup,
    settle_unused_database,
)
from storage.db import Database


def wal_bytes(path: Path) -> int:
    """The size of the database's -wal companion; 0 when there is none."""
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


async def make_database(path: Path) -> int:
    """A migrated database with one user in it; its schema version."""
    db = await Database.open(path)
    try:
        async with db.transaction() as connection:
            await connection.execute(
                "INSERT INTO users (user_id, language, created_at) VALUES (7, 'kk', 'x')"
            )
        row = await db.fetch_one("PRAGMA user_version")
        assert row is not None
        return int(row[0])
    finally:
        await db.close()


async def test_backup_copies_a_live_database_into_one_self_contained_file(
    tmp_path: Path,
) -> None:
    source = tmp_path / "live.sqlite3"
    db = await Database.open(source)
    try:
        async with db.transaction() as connection:
            await connection.execute(
                "INSERT INTO users (user_id, language, created_at) VALUES (7, 'kk', 'x')"
            )
        target = tmp_path / "backups" / "copy?#1.sqlite3"

        online_backup(source, target)  # while the bot's connection is open
    finally:
        await db.close()

    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT user_id FROM users").fetchall() == [(7,)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert wal_bytes(target) == 0


def test_backup_of_a_missing_database_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        online_backup(tmp_path / "nothing.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_inspect_reads_version_integrity_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    version = await make_database(path)

    facts = inspect_database_file(path)

    assert facts.schema_version == version > 0
    assert facts.sound
    assert {"users", "cases", "outbox"} <= facts.tables


def test_inspect_rejects_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not an sqlite database, only text " * 100)
    with pytest.raises(sqlite3.DatabaseError):
        inspect_database_file(path)


@pytest.mark.parametrize(
    ("integrity", "sound"),
    [(("ok",), True), (("row 3 missing from index",), False), (("ok", "ok"), False), ((), False)],
)
def test_a_file_is_sound_only_when_integrity_check_says_just_ok(
    integrity: tuple[str, ...], sound: bool
) -> None:
    assert DatabaseFileFacts(1, integrity, frozenset()).sound is sound


async def test_settle_refuses_while_the_bot_has_the_database_open(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    try:
        with pytest.raises(DatabaseInUse):
            settle_unused_database(path)
    finally:
        await db.close()


async def test_settle_takes_an_unused_database_and_leaves_one_file_with_everything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    await make_database(path)

    settle_unused_database(path)

    assert wal_bytes(path) == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT user_id FROM users").fetchall() == [(7,)]
