"""The rows of cases as dataclasses; sealed columns are opened here, so callers see
plain text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.case_rules import MessageKind, ReplyBy
from bot.domain.language import Language
from storage.crypto import TextSealer
from storage.db import Row, from_db_time, maybe_from_db_time

CASE_COLUMNS = (
    "id, code, user_id, language, category, urgent, urgent_reasons, urgent_at, story, "
    "story_voice, screen, reply_by, callback_phone, status, blocked, user_unreachable, "
    "created_at, taken_at, taken_by, taken_by_name, closed_at, escalation_step, "
    "next_escalation_at, card_message_id, topic_id, center_id, not_safe_to_talk"
)
# What retention and forget-me blank on a case; the anonymous counts stay.
ERASE_TEXTS = "story = NULL, story_voice = NULL, screen = NULL, callback_phone = NULL"


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
    # None: no centre chosen yet (an early /sos every centre hears until one takes it).
    center_id: str | None = None
    # She said it is not safe to talk (and has not said since that it is): never call.
    not_safe_to_talk: bool = False

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
    center_id: str | None = None


@dataclass(frozen=True)
class StaffMessageOfUser:
    """A staff-group message of one of a user's cases: forget-me edits or deletes it."""

    case_id: int
    code: str
    chat_id: int
    message_id: int
    kind: str


def open_sealed(sealer: TextSealer, value: str | None) -> str | None:
    return None if value is None else sealer.open(value)


def seal(sealer: TextSealer, value: str | None) -> str | None:
    return None if value is None else sealer.seal(value)


def case_from_row(row: Row, sealer: TextSealer) -> Case:
    voice = open_sealed(sealer, row["story_voice"])
    screen = open_sealed(sealer, row["screen"])
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
        story=open_sealed(sealer, row["story"]),
        story_voice=tuple(json.loads(voice)) if voice else (),
        screen=json.loads(screen) if screen else None,
        reply_by=reply_by,
        callback_phone=open_sealed(sealer, row["callback_phone"]),
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
        center_id=row["center_id"],
        not_safe_to_talk=bool(row["not_safe_to_talk"]),
    )


def message_from_row(row: Row, sealer: TextSealer) -> CaseMessage:
    return CaseMessage(
        id=row["id"],
        case_id=row["case_id"],
        author=row["author"],
        staff_id=row["staff_id"],
        kind=row["kind"],
        body=open_sealed(sealer, row["body"]),
        file_id=open_sealed(sealer, row["file_id"]),
        relay_id=row["relay_id"],
        created_at=from_db_time(row["created_at"]),
    )


async def fetch_one(
    connection: aiosqlite.Connection, sql: str, params: Sequence[Any]
) -> Row | None:
    cursor = await connection.execute(sql, params)
    row: Row | None = await cursor.fetchone()
    await cursor.close()
    return row


async def fetch_all(connection: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> list[Row]:
    cursor = await connection.execute(sql, params)
    rows: list[Row] = list(await cursor.fetchall())
    await cursor.close()
    return rows
