"""Cases (help requests), their conversation, their messages in the staff group.

Writes that must commit together with an outbox message or an audit record take the
caller's transaction (`connection`); reads and single-statement bookkeeping go through
`CaseRepository`. Sealed columns are opened here, so callers see plain text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import aiosqlite

from bot.domain.language import Language
from storage.crypto import TextSealer
from storage.db import Database, Row, from_db_time, maybe_from_db_time, to_db_time

ReplyBy = Literal["chat", "call"]
MessageKind = Literal["text", "voice", "photo", "document"]

_CASE_COLUMNS = (
    "id, code, user_id, language, category, urgent, urgent_reasons, urgent_at, story, "
    "story_voice, screen, reply_by, callback_phone, status, blocked, user_unreachable, "
    "created_at, taken_at, taken_by, taken_by_name, closed_at, escalation_step, "
    "next_escalation_at, card_message_id, topic_id"
)


class CodeTaken(Exception):
    """The random code is already used by another case: draw a new one."""


@dataclass(frozen=True)
class Case:
    id: int
    code: str
    user_id: int | None
    language: Language
    category: str
    urgent: bool
    urgent_reasons: tuple[str, ...]
    urgent_at: datetime | None
    story: str | None
    story_voice: tuple[str, ...]
    screen: dict[str, bool | None] | None
    reply_by: ReplyBy
    callback_phone: str | None
    status: str
    blocked: bool
    user_unreachable: bool
    created_at: datetime
    taken_at: datetime | None
    taken_by: int | None
    taken_by_name: str | None
    closed_at: datetime | None
    escalation_step: int
    next_escalation_at: datetime | None
    card_message_id: int | None
    topic_id: int | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class CaseMessage:
    id: int
    case_id: int
    author: str
    staff_id: int | None
    kind: MessageKind
    body: str | None
    file_id: str | None
    relay_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class ManualDutyEntry:
    user_id: int
    name: str
    since: datetime


def _open(sealer: TextSealer, value: str | None) -> str | None:
    return None if value is None else sealer.open(value)


def _seal(sealer: TextSealer, value: str | None) -> str | None:
    return None if value is None else sealer.seal(value)


def _case(row: Row, sealer: TextSealer) -> Case:
    voice = _open(sealer, row["story_voice"])
    screen = _open(sealer, row["screen"])
    language: Language = "kk" if row["language"] == "kk" else "ru"
    reply_by: ReplyBy = "call" if row["reply_by"] == "call" else "chat"
    return Case(
        id=row["id"],
        code=row["code"],
        user_id=row["user_id"],
        language=language,
        category=row["category"],
        urgent=bool(row["urgent"]),
        urgent_reasons=tuple(r for r in row["urgent_reasons"].split(",") if r),
        urgent_at=maybe_from_db_time(row["urgent_at"]),
        story=_open(sealer, row["story"]),
        story_voice=tuple(json.loads(voice)) if voice else (),
        screen=json.loads(screen) if screen else None,
        reply_by=reply_by,
        callback_phone=_open(sealer, row["callback_phone"]),
        status=row["status"],
        blocked=bool(row["blocked"]),
        user_unreachable=bool(row["user_unreachable"]),
        created_at=from_db_time(row["created_at"]),
        taken_at=maybe_from_db_time(row["taken_at"]),
        taken_by=row["taken_by"],
        taken_by_name=row["taken_by_name"],
        closed_at=maybe_from_db_time(row["closed_at"]),
        escalation_step=row["escalation_step"],
        next_escalation_at=maybe_from_db_time(row["next_escalation_at"]),
        card_message_id=row["card_message_id"],
        topic_id=row["topic_id"],
    )


def _message(row: Row, sealer: TextSealer) -> CaseMessage:
    return CaseMessage(
        id=row["id"],
        case_id=row["case_id"],
        author=row["author"],
        staff_id=row["staff_id"],
        kind=row["kind"],
        body=_open(sealer, row["body"]),
        file_id=_open(sealer, row["file_id"]),
        relay_id=row["relay_id"],
        created_at=from_db_time(row["created_at"]),
    )


async def _one(connection: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> Row | None:
    cursor = await connection.execute(sql, params)
    row: Row | None = await cursor.fetchone()
    await cursor.close()
    return row


# ------------------------------------------------------------------ inside a transaction


async def insert_case(
    connection: aiosqlite.Connection,
    sealer: TextSealer,
    *,
    code: str,
    user_id: int,
    language: Language,
    category: str,
    urgent_reasons: Sequence[str],
    story: str | None,
    story_voice: Sequence[str],
    screen: dict[str, bool | None] | None,
    reply_by: ReplyBy,
    callback_phone: str | None,
    now: datetime,
    next_escalation_at: datetime | None,
    topic_id: int | None,
) -> int:
    """Inserts a confirmed case; raises CodeTaken when the code is in use."""
    if await _one(connection, "SELECT 1 FROM cases WHERE code = ?", (code,)) is not None:
        raise CodeTaken(code)
    cursor = await connection.execute(
        "INSERT INTO cases (code, user_id, language, category, urgent, urgent_reasons, "
        "urgent_at, story, story_voice, screen, reply_by, callback_phone, created_at, "
        "next_escalation_at, topic_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            user_id,
            language,
            category,
            1 if urgent_reasons else 0,
            ",".join(urgent_reasons),
            to_db_time(now) if urgent_reasons else None,
            _seal(sealer, story),
            _seal(sealer, json.dumps(list(story_voice))) if story_voice else None,
            _seal(sealer, json.dumps(screen)) if screen is not None else None,
            reply_by,
            _seal(sealer, callback_phone),
            to_db_time(now),
            to_db_time(next_escalation_at) if next_escalation_at else None,
            topic_id,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def fetch_case(
    connection: aiosqlite.Connection, sealer: TextSealer, case_id: int
) -> Case | None:
    row = await _one(connection, f"SELECT {_CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
    return _case(row, sealer) if row else None


async def make_urgent(
    connection: aiosqlite.Connection,
    case_id: int,
    reasons: Sequence[str],
    now: datetime,
    next_escalation_at: datetime | None,
) -> bool:
    """Marks an open, not urgent case urgent; False if it was urgent or closed already."""
    cursor = await connection.execute(
        "UPDATE cases SET urgent = 1, urgent_reasons = ?, urgent_at = ?, escalation_step = 0, "
        "next_escalation_at = CASE WHEN taken_at IS NULL THEN ? ELSE NULL END "
        "WHERE id = ? AND urgent = 0 AND status = 'open'",
        (
            ",".join(reasons),
            to_db_time(now),
            to_db_time(next_escalation_at) if next_escalation_at else None,
            case_id,
        ),
    )
    return cursor.rowcount > 0


async def claim(
    connection: aiosqlite.Connection, case_id: int, staff_id: int, name: str, now: datetime
) -> bool:
    """The first "I take it" wins; the escalation chain stops with it."""
    cursor = await connection.execute(
        "UPDATE cases SET taken_at = ?, taken_by = ?, taken_by_name = ?, "
        "next_escalation_at = NULL WHERE id = ? AND taken_at IS NULL AND status = 'open'",
        (to_db_time(now), staff_id, name, case_id),
    )
    return cursor.rowcount > 0


async def advance_escalation(
    connection: aiosqlite.Connection, case_id: int, step: int, next_at: datetime | None
) -> bool:
    """Moves from re-alert `step - 1` to `step`, if nobody took the case meanwhile."""
    cursor = await connection.execute(
        "UPDATE cases SET escalation_step = ?, next_escalation_at = ? "
        "WHERE id = ? AND escalation_step = ? AND taken_at IS NULL AND status = 'open'",
        (step, to_db_time(next_at) if next_at else None, case_id, step - 1),
    )
    return cursor.rowcount > 0


async def close_case(connection: aiosqlite.Connection, case_id: int, now: datetime) -> bool:
    cursor = await connection.execute(
        "UPDATE cases SET status = 'closed', closed_at = ?, next_escalation_at = NULL "
        "WHERE id = ? AND status = 'open'",
        (to_db_time(now), case_id),
    )
    return cursor.rowcount > 0


async def set_blocked(connection: aiosqlite.Connection, case_id: int, blocked: bool) -> int:
    """Blocks or unblocks the person behind a case: all of their cases, never named."""
    cursor = await connection.execute(
        "UPDATE cases SET blocked = ? WHERE id = ? OR (user_id IS NOT NULL AND user_id = "
        "(SELECT user_id FROM cases WHERE id = ?))",
        (1 if blocked else 0, case_id, case_id),
    )
    return cursor.rowcount


async def mark_unreachable(connection: aiosqlite.Connection, case_id: int) -> bool:
    cursor = await connection.execute(
        "UPDATE cases SET user_unreachable = 1 WHERE id = ? AND user_unreachable = 0", (case_id,)
    )
    return cursor.rowcount > 0


async def mark_reachable(connection: aiosqlite.Connection, user_id: int) -> None:
    await connection.execute(
        "UPDATE cases SET user_unreachable = 0 WHERE user_id = ? AND user_unreachable = 1",
        (user_id,),
    )


async def add_message(
    connection: aiosqlite.Connection,
    sealer: TextSealer,
    *,
    case_id: int,
    author: Literal["user", "staff"],
    kind: MessageKind,
    body: str | None,
    file_id: str | None,
    now: datetime,
    staff_id: int | None = None,
    relay_id: int | None = None,
) -> int:
    cursor = await connection.execute(
        "INSERT INTO case_messages (case_id, author, staff_id, kind, body, file_id, relay_id, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            case_id,
            author,
            staff_id,
            kind,
            _seal(sealer, body),
            _seal(sealer, file_id),
            relay_id,
            to_db_time(now),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def unrelayed_user_messages(
    connection: aiosqlite.Connection, sealer: TextSealer, case_id: int
) -> list[CaseMessage]:
    cursor = await connection.execute(
        "SELECT * FROM case_messages WHERE case_id = ? AND author = 'user' AND relay_id IS NULL "
        "ORDER BY id",
        (case_id,),
    )
    rows = await cursor.fetchall()
    await cursor.close()
    return [_message(row, sealer) for row in rows]


async def has_pending_relay(connection: aiosqlite.Connection, case_id: int) -> bool:
    """Whether a batch of this case's user messages is still waiting in the outbox."""
    row = await _one(
        connection,
        "SELECT 1 FROM case_messages m JOIN outbox o ON o.id = m.relay_id "
        "WHERE m.case_id = ? AND m.author = 'user' AND o.status = 'pending' LIMIT 1",
        (case_id,),
    )
    return row is not None


