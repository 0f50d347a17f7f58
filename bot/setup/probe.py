"""What the setup asks Telegram: groups the bot was added to and written in, its rights there.

The staff group is found the way a person would show it: she adds the bot to the group
and writes `/start@bot` in it (a command reaches a bot even in privacy mode, before it
is an administrator). No @RawDataBot, no chat ids copied by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import Bot, ChatMember, ChatMemberAdministrator, Update
from telegram.constants import ChatMemberStatus, ChatType

# What the setup reads; everything else (private messages, reactions) is not asked for.
SETUP_UPDATES = ["message", "my_chat_member"]

Right = Literal["admin", "delete", "pin", "topics"]


@dataclass(frozen=True)
class StaffGroup:
    """A supergroup someone wrote in after adding the bot; that person becomes its admin."""

    chat_id: int
    title: str
    is_forum: bool
    admin_id: int | None
    admin_name: str


@dataclass(frozen=True)
class BotAdded:
    """The bot was added to a group: the person still has to write in it."""

    chat_id: int
    title: str


@dataclass(frozen=True)
class BasicGroup:
    """A basic group: its number changes when it becomes a supergroup, so it cannot serve."""

    chat_id: int
    title: str


GroupEvent = StaffGroup | BotAdded | BasicGroup

_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
_PRESENT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def group_event(update: Update) -> GroupEvent | None:
    """What an update tells about a staff group, if anything."""
    added = update.my_chat_member
    if added is not None:
        chat = added.chat
        if chat.type in _GROUPS and added.new_chat_member.status in _PRESENT:
            return BotAdded(chat.id, chat.title or "")
        return None
    message = update.message
    if message is None or message.chat.type not in _GROUPS:
        return None
    chat = message.chat
    if chat.type == ChatType.GROUP:
        return BasicGroup(chat.id, chat.title or "")
    person = message.from_user
    return StaffGroup(
        chat_id=chat.id,
        title=chat.title or "",
        is_forum=bool(chat.is_forum),
        admin_id=person.id if person is not None and not person.is_bot else None,
        admin_name=person.full_name if person is not None else "",
    )


def missing_rights(member: ChatMember, is_forum: bool) -> list[Right]:
    """The rights the bot lacks in a staff group: deleting messages (/forget takes a case's
    messages out of the group), pinning them and, in a forum, a topic per case."""
    if member.status == ChatMemberStatus.OWNER:
        return []
    if not isinstance(member, ChatMemberAdministrator):
        everything: list[Right] = ["admin", "delete", "pin"]
        return [*everything, "topics"] if is_forum else everything
    missing: list[Right] = []
    if not member.can_delete_messages:
        missing.append("delete")
    if not member.can_pin_messages:
        missing.append("pin")
    if is_forum and not member.can_manage_topics:
        missing.append("topics")
    return missing


async def fetch_bot_username(token: str, base_url: str) -> str:
    """The bot's username by getMe (for a poster when the config does not name it)."""
    async with Bot(token, base_url=base_url) as bot:
        return bot.username
