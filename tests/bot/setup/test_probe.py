"""What the bot may not do in a staff group, by its member record: a table."""

from __future__ import annotations

import pytest
from telegram import (
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    User,
)

from bot.setup.probe import Right, missing_rights

BOT = User(1, "Helpline", is_bot=True, username="sairam_help_bot")


def admin(delete: bool = True, pin: bool = True, topics: bool = True) -> ChatMemberAdministrator:
    return ChatMemberAdministrator(
        BOT,
        can_be_edited=False,
        is_anonymous=False,
        can_manage_chat=True,
        can_delete_messages=delete,
        can_manage_video_chats=False,
        can_restrict_members=False,
        can_promote_members=False,
        can_change_info=False,
        can_invite_users=True,
        can_post_stories=False,
        can_edit_stories=False,
        can_delete_stories=False,
        can_pin_messages=pin,
        can_manage_topics=topics,
    )


@pytest.mark.parametrize(
    ("member", "is_forum", "missing"),
    [
        (ChatMemberOwner(BOT, is_anonymous=False), True, []),
        (admin(), True, []),
        (admin(topics=False), False, []),  # topics matter in a forum only
        (admin(topics=False), True, ["topics"]),
        (admin(delete=False, pin=False), False, ["delete", "pin"]),
        (ChatMemberMember(BOT), False, ["admin", "delete", "pin"]),
        (ChatMemberMember(BOT), True, ["admin", "delete", "pin", "topics"]),
        (ChatMemberLeft(BOT), False, ["admin", "delete", "pin"]),
    ],
)
def test_missing_rights(member: ChatMember, is_forum: bool, missing: list[Right]) -> None:
    assert missing_rights(member, is_forum) == missing
