"""Webhook mode: the same walks as long polling, over python-telegram-bot's own webhook."""

from __future__ import annotations

import sqlite3
from datetime import date

import aiohttp

from sandbox import TelegramEmulator
from tests.conftest import WEBHOOK_SECRET, Harness, HarnessFactory
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import request_case, settle

THURSDAY = date(2026, 12, 3)


def _webhook_url(bot: Harness) -> str:
    return bot.settings.telegram.webhook_url


async def test_the_bot_registers_its_webhook_with_the_secret(start_bot: HarnessFactory) -> None:
    bot = await start_bot(webhook=True)
    emulator: TelegramEmulator = bot.emulator
    assert emulator.webhook_url == _webhook_url(bot)
    assert emulator.webhook_secret == WEBHOOK_SECRET
    # While a webhook is set Telegram refuses getUpdates: the bot is not polling.
    assert not [r for r in emulator.requests_for("getUpdates") if r.ok]


async def test_request_and_booking_walks_over_a_webhook(start_bot: HarnessFactory) -> None:
    bot = await start_bot(webhook=True)
    villager = bot.user("Aigul", language_code="ru")
    await bot.onboard(villager, "ru")
    code = await request_case(bot, villager, "ru")
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content)
    # The card is linked to its case once Telegram's answer is back; a person replies later.
    await settle(bot)
    await bot.staff.send_in(bot.group, "Здравствуйте, я вас слышу.", reply_to=card.message_id)
    await villager.wait_for_bot_message(lambda m: "я вас слышу" in m.content)

    booking = await book(bot, villager, start=slot(THURSDAY, 10, 30))
    assert booking in villager.last_bot_message().content
    rows = sqlite3.connect(bot.settings.storage.path).execute(
        "SELECT COUNT(*) FROM appointments WHERE status = 'booked'"
    )
    assert rows.fetchone() == (1,)


async def test_requests_without_the_secret_get_403_and_change_nothing(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(webhook=True)
    update = {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 4242, "type": "private"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Forger"},
            "text": "/sos",
        },
    }
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with session.post(_webhook_url(bot), json=update, headers=headers) as response:
                assert response.status == 403
    await bot.handled()
    assert bot.emulator.requests_for("sendMessage") == []
    stored = sqlite3.connect(bot.settings.storage.path).execute(
        "SELECT COUNT(*) FROM update_inbox WHERE update_id = 999001"
    )
    assert stored.fetchone() == (0,)


async def test_the_webhook_answers_only_once_the_update_is_stored(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(webhook=True)
    villager = bot.user("Aigul", language_code="ru")
    # Freeze the handler: Telegram's 200 must still come, because the update is on disk.
    bot.emulator.hold("sendMessage")
    await villager.send("/start")
    await bot.emulator.wait_until(lambda: not bot.emulator.pending_updates())
    rows = sqlite3.connect(bot.settings.storage.path).execute(
        "SELECT COUNT(*) FROM update_inbox WHERE handled_at IS NULL AND payload IS NOT NULL"
    )
    assert rows.fetchone() == (1,)
    bot.emulator.release("sendMessage")
    await villager.wait_for_bot_message(lambda m: "Выберите язык" in m.content)
