"""Who counts as staff: members of the staff group, asked of Telegram and cached briefly.

Membership is checked with getChatMember rather than trusted from the chat alone: a
member who was removed must lose access within a minute, and the cache keeps a busy
group from asking Telegram on every message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot, ChatMemberRestricted
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.clock import Clock

logger = logging.getLogger(__name__)

_MEMBER_STATUSES = {
    ChatMemberStatus.OWNER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
}


class StaffDirectory:
    def __init__(
        self,
        bot: Bot,
        clock: Clock,
        staff_chat_id: int,
        admin_ids: frozenset[int],
        ttl: timedelta = timedelta(seconds=60),
    ) -> None:
        self._bot = bot
        self._clock = clock
        self._staff_chat_id = staff_chat_id
        self._admin_ids = admin_ids
        self._ttl = ttl
        self._cache: dict[int, tuple[bool, datetime]] = {}

    def is_admin(self, user_id: int) -> bool:
        return user_id in self._admin_ids

    async def is_member(self, user_id: int) -> bool:
        now = self._clock.now()
        cached = self._cache.get(user_id)
        if cached is not None and now - cached[1] < self._ttl:
            return cached[0]
        try:
            member = await self._bot.get_chat_member(self._staff_chat_id, user_id)
            # A restricted user may have left the group: only is_member says they are in it.
            is_member = member.status in _MEMBER_STATUSES or (
                isinstance(member, ChatMemberRestricted) and member.is_member
            )
        except TelegramError as error:
            # Unknown means no: staff data must never leak on an error.
            logger.warning("staff membership check failed: %s", type(error).__name__)
            return False
        self._cache[user_id] = (is_member, now)
        return is_member

    def forget(self, user_id: int) -> None:
        self._cache.pop(user_id, None)
