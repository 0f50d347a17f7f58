"""The one SQLite connection: pragmas, migrations, transactions.

A single aiosqlite connection serves the whole bot. Everything that touches it goes
through one lock (urgent work first: storage/urgent_lock.py), because a transaction spans
several awaits and another coroutine's statement must not land inside it. Writes that
must be atomic use BEGIN IMMEDIATE, which takes SQLite's write lock at once (the backup
command may hold a read transaction from another process at the same time: WAL allows it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import stat
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.urgent_lock import UrgentFirstLock

logger = logging.getLogger(__name__)

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000
# The database, its companions and its backups: for the bot's own user only.
PRIVATE_MODE = 0o600
_DB_TIME_LENGTH = len("2026-01-01T00:00:00.000000Z")


def to_db_time(moment: datetime) -> str:
    """Moments are stored as fixed-width UTC text, so they sort and compare as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the database")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(text: str) -> datetime:
    # fromisoformat reads what to_db_time writes (the "Z" included) about thirty times
    # faster than strptime (a year's figures parse some 50,000 of these); the shape check
    # keeps it as strict as the format was.
    if len(text) != _DB_TIME_LENGTH or text[-1] != "Z":
        raise ValueError(f"not a stored moment: {text!r}")
    return datetime.fromisoformat(text)


def maybe_from_db_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The numbered .sql files shipped in storage/migrations, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


def private_file(path: Path) -> None:
    """Makes the database file (or a backup) readable by its owner alone, 0600, before
    SQLite opens it: it holds people's cases. SQLite gives its -wal and -shm companions
    the file's own mode. An older file left readable by others is tightened."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, PRIVATE_MODE)
            logger.info("%s was readable by others: now only by its owner", path.name)
    else:
        os.close(descriptor)
        # The umask may have taken bits away, never added any: 0600 or tighter.


class NestedWriteError(RuntimeError):
    """A write or a read through the Database from inside a write of the same task.

    The one connection is locked for the whole transaction, so such a call would wait
    for itself for ever: it fails at once instead, naming the mistake."""


class Database:
    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._connection = connection
        # Urgent work (a /sos, an urgent alert's delivery) is served first: urgent_lock.py.
        self._lock = UrgentFirstLock()
        # The task inside a transaction: its own second call would deadlock on the lock.
        self._writer: asyncio.Task[Any] | None = None
        self.path = path

    def _refuse_reentry(self, what: str) -> None:
        if self._writer is not None and self._writer is asyncio.current_task():
            raise NestedWriteError(
                f"{what} inside a write: use the open transaction, not the Database"
            )

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        private_file(path)
        # isolation_level=None: we issue BEGIN ourselves, so we know exactly what is atomic.
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        database = cls(connection, path)
        try:
            await database._apply_pragmas()
            await database.migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    async def _apply_pragmas(self) -> None:
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA synchronous = NORMAL",
            # Erased personal data is overwritten, not left in free pages.
            "PRAGMA secure_delete = ON",
        ):
            await self._connection.execute(pragma)

    async def schema_version(self) -> int:
        self._refuse_reentry("a read through the Database")
        async with self._lock:
            cursor = await self._connection.execute("PRAGMA user_version")
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Applies every migration newer than PRAGMA user_version; returns how many ran."""
        current = await self.schema_version()
        applied = 0
        for migration in load_migrations():
            if migration.version <= current:
                continue
            async with self._lock:
                try:
                    # executescript commits first, so the BEGIN is part of the script itself.
                    await self._connection.executescript(
                        f"BEGIN IMMEDIATE;\n{migration.sql}\n"
                        f"PRAGMA user_version = {migration.version};\nCOMMIT;"
                    )
                except BaseException:
                    if self._connection.in_transaction:
                        await self._connection.execute("ROLLBACK")
                    raise
            logger.info("applied migration %s", migration.name)
            applied += 1
        return applied

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error; nesting raises."""
        self._refuse_reentry("a write")
        async with self._lock:
            begin = asyncio.ensure_future(self._connection.execute("BEGIN IMMEDIATE"))
            try:
                await asyncio.shield(begin)
            except asyncio.CancelledError:
                # The BEGIN runs in aiosqlite's thread whatever happens to this task (a
                # delivery cancelled at shutdown): undo it, or the next BEGIN would fail.
                with contextlib.suppress(Exception):
                    await begin
                    await self._connection.execute("ROLLBACK")
                raise
            self._writer = asyncio.current_task()
            try:
                yield self._connection
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            else:
                await self._connection.execute("COMMIT")
            finally:
                self._writer = None

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        self._refuse_reentry("a read through the Database")
        async with self._lock:
            cursor = await self._connection.execute(sql, params)
            row: Row | None = await cursor.fetchone()
            await cursor.close()
            return row

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self._refuse_reentry("a read through the Database")
        async with self._lock:
            cursor = await self._connection.execute(sql, params)
            rows = list(await cursor.fetchall())
            await cursor.close()
            return rows

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One statement in its own transaction; returns the number of rows changed."""
        async with self.transaction() as connection:
            cursor = await connection.execute(sql, params)
            return cursor.rowcount

    async def execute_alone(self, sql: str, params: Params = ()) -> int:
        """One statement, atomic by itself (SQLite's autocommit): one round trip instead
        of BEGIN, the statement and COMMIT. For hot paths that change one row."""
        self._refuse_reentry("a write")
        async with self._lock:
            cursor = await self._connection.execute(sql, params)
            changed = cursor.rowcount
            await cursor.close()
            return changed

    async def checkpoint(self) -> None:
        """Moves the WAL into the main file, so the file alone holds the truth."""
        self._refuse_reentry("a read through the Database")
        async with self._lock:
            await self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
