"""Opening a case directly through the service, as the request flow's "Send" does."""

from __future__ import annotations

from bot.cases.intake import OpenedCase
from sandbox import SimUser
from tests.conftest import Harness


async def open_case(
    bot: Harness, user: SimUser, *, sos: bool = False, story: str = "Мне тяжело"
) -> OpenedCase:
    return await bot.services.cases.intake.open_case(
        user_id=user.id,
        language="ru",
        category="unknown" if sos else "crisis",
        story_texts=[] if sos else [story],
        story_voice=[],
        screen=None,
        reply_by="chat",
        callback_phone=None,
        sos=sos,
    )
