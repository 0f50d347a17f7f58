"""Reaching Telegram before the bot starts: without a network the bot says so in one line
and tries again, waiting longer each time, instead of dying with a traceback.

A village server often comes up before its uplink (or after a power cut, with the modem
still starting). systemd sees the wait too: STATUS= names it, and EXTEND_TIMEOUT_USEC=
keeps a Type=notify unit from being killed for a start that is only waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
from bot.ops.systemd import notify

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# Beyond the wait itself, what one attempt may take (PTB's own timeouts are 5 s each).
_ATTEMPT_MARGIN = timedelta(seconds=30)


class TokenRefused(Exception):
    """Telegram answered, and refused the token: trying again would not help."""


def telegram_host(base_url: str) -> str:
    """Where the bot looks for Telegram, without the token or the path."""
    parts = urlsplit(base_url)
    return parts.netloc or base_url


async def wait_for_telegram(
    bot: Bot,
    *,
    first_wait: timedelta,
    longest_wait: timedelta,
    sleep: Sleep = asyncio.sleep,
    tell_systemd: Callable[[str], object] = notify,
) -> int:
    """Asks Telegram who the bot is (getMe) until it answers; returns the failed attempts.

    Raises TokenRefused when Telegram answers that the token is not valid."""
    where = telegram_host(bot.base_url)
    wait = first_wait
    failures = 0
    while True:
        try:
            await bot.get_me()
        except InvalidToken:
            raise TokenRefused(where) from None
        except NetworkError as error:
            failures += 1
            # One line, no traceback: the kind of error is all an administrator needs.
            logger.warning(
                "Telegram cannot be reached at %s (%s): trying again in %s",
                where,
                type(error).__name__,
                _seconds(wait),
            )
            extend = int((wait + _ATTEMPT_MARGIN).total_seconds() * 1_000_000)
            tell_systemd(
                f"STATUS=Telegram cannot be reached at {where}; trying again in {_seconds(wait)}"
                f"\nEXTEND_TIMEOUT_USEC={extend}\nWATCHDOG=1"
            )
            await sleep(wait.total_seconds())
            wait = min(wait * 2, longest_wait)
            continue
        if failures:
            logger.info("Telegram reached at %s after %d failed attempt(s)", where, failures)
            tell_systemd(f"STATUS=Telegram reached at {where}; starting")
        return failures


def reach_telegram(settings: Settings) -> str | None:
    """Before `run` builds the bot: waits until Telegram answers; the one sentence to
    print when it refuses the token, None when all is well."""

    async def reach() -> None:
        bot = Bot(settings.telegram.token, base_url=settings.telegram.base_url)
        try:
            await wait_for_telegram(
                bot,
                first_wait=settings.timing.retry_base,
                longest_wait=settings.timing.retry_max,
            )
        finally:
            await bot.shutdown()

    try:
        asyncio.run(reach())
    except KeyboardInterrupt:
        return "Stopped while waiting for Telegram."
    except TokenRefused as refused:
        return (
            f"Telegram at {refused} refused the bot token: check HELPLINE_BOT_TOKEN or "
            "telegram.token (the token @BotFather gave; /revoke there makes a new one)."
        )
    return None


def _seconds(wait: timedelta) -> str:
    seconds = wait.total_seconds()
    return f"{seconds:g}s" if seconds >= 1 else f"{seconds * 1000:g}ms"
