"""Forget me: erase a user's data in one transaction, feature by feature.

Each feature that stores something about a user registers an eraser. Erasers run in
order inside one BEGIN IMMEDIATE transaction, so the user is either fully forgotten or
not at all; messages to staff that they cause (a card edited to say the user erased
their data) are written to the outbox in the same transaction.

Anonymous counts for the monthly figures stay: an eraser unlinks and blanks, it does
not delete the row that says "a case of this category was opened on this day".
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.context import Services
from storage.outbox import erase_chat
from storage.users import erase_user


async def erase_user_row(
    connection: aiosqlite.Connection, services: Services, user_id: int, now: datetime
) -> None:
    await erase_user(connection, user_id)
    await erase_chat(connection, user_id)


async def forget_user(services: Services, user_id: int) -> None:
    now = services.clock.now()
    services.message_log.stop_noting(user_id)
    async with services.write() as tx:
        for eraser in services.erasers:
            await eraser(tx.connection, services, user_id, now)
    # The WAL may still hold the erased rows' old pages: fold it into the main file.
    await services.db.checkpoint()
