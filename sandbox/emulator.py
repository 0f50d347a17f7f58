"""A local Telegram Bot API server for tests.

The real python-telegram-bot ``Application`` talks to it over HTTP (``base_url``), while
tests drive simulated users and staff through :class:`SimUser` and :class:`SimGroup`. The
server is deliberately as strict as Telegram: same status codes, error texts and limits, so
that a bug which Telegram would reject in production fails in tests too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeVar

from aiohttp import BodyPartReader, web

from sandbox.formatting import EntityParseError, parse_text, strip_text, utf16_len
from sandbox.models import (
    ApiError,
    CallbackAnswer,
    ForumTopic,
    RecordedRequest,
    SimMessage,
    UploadedFile,
)
from sandbox.spec import METHOD_PARAMS

__all__ = ["SimGroup", "SimUser", "TelegramEmulator"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Params = dict[str, Any]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
DELETE_WINDOW_SECONDS = 48 * 3600
#: Recorded as the status of a request whose client hung up before the answer (nginx's 499).
CLIENT_CLOSED_REQUEST = 499
FORUM_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)

#: Methods that post a new message; ``fail_next(None, ...)`` and the rate limits apply to them.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendSticker",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
    }
)
#: Telegram leaves these out unless a bot asks for them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_MISSING_PARAM_TEXT = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "message_ids": "message identifiers are not specified",
    "from_chat_id": "from_chat_id is empty",
}


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


def _too_many(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


# ------------------------------------------------------------------------------ state objects


@dataclass
class _Chat:
    id: int
    type: Literal["private", "supergroup"]
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    messages: dict[int, SimMessage] = field(default_factory=dict)
    next_message_id: int = 1
    topics: dict[int, ForumTopic] = field(default_factory=dict)
    members: dict[int, MemberStatus] = field(default_factory=dict)
    bot_status: MemberStatus = "member"
    # Bot messages at or below this event number are not "next" for wait_for_bot_message.
    wait_cursor: int = 0

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class _BotEvent:
    seq: int
    chat_id: int
    kind: Literal["new", "edit"]
    message: SimMessage


@dataclass
class _FileRecord:
    file_id: str
    file_unique_id: str
    kind: str
    size: int
    path: str
    data: bytes = b""


@dataclass
class _Fault:
    method: str | None
    remaining: int
    status: int
    retry_after: int
    description: str | None
    apply: bool

    def error(self) -> ApiError:
        if self.status == 429:
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {self.retry_after}",
                self.retry_after,
            )
        return ApiError(
            self.status, self.description or _DEFAULT_DESCRIPTIONS.get(self.status, "Error")
        )


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    data: str | None
    answered: bool = False


@dataclass
class _Poll:
    terminated: bool = False


@dataclass
class _RateLimits:
    global_per_second: int
    group_per_minute: int
    private_per_second: int | None
    global_hits: deque[float] = field(default_factory=deque)
    chat_hits: dict[int, deque[float]] = field(default_factory=dict)


# -------------------------------------------------------------------------------- simulations


class SimUser:
    """A Telegram user; its private chat with the bot has ``chat_id == id``."""

    def __init__(
        self,
        emu: TelegramEmulator,
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
        return _compact(
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
    def _chat(self) -> _Chat:
        return self._emu._chats[self.id]

    def messages(self, include_deleted: bool = False) -> list[SimMessage]:
        """The private chat, both sides, oldest first."""
        return _visible(self._chat, None, include_deleted, include_service=False)

    def bot_messages(self, include_deleted: bool = False) -> list[SimMessage]:
        return [m for m in self.messages(include_deleted) if m.from_bot]

    def last_bot_message(self) -> SimMessage:
        messages = self.bot_messages()
        if not messages:
            raise AssertionError(f"the bot has sent nothing to user {self.id}")
        return messages[-1]

    def message(self, message_id: int) -> SimMessage:
        return _get_message(self._chat, message_id)

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

    def __init__(self, emu: TelegramEmulator, chat: _Chat) -> None:
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
        return _visible(self._chat, thread_id, include_deleted, include_service)

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
        return _get_message(self._chat, message_id)

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


def _visible(
    chat: _Chat, thread_id: int | None, include_deleted: bool, include_service: bool
) -> list[SimMessage]:
    return [
        m
        for m in sorted(chat.messages.values(), key=lambda m: m.message_id)
        if (include_deleted or not m.deleted)
        and (include_service or m.kind != "service")
        and (thread_id is None or m.thread_id == thread_id)
    ]


def _get_message(chat: _Chat, message_id: int) -> SimMessage:
    try:
        return chat.messages[message_id]
    except KeyError:
        raise AssertionError(f"no message {message_id} in chat {chat.id}") from None


# ---------------------------------------------------------------------------------- emulator


class TelegramEmulator:
    """The server, the simulated world and the assertions helpers.

    ``wait_for_bot_message`` returns the first bot message (matching ``predicate``) created
    after both the latest simulated action in that chat and the message the previous wait
    returned, so ``await user.send(...)`` followed by a wait never misses a fast reply and
    successive waits walk through the bot's messages one by one.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "helpline_test_bot",
        bot_id: int | None = None,
        bot_first_name: str = "Helpline",
        can_read_all_group_messages: bool = False,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.bot_first_name = bot_first_name
        self.can_read_all_group_messages = can_read_all_group_messages

        self.requests: list[RecordedRequest] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.bot_names: dict[str, str] = {}
        self.bot_descriptions: dict[str, str] = {}
        self.webhook_url = ""

        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._files: dict[str, _FileRecord] = {}
        self._queries: dict[str, _CallbackQuery] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000_001
        self._next_user_id = 700_000_001
        self._next_query_id = 4_000_000_000_000_000_001
        self._allowed_updates: frozenset[str] | None = None
        self._poll: _Poll | None = None
        self._events: list[_BotEvent] = []
        self._seq = 0
        self._change = asyncio.Event()
        self._clock_offset = 0.0
        self._latency = 0.0
        # Methods whose calls wait at the door until released (a test freezes a handler).
        self._held: dict[str, asyncio.Event] = {}
        self._faults: list[_Fault] = []
        self._rate_limits: _RateLimits | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._host = ""
        self._port = 0
        self._methods: dict[str, tuple[str, Callable[[Params], Awaitable[Any]]]] = {
            name.lower(): (name, handler) for name, handler in self._handlers().items()
        }

    # ------------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        # Handler cancellation lets a long poll end when the bot drops the connection (e.g.
        # PTB stopping), instead of surviving to be "terminated" by the next getUpdates.
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host, self._port = host, int(self._runner.addresses[0][1])
        logger.info("Telegram emulator listening on %s:%s", self._host, self._port)

    async def stop(self) -> None:
        self._closing = True
        self._touch()  # releases pending long polls so the shutdown doesn't wait for them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What PTB takes as ``base_url``: it appends the token and the method itself."""
        return f"http://{self._host}:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self._port}/file/bot"

    # ---------------------------------------------------------------------- test controls

    def now(self) -> float:
        return time.time() + self._clock_offset

    def advance_time(self, seconds: float) -> None:
        self._clock_offset += seconds
        self._touch()

    def set_latency(self, seconds: float) -> None:
        self._latency = seconds

    def hold(self, method: str) -> None:
        """Calls of ``method`` wait, unanswered, until ``release(method)``: a handler that
        makes one is frozen mid-way (a test can then kill the bot there)."""
        self._held.setdefault(self._canonical(method), asyncio.Event())

    def release(self, method: str) -> None:
        held = self._held.pop(self._canonical(method), None)
        if held is not None:
            held.set()

    def fail_next(
        self,
        method: str | None,
        count: int = 1,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        *,
        apply: bool = False,
    ) -> None:
        """Makes the next ``count`` calls of ``method`` (any send method when None) fail.

        With ``apply=True`` the call still takes effect and only the answer is an error,
        which is what a lost response looks like to the bot.
        """
        canonical = None if method is None else self._canonical(method)
        self._faults.append(_Fault(canonical, count, status, retry_after, description, apply))

    def enforce_rate_limits(
        self,
        global_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: int | None = None,
    ) -> None:
        self._rate_limits = _RateLimits(global_per_second, group_per_minute, private_per_second)

    def disable_rate_limits(self) -> None:
        self._rate_limits = None

    def requests_for(self, method: str) -> list[RecordedRequest]:
        canonical = self._canonical(method)
        return [r for r in self.requests if r.method == canonical]

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self._updates)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Re-checks ``predicate`` on every state change of the emulator."""
        result = await self._wait_for(lambda: True if predicate() else None, timeout)
        if result is None:
            raise AssertionError(f"condition not met within {timeout}s")

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
        self._chats[user_id] = _Chat(id=user_id, type="private")
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
        chat = _Chat(
            id=chat_id,
            type="supergroup",
            title=title,
            username=username,
            is_forum=is_forum,
            bot_status=bot_status,
        )
        self._chats[chat_id] = chat
        group = SimGroup(self, chat)
        self._groups[chat_id] = group
        return group

    def user(self, user_id: int) -> SimUser:
        return self._users[user_id]

    def group(self, chat_id: int) -> SimGroup:
        return self._groups[chat_id]

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------------ change feed

    def _touch(self) -> None:
        event, self._change = self._change, asyncio.Event()
        event.set()

    async def _wait_for(
        self,
        check: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109
    ) -> T | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            event = self._change
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _bot_event(self, chat: _Chat, kind: Literal["new", "edit"], message: SimMessage) -> None:
        self._seq += 1
        self._events.append(_BotEvent(self._seq, chat.id, kind, message))
        self._touch()

    def _mark_action(self, chat: _Chat) -> None:
        chat.wait_cursor = max(chat.wait_cursor, self._seq)

    async def _wait_for_bot_message(
        self,
        chat: _Chat,
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
            recent = _visible(chat, None, True, False)[-5:]
            listing = "\n  ".join(m.describe() for m in recent) or "(no messages)"
            raise AssertionError(
                f"no matching bot message in chat {chat.id} within {timeout}s; "
                f"last messages:\n  {listing}"
            )
        return found

    # -------------------------------------------------------------------------- updates

    def _update_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if self._update_allowed(update):
            self._updates.append(update)
        self._touch()

    def _chat_member_update(self, user: SimUser, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.bot_user()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self._enqueue(
            "my_chat_member",
            {
                "chat": self._chat_dict(self._chats[user.id]),
                "from": user.to_api(),
                "date": int(self.now()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def _group_member_update(self, chat: _Chat, user: SimUser, old: str, new: str) -> None:
        self._enqueue(
            "chat_member",
            {
                "chat": self._chat_dict(chat),
                "from": user.to_api(),
                "date": int(self.now()),
                "old_chat_member": self._member_dict(chat, user.to_api(), old),
                "new_chat_member": self._member_dict(chat, user.to_api(), new),
            },
        )

    def _bot_member_update(self, chat: _Chat, old: str, new: str) -> None:
        owner = next((uid for uid, s in chat.members.items() if s == "creator"), None)
        actor = self._users[owner].to_api() if owner is not None else self.bot_user()
        self._enqueue(
            "my_chat_member",
            {
                "chat": self._chat_dict(chat),
                "from": actor,
                "date": int(self.now()),
                "old_chat_member": self._member_dict(chat, self.bot_user(), old),
                "new_chat_member": self._member_dict(chat, self.bot_user(), new),
            },
        )

    # --------------------------------------------------------------------- user actions

    def _new_file(self, kind: str, size: int, extension: str, data: bytes = b"") -> _FileRecord:
        token = uuid.uuid4().hex
        record = _FileRecord(
            file_id=f"{kind}-{token}",
            file_unique_id=token[:16],
            kind=kind,
            size=size,
            path=f"{kind}s/file_{len(self._files)}.{extension}",
            data=data,
        )
        self._files[record.file_id] = record
        return record

    def _media_for(self, kind: str, **options: Any) -> dict[str, Any]:
        if kind == "voice":
            duration = int(options.get("duration") or 5)
            record = self._new_file("voice", max(duration, 1) * 2_000, "oga")
            return {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": record.size,
            }
        if kind == "sticker":
            record = self._new_file("sticker", 24_000, "webp")
            return {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": options.get("emoji") or "😀",
                "file_size": record.size,
            }
        if kind == "photo":
            sizes = []
            for width, height, size in ((90, 67, 1_200), (320, 240, 15_000), (1280, 960, 120_000)):
                record = self._new_file("photo", size, "jpg")
                sizes.append(
                    {
                        "file_id": record.file_id,
                        "file_unique_id": record.file_unique_id,
                        "width": width,
                        "height": height,
                        "file_size": size,
                    }
                )
            return {"photo": sizes}
        if kind == "document":
            file_name = str(options.get("file_name") or "document")
            extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
            record = self._new_file(
                "document", int(options.get("size") or 1), extension, options.get("data", b"")
            )
            return _compact(
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "file_name": file_name,
                    "mime_type": options.get("mime_type"),
                    "file_size": record.size,
                }
            )
        raise ValueError(f"unknown media kind {kind!r}")

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
        chat: _Chat,
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

    def _check_user_can_post(self, user: SimUser, chat: _Chat) -> None:
        if chat.type == "private":
            if chat.id != user.id:
                raise AssertionError(f"user {user.id} can't post in the private chat {chat.id}")
            if user.blocked:
                raise AssertionError(f"user {user.id} has blocked the bot; unblock_bot() first")
            if user.deactivated:
                raise AssertionError(f"user {user.id} is deactivated")
        elif chat.members.get(user.id, "left") not in ("member", "administrator", "creator"):
            raise AssertionError(f"user {user.id} is not a member of chat {chat.id}")

    def _bot_sees(self, chat: _Chat, message: SimMessage) -> bool:
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

    def _user_edit(self, user: SimUser, chat: _Chat, message_id: int, new_text: str) -> SimMessage:
        message = _get_message(chat, message_id)
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
        self, user: SimUser, chat: _Chat, button_text: str, message_id: int | None
    ) -> str:
        candidates = [
            m
            for m in reversed(_visible(chat, None, False, False))
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

    def _callback_query(self, user: SimUser, chat: _Chat, message: SimMessage, data: str) -> str:
        if chat.type != "private":
            self._check_user_can_post(user, chat)
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        self._queries[query_id] = _CallbackQuery(query_id, user.id, data)
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

    # --------------------------------------------------------------------- serialisation

    def _chat_dict(self, chat: _Chat) -> dict[str, Any]:
        if chat.type == "private":
            user = self._users[chat.id]
            return _compact(
                {
                    "id": chat.id,
                    "type": "private",
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "username": user.username,
                }
            )
        data: dict[str, Any] = {"id": chat.id, "type": "supergroup", "title": chat.title}
        if chat.username:
            data["username"] = chat.username
        if chat.is_forum:
            data["is_forum"] = True
        return data

    def _sender_dict(self, message: SimMessage) -> dict[str, Any]:
        return self.bot_user() if message.from_bot else self._users[message.sender_id].to_api()

    def _message_dict(self, message: SimMessage, nested: bool = True) -> dict[str, Any]:
        chat = self._chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._sender_dict(message),
            "chat": self._chat_dict(chat),
            "date": message.date,
        }
        if message.thread_id is not None:
            data["message_thread_id"] = message.thread_id
            if chat.is_forum:
                data["is_topic_message"] = True
        reply_id = message.reply_to_message_id
        if (
            reply_id is None
            and chat.is_forum
            and message.thread_id not in (None, message.message_id)
        ):
            # In forum topics Telegram presents plain messages as replies to the topic's
            # creation message; bots that read reply_to_message must cope with that.
            reply_id = message.thread_id
        if nested and reply_id is not None and reply_id in chat.messages:
            data["reply_to_message"] = self._message_dict(chat.messages[reply_id], nested=False)
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.media is not None:
            if message.kind == "photo":
                data["photo"] = message.media["photo"]
            else:
                data[message.kind] = message.media
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.service is not None:
            data.update(message.service)
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        return data

    def _member_dict(self, chat: _Chat, user: dict[str, Any], status: str) -> dict[str, Any]:
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = {
                name: True
                for name in (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_pin_messages",
                )
            }
            if chat.is_forum:
                rights["can_manage_topics"] = True
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_promote_members": False,
                **rights,
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        if status == "restricted":
            return {
                "status": "restricted",
                "user": user,
                "is_member": True,
                "until_date": 0,
                **{
                    name: False
                    for name in (
                        "can_send_messages",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_manage_topics",
                    )
                },
            }
        return {"status": status, "user": user}

    # ----------------------------------------------------------------------- HTTP layer

    def _canonical(self, method: str) -> str:
        entry = self._methods.get(method.lower())
        return entry[0] if entry is not None else method

    async def _read_params(self, request: web.Request) -> Params:
        params: Params = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise _bad("can't parse JSON encoded request")
            params.update(body)
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data = await part.read()
                    params[part.name] = UploadedFile(
                        name=part.name,
                        filename=part.filename,
                        size=len(data),
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
                    )
                else:
                    params[part.name] = await part.text()
        else:
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else str(value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        entry = self._methods.get(method_name.lower())
        canonical = entry[0] if entry is not None else method_name
        record = RecordedRequest(canonical, {}, 0, {}, self.now())
        self.requests.append(record)
        try:
            status, body = await self._process(request, record, entry)
        except asyncio.CancelledError:
            record.status = CLIENT_CLOSED_REQUEST
            self._touch()
            raise
        record.status, record.response = status, body
        self._touch()
        return web.json_response(
            body, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False)
        )

    async def _process(
        self,
        request: web.Request,
        record: RecordedRequest,
        entry: tuple[str, Callable[[Params], Awaitable[Any]]] | None,
    ) -> tuple[int, dict[str, Any]]:
        try:
            raw = await self._read_params(request)
            record.params = raw
            if self._latency:
                await asyncio.sleep(self._latency)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            canonical, handler = entry
            params = _coerce(canonical, raw)
            record.params = params
            held = self._held.get(canonical)
            if held is not None:
                await held.wait()
            fault = self._take_fault(canonical)
            if fault is not None and not fault.apply:
                raise fault.error()
            self._check_rate_limits(canonical, params)
            result = await handler(params)
            if fault is not None:
                raise fault.error()
            return 200, {"ok": True, "result": result}
        except ApiError as error:
            return error.status, error.body()
        except Exception:
            logger.exception("emulator failed on %s", record.method)
            return 500, ApiError(500, "Internal Server Error").body()

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        for record in self._files.values():
            if record.path == path:
                return web.Response(body=record.data or b"\0" * min(record.size, 1 << 20))
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            matches = fault.method == method if fault.method else method in SEND_METHODS
            if matches and fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _check_rate_limits(self, method: str, params: Params) -> None:
        limits = self._rate_limits
        if limits is None or method not in SEND_METHODS:
            return
        now = self.now()

        def retry_after(hits: deque[float], window: float, limit: int) -> int | None:
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(hits[0] + window - now))
            return None

        chat_id = params.get("chat_id")
        chat_hits = (
            limits.chat_hits.setdefault(chat_id, deque()) if isinstance(chat_id, int) else None
        )
        waits = [retry_after(limits.global_hits, 1.0, limits.global_per_second)]
        if chat_hits is not None and isinstance(chat_id, int):
            if chat_id < 0:
                waits.append(retry_after(chat_hits, 60.0, limits.group_per_minute))
            elif limits.private_per_second is not None:
                waits.append(retry_after(chat_hits, 1.0, limits.private_per_second))
        worst = max((w for w in waits if w is not None), default=None)
        if worst is not None:
            raise _too_many(worst)
        limits.global_hits.append(now)
        if chat_hits is not None:
            chat_hits.append(now)

    # -------------------------------------------------------------------- shared checks

    def _resolve_chat(self, chat_id: Any) -> _Chat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for candidate in self._chats.values():
                if candidate.username and candidate.username.lower() == chat_id[1:].lower():
                    return candidate
            raise _bad("chat not found")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _bad("chat not found")
        if chat.type == "private" and not self._users[chat.id].started:
            # The bot has never seen this user: to Telegram the chat doesn't exist for it.
            raise _bad("chat not found")
        return chat

    def _check_bot_can_write(self, chat: _Chat) -> None:
        if chat.type == "private":
            user = self._users[chat.id]
            if user.deactivated:
                raise _forbidden("user is deactivated")
            if user.blocked:
                raise _forbidden("bot was blocked by the user")
            return
        if chat.bot_status == "kicked":
            raise _forbidden("bot was kicked from the supergroup chat")
        if chat.bot_status == "left":
            raise _forbidden("bot is not a member of the supergroup chat")

    def _chat_for_sending(self, chat_id: Any) -> _Chat:
        if isinstance(chat_id, int) and chat_id in self._users:
            user = self._users[chat_id]
            if not user.started:
                if user.blocked:
                    raise _forbidden("bot was blocked by the user")
                raise _forbidden("bot can't initiate conversation with a user")
        chat = self._resolve_chat(chat_id)
        self._check_bot_can_write(chat)
        return chat

    def _resolve_thread(self, chat: _Chat, thread_id: int | None) -> int | None:
        if thread_id is None:
            return None
        if chat.is_forum:
            topic = chat.topics.get(thread_id)
            if topic is None or topic.deleted:
                raise _bad("message thread not found")
            return thread_id
        target = chat.messages.get(thread_id)
        if chat.type == "private" or target is None or target.deleted:
            raise _bad("message thread not found")
        return thread_id

    def _resolve_reply(self, chat: _Chat, params: Params) -> SimMessage | None:
        reply_parameters = params.get("reply_parameters")
        allow_without = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_parameters, dict):
            message_id = reply_parameters.get("message_id")
            allow_without = bool(reply_parameters.get("allow_sending_without_reply", allow_without))
            other_chat = reply_parameters.get("chat_id")
            if other_chat is not None and other_chat != chat.id:
                # A reply can quote a message of another chat the bot can see.
                chat = self._resolve_chat(other_chat)
        elif reply_parameters is not None:
            raise _bad("can't parse reply parameters JSON object")
        else:
            message_id = params.get("reply_to_message_id")
        if message_id is None:
            return None
        if not isinstance(message_id, int):
            raise _bad("invalid reply message identifier specified")
        target: SimMessage | None = chat.messages.get(message_id)
        if target is None or target.deleted:
            if allow_without:
                return None
            raise _bad("message to be replied not found")
        return target

    def _formatted(
        self, text: str, parse_mode: Any, entities: Any, *, caption: bool
    ) -> tuple[str, list[dict[str, Any]]]:
        if entities is not None:
            if not isinstance(entities, list) or not all(
                isinstance(e, dict)
                and isinstance(e.get("type"), str)
                and isinstance(e.get("offset"), int)
                and isinstance(e.get("length"), int)
                for e in entities
            ):
                raise _bad("can't parse entities JSON object")
            plain, parsed = text, [dict(e) for e in entities]
        else:
            if parse_mode is not None and str(parse_mode).lower() not in (
                "html",
                "markdown",
                "markdownv2",
                "",
            ):
                raise _bad("unsupported parse_mode")
            try:
                plain, parsed = parse_text(text, parse_mode)
            except EntityParseError as error:
                raise _bad(f"can't parse entities: {error}") from None
        plain, parsed = strip_text(plain, parsed)
        if caption:
            if utf16_len(plain) > MAX_CAPTION_LENGTH:
                raise _bad("message caption is too long")
        else:
            if not plain:
                raise _bad("message text is empty")
            if utf16_len(plain) > MAX_TEXT_LENGTH:
                raise _bad("message is too long")
        return plain, parsed

    def _caption(self, params: Params) -> tuple[str | None, list[dict[str, Any]]]:
        caption = params.get("caption")
        if caption is None or caption == "":
            return None, []
        plain, entities = self._formatted(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        return (plain or None), entities

    def _markup(self, markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            if sum(len(row) for row in rows) > 100:
                raise _bad("reply markup is too long")
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            rows = [row for row in rows if row]
            return {"inline_keyboard": rows} if rows else None
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            if not isinstance(markup["keyboard"], list):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
            return markup
        if "remove_keyboard" in markup or "force_reply" in markup:
            return markup
        raise _bad('can\'t find field "inline_keyboard"')

    def _bot_message(
        self,
        chat: _Chat,
        params: Params,
        kind: str,
        *,
        text: str | None = None,
        raw_text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
        media: dict[str, Any] | None = None,
        forward_origin: dict[str, Any] | None = None,
        markup: dict[str, Any] | None = None,
        reply: SimMessage | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        if thread_id is None and reply is not None and reply.chat_id == chat.id:
            thread_id = reply.thread_id
        now = self.now()
        message = SimMessage(
            message_id=chat.take_message_id(),
            chat_id=chat.id,
            from_bot=True,
            sender_id=self.bot_id,
            date=int(now),
            sent_at=now,
            kind=kind,
            thread_id=thread_id,
            text=text,
            raw_text=raw_text,
            parse_mode=params.get("parse_mode"),
            entities=entities or [],
            caption=caption,
            caption_entities=caption_entities or [],
            media=media,
            reply_markup=markup,
            reply_to_message_id=reply.message_id
            if reply is not None and reply.chat_id == chat.id
            else None,
            forward_origin=forward_origin,
        )
        chat.messages[message.message_id] = message
        self._bot_event(chat, "new", message)
        return message

    def _prepare_send(self, params: Params) -> tuple[_Chat, int | None, SimMessage | None]:
        chat = self._chat_for_sending(params["chat_id"])
        thread_id = self._resolve_thread(chat, params.get("message_thread_id"))
        reply = self._resolve_reply(chat, params)
        return chat, thread_id, reply

    def _file_param(self, params: Params, name: str, kind: str) -> tuple[_FileRecord | None, Any]:
        value = params[name]
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
            if not isinstance(value, UploadedFile):
                raise _bad(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return None, value
        if not isinstance(value, str) or not value:
            raise _bad(f"there is no {name} in the request")
        if value.startswith(("http://", "https://")):
            return None, value
        record = self._files.get(value)
        if record is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if record.kind != kind:
            raise _bad(f"can't use file of type {record.kind.title()} as {kind.title()}")
        return record, value

    def _message_for_bot(self, chat: _Chat, message_id: Any, missing: str) -> SimMessage:
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise _bad(missing)
        return message

    # ------------------------------------------------------------------------- handlers

    def _handlers(self) -> dict[str, Callable[[Params], Awaitable[Any]]]:
        return {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyName": self._set_my_name,
            "setMyDescription": self._set_my_description,
            "setMyShortDescription": self._set_my_description,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendVoice": self._send_voice,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "copyMessages": self._copy_messages,
            "forwardMessage": self._forward_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getFile": self._get_file,
        }

    async def _true(self, params: Params) -> bool:
        return True

    async def _get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ---- updates

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) if allowed else None
        if isinstance(offset, int):
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if self._poll is not None:
            # Like Telegram, the newer request wins and the older one is told so.
            self._poll.terminated = True
        poll = self._poll = _Poll()
        self._touch()

        def ready() -> bool | None:
            self._updates = [u for u in self._updates if self._update_allowed(u)]
            return True if (self._updates or poll.terminated or self._closing) else None

        try:
            await self._wait_for(ready, timeout)
        finally:
            if self._poll is poll:
                self._poll = None
        if poll.terminated:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._updates[:limit]

    async def _set_webhook(self, params: Params) -> bool:
        url = str(params["url"])
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # ---- bot settings

    @staticmethod
    def _command_key(params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        cleaned = []
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not 1 <= len(name) <= 32:
                raise _bad("BOT_COMMAND_INVALID")
            if not all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.commands[self._command_key(params)] = cleaned
        return True

    async def _get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return self.commands.get(self._command_key(params), [])

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    async def _set_my_name(self, params: Params) -> bool:
        name = str(params.get("name") or "")
        if len(name) > 64:
            raise _bad("BOT_TITLE_INVALID")
        self.bot_names[str(params.get("language_code") or "")] = name
        return True

    async def _set_my_description(self, params: Params) -> bool:
        text = str(params.get("description") or params.get("short_description") or "")
        if len(text) > 512:
            raise _bad("BOT_DESCRIPTION_INVALID")
        self.bot_descriptions[str(params.get("language_code") or "")] = text
        return True

    # ---- sending

    async def _send_message(self, params: Params) -> dict[str, Any]:
        raw_text = params.get("text")
        if not isinstance(raw_text, str):
            raise _bad("message text is empty")
        text, entities = self._formatted(
            raw_text, params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = self._markup(params.get("reply_markup"))
        chat, thread_id, reply = self._prepare_send(params)
        message = self._bot_message(
            chat,
            params,
            "text",
            text=text,
            raw_text=raw_text,
            entities=entities,
            markup=markup,
            reply=reply,
            thread_id=thread_id,
        )
        return self._message_dict(message)

    async def _send_media(self, params: Params, kind: str) -> dict[str, Any]:
        caption, caption_entities = self._caption(params)
        markup = self._markup(params.get("reply_markup"))
        chat, thread_id, reply = self._prepare_send(params)
        record, source = self._file_param(params, kind, kind)
        if record is not None and kind != "photo":
            media: dict[str, Any] = {
                key: value
                for key, value in self._reuse_media(record).items()
                if key != "duration" or kind == "voice"
            }
        else:
            upload = source if isinstance(source, UploadedFile) else None
            media = self._media_for(
                kind,
                duration=params.get("duration"),
                file_name=(upload.filename if upload else None) or f"{kind}.bin",
                mime_type=upload.content_type if upload else None,
                size=upload.size if upload else 50_000,
                data=upload.data if upload else b"",
            )
        if kind == "voice" and isinstance(params.get("duration"), int):
            media["duration"] = params["duration"]
        message = self._bot_message(
            chat,
            params,
            kind,
            caption=caption,
            raw_text=params.get("caption"),
            caption_entities=caption_entities,
            media=media,
            markup=markup,
            reply=reply,
            thread_id=thread_id,
        )
        return self._message_dict(message)

    def _reuse_media(self, record: _FileRecord) -> dict[str, Any]:
        for chat in self._chats.values():
            for message in chat.messages.values():
                if message.media is not None and message.file_id == record.file_id:
                    return dict(message.media)
        return {"file_id": record.file_id, "file_unique_id": record.file_unique_id, "duration": 1}

    async def _send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_voice(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "voice")

    async def _send_sticker(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "sticker")

    async def _send_chat_action(self, params: Params) -> bool:
        chat = self._chat_for_sending(params["chat_id"])
        self._resolve_thread(chat, params.get("message_thread_id"))
        if params["action"] not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    # ---- copy and forward

    def _source_message(self, params: Params, message_id: Any, verb: str) -> SimMessage:
        source_chat = self._resolve_chat(params["from_chat_id"])
        message = self._message_for_bot(source_chat, message_id, f"message to {verb} not found")
        if message.kind == "service":
            raise _bad(
                "message can't be copied" if verb == "copy" else "message can't be forwarded"
            )
        return message

    def _copy_into(
        self,
        chat: _Chat,
        params: Params,
        source: SimMessage,
        thread_id: int | None,
        reply: SimMessage | None,
        *,
        remove_caption: bool = False,
    ) -> SimMessage:
        caption, caption_entities = source.caption, source.caption_entities
        if "caption" in params and source.kind != "text":
            caption, caption_entities = self._caption(params)
        if remove_caption:
            caption, caption_entities = None, []
        return self._bot_message(
            chat,
            params,
            source.kind,
            text=source.text,
            raw_text=source.raw_text,
            entities=list(source.entities),
            caption=caption,
            caption_entities=list(caption_entities),
            media=dict(source.media) if source.media is not None else None,
            markup=self._markup(params.get("reply_markup")),
            reply=reply,
            thread_id=thread_id,
        )

    async def _copy_message(self, params: Params) -> dict[str, Any]:
        source = self._source_message(params, params["message_id"], "copy")
        chat, thread_id, reply = self._prepare_send(params)
        message = self._copy_into(chat, params, source, thread_id, reply)
        return {"message_id": message.message_id}

    async def _copy_messages(self, params: Params) -> list[dict[str, Any]]:
        ids = _message_ids(params["message_ids"])
        source_chat = self._resolve_chat(params["from_chat_id"])
        chat, thread_id, _ = self._prepare_send(params)
        sources = [
            m
            for m in (source_chat.messages.get(i) for i in sorted(set(ids)))
            if m is not None and not m.deleted and m.kind != "service"
        ]
        if not sources:
            raise _bad("message to copy not found")
        return [
            {
                "message_id": self._copy_into(
                    chat,
                    {},
                    source,
                    thread_id,
                    None,
                    remove_caption=bool(params.get("remove_caption")),
                ).message_id
            }
            for source in sources
        ]

    async def _forward_message(self, params: Params) -> dict[str, Any]:
        source = self._source_message(params, params["message_id"], "forward")
        chat = self._chat_for_sending(params["chat_id"])
        thread_id = self._resolve_thread(chat, params.get("message_thread_id"))
        origin = source.forward_origin
        if origin is None:
            if source.from_bot:
                origin = {"type": "user", "date": source.date, "sender_user": self.bot_user()}
            else:
                sender = self._users[source.sender_id]
                if sender.hides_forwards:
                    origin = {
                        "type": "hidden_user",
                        "date": source.date,
                        "sender_user_name": sender.full_name,
                    }
                else:
                    origin = {"type": "user", "date": source.date, "sender_user": sender.to_api()}
        message = self._bot_message(
            chat,
            params,
            source.kind,
            text=source.text,
            raw_text=source.raw_text,
            entities=list(source.entities),
            caption=source.caption,
            caption_entities=list(source.caption_entities),
            media=dict(source.media) if source.media is not None else None,
            forward_origin=origin,
            thread_id=thread_id,
        )
        return self._message_dict(message)

    # ---- editing

    def _message_to_edit(self, params: Params) -> tuple[_Chat, SimMessage]:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        if params.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        if params.get("message_id") is None:
            raise _bad("message identifier is not specified")
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        message = self._message_for_bot(chat, params["message_id"], "message to edit not found")
        if not message.from_bot or message.kind == "service" or message.forward_origin:
            raise _bad("message can't be edited")
        return chat, message

    def _apply_edit(self, chat: _Chat, message: SimMessage) -> dict[str, Any]:
        message.edited = True
        message.edit_date = int(self.now())
        self._bot_event(chat, "edit", message)
        return self._message_dict(message)

    async def _edit_message_text(self, params: Params) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        raw_text = params.get("text")
        if not isinstance(raw_text, str) or not raw_text:
            raise _bad("message text is empty")
        if message.kind != "text":
            raise _bad("there is no text in the message to edit")
        text, entities = self._formatted(
            raw_text, params.get("parse_mode"), params.get("entities"), caption=False
        )
        # Leaving reply_markup out removes the keyboard, exactly as on Telegram.
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        if (
            text == message.text
            and _same_entities(entities, message.entities)
            and (markup == message.reply_markup)
        ):
            raise _not_modified()
        message.history.append(message.text)
        message.text, message.raw_text, message.entities = text, raw_text, entities
        message.parse_mode = params.get("parse_mode")
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _edit_message_caption(self, params: Params) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        if message.kind == "text":
            raise _bad("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        if (
            caption == message.caption
            and _same_entities(entities, message.caption_entities)
            and (markup == message.reply_markup)
        ):
            raise _not_modified()
        message.history.append(message.caption)
        message.caption, message.caption_entities = caption, entities
        message.raw_text = params.get("caption")
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        if markup == message.reply_markup:
            raise _not_modified()
        message.reply_markup = markup
        return self._apply_edit(chat, message)

    async def _answer_callback_query(self, params: Params) -> bool:
        query = self._queries.get(str(params["callback_query_id"]))
        if query is None or query.answered:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                id=query.id,
                user_id=query.user_id,
                data=query.data,
                text=str(text) if text else None,
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                at=self.now(),
            )
        )
        return True

    # ---- deleting

    def _delete_one(self, chat: _Chat, message_id: Any) -> None:
        message = self._message_for_bot(chat, message_id, "message to delete not found")
        if (
            message.kind == "service"
            and message.service
            and "forum_topic_created" in message.service
        ):
            raise _bad("message can't be deleted")
        too_old = self.now() - message.sent_at > DELETE_WINDOW_SECONDS
        if chat.type == "private":
            if too_old:
                raise _bad("message can't be deleted for everyone")
        elif chat.bot_status not in ("administrator", "creator"):
            if not message.from_bot:
                raise _bad("message can't be deleted")
            if too_old:
                raise _bad("message can't be deleted for everyone")
        message.deleted = True

    async def _delete_message(self, params: Params) -> bool:
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        self._delete_one(chat, params["message_id"])
        return True

    async def _delete_messages(self, params: Params) -> bool:
        ids = _message_ids(params["message_ids"])
        if len(ids) > 100:
            raise _bad("too many messages to delete")
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        for message_id in ids:
            try:
                self._delete_one(chat, message_id)
            except ApiError:
                continue  # Telegram deletes what it can and stays silent about the rest
        return True

    # ---- forum topics

    def _forum(self, params: Params) -> _Chat:
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        if not chat.is_forum:
            raise _bad("the chat is not a forum")
        if chat.bot_status not in ("administrator", "creator"):
            raise _bad("not enough rights to manage topics")
        return chat

    def _topic(self, chat: _Chat, params: Params) -> ForumTopic:
        topic = chat.topics.get(params["message_thread_id"])
        if topic is None or topic.deleted:
            raise _bad("TOPIC_ID_INVALID")
        return topic

    async def _create_forum_topic(self, params: Params) -> dict[str, Any]:
        chat = self._forum(params)
        name = str(params["name"])
        if not 1 <= len(name) <= 128:
            raise _bad("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_INVALID")
        color = params.get("icon_color", FORUM_ICON_COLORS[0])
        if color not in FORUM_ICON_COLORS:
            raise _bad("TOPIC_ICON_COLOR_INVALID")
        thread_id = chat.next_message_id
        topic = ForumTopic(thread_id, name, color, params.get("icon_custom_emoji_id") or None)
        chat.topics[thread_id] = topic
        root = self._bot_message(chat, params, "service", thread_id=thread_id)
        root.service = {"forum_topic_created": _compact({"name": name, "icon_color": color})}
        return topic.to_api()

    async def _edit_forum_topic(self, params: Params) -> bool:
        topic = self._topic(self._forum(params), params)
        name = params.get("name")
        emoji = params.get("icon_custom_emoji_id")
        if name is not None and not 1 <= len(str(name)) <= 128:
            raise _bad("TOPIC_TITLE_INVALID")
        if (name is None or name == topic.name) and (
            emoji is None or emoji == topic.icon_custom_emoji_id
        ):
            raise _bad("TOPIC_NOT_MODIFIED")
        if name is not None:
            topic.name = str(name)
        if emoji is not None:
            topic.icon_custom_emoji_id = str(emoji) or None
        return True

    async def _close_forum_topic(self, params: Params) -> bool:
        topic = self._topic(self._forum(params), params)
        if topic.closed:
            raise _bad("TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    async def _reopen_forum_topic(self, params: Params) -> bool:
        topic = self._topic(self._forum(params), params)
        if not topic.closed:
            raise _bad("TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    async def _delete_forum_topic(self, params: Params) -> bool:
        chat = self._forum(params)
        topic = self._topic(chat, params)
        topic.deleted = True
        for message in chat.messages.values():
            if message.thread_id == topic.message_thread_id:
                message.deleted = True
        return True

    # ---- chats and files

    async def _get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._resolve_chat(params["chat_id"])
        if chat.type != "private" and chat.bot_status in ("left", "kicked"):
            raise _forbidden("bot is not a member of the supergroup chat")
        return {
            **self._chat_dict(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._resolve_chat(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot_id:
            status: str = "member" if chat.type == "private" else chat.bot_status
            return self._member_dict(chat, self.bot_user(), status)
        user = self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        if chat.type == "private":
            if chat.id != user_id:
                raise _bad("user not found")
            return self._member_dict(chat, user.to_api(), "member")
        return self._member_dict(chat, user.to_api(), chat.members.get(user_id, "left"))

    async def _get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self._resolve_chat(params["chat_id"])
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        admins = [
            self._member_dict(chat, self._users[uid].to_api(), status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(self._member_dict(chat, self.bot_user(), "administrator"))
        return admins

    async def _get_file(self, params: Params) -> dict[str, Any]:
        record = self._files.get(str(params["file_id"]))
        if record is None:
            raise _bad("invalid file_id")
        if record.size > 20 * 1024 * 1024:
            raise _bad("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.size,
            "file_path": record.path,
        }


# ---------------------------------------------------------------------------------- helpers


def _not_modified() -> ApiError:
    return _bad(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


def _same_entities(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def key(e: dict[str, Any]) -> str:
        return json.dumps(e, sort_keys=True)

    return sorted(map(key, a)) == sorted(map(key, b))


def _message_ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(i, int) for i in value):
        raise _bad("can't parse message identifiers JSON object")
    if not value:
        raise _bad("message identifiers are not specified")
    return value


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _bad("BUTTON_TEXT_INVALID")
    actions = [
        key
        for key in (
            "url",
            "callback_data",
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        )
        if key in button
    ]
    if not actions:
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise _bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.strip():
            raise _bad("BUTTON_URL_INVALID")


def _coerce(method: str, raw: Params) -> Params:
    """Types the raw parameters like the Bot API does and checks the required ones."""
    params = dict(raw)
    for name, kind, required in METHOD_PARAMS.get(method, ()):
        value = params.get(name)
        if value is None or value == "":
            if required:
                raise _bad(_MISSING_PARAM_TEXT.get(name) or _missing_text(name, kind))
            params.pop(name, None)
            continue
        if method == "getUpdates" and name == "timeout":
            kind = "float"  # lets tests long-poll for a fraction of a second
        params[name] = _coerce_value(name, kind, value)
    return params


def _missing_text(name: str, kind: str) -> str:
    if kind == "file":
        return f"there is no {name} in the request"
    return f'parameter "{name}" is required'


def _coerce_value(name: str, kind: str, value: Any) -> Any:
    if kind == "str":
        return (
            value
            if isinstance(value, str)
            else json.dumps(value)
            if isinstance(value, dict | list)
            else str(value)
        )
    if kind == "chat":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise _bad(f'field "{name}" must be a valid Number') from None
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f'field "{name}" must be a valid Number') from None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise _bad(f'field "{name}" must be of type Boolean')
    if kind == "json":
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise _bad("can't parse reply keyboard markup JSON object") from None
            if name in ("entities", "caption_entities"):
                raise _bad("can't parse entities JSON object") from None
            raise _bad(f"can't parse {name} JSON object") from None
    return value  # files stay UploadedFile or str
