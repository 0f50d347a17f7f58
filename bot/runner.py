"""Running the Application inside an event loop we own (the sandbox, the demo, tests).

`Application.run_polling` owns its loop; the emulator must share ours, so this does
the same steps in the same order: initialize, post_init, poll, start, then the
reverse with post_stop and post_shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.app import HelplineApplication


@asynccontextmanager
async def running(application: HelplineApplication, *, poll_timeout: float) -> AsyncIterator[None]:
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
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
