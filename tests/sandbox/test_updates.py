"""Updates and polling: long polls, offsets, allowed_updates, conflicts."""

import asyncio
import time

import pytest
from telegram import (
    Bot,
)
from telegram.error import Conflict

from sandbox import TelegramEmulator
from tests.sandbox.helpers import raw


async def test_long_poll_returns_on_update_and_after_timeout(
    emu: TelegramEmulator, bot: Bot
) -> None:
    started = time.monotonic()
    status, body = await raw(emu, "getUpdates", timeout=0.2)
    assert status == 200 and body["result"] == []
    assert 0.15 <= time.monotonic() - started < 2

    user = emu.create_user()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_until(lambda: emu.requests[-1].method == "getUpdates")
    started = time.monotonic()
    await user.send("hello")
    updates = await poll
    assert time.monotonic() - started < 1
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_offset_confirms_updates(emu: TelegramEmulator, bot: Bot) -> None:
    user = emu.create_user()
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert emu.pending_updates() == []


async def test_allowed_updates_filter(emu: TelegramEmulator, bot: Bot) -> None:
    user = emu.create_user()
    await user.send("hi")
    user.block_bot()
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["hi"] and len(updates) == 1


async def test_concurrent_polling_conflict(emu: TelegramEmulator, bot: Bot) -> None:
    # Like Telegram, the newer request wins and the one already waiting is terminated.
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: len(emu.requests_for("getUpdates")) == 1)
    status, body = await raw(emu, "getUpdates", timeout=0)
    assert (status, body["result"]) == (200, [])
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert emu.requests_for("getUpdates")[0].response["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
