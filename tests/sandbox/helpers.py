"""Helpers shared by the emulator's tests."""

from typing import Any

import aiohttp
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from sandbox import SimUser, TelegramEmulator
from tests.sandbox.conftest import TOKEN

STAFF_ID = -1001234567890


async def raw(
    emu: TelegramEmulator, method: str, *, token: str = TOKEN, form: bool = False, **params: Any
) -> tuple[int, dict[str, Any]]:
    """Calls the emulator without PTB, which would refuse some of these requests locally."""
    url = f"{emu.base_url}{token}/{method}"
    async with aiohttp.ClientSession() as session:
        kwargs: dict[str, Any] = {"data": params} if form else {"json": params}
        async with session.post(url, **kwargs) as response:
            return response.status, await response.json()


def last_description(emu: TelegramEmulator) -> str:
    """The exact error text; PTB re-capitalises descriptions in its exceptions."""
    return str(emu.requests[-1].response["description"])


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in buttons]
    )


async def started_user(emu: TelegramEmulator, **kwargs: Any) -> SimUser:
    user = emu.create_user(**kwargs)
    await user.send("/start")
    return user
