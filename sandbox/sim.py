"""Simulated people and groups: what tests hold to act as a villager or as staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from sandbox.models import ForumTopic, SimMessage
from sandbox.state import ChatState, MemberStatus, compact, get_message, visible_messages

if TYPE_CHECKING:
    from sandbox.actions import ActionsArea

__all__ = ["SimGroup", "SimUser"]


class SimUser:
    """A Telegram user; its private chat with the bot has ``chat_id == id``."""

    def __init__(
        self,
        emu: ActionsArea,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self._emu = emu
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        self.deactivated = False
        #: True once the user has written to the bot: before that the bot can't message them.
        self.started = False
        #: Forwards of this user's messages show only the name, like the privacy setting.
        self.hides_forwards = False

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> dict[str, Any]:
        return compact(
            {
                "id": self.id,
                "is_bot": False,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
                "language_code": self.language_code,
            }
        )

    # ---- account state

    def block_bot(self) -> None:
        if not self.blocked:
            self.blocked = True
            self._emu._chat_member_update(self, "member", "kicked")

    def unblock_bot(self) -> None:
        if self.blocked:
            self.blocked = False
            self._emu._chat_member_update(self, "kicked", "member")

    def deactivate(self) -> None:
        """Deletes the account: the bot gets 403 "user is deactivated" from now on."""
        self.deactivated = True
        self._emu._touch()

    # ---- acting in the private chat

    async def send(self, text: str, *, entities: list[dict[str, Any]] | None = None) -> SimMessage:
        return self._emu._user_post(self, self._chat, "text", text=text, entities=entities)

    async def reply(self, to_message_id: int, text: str) -> SimMessage:
        return self._emu._user_post(self, self._chat, "text", text=text, reply_to=to_message_id)

    async def send_voice(self, duration: int = 5, caption: str | None = None) -> SimMessage:
        return self._emu._user_post(self, self._chat, "voice", duration=duration, caption=caption)

    async def send_sticker(self, emoji: str = "😀") -> SimMessage:
        return self._emu._user_post(self, self._chat, "sticker", emoji=emoji)

    async def send_photo(self, caption: str | None = None) -> SimMessage:
        return self._emu._user_post(self, self._chat, "photo", caption=caption)

    async def send_document(
        self,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        size: int = 12_345,
        caption: str | None = None,
    ) -> SimMessage:
        return self._emu._user_post(
            self,
            self._chat,
            "document",
            caption=caption,
            file_name=file_name,
            mime_type=mime_type,
            size=size,
        )

    async def edit(
        self, message_id: int, new_text: str, chat: SimGroup | None = None
    ) -> SimMessage:
        target = chat._chat if chat is not None else self._chat
        return self._emu._user_edit(self, target, message_id, new_text)

    # ---- acting in a group

    async def send_in(
        self,
        group: SimGroup,
        text: str,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        return self._emu._user_post(
            self, group._chat, "text", text=text, reply_to=reply_to, thread_id=thread_id
        )

    async def send_voice_in(
        self,
        group: SimGroup,
        duration: int = 5,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        return self._emu._user_post(
            self, group._chat, "voice", duration=duration, reply_to=reply_to, thread_id=thread_id
        )

    async def send_photo_in(
        self,
        group: SimGroup,
        caption: str | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        return self._emu._user_post(
            self, group._chat, "photo", caption=caption, reply_to=reply_to, thread_id=thread_id
        )

    async def send_sticker_in(
        self,
        group: SimGroup,
        emoji: str = "😀",
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        return self._emu._user_post(
            self, group._chat, "sticker", emoji=emoji, reply_to=reply_to, thread_id=thread_id
        )

    # ---- buttons

    async def press(
        self,
        button_text: str,
        chat: SimGroup | None = None,
        message_id: int | None = None,
    ) -> str:
        """Presses an inline button of the newest bot message that has it; returns the query id.

        An exact text match wins over a substring match anywhere in the chat.
        """
        target = chat._chat if chat is not None else self._chat
        return self._emu._press_button(self, target, button_text, message_id)

    async def press_data(self, data: str, message_id: int, chat: SimGroup | None = None) -> str:
        """Sends a callback query with arbitrary (possibly forged) data for a message."""
        target = chat._chat if chat is not None else self._chat
        message = target.messages.get(message_id)
        if message is None or message.deleted:
            raise AssertionError(f"no message {message_id} in chat {target.id} to press on")
        return self._emu._callback_query(self, target, message, data)

    # ---- reading

    @property
    def _chat(self) -> ChatState:
        return self._emu._chats[self.id]

    def messages(self, include_deleted: bool = False) -> list[SimMessage]:
        """The private chat, both sides, oldest first."""
        return visible_messages(self._chat, None, include_deleted, include_service=False)

    def bot_messages(self, include_deleted: bool = False) -> list[SimMessage]:
        return [m for m in self.messages(include_deleted) if m.from_bot]

    def last_bot_message(self) -> SimMessage:
        messages = self.bot_messages()
        if not messages:
            raise AssertionError(f"the bot has sent nothing to user {self.id}")
        return messages[-1]

    def message(self, message_id: int) -> SimMessage:
        return get_message(self._chat, message_id)

    async def wait_for_bot_message(
        self,
        predicate: Callable[[SimMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline is what tests want
        *,
        include_edits: bool = False,
    ) -> SimMessage:
        """Waits for the next bot message in the private chat (see ``TelegramEmulator``)."""
        return await self._emu._wait_for_bot_message(
            self._chat, predicate, timeout, include_edits, None
        )


class SimGroup:
    """A supergroup (optionally a forum) where the bot and simulated staff are members."""

    def __init__(self, emu: ActionsArea, chat: ChatState) -> None:
        self._emu = emu
        self._chat = chat

    def __repr__(self) -> str:
        return f"SimGroup(id={self.id}, title={self.title!r}, is_forum={self.is_forum})"

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def title(self) -> str:
        return self._chat.title or ""

    @property
    def is_forum(self) -> bool:
        return self._chat.is_forum

    @property
    def topics(self) -> list[ForumTopic]:
        """Every topic the bot created, deleted ones included (``topic.deleted``)."""
        return list(self._chat.topics.values())

    def topic(self, name: str) -> ForumTopic:
        """The newest not deleted topic with that name."""
        for topic in reversed(self._chat.topics.values()):
            if topic.name == name and not topic.deleted:
                return topic
        names = [t.name for t in self._chat.topics.values()]
        raise AssertionError(f"no topic {name!r} in {self.title!r}; topics: {names}")

    @property
    def bot_status(self) -> MemberStatus:
        return self._chat.bot_status

    def add_member(
        self, user: SimUser, status: Literal["member", "administrator", "creator"] = "member"
    ) -> None:
        old = self._chat.members.get(user.id, "left")
        self._chat.members[user.id] = status
        self._emu._group_member_update(self._chat, user, old, status)

    def is_member(self, user_id: int) -> bool:
        return self._chat.members.get(user_id, "left") in ("creator", "administrator", "member")

    def remove_member(self, user: SimUser) -> None:
        old = self._chat.members.get(user.id, "left")
        self._chat.members[user.id] = "left"
        self._emu._group_member_update(self._chat, user, old, "left")

    def set_bot_status(self, status: MemberStatus) -> None:
        """E.g. "left"/"kicked" to model removal of the bot, "member" to drop its admin rights."""
        old = self._chat.bot_status
        self._chat.bot_status = status
        self._emu._bot_member_update(self._chat, old, status)

    def messages(
        self,
        thread_id: int | None = None,
        include_deleted: bool = False,
        include_service: bool = False,
    ) -> list[SimMessage]:
        return visible_messages(self._chat, thread_id, include_deleted, include_service)

    def bot_messages(
        self, thread_id: int | None = None, include_deleted: bool = False
    ) -> list[SimMessage]:
        return [m for m in self.messages(thread_id, include_deleted) if m.from_bot]

    def last_bot_message(self, thread_id: int | None = None) -> SimMessage:
        messages = self.bot_messages(thread_id)
        if not messages:
            raise AssertionError(f"the bot has sent nothing to {self.title!r}")
        return messages[-1]

    def message(self, message_id: int) -> SimMessage:
        return get_message(self._chat, message_id)

    async def wait_for_bot_message(
        self,
        predicate: Callable[[SimMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline is what tests want
        *,
        thread_id: int | None = None,
        include_edits: bool = False,
    ) -> SimMessage:
        return await self._emu._wait_for_bot_message(
            self._chat, predicate, timeout, include_edits, thread_id
        )
