"""Delivers the outbox: in order per chat (urgent messages in a lane of their own), chats
in parallel, with retries.

Urgent cards for a group fold: when the group's sliding minute (20 messages) cannot take
every urgent card waiting for it, the next free slot carries one message listing them
all (``Folding``), so each case is seen with a way to take it within the minute; the
cards themselves follow as the window allows, in their order.

Urgent direct messages to one person merge (``merging``): alerts about many cases waiting
in a staff member's lane go as one message (their texts one after another, as many as one
message holds), so 80 /sos in two seconds reach the on-duty psychologist in a few messages,
each case within seconds, instead of 80 messages each waiting its turn behind the storm.

Urgent lanes take their turns through the rate limiter with a share (``share_of``: the
centre a message is about), so one centre's storm does not hold back another's alerts.

A message is retried on 429 (after Telegram's retry_after), on 5xx, timeouts and
network errors (exponential backoff, no limit: these pass); it fails for good on a
403 (the user blocked the bot) or a 400 that retrying cannot fix, and the purpose's
failure hook decides what to tell whom. A restart picks up whatever is still pending.

Backoff waits are real time (asyncio), not the bot's clock: they are about Telegram's
transport, not about the centre's day. Delivery is at least once: if the bot dies
after Telegram accepted a message and before the outbox row is marked, that one
message is sent again after the restart (Telegram has no idempotency key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.clock import Clock
from bot.config import TimingSettings
from bot.domain.send_schedule import Priority, Ticket
from bot.ops import metrics as results
from bot.ops.metrics import Metrics
from bot.rate_limits import URGENT, SendingRateLimiter
from storage.outbox import OutboxItem, OutboxRepository
from storage.urgent_lock import mark_urgent

logger = logging.getLogger(__name__)

DeliveredHook = Callable[[OutboxItem, int | None], Awaitable[None]]
# Returns True when it fixed the message (for example recreated a forum topic): retry now.
FailedHook = Callable[[OutboxItem, TelegramError], Awaitable[bool]]

# For a message to a person: None, it may go now; else not before this moment (her safety:
# bot/contact_safety.py). Asked each time a message is about to go, so a change of her
# state counts until the last moment.
ReleaseHook = Callable[[OutboxItem], Awaitable[datetime | None]]

# The message standing for these waiting rows (their refs, in order), or None when none
# of them needs it any more.
CombineHook = Callable[[list[int]], Awaitable[dict[str, Any] | None]]
# Told of a combined message sent (its chat, and the message as Telegram returned it).
CombinedHook = Callable[[int, dict[str, Any]], None]


class Folding:
    """Which urgent group messages may fold (``purpose``) and how (``combine``)."""

    def __init__(
        self,
        purpose: str,
        combine: CombineHook,
        most: int = 20,
        combined: CombinedHook | None = None,
    ) -> None:
        self.purpose = purpose
        self.combine = combine
        self.combined = combined
        # One combined message lists at most this many (its buttons and its length).
        self.most = most
        # Per group: the rows listed in a combined message already.
        self.folded: dict[int, set[int]] = {}


# A turn that came within this many seconds came at once: the row just read is still it.
_AT_ONCE = 0.05

_ALREADY_DONE = ("message is not modified", "message to delete not found")

# Telegram's longest message text; a merged message stays within it.
_MESSAGE_LIMIT = 4096
# Rows looked at for one merged message (each alert is a few hundred characters at most).
_MERGE_MOST = 40


class Delivery:
    def __init__(
        self,
        repository: OutboxRepository,
        bot: Bot,
        clock: Clock,
        timing: TimingSettings,
        max_parallel: int = 32,
        metrics: Metrics | None = None,
    ) -> None:
        self._repository = repository
        self._bot = bot
        self._clock = clock
        self._timing = timing
        self._metrics = metrics
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        # Messages a feature will hand over shortly (a villager's burst waiting out its
        # gap): delivery is not idle while any is expected.
        self._expected: set[object] = set()
        self._tasks: dict[tuple[int, int], asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(max_parallel)
        self._main: asyncio.Task[None] | None = None
        # Fixes per message (a recreated topic ...): bounded, so a hook cannot loop forever.
        self._fixes: dict[int, int] = {}
        self.on_delivered: dict[str, DeliveredHook] = {}
        self.on_failed: dict[str, FailedHook] = {}
        # Told of every message Telegram accepted, whatever its purpose (metrics).
        self.observers: list[DeliveredHook] = []
        self.folding: Folding | None = None
        self.release: ReleaseHook | None = None
        # Purposes of urgent direct messages whose waiting rows merge (see the module doc).
        self.merging: set[str] = set()
        # Whose urgent work a message is (its centre), for a fair turn between centres.
        self.share_of: Callable[[OutboxItem], Awaitable[str | None]] | None = None
        # PTB suggests typed methods on every call; the outbox stores methods by name on purpose.
        warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

    def notify(self) -> None:
        """Call after committing outbox rows: wakes the worker."""
        self._idle.clear()
        self._wake.set()

    async def wake_if_held_due(self) -> None:
        """Due work: a held message's time has come (the clock is the bot's, so the tick
        looks, not a timer)."""
        if await self._repository.held_due(self._clock.now()):
            self.notify()

    def start(self) -> None:
        if self._main is None:
            self._main = asyncio.create_task(self._run(), name="outbox-delivery")
            self.notify()

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        if self._main is not None:
            tasks.append(self._main)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._main = None

    def expect(self, key: object) -> None:
        """Outbox rows are coming for ``key`` shortly: not idle until ``arrived(key)``."""
        self._expected.add(key)
        self._idle.clear()

    def arrived(self, key: object) -> None:
        """What ``expect(key)`` announced is in the outbox now (or will not come)."""
        if key in self._expected:
            self._expected.discard(key)
            self.notify()

    async def wait_idle(self) -> None:
        """Until nothing is pending or in flight (tests and benchmarks; wrap in a timeout)."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            pending = await self._repository.lanes_with_pending(self._clock.now())
            for lane in pending:
                if lane not in self._tasks:
                    self._tasks[lane] = asyncio.create_task(self._drain_lane(*lane))
            if not pending and not self._tasks and not self._expected:
                self._idle.set()
            await self._wake.wait()

    async def _drain_lane(self, chat_id: int, priority: int) -> None:
        # Urgent and ordinary messages of one chat are two lanes: an urgent card must not
        # wait behind a booking notice that waits for the staff group's minute. An urgent
        # lane's database work goes first too (storage/urgent_lock.py); this task is the
        # lane's own, so the mark ends with it.
        if priority > 0:
            mark_urgent()
        try:
            first = True
            while (item := await self._next(chat_id, priority)) is not None:
                if await self._held(item):
                    continue
                merging = priority > 0 and chat_id > 0 and item.purpose in self.merging
                ticket = await self._urgent_turn(item)
                try:
                    waited = ticket is not None and _waited(ticket)
                    # The lane's first card, its turn come at once, goes without a look at
                    # the lane (an idle group's alert is not held up); folding is for cards
                    # that waited for their turn, or that come behind others.
                    behind, first = not first, False
                    if (
                        ticket is not None
                        and chat_id < 0
                        and self.folding is not None
                        and (waited or behind)
                        and await self._fold(chat_id, priority, ticket)
                    ):
                        continue
                    if merging:
                        # Chosen once the turn came: whatever waits by then goes with it.
                        delay = await self._deliver_merged(chat_id, priority, ticket)
                    else:
                        if waited:
                            # The turn was long in coming: the row may have changed meanwhile.
                            item = await self._next(chat_id, priority)
                            if item is None or await self._held(item):
                                break
                        delay = await self._deliver(item, ticket)
                finally:
                    if ticket is not None:
                        self._limiter().give_back(ticket)  # unless the request used it
                if delay is not None:
                    await asyncio.sleep(delay.total_seconds())
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bug here must not stop delivery to everyone else; the row stays pending.
            logger.exception("outbox delivery to one chat stopped")
            await asyncio.sleep(self._timing.retry_max.total_seconds())
        finally:
            self._tasks.pop((chat_id, priority), None)
            # Rows may have arrived for this chat after its last look: look again.
            self._wake.set()

    async def _next(self, chat_id: int, priority: int) -> OutboxItem | None:
        return await self._repository.next_for_chat(chat_id, priority, self._clock.now())

    async def _held(self, item: OutboxItem) -> bool:
        """A message to a person that must wait for her safety: held, True."""
        if self.release is None or item.chat_id < 0:
            return False
        until = await self.release(item)
        # A moment already come would only bring the same row back: it goes.
        if until is None or until <= self._clock.now():
            return False
        await self._repository.hold(item.id, until)
        return True

    async def _deliver_merged(
        self, chat_id: int, priority: int, ticket: Ticket | None
    ) -> timedelta | None:
        """The merging rows at the head of the lane as one message (one row: as it is)."""
        head = await self._repository.lane_head(chat_id, priority, _MERGE_MOST, self._clock.now())
        if not head:
            return None
        run = [head[0]]
        length = len(_text(head[0]) or "")
        for item in head[1:]:
            text = _text(item)
            if item.purpose != head[0].purpose or text is None or _text(head[0]) is None:
                break
            length += len(text) + 2
            if length > _MESSAGE_LIMIT:
                break
            run.append(item)
        if len(run) == 1:
            return await self._deliver(head[0], ticket)
        text = "\n\n".join(_text(item) or "" for item in run)
        merged = replace(run[0], params={**run[0].params, "text": text})
        try:
            result: Any = await self._send(merged, ticket)
        except RetryAfter as error:
            self._count(run[0], results.RATE_LIMITED)
            await self._repository.mark_retry(run[0].id, "429")
            return _retry_after(error)
        except TelegramError as error:
            # Each goes on its own then, and meets its own failure hook (a staff member who
            # never started the bot is reported per case, as without merging).
            logger.warning("a merged direct message failed: %s", type(error).__name__)
            return await self._deliver(run[0])
        message_id = result.get("message_id") if isinstance(result, dict) else None
        for item in run:
            sent_id = message_id if isinstance(message_id, int) else None
            await self._succeed(item, sent_id, take_back=False)
        logger.info("%d urgent direct messages merged into one", len(run))
        return None

    def _limiter(self) -> SendingRateLimiter:
        limiter = self._bot.rate_limiter if isinstance(self._bot, ExtBot) else None
        assert isinstance(limiter, SendingRateLimiter)
        return limiter

    async def _urgent_turn(self, item: OutboxItem) -> Ticket | None:
        """For an urgent lane: its next turn, taken in its centre's share before choosing
        what to send with it (a group's folded list, a person's merged alerts); None for
        an ordinary lane (send the next)."""
        if item.priority == 0 or not isinstance(self._bot, ExtBot):
            return None
        if not isinstance(self._bot.rate_limiter, SendingRateLimiter):
            return None
        share = await self.share_of(item) if self.share_of is not None else None
        return await self._limiter().take_turn(item.chat_id, Priority.URGENT, share)

    async def _fold(self, chat_id: int, priority: int, ticket: Ticket) -> bool:
        """With a turn in hand: if urgent cards wait that this window cannot take in lane
        order, one message lists them all now; True if it went (it used the turn)."""
        folding = self.folding
        assert folding is not None
        room = self._limiter().room(chat_id) or 0
        lane = await self._repository.lane(chat_id, priority)
        pending = {row_id for row_id, _, _ in lane}
        folded = folding.folded.setdefault(chat_id, set())
        folded &= pending  # sent meanwhile: forgotten
        # Position 0 goes with this turn; position p needs p more slots.
        waiting = [
            (position, row_id, ref)
            for position, (row_id, purpose, ref) in enumerate(lane)
            if purpose == folding.purpose and row_id not in folded and ref is not None
        ]
        if not waiting or waiting[-1][0] <= room:
            return False
        chosen = waiting[: folding.most]
        folded.update(row_id for _, row_id, _ in chosen)
        params = await folding.combine([ref for _, _, ref in chosen if ref is not None])
        if params is None:
            return False
        bot = self._bot
        assert isinstance(bot, ExtBot)
        try:
            sent: Any = await bot.do_api_request(
                "sendMessage", api_kwargs={"chat_id": chat_id, **params}, rate_limit_args=ticket
            )
            if folding.combined is not None and isinstance(sent, dict):
                folding.combined(chat_id, sent)
        except TelegramError as error:
            # The cards still go one by one; nothing is lost.
            logger.warning("a combined urgent message failed: %s", type(error).__name__)
        logger.info("%d urgent cards folded into one message", len(chosen))
        return True

    async def _deliver(self, item: OutboxItem, ticket: Ticket | None = None) -> timedelta | None:
        """One attempt; returns how long to wait before the next, or None to go on."""
        try:
            result: Any = await self._send(item, ticket)
        except RetryAfter as error:
            self._count(item, results.RATE_LIMITED)
            await self._repository.mark_retry(item.id, "429")
            return _retry_after(error)
        except Forbidden as error:
            await self._fail(item, error)
            return None
        except BadRequest as error:
            if any(text in error.message.lower() for text in _ALREADY_DONE):
                await self._succeed(item, None)
                return None
            hook = self.on_failed.get(item.purpose)
            fixes = self._fixes.get(item.id, 0)
            if hook is not None and fixes < 3 and await hook(item, error):
                self._fixes[item.id] = fixes + 1
                self._count(item, results.RETRIED)
                await self._repository.mark_retry(item.id, "fixed: " + error.message[:100])
                return None
            await self._fail(item, error)
            return None
        except TelegramError as error:
            # 5xx, timeouts, network trouble: it passes, so wait longer each time.
            self._count(item, results.RETRIED)
            await self._repository.mark_retry(item.id, type(error).__name__)
            return self._backoff(item.attempts)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        await self._succeed(item, message_id if isinstance(message_id, int) else None)
        return None

    def _count(self, item: OutboxItem, result: str) -> None:
        if self._metrics is not None:
            self._metrics.send_attempted(item.purpose, result)

    async def _send(self, item: OutboxItem, ticket: Ticket | None = None) -> Any:
        if item.priority > 0 and isinstance(self._bot, ExtBot):
            # Urgent ones take no slot: a slot can be waiting a minute behind a full group,
            # and the rate limiter puts them before everything else anyway.
            return await self._bot.do_api_request(
                item.method, api_kwargs=dict(item.params), rate_limit_args=ticket or URGENT
            )
        async with self._slots:
            return await self._bot.do_api_request(item.method, api_kwargs=item.params)

    def _backoff(self, attempts: int) -> timedelta:
        delay: timedelta = self._timing.retry_base * (2 ** min(attempts, 20))
        return min(delay, self._timing.retry_max)

    async def _succeed(
        self, item: OutboxItem, message_id: int | None, *, take_back: bool = True
    ) -> None:
        self._fixes.pop(item.id, None)
        self._count(item, results.SENT)
        if not await self._repository.mark_sent(item.id, message_id, self._clock.now()):
            # Forget-me erased this message while Telegram was taking it: take it back
            # (not a merged one: it carries other cases' alerts too).
            if take_back and message_id is not None and not item.method.startswith("edit"):
                with contextlib.suppress(TelegramError):
                    await self._bot.delete_message(item.chat_id, message_id)
            return
        hook = self.on_delivered.get(item.purpose)
        if hook is not None:
            await hook(item, message_id)
        for observer in self.observers:
            await observer(item, message_id)

    async def _fail(self, item: OutboxItem, error: TelegramError) -> None:
        logger.warning(
            "outbox message %d (%s) failed: %s", item.id, item.purpose, type(error).__name__
        )
        self._fixes.pop(item.id, None)
        self._count(item, results.FAILED)
        await self._repository.mark_failed(item.id, error.message[:200], self._clock.now())
        hook = self.on_failed.get(item.purpose)
        if hook is not None and not isinstance(error, BadRequest):
            await hook(item, error)


def _text(item: OutboxItem) -> str | None:
    """The text of a plain text message (a merge joins only those)."""
    text = item.params.get("text")
    return text if item.method == "sendMessage" and isinstance(text, str) else None


def _waited(ticket: Ticket) -> bool:
    """Whether a turn was long in coming (rows may have changed meanwhile)."""
    return ticket.started_at - ticket.submitted_at > _AT_ONCE


def _retry_after(error: RetryAfter) -> timedelta:
    # PTB 22 warns that retry_after becomes a timedelta; accept both without the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=value)