async def set_relay(
    connection: aiosqlite.Connection, message_ids: Sequence[int], relay_id: int
) -> None:
    await connection.executemany(
        "UPDATE case_messages SET relay_id = ? WHERE id = ?",
        [(relay_id, message_id) for message_id in message_ids],
    )


async def count_cases_since(connection: aiosqlite.Connection, user_id: int, since: datetime) -> int:
    row = await _one(
        connection,
        "SELECT COUNT(*) FROM cases WHERE user_id = ? AND created_at >= ?",
        (user_id, to_db_time(since)),
    )
    return int(row[0]) if row else 0


async def open_case_id(connection: aiosqlite.Connection, user_id: int) -> int | None:
    row = await _one(
        connection,
        "SELECT id FROM cases WHERE user_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
        (user_id,),
    )
    return int(row[0]) if row else None


async def link_staff_message(
    connection: aiosqlite.Connection, chat_id: int, message_id: int, case_id: int, kind: str
) -> None:
    await connection.execute(
        "INSERT OR IGNORE INTO case_staff_messages (chat_id, message_id, case_id, kind) "
        "VALUES (?, ?, ?, ?)",
        (chat_id, message_id, case_id, kind),
    )


async def card_ids(connection: aiosqlite.Connection, chat_id: int, case_id: int) -> list[int]:
    """The case's cards in the staff group (the first one and every re-alert)."""
    cursor = await connection.execute(
        "SELECT message_id FROM case_staff_messages WHERE chat_id = ? AND case_id = ? "
        "AND kind IN ('card', 'repost') ORDER BY message_id",
        (chat_id, case_id),
    )
    rows = await cursor.fetchall()
    await cursor.close()
    return [row[0] for row in rows]


