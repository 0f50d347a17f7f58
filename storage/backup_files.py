"""SQLite files outside the bot's connection: online backups, checks before a restore,
and the exclusive lock that proves no one else has the database open.

Each function opens its own short-lived connection (the standard library's sqlite3,
run in a thread by async callers), so a backup never holds the bot's own connection.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.db import BUSY_TIMEOUT_MS, private_file


class DatabaseInUse(Exception):
    """Another connection (a running bot) has the database open."""


@dataclass(frozen=True)
class DatabaseFileFacts:
    schema_version: int
    # PRAGMA integrity_check's answer: ["ok"] for a sound file.
    integrity: tuple[str, ...]
    tables: frozenset[str]

    @property
    def sound(self) -> bool:
        return self.integrity == ("ok",)


@contextlib.contextmanager
def _connection(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    # As a URI, so that a path with "?" or "#" in it still names the file.
    uri = path.absolute().as_uri() + ("?mode=ro" if read_only else "")
    connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def online_backup(source: Path, target: Path, *, source_in_use: bool = True) -> None:
    """A consistent copy of a live database into a new self-contained file (0600).

    The copy is switched out of WAL mode: a backup is one file that can be copied,
    checked and read without -wal and -shm companions appearing next to it.

    A source nobody else uses (a backup being restored) is opened for writing: a
    read-only connection cannot remove the -wal and -shm it makes for a WAL-mode file,
    and would leave them behind."""
    if not source.exists():
        raise FileNotFoundError(source)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_file(target)
    with contextlib.ExitStack() as stack:
        src = _source_connection(stack, source, source_in_use)
        dst = stack.enter_context(_connection(target))
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")


def _source_connection(
    stack: contextlib.ExitStack, source: Path, in_use: bool
) -> sqlite3.Connection:
    if not in_use:
        try:
            connection = stack.enter_context(_connection(source))
            connection.execute("PRAGMA schema_version").fetchone()
            return connection
        except sqlite3.OperationalError:
            pass  # a file we may not write (read-only media): read it as it is
    return stack.enter_context(_connection(source, read_only=True))


def inspect_database_file(path: Path) -> DatabaseFileFacts:
    """Integrity, schema version and tables; raises sqlite3.DatabaseError when the file
    is not an SQLite database at all."""
    with _connection(path) as connection:
        integrity = tuple(row[0] for row in connection.execute("PRAGMA integrity_check"))
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        tables = frozenset(
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_schema WHERE type = ?", ("table",)
            )
        )
    return DatabaseFileFacts(version, integrity, tables)


def settle_unused_database(path: Path) -> None:
    """Proves that no one has the database open and moves its WAL into the main file,
    so that the file alone holds everything; raises DatabaseInUse otherwise.

    An exclusive lock cannot be had while any other connection (even an idle one of
    a running bot, in WAL mode) has the file open."""
    with _connection(path) as connection:
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            connection.execute("PRAGMA locking_mode = EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("ROLLBACK")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise DatabaseInUse(path) from error
            raise
