"""Notes the ids of every message in a private chat, the bot's and the user's.

The quick exit deletes them. Ids are noted in memory and written in small batches by a
background task, because the bot sends from inside handlers that may be anywhere in
their work: a database write on every Telegram call would couple the two. A crash
loses at most the last second of ids (those messages then stay visible).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.clock import Clock
from storage.message_log import MessageLogRepository

logger = logging.getLogger(__name__)

# Telegram lets a bot delete private-chat messages for 48 hours: no need to keep ids longer.
HELD_FOR = timedelta(hours=48)

# Methods whose result is a message (or a message id) in the chat named by chat_id.
_MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendAudio",
        "sendVideo",
        "sendSticker",
        "sendLocation",
        "sendContact",
    }
)


class MessageLog:
    def __init__(self, repository: MessageLogRepository, clock: Clock, flush_every: float = 1.0):
        self._repository = repository
        self._clock = clock
        self._flush_every = flush_every
        self._pending: list[tuple[int, int, datetime]] = []
        self._held: list[tuple[int, int, datetime]] = []
        self._flushing = asyncio.Lock()
        # Chats whose user asked to be forgotten: not even the "erased" reply is noted.
        self._forgotten: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def note(self, chat_id: int, message_id: int, sent_at: datetime | None = None) -> None:
        """`sent_at` is Telegram's date of the message: its 48-hour rule counts from it."""
        # Private chats only: group messages are not ours to wipe.
        if chat_id > 0 and chat_id not in self._forgotten:
            self._pending.append((chat_id, message_id, sent_at or self._clock.now()))

    def note_update(self, update: Update) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            return
        # Any act of theirs (a message, a button) after forget-me: the chat is theirs again.
        self._forgotten.discard(chat.id)
        message = update.message or update.edited_message
        if message is not None:
            self.note(chat.id, message.message_id, message.date)

    async def flush(self) -> None:
        # One flush at a time: two overlapping ones would each start from the same held
        # ids and the later would drop the earlier's (the quick exit flushes too).
        async with self._flushing:
            pending, self._pending = self._held + self._pending, []
            self._held = []
            try:
                held = await self._repository.add_consented(pending)
            except BaseException:
                self._held = pending  # kept for the next flush, not lost
                raise
            # Before consent ids stay in memory only, and only as long as they are deletable.
            oldest = self._clock.now() - HELD_FOR
            self._held = [entry for entry in held if entry[2] >= oldest]

    async def ids_since(self, chat_id: int, since: datetime) -> list[int]:
        await self.flush()
        stored = await self._repository.ids_since(chat_id, since)
        held = [m for c, m, at in self._held if c == chat_id and at >= since]
        return sorted(set(stored) | set(held))

    async def forget_chat(self, chat_id: int) -> None:
        await self.flush()
        self._held = [entry for entry in self._held if entry[0] != chat_id]
        await self._repository.forget_chat(chat_id)

    def stop_noting(self, chat_id: int) -> None:
        """After forget-me, until the user writes again."""
        self._forgotten.add(chat_id)
        self._pending = [entry for entry in self._pending if entry[0] != chat_id]
        self._held = [entry for entry in self._held if entry[0] != chat_id]

    async def purge_before(self, before: datetime) -> int:
        await self.flush()
        return await self._repository.purge_before(before)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="message-log")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_every)
            try:
                await self.flush()
            except Exception:
                logger.exception("could not store message ids")


class MessageCapturingRequest(HTTPXRequest):
    """The bot's HTTP request that notes the ids of the messages it sends.

    Built on python-telegram-bot's public request interface (`BaseRequest.do_request`), so the
    bot itself stays a plain ExtBot. The log is attached in post_init, once it exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.message_log: MessageLog | None = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, payload = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        endpoint = url.rsplit("/", 1)[-1]
        if self.message_log is not None and status == 200 and endpoint in _MESSAGE_METHODS:
            with contextlib.suppress(ValueError):
                self._note(json.loads(payload).get("result"), request_data)
        return status, payload

    def _note(self, result: object, request_data: RequestData | None) -> None:
        if not isinstance(result, dict) or request_data is None:
            return
        message_id = result.get("message_id")
        date = result.get("date")
        chat_id = request_data.parameters.get("chat_id")
        sent_at = datetime.fromtimestamp(date, UTC) if isinstance(date, int) else None
        if isinstance(message_id, int) and self.message_log is not None:
            with contextlib.suppress(TypeError, ValueError):
                self.message_log.note(int(chat_id), message_id, sent_at)  # type: ignore[arg-type]