async def take_duty(
    connection: aiosqlite.Connection, user_id: int, name: str, now: datetime
) -> None:
    await connection.execute(
        "INSERT INTO manual_duty (user_id, name, since) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, since = excluded.since",
        (user_id, name, to_db_time(now)),
    )


async def hand_back_duty(connection: aiosqlite.Connection, user_id: int) -> bool:
    cursor = await connection.execute("DELETE FROM manual_duty WHERE user_id = ?", (user_id,))
    return cursor.rowcount > 0


_ERASE_TEXTS = "story = NULL, story_voice = NULL, screen = NULL, callback_phone = NULL"


async def ids_of_user(connection: aiosqlite.Connection, user_id: int) -> list[int]:
    cursor = await connection.execute("SELECT id FROM cases WHERE user_id = ?", (user_id,))
    ids = [row[0] for row in await cursor.fetchall()]
    await cursor.close()
    return ids


async def staff_messages_of_user(
    connection: aiosqlite.Connection, user_id: int
) -> list[tuple[int, str, int, int, str]]:
    """(case id, code, chat id, message id, kind) of every staff-group message of the
    user's cases: forget-me edits the cards and deletes the relayed words."""
    cursor = await connection.execute(
        "SELECT c.id, c.code, m.chat_id, m.message_id, m.kind FROM case_staff_messages m "
        "JOIN cases c ON c.id = m.case_id WHERE c.user_id = ? ORDER BY m.message_id",
        (user_id,),
    )
    rows = [(r[0], r[1], r[2], r[3], r[4]) for r in await cursor.fetchall()]
    await cursor.close()
    return rows


