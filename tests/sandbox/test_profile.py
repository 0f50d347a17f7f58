"""The bot's profile: commands and name (and the webhook switch seen from getUpdates)."""

import pytest
from telegram import (
    Bot,
)
from telegram.error import BadRequest, Conflict

from sandbox import TelegramEmulator


async def test_bot_settings_and_webhook(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("help", "Help")], language_code="kk")
    assert [c.command for c in await bot.get_my_commands(language_code="kk")] == ["start", "help"]
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([("Start!", "Begin")])
    assert await bot.set_my_name("Helpline")
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""
