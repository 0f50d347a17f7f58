"""Errors and limits: injected faults, rate limits, latency."""

import time

import pytest
from telegram import (
    Bot,
)
from telegram.error import NetworkError, RetryAfter

from sandbox import TelegramEmulator
from tests.sandbox.helpers import STAFF_ID, last_description, started_user


async def test_fault_injection(emu: TelegramEmulator, bot: Bot) -> None:
    user = await started_user(emu)
    emu.fail_next("sendMessage", count=1, status=429, retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "x")
    assert last_description(emu) == "Too Many Requests: retry after 3"
    assert emu.requests[-1].response["parameters"] == {"retry_after": 3}
    emu.fail_next(None, count=2, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(user.id, "x")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.copy_message(user.id, user.id, 1)
    emu.fail_next("sendMessage", status=502, apply=True)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "delivered anyway")
    assert user.last_bot_message().text == "delivered anyway"
    assert [m.text for m in user.bot_messages()] == ["delivered anyway"]
    await bot.send_message(user.id, "fine")


async def test_rate_limits(emu: TelegramEmulator, bot: Bot) -> None:
    staff = emu.create_group(STAFF_ID)
    emu.enforce_rate_limits(global_per_second=30, group_per_minute=20)
    for i in range(20):
        await bot.send_message(STAFF_ID, f"m{i}")
    with pytest.raises(RetryAfter):
        await bot.send_message(STAFF_ID, "one too many")
    assert 1 <= emu.requests[-1].response["parameters"]["retry_after"] <= 60
    assert emu.requests[-1].response["description"].startswith("Too Many Requests: retry after")
    emu.advance_time(61)
    await bot.send_message(STAFF_ID, "later")
    assert len(staff.bot_messages()) == 21


async def test_latency_delays_responses(emu: TelegramEmulator, bot: Bot) -> None:
    emu.set_latency(0.1)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.1