async def forget_user_cases(
    connection: aiosqlite.Connection, user_id: int, now: datetime
) -> list[int]:
    """Forget me: the user's open cases close, every case loses its link and its texts.

    Returns the ids of the cases that were open (staff are told about those). What
    stays is anonymous: category, urgent, the times.
    """
    cursor = await connection.execute(
        "SELECT id FROM cases WHERE user_id = ? AND status = 'open'", (user_id,)
    )
    open_ids = [row[0] for row in await cursor.fetchall()]
    await cursor.close()
    # Blanked messages are never relayed: relay_id 0 marks them handled (no outbox row).
    await connection.execute(
        "UPDATE case_messages SET body = NULL, file_id = NULL, relay_id = COALESCE(relay_id, 0) "
        "WHERE case_id IN (SELECT id FROM cases WHERE user_id = ?)",
        (user_id,),
    )
    await connection.execute(
        f"UPDATE cases SET {_ERASE_TEXTS}, user_id = NULL, next_escalation_at = NULL, "
        "status = 'closed', closed_at = COALESCE(closed_at, ?) WHERE user_id = ?",
        (to_db_time(now), user_id),
    )
    return open_ids


# ------------------------------------------------------------------------------ reads


class CaseRepository:
    def __init__(self, db: Database, sealer: TextSealer) -> None:
        self._db = db
        self._sealer = sealer

    async def get(self, case_id: int) -> Case | None:
        row = await self._db.fetch_one(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,)
        )
        return _case(row, self._sealer) if row else None

    async def by_code(self, code: str) -> Case | None:
        row = await self._db.fetch_one(f"SELECT {_CASE_COLUMNS} FROM cases WHERE code = ?", (code,))
        return _case(row, self._sealer) if row else None

    async def open_case_of(self, user_id: int) -> Case | None:
        row = await self._db.fetch_one(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE user_id = ? AND status = 'open' "
            "ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return _case(row, self._sealer) if row else None

    async def is_user_blocked(self, user_id: int) -> bool:
        row = await self._db.fetch_one(
            "SELECT 1 FROM cases WHERE user_id = ? AND blocked = 1 LIMIT 1", (user_id,)
        )
        return row is not None

    async def staff_message_link(self, chat_id: int, message_id: int) -> tuple[Case, str] | None:
        """The case a staff-group message is linked to, with the link's kind (card, repost,
        relay, notice, staff), or None for a message of no case."""
        row = await self._db.fetch_one(
            f"SELECT {_CASE_COLUMNS}, m.link_kind FROM cases JOIN "
            "(SELECT case_id, kind AS link_kind FROM case_staff_messages "
            "WHERE chat_id = ? AND message_id = ?) m ON m.case_id = cases.id",
            (chat_id, message_id),
        )
        return (_case(row, self._sealer), str(row["link_kind"])) if row else None

    async def by_topic(self, topic_id: int) -> Case | None:
        row = await self._db.fetch_one(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE topic_id = ? ORDER BY id DESC LIMIT 1",
            (topic_id,),
        )
        return _case(row, self._sealer) if row else None

    async def count_since(self, user_id: int, since: datetime) -> int:
        """How many cases the user opened since the moment (a plain read, no write lock)."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM cases WHERE user_id = ? AND created_at >= ?",
            (user_id, to_db_time(since)),
        )
        return int(row[0]) if row else 0

    async def due_escalations(self, now: datetime) -> list[Case]:
        rows = await self._db.fetch_all(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE next_escalation_at IS NOT NULL "
            "AND next_escalation_at <= ? AND taken_at IS NULL AND status = 'open' "
            "ORDER BY next_escalation_at, id",
            (to_db_time(now),),
        )
        return [_case(row, self._sealer) for row in rows]

    async def link_staff_message(
        self, chat_id: int, message_id: int, case_id: int, kind: str
    ) -> None:
        async with self._db.transaction() as connection:
            await link_staff_message(connection, chat_id, message_id, case_id, kind)
            if kind == "card":
                await connection.execute(
                    "UPDATE cases SET card_message_id = COALESCE(card_message_id, ?) WHERE id = ?",
                    (message_id, case_id),
                )

    async def set_topic(self, case_id: int, topic_id: int) -> None:
        await self._db.execute("UPDATE cases SET topic_id = ? WHERE id = ?", (topic_id, case_id))

    async def messages(self, case_id: int) -> list[CaseMessage]:
        rows = await self._db.fetch_all(
            "SELECT * FROM case_messages WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [_message(row, self._sealer) for row in rows]

    async def cases_with_stalled_relays(self) -> list[int]:
        """Open cases whose user messages wait for a batch although none is pending."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT m.case_id FROM case_messages m JOIN cases c ON c.id = m.case_id "
            "WHERE m.author = 'user' AND m.relay_id IS NULL AND c.status = 'open' "
            "AND c.user_id IS NOT NULL AND NOT EXISTS ("
            " SELECT 1 FROM case_messages p JOIN outbox o ON o.id = p.relay_id "
            " WHERE p.case_id = m.case_id AND p.author = 'user' AND o.status = 'pending')"
        )
        return [row[0] for row in rows]

    async def erase_closed_texts(self, closed_before: datetime) -> int:
        """Retention: texts of cases closed before the moment go; the counts stay."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE case_messages SET body = NULL, file_id = NULL WHERE (body IS NOT NULL "
                "OR file_id IS NOT NULL) AND case_id IN (SELECT id FROM cases "
                "WHERE status = 'closed' AND closed_at < ?)",
                (to_db_time(closed_before),),
            )
            cursor = await connection.execute(
                f"UPDATE cases SET {_ERASE_TEXTS} WHERE status = 'closed' AND closed_at < ? "
                "AND (story IS NOT NULL OR story_voice IS NOT NULL OR screen IS NOT NULL "
                "OR callback_phone IS NOT NULL)",
                (to_db_time(closed_before),),
            )
            return cursor.rowcount

    async def manual_duty(self) -> list[ManualDutyEntry]:
        rows = await self._db.fetch_all(
            "SELECT user_id, name, since FROM manual_duty ORDER BY since DESC"
        )
        return [ManualDutyEntry(r["user_id"], r["name"], from_db_time(r["since"])) for r in rows]
