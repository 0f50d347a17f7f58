"""What simulated people do: create users and groups, post, edit, press buttons, and the
waiting for the bot's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.chats import ChatsArea
from sandbox.files import FilesArea
from sandbox.formatting import utf16_len
from sandbox.limits import MAX_TEXT_LENGTH
from sandbox.models import SimMessage
from sandbox.sim import SimGroup, SimUser
from sandbox.state import ChatState, MemberStatus, QueryRecord, get_message, visible_messages


class ActionsArea(ChatsArea, FilesArea):
    """The simulated world's side: each action becomes an update, as on Telegram."""

    # ---- the simulated world

    def create_user(
        self,
        user_id: int | None = None,
        first_name: str = "Aigul",
        username: str | None = "aigul_k",
        language_code: str | None = "ru",
        last_name: str | None = None,
    ) -> SimUser:
        if user_id is None:
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id in self._chats:
            raise ValueError(f"chat {user_id} already exists")
        user = SimUser(self, user_id, first_name, last_name, username, language_code)
        self._users[user_id] = user
        self._chats[user_id] = ChatState(id=user_id, type="private")
        self._restore_user(user)
        self._restore_chat(self._chats[user_id])
        return user

    def create_group(
        self,
        chat_id: int = -1001234567890,
        title: str = "Staff",
        is_forum: bool = False,
        *,
        username: str | None = None,
        bot_status: MemberStatus = "administrator",
    ) -> SimGroup:
        if chat_id in self._chats:
            raise ValueError(f"chat {chat_id} already exists")
        chat = ChatState(
            id=chat_id,
            type="supergroup",
            title=title,
            username=username,
            is_forum=is_forum,
            bot_status=bot_status,
        )
        self._chats[chat_id] = chat
        self._restore_chat(chat)
        group = SimGroup(self, chat)
        self._groups[chat_id] = group
        return group

    # ---- waiting for the bot

    def _mark_action(self, chat: ChatState) -> None:
        chat.wait_cursor = max(chat.wait_cursor, self._seq)

    async def _wait_for_bot_message(
        self,
        chat: ChatState,
        predicate: Callable[[SimMessage], bool] | None,
        timeout: float,  # noqa: ASYNC109
        include_edits: bool,
        thread_id: int | None,
    ) -> SimMessage:
        def check() -> SimMessage | None:
            for event in self._events:
                if event.seq <= chat.wait_cursor or event.chat_id != chat.id:
                    continue
                message = event.message
                if event.kind == "edit" and not include_edits:
                    continue
                if thread_id is not None and message.thread_id != thread_id:
                    continue
                if message.kind == "service":
                    continue
                if predicate is not None and not predicate(message):
                    continue
                chat.wait_cursor = event.seq
                return message
            return None

        found = await self._wait_for(check, timeout)
        if found is None:
            recent = visible_messages(chat, None, True, False)[-5:]
            listing = "\n  ".join(m.describe() for m in recent) or "(no messages)"
            raise AssertionError(
                f"no matching bot message in chat {chat.id} within {timeout}s; "
                f"last messages:\n  {listing}"
            )
        return found

    # ---- acting

    def _command_entities(self, text: str) -> list[dict[str, Any]]:
        entities = []
        position = 0
        for word in text.split(" "):
            token = word.split("\n", 1)[0]
            if token.startswith("/") and len(token) > 1:
                name, _, mention = token[1:].partition("@")
                if (
                    name
                    and len(name) <= 32
                    and all(c.isascii() and (c.isalnum() or c == "_") for c in name)
                    and (not mention or mention.lower() == self.bot_username.lower())
                ):
                    entities.append(
                        {
                            "type": "bot_command",
                            "offset": utf16_len(text[:position]),
                            "length": utf16_len(token),
                        }
                    )
            position += len(word) + 1
        return entities

    def _user_post(
        self,
        user: SimUser,
        chat: ChatState,
        kind: str,
        *,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        caption: str | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
        **media_options: Any,
    ) -> SimMessage:
        self._check_user_can_post(user, chat)
        if text is not None:
            if not text.strip():
                raise AssertionError("Telegram clients don't send empty messages")
            if utf16_len(text) > MAX_TEXT_LENGTH:
                raise AssertionError("a message over 4096 characters would be split by the client")
        reply: SimMessage | None = None
        if reply_to is not None:
            reply = chat.messages.get(reply_to)
            if reply is None or reply.deleted:
                raise AssertionError(f"no message {reply_to} in chat {chat.id} to reply to")
            if thread_id is None:
                thread_id = reply.thread_id
        if thread_id is not None:
            topic = chat.topics.get(thread_id)
            if chat.is_forum and (topic is None or topic.deleted):
                raise AssertionError(f"no topic {thread_id} in chat {chat.id}")
            if topic is not None and topic.closed:
                raise AssertionError(f"topic {topic.name!r} is closed")
        now = self.now()
        message = SimMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            from_bot=False,
            sender_id=user.id,
            date=int(now),
            sent_at=now,
            kind=kind,
            thread_id=thread_id,
            text=text,
            raw_text=text if text is not None else caption,
            entities=entities if entities is not None else self._command_entities(text or ""),
            caption=caption,
            media=None if kind == "text" else self._media_for(kind, **media_options),
            reply_to_message_id=reply.message_id if reply is not None else None,
        )
        chat.messages[message.message_id] = message
        if chat.type == "private":
            user.started = True
        self._mark_action(chat)
        if self._bot_sees(chat, message):
            self._enqueue("message", self._message_dict(message))
        else:
            self._touch()
        return message

    def _check_user_can_post(self, user: SimUser, chat: ChatState) -> None:
        if chat.type == "private":
            if chat.id != user.id:
                raise AssertionError(f"user {user.id} can't post in the private chat {chat.id}")
            if user.blocked:
                raise AssertionError(f"user {user.id} has blocked the bot; unblock_bot() first")
            if user.deactivated:
                raise AssertionError(f"user {user.id} is deactivated")
        elif chat.members.get(user.id, "left") not in ("member", "administrator", "creator"):
            raise AssertionError(f"user {user.id} is not a member of chat {chat.id}")

    def _bot_sees(self, chat: ChatState, message: SimMessage) -> bool:
        if chat.type == "private":
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if chat.bot_status in ("administrator", "creator") or self.can_read_all_group_messages:
            return True
        # Privacy mode: commands, replies to the bot and mentions only.
        text = message.content
        if text.startswith("/") or f"@{self.bot_username}".lower() in text.lower():
            return True
        reply = chat.messages.get(message.reply_to_message_id or 0)
        return reply is not None and reply.from_bot

    def _user_edit(
        self, user: SimUser, chat: ChatState, message_id: int, new_text: str
    ) -> SimMessage:
        message = get_message(chat, message_id)
        if message.from_bot or message.sender_id != user.id or message.deleted:
            raise AssertionError(f"user {user.id} can't edit message {message_id}")
        now = self.now()
        if message.kind == "text":
            message.history.append(message.text)
            message.text = message.raw_text = new_text
            message.entities = self._command_entities(new_text)
        else:
            message.history.append(message.caption)
            message.caption = message.raw_text = new_text
        message.edited = True
        message.edit_date = int(now)
        self._mark_action(chat)
        if self._bot_sees(chat, message):
            self._enqueue("edited_message", self._message_dict(message))
        else:
            self._touch()
        return message

    def _press_button(
        self, user: SimUser, chat: ChatState, button_text: str, message_id: int | None
    ) -> str:
        candidates = [
            m
            for m in reversed(visible_messages(chat, None, False, False))
            if m.from_bot and m.buttons and (message_id is None or m.message_id == message_id)
        ]
        for exact in (True, False):
            for message in candidates:
                matches = [
                    (text, data)
                    for text, data in message.buttons
                    if (text == button_text if exact else button_text in text)
                ]
                if len(matches) > 1 and not exact:
                    raise AssertionError(
                        f"{button_text!r} matches several buttons of message "
                        f"{message.message_id}: {[t for t, _ in matches]}"
                    )
                if matches:
                    text, data = matches[0]
                    if data is None:
                        raise AssertionError(f"button {text!r} has no callback_data (URL button)")
                    return self._callback_query(user, chat, message, data)
        seen = (
            "; ".join(f"#{m.message_id}: {[t for t, _ in m.buttons]}" for m in candidates)
            or "no bot message with inline buttons"
        )
        raise AssertionError(f"no inline button {button_text!r} in chat {chat.id}; seen: {seen}")

    def _callback_query(
        self, user: SimUser, chat: ChatState, message: SimMessage, data: str
    ) -> str:
        if chat.type != "private":
            self._check_user_can_post(user, chat)
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        self._queries[query_id] = QueryRecord(query_id, user.id, data)
        self._mark_action(chat)
        self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self._message_dict(message),
                "chat_instance": str(abs(hash((chat.id, self.bot_id))) % 10**18),
                "data": data,
            },
        )
        return query_id
