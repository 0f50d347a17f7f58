"""Where sealed (encrypted) texts live, for key rotation.

Every column that holds `TextSealer` output is listed here; a new one must be added,
or rotating the key would leave it readable only with the old key.
"""

from __future__ import annotations

from storage.crypto import TextSealer
from storage.db import Database

# (table, primary key, sealed column)
SEALED_COLUMNS: list[tuple[str, str, str]] = [
    ("outbox", "id", "payload"),
    ("appointments", "id", "note"),
    ("cases", "id", "story"),
    ("cases", "id", "story_voice"),
    ("cases", "id", "screen"),
    ("cases", "id", "callback_phone"),
    ("case_messages", "id", "body"),
    ("case_messages", "id", "file_id"),
    ("case_notes", "id", "body"),
    ("feedback_comments", "id", "body"),
    ("update_inbox", "update_id", "payload"),
]


async def reseal_all(db: Database, sealer: TextSealer) -> int:
    """Re-encrypts every sealed value under the newest key, in one transaction."""
    changed = 0
    async with db.transaction() as connection:
        # Table and column names come from the constant list above, never from input.
        for table, key, column in SEALED_COLUMNS:
            cursor = await connection.execute(
                f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
            )
            rows = list(await cursor.fetchall())
            for row in rows:
                await connection.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                    (sealer.reseal(row[1]), row[0]),
                )
                changed += 1
    return changed
