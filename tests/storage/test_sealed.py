"""Sealed texts: unreadable in the file, and re-encrypted when the key rotates."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from storage.crypto import TextSealer, new_key
from storage.db import Database
from storage.outbox import OutboxItem, OutboxRepository, enqueue

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
SECRET = "он грозится убить меня"


async def _store(path: Path, sealer: TextSealer) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as connection:
            await enqueue(
                connection,
                sealer,
                chat_id=1,
                method="sendMessage",
                params={"text": SECRET},
                purpose="test",
                ref=None,
                now=NOW,
            )
    finally:
        await db.close()


async def _first_item(path: Path, sealer: TextSealer) -> OutboxItem | None:
    db = await Database.open(path)
    try:
        return await OutboxRepository(db, sealer).next_for_chat(1)
    finally:
        await db.close()


def _file_contains(path: Path, text: str) -> bool:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return text.encode("utf-8") in path.read_bytes()


async def test_with_a_key_the_file_holds_no_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await _store(path, TextSealer([new_key().encode()]))
    assert not _file_contains(path, SECRET)
    assert not _file_contains(path, "грозится")


async def test_without_a_key_plaintext_is_explicit(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await _store(path, TextSealer())
    assert _file_contains(path, SECRET)


def test_rotate_key_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Synchronous: the command runs its own event loop, as it does from the shell.
    old, new = new_key(), new_key()
    path = tmp_path / "helpline.sqlite3"
    asyncio.run(_store(path, TextSealer([old.encode()])))
    config = tmp_path / "config.toml"
    config.write_text("[telegram]\nstaff_chat_id = -100123\n", encoding="utf-8")
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", f"{new},{old}")
    assert main(["rotate-key", "--config", str(config)]) == 0
    item = asyncio.run(_first_item(path, TextSealer([new.encode()])))
    assert item is not None and item.params["text"] == SECRET
    monkeypatch.setenv("HELPLINE_BOT_DATA_KEY", new_key())
    assert main(["rotate-key", "--config", str(config)]) == 1
