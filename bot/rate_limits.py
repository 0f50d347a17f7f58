"""Telegram's sending limits, kept for the whole bot, urgent sends first.

Every send waits here for its turn (``bot/domain/send_schedule.py`` decides the turns): a lone
send goes at once, a burst stays within the sliding second and each group's sliding
minute, and a send about an urgent case (``rate_limit_args=URGENT``) overtakes the
ordinary ones waiting for any chat. A 429 holds back only the chat it was about; the
request is sent again after Telegram's retry_after.

Reads, button answers and reactions send no message Telegram counts: a membership check on "I take
it" or the forum check when a /sos arrives must not wait behind a backlog of notices.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Final

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.domain.send_schedule import Priority, SendSchedule, Ticket, Window

#: What a send may pass as ``rate_limit_args``: a priority, or a turn taken beforehand
#: with ``SendingRateLimiter.take_turn`` (the outbox folds urgent cards once it has one).
RateLimitArgs = Priority | Ticket

logger = logging.getLogger(__name__)

#: ``rate_limit_args`` of everything about an urgent case.
URGENT: Final = Priority.URGENT

# Calls that send no message: Telegram does not count them. Answering a pressed button
# is not a message either, and the person is looking at a spinner until it arrives.
_NOT_MESSAGES = frozenset(
    {
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "getMe",
        "getFile",
        "getMyCommands",
        "answerCallbackQuery",
        # A reaction adds no message to the chat: the group's minute stays for messages.
        "setMessageReaction",
    }
)

_Result = bool | dict[str, Any] | list[dict[str, Any]]


class SendingRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """``clock`` and ``recheck_every`` exist for tests: with an injected clock that jumps
    (the emulator's), the limiter looks at it again at least that often. ``transit``: see
    ``bot/domain/send_schedule.py``."""

    def __init__(
        self,
        overall: Window,
        group: Window,
        private: Window | None = None,
        max_retries: int = 3,
        starving_after: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        recheck_every: float = 1.0,
        transit: float | None = None,
        before_waiting: Callable[[], None] | None = None,
    ) -> None:
        # Called in the sender's task when its send cannot go at once (bot/updates.py
        # ends a group's turn then: no update waits behind another's send slot).
        self._before_waiting = before_waiting
        self._schedule = SendSchedule(overall, group, private, starving_after, transit)
        self._max_retries = max_retries
        self._clock = clock
        self._recheck_every = recheck_every
        self._turns: dict[Ticket, asyncio.Future[None]] = {}
        self._timer: asyncio.TimerHandle | None = None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> _Result:
        if endpoint in _NOT_MESSAGES:
            if isinstance(rate_limit_args, Ticket):
                self.give_back(rate_limit_args)
            return await callback(*args, **kwargs)
        if isinstance(rate_limit_args, Ticket):
            ticket = rate_limit_args  # its turn was taken beforehand (take_turn)
        else:
            chat_id = data.get("chat_id")
            priority = Priority.URGENT if rate_limit_args == Priority.URGENT else Priority.ORDINARY
            ticket = self._schedule.submit(
                chat_id if isinstance(chat_id, int) else None, priority, self._clock()
            )
        retries = 0
        while True:
            await self._turn(ticket)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as error:
                if retries >= self._max_retries:
                    self._finish(ticket)
                    raise
                retries += 1
                seconds = _seconds(error)
                logger.warning("429 on %s: that chat waits %.0f s", endpoint, seconds)
                self._finish(ticket, retry_after=seconds)
                continue
            except BaseException:
                self._finish(ticket)
                raise
            self._finish(ticket)
            return result

    async def take_turn(self, chat_id: int, priority: Priority, share: str | None = None) -> Ticket:
        """Waits for a send's turn without saying yet what the send is: the caller passes
        the ticket as ``rate_limit_args`` of the request it then makes, or gives it back.
        ``share``: whose urgent work it is (a centre); urgent shares take turns."""
        ticket = self._schedule.submit(chat_id, priority, self._clock(), share)
        await self._turn(ticket)
        return ticket

    def give_back(self, ticket: Ticket) -> None:
        """A turn taken and not used: its slots are free again."""
        if ticket.in_flight:
            self._schedule.give_back(ticket)
            self._pump()

    def room(self, chat_id: int) -> int | None:
        """How many more sends the chat's window takes now (None: it has no window)."""
        return self._schedule.room(chat_id, self._clock())

    async def _turn(self, ticket: Ticket) -> None:
        self._pump()
        if ticket.in_flight:  # it may go at once
            return
        if self._before_waiting is not None:
            self._before_waiting()
        turn = asyncio.get_running_loop().create_future()
        self._turns[ticket] = turn
        try:
            await turn
        except asyncio.CancelledError:
            self._turns.pop(ticket, None)
            if ticket.in_flight:
                self._finish(ticket)
            else:
                self._schedule.cancel(ticket)
                self._pump()
            raise

    def _finish(self, ticket: Ticket, retry_after: float | None = None) -> None:
        self._schedule.finish(ticket, self._clock(), retry_after)
        self._pump()

    def _pump(self) -> None:
        """Lets out whatever may go now and sets the timer for the next change."""
        now = self._clock()
        for ticket in self._schedule.admit(now):
            turn = self._turns.pop(ticket, None)
            if turn is not None and not turn.done():
                turn.set_result(None)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._schedule.waiting():
            return
        change = self._schedule.next_change(now)
        delay = self._recheck_every if change is None else min(change - now, self._recheck_every)
        self._timer = asyncio.get_running_loop().call_later(max(delay, 0.0), self._pump)


def _seconds(error: RetryAfter) -> float:
    # PTB 22 warns that retry_after becomes a timedelta; accept both without the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
