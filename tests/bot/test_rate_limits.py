"""The sending rate limiter over HTTP against the emulator with Telegram's limits on.

The limiter reads the emulator's clock, so the tests move time on instead of waiting;
they check the order in which Telegram accepted the sends and that it never said 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot.domain.send_schedule import ORDINARY_AT_ONCE, Window
from bot.rate_limits import URGENT, RateLimitArgs, SendingRateLimiter
from sandbox import TelegramEmulator

TOKEN = "123456:TEST"
STAFF = -1001234567890


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN, bot_username="helpline_test_bot") as emulator:
        yield emulator


def make_bot(emu: TelegramEmulator, overall: int, group: int) -> ExtBot[RateLimitArgs]:
    limiter = SendingRateLimiter(
        overall=Window(overall, 1.0),
        group=Window(group, 60.0),
        clock=emu.now,
        recheck_every=0.01,
    )
    return ExtBot(TOKEN, base_url=emu.base_url, rate_limiter=limiter)


def users(emu: TelegramEmulator, count: int) -> list[int]:
    created = [emu.create_user(first_name=f"User{n}", username=None) for n in range(count)]
    for user in created:
        user.started = True
    return [user.id for user in created]


def accepted(emu: TelegramEmulator) -> list[str]:
    return [str(r.params["text"]) for r in emu.requests if r.method == "sendMessage" and r.ok]


def too_many(emu: TelegramEmulator) -> int:
    return sum(1 for r in emu.requests if r.status == 429)


async def run_until_done(emu: TelegramEmulator, sends: list[asyncio.Task[Any]]) -> None:
    """Moves the clock on in small steps until every send has its answer."""
    for _ in range(600):
        done, _pending = await asyncio.wait(sends, timeout=0.02)
        if len(done) == len(sends):
            for task in done:
                task.result()
            return
        emu.advance_time(1.0)
    raise AssertionError("the sends never finished")


def start(send: Awaitable[Any]) -> asyncio.Task[Any]:
    async def run() -> Any:
        return await send

    return asyncio.create_task(run())


async def test_urgent_overtakes_ordinary_sends_queued_for_other_chats(
    emu: TelegramEmulator,
) -> None:
    emu.enforce_rate_limits(global_per_second=5, group_per_minute=20)
    emu.create_group(STAFF)
    people = users(emu, 12)
    async with make_bot(emu, overall=4, group=20) as bot:
        sends = [start(bot.send_message(chat, f"ordinary {n}")) for n, chat in enumerate(people)]
        await asyncio.sleep(0)  # every ordinary send is queued before the urgent one
        sends.append(start(bot.send_message(STAFF, "urgent card", rate_limit_args=URGENT)))
        await run_until_done(emu, sends)
    order = accepted(emu)
    # Sends let out together may reach Telegram in any order. A few ordinary ones go at
    # once, the rest spaced: the urgent one takes the next slot, not one after all twelve.
    assert set(order[:ORDINARY_AT_ONCE]) <= {f"ordinary {n}" for n in range(4)}
    assert "urgent card" in order[: ORDINARY_AT_ONCE + 2]
    assert len(order) == 13
    assert too_many(emu) == 0


async def test_a_full_group_holds_back_only_the_group(emu: TelegramEmulator) -> None:
    emu.enforce_rate_limits(global_per_second=30, group_per_minute=3)
    emu.create_group(STAFF)
    (alice,) = users(emu, 1)
    async with make_bot(emu, overall=29, group=3) as bot:
        sends = [start(bot.send_message(STAFF, f"notice {n}")) for n in range(4)]
        await asyncio.sleep(0)
        sends.append(start(bot.send_message(alice, "dm", rate_limit_args=URGENT)))
        # A read is not a send: it does not wait for the group's minute.
        member = await asyncio.wait_for(bot.get_chat_member(STAFF, bot.id), timeout=5)
        assert member.status == "administrator"
        await run_until_done(emu, sends)
    order = accepted(emu)
    assert set(order[:3]) == {"notice 0", "notice 1", "notice 2"}
    assert order[3:] == ["dm", "notice 3"]
    assert too_many(emu) == 0


async def test_a_429_holds_back_only_its_chat_and_the_send_is_retried(
    emu: TelegramEmulator,
) -> None:
    emu.create_group(STAFF)
    alice, bob = users(emu, 2)
    async with make_bot(emu, overall=29, group=20) as bot:
        emu.fail_next("sendMessage", count=1, status=429, retry_after=30)
        card = start(bot.send_message(STAFF, "card"))
        await emu.wait_until(lambda: too_many(emu) == 1)
        later_card = start(bot.send_message(STAFF, "later card"))
        # The group waits its 30 s; the other chats go on.
        await asyncio.wait_for(bot.send_message(alice, "to alice"), timeout=5)
        await asyncio.wait_for(bot.send_message(bob, "to bob"), timeout=5)
        assert not card.done() and not later_card.done()
        await run_until_done(emu, [card, later_card])
    order = accepted(emu)
    assert order[:2] == ["to alice", "to bob"]
    assert set(order[2:]) == {"card", "later card"}
    assert too_many(emu) == 1
