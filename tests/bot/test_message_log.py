"""The message log: overlapping flushes lose nothing; forget-me ends on any act."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from telegram import CallbackQuery, Chat, Message, Update, User

from bot.clock import ManualClock
from bot.message_log import MessageLog
from storage.db import Database
from storage.message_log import MessageLogRepository

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


async def test_overlapping_flushes_keep_every_id_held_before_consent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    log = MessageLog(MessageLogRepository(db), ManualClock(NOW))
    try:
        log.note(5, 1)
        first = asyncio.create_task(log.flush())
        await asyncio.sleep(0)  # the first flush is inside its database call
        log.note(5, 2)
        second = asyncio.create_task(log.flush())
        log.note(5, 3)
        await asyncio.gather(first, second)
        assert await log.ids_since(5, NOW) == [1, 2, 3]
    finally:
        await db.close()


async def test_a_button_press_after_forget_me_resumes_noting(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    log = MessageLog(MessageLogRepository(db), ManualClock(NOW))
    try:
        log.stop_noting(7)
        log.note(7, 1)  # the "your data is erased" reply: not noted
        user = User(7, "x", is_bot=False)
        old_menu = Message(1, date=NOW, chat=Chat(7, "private"), from_user=user)
        press = CallbackQuery("q", user, "instance", message=old_menu, data="menu:sos")
        log.note_update(Update(2, callback_query=press))  # they act again
        log.note(7, 3)
        assert await log.ids_since(7, NOW) == [3]
    finally:
        await db.close()
