"""Read-only looks at the outbox for the alert-path watch and /health: what waits, how
long, and which urgent messages have waited too long. SQL only; no writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_db_time, to_db_time

# Direct messages to on-duty staff are urgent whatever their row's priority.
_URGENT = "(priority >= 1 OR purpose = 'case_duty_alert')"


@dataclass(frozen=True)
class Backlog:
    purpose: str
    count: int
    oldest: datetime


@dataclass(frozen=True)
class StuckMessage:
    id: int
    purpose: str
    ref: int | None
    created_at: datetime
    chat_id: int


async def pending_backlog(db: Database) -> list[Backlog]:
    """Pending rows by purpose, the largest first, with the oldest one's creation time."""
    rows = await db.fetch_all(
        "SELECT purpose, COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending' "
        "GROUP BY purpose ORDER BY COUNT(*) DESC, purpose"
    )
    return [Backlog(row[0], int(row[1]), from_db_time(row[2])) for row in rows]


async def urgent_pending_since(db: Database, before: datetime) -> list[StuckMessage]:
    """Urgent rows still pending that were written before `before`."""
    rows = await db.fetch_all(
        "SELECT id, purpose, ref, created_at, chat_id FROM outbox "
        f"WHERE status = 'pending' AND {_URGENT} AND created_at < ? ORDER BY id",
        (to_db_time(before),),
    )
    return [StuckMessage(int(r[0]), r[1], r[2], from_db_time(r[3]), int(r[4])) for r in rows]


@dataclass(frozen=True)
class RefusedChat:
    """The newest word on a direct chat: Telegram refused a message for good."""

    error: str
    at: datetime


# What Telegram says when no retry will reach the person (blocked the bot, never started
# it, deleted the account, no such chat); lower case, as found in `outbox.last_error`.
_REFUSED_FOR_GOOD = (
    "blocked by the user",
    "can't initiate conversation",
    "user is deactivated",
    "chat not found",
    "peer_id",
)
# Enough rows to get past a few failures of another kind (a bad message) to the answer.
_LOOK_BACK = 20


async def refused_chat(db: Database, chat_id: int) -> RefusedChat | None:
    """Whether the last message that settled anything about reaching this chat was refused
    for good; None when it was delivered, or when nothing says either way."""
    rows = await db.fetch_all(
        "SELECT status, last_error, done_at FROM outbox WHERE chat_id = ? AND status != 'pending' "
        "AND done_at IS NOT NULL ORDER BY done_at DESC, id DESC LIMIT ?",
        (chat_id, _LOOK_BACK),
    )
    for status, error, done_at in rows:
        if status == "sent":
            return None
        text = (error or "").lower()
        if any(refusal in text for refusal in _REFUSED_FOR_GOOD):
            return RefusedChat(text, from_db_time(done_at))
    return None
