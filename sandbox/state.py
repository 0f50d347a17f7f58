"""The state store: chats, users, files and queued updates, the clock and the change feed.

Every Bot API area of the emulator (see ``sandbox/emulator.py``) is a mixin over
:class:`EmulatorState`, so they all see one world.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sandbox.limits import Fault, RateLimits
from sandbox.models import CallbackAnswer, ForumTopic, RecordedRequest, SimMessage
from sandbox.persistence import (
    load_world,
    message_from_json,
    message_to_json,
    save_world,
    topic_from_json,
    topic_to_json,
)

if TYPE_CHECKING:
    from sandbox.sim import SimGroup, SimUser

T = TypeVar("T")
Params = dict[str, Any]
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]
MethodHandler = Callable[[Params], Awaitable[Any]]


@dataclass
class ChatState:
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
class BotEvent:
    seq: int
    chat_id: int
    kind: Literal["new", "edit"]
    message: SimMessage


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    kind: str
    size: int
    path: str
    data: bytes = b""


@dataclass
class QueryRecord:
    id: str
    user_id: int
    data: str | None
    answered: bool = False


@dataclass
class PollWaiter:
    terminated: bool = False


def compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def visible_messages(
    chat: ChatState, thread_id: int | None, include_deleted: bool, include_service: bool
) -> list[SimMessage]:
    return [
        m
        for m in sorted(chat.messages.values(), key=lambda m: m.message_id)
        if (include_deleted or not m.deleted)
        and (include_service or m.kind != "service")
        and (thread_id is None or m.thread_id == thread_id)
    ]


def get_message(chat: ChatState, message_id: int) -> SimMessage:
    try:
        return chat.messages[message_id]
    except KeyError:
        raise AssertionError(f"no message {message_id} in chat {chat.id}") from None


class EmulatorState:
    """What every area of the emulator reads and changes, and the waiting on changes."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "helpline_test_bot",
        bot_id: int | None = None,
        bot_first_name: str = "Helpline",
        can_read_all_group_messages: bool = False,
        *,
        state_path: Path | None = None,
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
        self.webhook_secret: str | None = None
        self.webhook_max_connections = 40
        self.webhook_last_error: tuple[int, str] | None = None
        #: Seconds between two tries of an update the webhook did not take (Telegram backs off).
        self.webhook_retry_delay = 0.05

        self._chats: dict[int, ChatState] = {}
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._files: dict[str, FileRecord] = {}
        self._queries: dict[str, QueryRecord] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000_001
        self._next_user_id = 700_000_001
        self._next_query_id = 4_000_000_000_000_000_001
        self._allowed_updates: frozenset[str] | None = None
        self._poll: PollWaiter | None = None
        self._events: list[BotEvent] = []
        self._seq = 0
        self._change = asyncio.Event()
        self._clock_offset = 0.0
        self._latency = 0.0
        # Methods whose calls wait at the door until released (a test freezes a handler).
        self._held: dict[str, asyncio.Event] = {}
        self._faults: list[Fault] = []
        self._rate_limits: RateLimits | None = None
        self._closing = False
        self._methods: dict[str, tuple[str, MethodHandler]] = {}

        self.state_path = state_path
        self._saved: dict[str, Any] = {}
        if state_path is not None:
            self._load_state(state_path)

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
        self._faults.append(Fault(canonical, count, status, retry_after, description, apply))

    def enforce_rate_limits(
        self,
        global_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: int | None = None,
    ) -> None:
        self._rate_limits = RateLimits(global_per_second, group_per_minute, private_per_second)

    def disable_rate_limits(self) -> None:
        self._rate_limits = None

    def requests_for(self, method: str) -> list[RecordedRequest]:
        canonical = self._canonical(method)
        return [r for r in self.requests if r.method == canonical]

    def answered(self, method: str) -> list[RecordedRequest]:
        """The calls of ``method`` the emulator has answered.

        A call is recorded on arrival, before its body is read: a large upload's parameters
        are empty until then, so a test that reads them waits for the answer.
        """
        return [r for r in self.requests_for(method) if r.status != 0]

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Re-checks ``predicate`` on every state change of the emulator."""
        result = await self._wait_for(lambda: True if predicate() else None, timeout)
        if result is None:
            raise AssertionError(f"condition not met within {timeout}s")

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def user(self, user_id: int) -> SimUser:
        return self._users[user_id]

    def group(self, chat_id: int) -> SimGroup:
        return self._groups[chat_id]

    # ------------------------------------------------------------------------ change feed

    def _canonical(self, method: str) -> str:
        entry = self._methods.get(method.lower())
        return entry[0] if entry is not None else method

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

    def _bot_event(
        self, chat: ChatState, kind: Literal["new", "edit"], message: SimMessage
    ) -> None:
        self._seq += 1
        self._events.append(BotEvent(self._seq, chat.id, kind, message))
        self._touch()

    # ------------------------------------------------------------------- kept across runs

    def _load_state(self, path: Path) -> None:
        saved = load_world(path)
        self._next_update_id = max(self._next_update_id, int(saved.get("next_update_id", 0)))
        self._next_user_id = max(self._next_user_id, int(saved.get("next_user_id", 0)))
        self._next_query_id = max(self._next_query_id, int(saved.get("next_query_id", 0)))
        self._saved = {
            "chats": {int(k): v for k, v in saved.get("chats", {}).items()},
            "users": {int(k): v for k, v in saved.get("users", {}).items()},
        }

    def _restore_chat(self, chat: ChatState) -> None:
        """Gives a chat created again its messages, topics and numbering from the last run."""
        data = self._saved.get("chats", {}).get(chat.id)
        if data is None:
            return
        chat.next_message_id = max(chat.next_message_id, int(data["next_message_id"]))
        for raw in data.get("messages", []):
            message = message_from_json(raw)
            chat.messages[message.message_id] = message
        for raw in data.get("topics", []):
            topic = topic_from_json(raw)
            chat.topics[topic.message_thread_id] = topic

    def _restore_user(self, user: SimUser) -> None:
        data = self._saved.get("users", {}).get(user.id)
        if data is not None:
            user.started = bool(data.get("started", user.started))
            user.blocked = bool(data.get("blocked", user.blocked))

    def state_snapshot(self) -> dict[str, Any]:
        """What ``save_state`` writes: chats and users not created this run are kept too."""
        chats = {str(k): v for k, v in self._saved.get("chats", {}).items()}
        for chat in self._chats.values():
            chats[str(chat.id)] = {
                "next_message_id": chat.next_message_id,
                "messages": [message_to_json(m) for m in chat.messages.values()],
                "topics": [topic_to_json(t) for t in chat.topics.values()],
            }
        users = {str(k): v for k, v in self._saved.get("users", {}).items()}
        for user in self._users.values():
            users[str(user.id)] = {"started": user.started, "blocked": user.blocked}
        return {
            "next_update_id": self._next_update_id,
            "next_user_id": self._next_user_id,
            "next_query_id": self._next_query_id,
            "chats": chats,
            "users": users,
        }

    def save_state(self) -> None:
        if self.state_path is not None:
            save_world(self.state_path, self.state_snapshot())

    async def _keep_state_saved(self) -> None:
        """Writes the state after each burst of changes, so a crash loses little."""
        written: dict[str, Any] | None = None
        while not self._closing:
            change = self._change
            snapshot = self.state_snapshot()
            if snapshot != written:
                if self.state_path is not None:
                    save_world(self.state_path, snapshot)
                written = snapshot
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(change.wait(), 60)
