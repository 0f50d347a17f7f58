"""Updates of different chats run at once; updates of one chat run in order.

PTB's default processor is either fully sequential (one slow database write or
Telegram call holds up every other villager) or fully concurrent (two messages of
one user could overtake each other and race in a conversation). A lock per chat
gives both: fairness between people, order within a conversation.

The chat lock is taken before one of the processor's slots: otherwise a flood from
one chat fills every slot with updates waiting for their own chat, and another
villager's /sos waits behind them.

A group's turn ends early when its handler waits for a send slot (``end_chat_turn``, called
by the rate limiter): the staff group's 20 messages a minute can be full for a minute, and a
take pressed behind a /onduty whose answer waits for that minute must be answered and stored
at once. Staff groups hold no conversation whose state the next update would read, and the
handler's own sends keep their order in the limiter (one queue per chat); a private chat
keeps its whole turn, since its flows do hold such state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from storage.urgent_lock import urgent_work


class _ChatTurn:
    """A group chat's turn: ends when its update was handled, or earlier (end_chat_turn)."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self._lock = lock
        self._over = False

    def end(self) -> None:
        if not self._over:
            self._over = True
            self._lock.release()


_TURN: ContextVar[_ChatTurn | None] = ContextVar("chat_turn", default=None)


def end_chat_turn() -> None:
    """The update running here waits for something slow (a send slot): if it came from a
    group, that group's next update may start now. Elsewhere it does nothing."""
    turn = _TURN.get()
    if turn is not None:
        turn.end()


class PerChatUpdateProcessor(BaseUpdateProcessor):
    # PTB's own limit counts updates that merely wait for their chat; it is set high, and
    # the real limit on running updates is taken only once the chat's turn has come.
    WAITING_LIMIT = 100_000

    def __init__(
        self,
        max_running_updates: int = 64,
        on_handled: Callable[[object], Awaitable[None]] | None = None,
        is_urgent: Callable[[object], bool] = lambda update: False,
    ) -> None:
        super().__init__(self.WAITING_LIMIT)
        # Called when an update's handlers finished (not when they were cancelled by a
        # stop or a crash): bot/update_inbox.py then forgets the stored copy.
        self._on_handled = on_handled
        self._running = asyncio.Semaphore(max_running_updates)
        self._is_urgent = is_urgent
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            async with self._running:
                await coroutine
            await self._handled(update)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            await lock.acquire()
            turn = _ChatTurn(lock)
            token = _TURN.set(turn if key < 0 else None)
            try:
                if self._is_urgent(update):
                    # A /sos takes no running slot: the slots may all be held by updates
                    # whose answers wait for the rate limiter behind hundreds of others;
                    # and its database work goes before ordinary work (a reminder burst).
                    with urgent_work():
                        await coroutine
                else:
                    async with self._running:
                        await coroutine
                # Still in the chat's turn: the chat's next update starts only once this
                # one is marked handled (its stored copy, text and all, is blanked).
                await self._handled(update)
            finally:
                _TURN.reset(token)
                turn.end()
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                # Forget idle chats so the table does not grow with every villager.
                del self._waiting[key]
                del self._locks[key]

    async def _handled(self, update: object) -> None:
        if self._on_handled is not None:
            await self._on_handled(update)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None
