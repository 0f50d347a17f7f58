"""Simulated users and groups: waiting for the bot's messages."""

import asyncio

import pytest
from telegram import (
    Bot,
)

from sandbox import TelegramEmulator
from tests.sandbox.helpers import started_user


async def test_wait_for_bot_message(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)

    async def reply_later() -> None:
        await bot.send_message(user.id, "first")
        await bot.send_message(user.id, "second")

    task = asyncio.create_task(reply_later())
    assert (await user.wait_for_bot_message()).text == "first"
    assert (await user.wait_for_bot_message()).text == "second"
    await task
    with pytest.raises(AssertionError, match=r"(?s)no matching bot message.*#3 bot: 'second'"):
        await user.wait_for_bot_message(timeout=0.05)
