"""Running the Application inside an event loop we own (the sandbox, the demo, tests).

`Application.run_polling` and `run_webhook` own their loop; the emulator must share ours,
so this does the same steps in the same order: initialize, post_init, poll (or serve the
webhook), start, then the reverse with post_stop and post_shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from telegram import Update

from bot.app import HelplineApplication
from bot.config import TelegramSettings


def webhook_arguments(telegram: TelegramSettings) -> dict[str, Any]:
    """What python-telegram-bot's webhook server needs: where to listen, the path (the
    webhook URL's own, so a reverse proxy may pass it through unchanged), the URL Telegram
    is told, and the secret it must send (other requests get 403 from PTB's server)."""
    listen = telegram.webhook_listen
    return {
        "listen": listen.host,
        "port": listen.port,
        "url_path": urlsplit(telegram.webhook_url).path.lstrip("/"),
        "webhook_url": telegram.webhook_url,
        "secret_token": telegram.webhook_secret or None,
        "allowed_updates": Update.ALL_TYPES,
    }


@asynccontextmanager
async def running(
    application: HelplineApplication,
    *,
    poll_timeout: float,
    webhook: TelegramSettings | None = None,
) -> AsyncIterator[None]:
    """With `webhook` (settings whose webhook_url is set) the updates come by webhook,
    served by python-telegram-bot's own server; otherwise by long polling."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        if webhook is not None and webhook.webhook_url:
            await application.updater.start_webhook(**webhook_arguments(webhook))
        else:
            await application.updater.start_polling(
                poll_interval=0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
            )
        await application.start()
        try:
            yield
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
