"""A case to work on, inserted as the intake inserts one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.cases import CaseStore
from storage.crypto import TextSealer
from storage.db import Database

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


async def insert_case(
    db: Database, sealer: TextSealer, code: str = "7KQ-M2F", user_id: int = 42, **extra: object
) -> int:
    values: dict[str, object] = {
        "code": code,
        "user_id": user_id,
        "language": "ru",
        "category": "violence",
        "urgent_reasons": ["sos_button"],
        "story": "Он сказал, что убьёт меня",
        "story_voice": ["voice-1"],
        "screen": {"weapon": True, "gun": None},
        "reply_by": "call",
        "callback_phone": "+7 701 234 56 78",
        "now": NOW,
        "next_escalation_at": NOW + timedelta(minutes=5),
        "topic_id": None,
    }
    values.update(extra)
    async with db.transaction() as connection:
        return await CaseStore(connection, sealer).insert(**values)  # type: ignore[arg-type]
