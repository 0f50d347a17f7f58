"""Who counts as staff: members of a centre's staff group, asked of Telegram and cached
briefly. Each centre's group has its own members and its own admins.

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
        *,
        admins_by_group: dict[int, frozenset[int]] | None = None,
    ) -> None:
        self._bot = bot
        self._clock = clock
        self._staff_chat_id = staff_chat_id
        self._admin_ids = admin_ids
        # Each centre's group and its admins; without it, the one staff group's.
        self._admins_by_group = admins_by_group or {staff_chat_id: admin_ids}
        self._ttl = ttl
        self._cache: dict[tuple[int, int], tuple[bool, datetime]] = {}

    def is_admin(self, user_id: int, group_id: int | None = None) -> bool:
        """An admin of that group's centre; with no group, of any centre."""
        if group_id is None:
            return any(user_id in admins for admins in self._admins_by_group.values())
        return user_id in self._admins_by_group.get(group_id, frozenset())

    async def is_member(self, user_id: int, group_id: int | None = None) -> bool:
        chat_id = self._staff_chat_id if group_id is None else group_id
        now = self._clock.now()
        cached = self._cache.get((chat_id, user_id))
        if cached is not None and now - cached[1] < self._ttl:
            return cached[0]
        try:
            member = await self._bot.get_chat_member(chat_id, user_id)
            # A restricted user may have left the group: only is_member says they are in it.
            is_member = member.status in _MEMBER_STATUSES or (
                isinstance(member, ChatMemberRestricted) and member.is_member
            )
        except TelegramError as error:
            # Unknown means no: staff data must never leak on an error.
            logger.warning("staff membership check failed: %s", type(error).__name__)
            return False
        self._cache[(chat_id, user_id)] = (is_member, now)
        return is_member

    def forget(self, user_id: int) -> None:
        for key in [key for key in self._cache if key[1] == user_id]:
            del self._cache[key]
