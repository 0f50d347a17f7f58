"""Which waiting send may go to Telegram now: sliding windows, priorities, held chats.

Pure: every method takes ``now`` (seconds on any steady clock), nothing sleeps or
sends; ``bot/rate_limits.py`` drives it from asyncio.

Telegram counts the messages of any sliding second (overall) and of any sliding minute
(per group). A send is counted from the moment it is let out until its answer arrives.
Telegram counted it somewhere in between; for how long it stays in the window after
that, there are two rules:

- without ``transit``: from the answer's time on. A slot reused one window after the
  answer can never make Telegram see one too many, however the requests overtook each
  other on the way, but every slot is idle for a round trip: the rate falls with it
  (85 % of the limit on a loaded machine).
- with ``transit`` (seconds): from the moment it was let out plus ``transit``, or from
  the answer if that came first. That is exact as long as no request takes more than
  ``transit`` longer than another to reach Telegram (a request that takes longer is
  still counted until its answer); the configured margin of one slot absorbs the rare
  one that does. The rate is then ``count / (seconds + transit)`` whatever the round trip.
"""

from __future__ import annotations

import bisect
import enum
import math
from collections import deque
from dataclasses import dataclass, field


class Priority(enum.IntEnum):
    # ORDINARY is 0 on purpose: PTB drops a falsy rate_limit_args, which means ordinary.
    ORDINARY = 0
    URGENT = 1


@dataclass(frozen=True)
class Window:
    """At most ``count`` sends in any ``seconds``."""

    count: int
    seconds: float

    @classmethod
    def from_rate(cls, per_period: float, period: float, margin: int = 0) -> Window:
        """``per_period`` sends a ``period`` (a float from the config), less ``margin``;
        a rate under one per period becomes one send per longer window."""
        count = math.floor(per_period) - margin
        if count >= 1:
            return cls(count, period)
        return cls(1, period / per_period if per_period < 1 else period)


@dataclass(eq=False)
class Ticket:
    """One request: waiting, then in flight, then finished (or waiting again after a 429)."""

    seq: int
    chat_id: int | None
    priority: Priority
    submitted_at: float
    not_before: float = 0.0
    # When it was last let out (its latest attempt).
    started_at: float = 0.0
    # Let out and not finished yet: the caller is (about to be) sending it.
    in_flight: bool = False
    # Whose urgent work it is (a centre): urgent sends take turns between shares.
    share: str | None = None


@dataclass
class _Counter:
    """Sends of one window: those still in flight, and the answer times of the others."""

    window: Window
    in_flight: int = 0
    finished: deque[float] = field(default_factory=deque)

    def count(self, moment: float) -> None:
        # Usually the latest; a moment of a send let out earlier goes in its place.
        bisect.insort(self.finished, moment)

    def expire(self, now: float) -> None:
        while self.finished and self.finished[0] + self.window.seconds <= now:
            self.finished.popleft()

    def used(self) -> int:
        return self.in_flight + len(self.finished)

    def full(self) -> bool:
        return self.used() >= self.window.count

    def next_free(self) -> float | None:
        """When a finished send leaves the window (None: only an answer can free it)."""
        if not self.full() or not self.finished:
            return None
        return self.finished[0] + self.window.seconds


@dataclass
class _Chat:
    counter: _Counter | None
    held_until: float = 0.0
    waiting: int = 0


# Ordinary sends that may go together before the rest are spaced (see SendSchedule).
ORDINARY_AT_ONCE = 3


class SendSchedule:
    """Lets sends out within the windows; urgent before ordinary, across all chats.

    Group chats (negative ids) have their own window; a private chat has one only if
    ``private`` is given. A 429 holds back the chat it was about, never the others.
    Urgent sends take turns between shares (centres, ``submit(share=...)``): the first
    waiting send of the share served longest ago goes next, so one centre's storm of a
    hundred alerts does not hold back another centre's one alert by seconds. Within a
    share (and within a chat) the order of submission holds.

    An ordinary send waiting longer than ``starving_after`` gets one slot of the overall
    window that urgent sends may not take, so it cannot wait for ever behind a stream of
    urgent ones, while urgent sends still have all the other slots.

    Ordinary sends go at once while the overall window holds fewer than
    ``ORDINARY_AT_ONCE`` (a lone message, a reply of a few); beyond that they are spaced
    evenly (one per ``seconds / count``). Without it a burst (a thousand reminders) fills
    the whole window in one go, every slot frees a second later at the same moment, and
    an urgent send arriving in between waits up to a second; spaced, a slot frees every
    few tens of milliseconds and the urgent send takes the next one. The burst's rate
    stays at the limit.
    """

    def __init__(
        self,
        overall: Window,
        group: Window,
        private: Window | None = None,
        starving_after: float = 10.0,
        transit: float | None = None,
    ) -> None:
        self._transit = transit
        self._overall = _Counter(overall)
        self._urgent_in_overall = _Counter(overall)
        self._group = group
        self._private = private
        self._starving_after = starving_after
        self._chats: dict[int, _Chat] = {}
        # Waiting tickets, each list ordered by seq: within a chat, sends keep their order.
        self._waiting: dict[Priority, list[tuple[int, Ticket]]] = {p: [] for p in Priority}
        self._next_seq = 0
        self._last_ordinary_start = -math.inf
        # When each share's urgent send last went (a count of urgent starts, not a time).
        self._share_served: dict[str | None, int] = {}
        self._urgent_starts = 0

    # ---------------------------------------------------------------- the caller's steps

    def submit(
        self, chat_id: int | None, priority: Priority, now: float, share: str | None = None
    ) -> Ticket:
        ticket = Ticket(self._next_seq, chat_id, priority, now, share=share)
        self._next_seq += 1
        self._enqueue(ticket)
        return ticket

    def admit(self, now: float) -> list[Ticket]:
        """Lets out every waiting send that may go now, best first; the caller starts them."""
        self._expire(now)
        admitted: list[Ticket] = []
        while not self._overall.full():
            ticket = self._pick(now)
            if ticket is None:
                break
            self._start(ticket, now)
            admitted.append(ticket)
        return admitted

    def finish(self, ticket: Ticket, now: float, retry_after: float | None = None) -> None:
        """The answer arrived (or the request failed). With ``retry_after`` (a 429) the
        ticket's chat is held that long and the ticket waits again in its old place."""
        assert ticket.in_flight
        ticket.in_flight = False
        counted = now if self._transit is None else min(now, ticket.started_at + self._transit)
        for counter in self._counters(ticket):
            counter.in_flight -= 1
            counter.count(counted)
        if retry_after is None:
            self._forget_chat_if_idle(ticket.chat_id)
            return
        ticket.not_before = now + retry_after
        if ticket.chat_id is not None:
            chat = self._chat(ticket.chat_id)
            chat.held_until = max(chat.held_until, ticket.not_before)
        self._enqueue(ticket)

    def cancel(self, ticket: Ticket) -> None:
        """The caller gave up (a timeout): a waiting ticket leaves the queue."""
        if ticket.in_flight:
            return
        queue = self._waiting[ticket.priority]
        index = bisect.bisect_left(queue, ticket.seq, key=lambda entry: entry[0])
        if index < len(queue) and queue[index][1] is ticket:
            del queue[index]
            if ticket.chat_id is not None:
                self._chat(ticket.chat_id).waiting -= 1
                self._forget_chat_if_idle(ticket.chat_id)

    def give_back(self, ticket: Ticket) -> None:
        """The caller let out a send it did not make after all: its slots are free again."""
        assert ticket.in_flight
        ticket.in_flight = False
        for counter in self._counters(ticket):
            counter.in_flight -= 1
        self._forget_chat_if_idle(ticket.chat_id)

    def room(self, chat_id: int, now: float) -> int | None:
        """How many more sends the chat's own window takes now (None: it has no window)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            window = self._group if chat_id < 0 else self._private
            return None if window is None else window.count
        if chat.counter is None:
            return None
        chat.counter.expire(now)
        return max(0, chat.counter.window.count - chat.counter.used())

    def next_change(self, now: float) -> float | None:
        """The earliest time a waiting send may become free to go without any answer
        arriving first (None: nothing waits, or only answers can free a slot)."""
        if not any(self._waiting.values()):
            return None
        times: list[float] = []
        overall = self._overall.next_free()
        if overall is not None:
            times.append(overall)
        paced_until = self._ordinary_paced_until()
        if paced_until is not None and paced_until > now and self._waiting[Priority.ORDINARY]:
            times.append(paced_until)
        for queue in self._waiting.values():
            for _, ticket in queue:
                if ticket.not_before > now:
                    times.append(ticket.not_before)
                if ticket.chat_id is None:
                    continue
                chat = self._chats[ticket.chat_id]
                if chat.held_until > now:
                    times.append(chat.held_until)
                if chat.counter is not None and (free := chat.counter.next_free()) is not None:
                    times.append(free)
        return min(times, default=None)

    def waiting(self) -> int:
        return sum(len(queue) for queue in self._waiting.values())

    # ----------------------------------------------------------------------- inside

    def _enqueue(self, ticket: Ticket) -> None:
        bisect.insort(self._waiting[ticket.priority], (ticket.seq, ticket), key=lambda e: e[0])
        if ticket.chat_id is not None:
            self._chat(ticket.chat_id).waiting += 1

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            window = self._group if chat_id < 0 else self._private
            chat = _Chat(_Counter(window) if window is not None else None)
            self._chats[chat_id] = chat
        return chat

    def _forget_chat_if_idle(self, chat_id: int | None) -> None:
        # Thousands of private chats pass through in a day; keep only those that matter.
        if chat_id is None:
            return
        chat = self._chats.get(chat_id)
        if chat is None or chat.waiting or chat.held_until:
            return
        if chat.counter is not None and chat.counter.used():
            return
        del self._chats[chat_id]

    def _counters(self, ticket: Ticket) -> list[_Counter]:
        counters = [self._overall]
        if ticket.priority is Priority.URGENT:
            counters.append(self._urgent_in_overall)
        if ticket.chat_id is not None:
            counter = self._chat(ticket.chat_id).counter
            if counter is not None:
                counters.append(counter)
        return counters

    def _expire(self, now: float) -> None:
        self._overall.expire(now)
        self._urgent_in_overall.expire(now)
        for chat_id in list(self._chats):
            chat = self._chats[chat_id]
            if chat.counter is not None:
                chat.counter.expire(now)
            if chat.held_until <= now:
                chat.held_until = 0.0
            self._forget_chat_if_idle(chat_id)

    def _first_ready(self, priority: Priority, now: float) -> Ticket | None:
        # A chat whose first waiting send cannot go holds back its later sends too.
        blocked: set[int] = set()
        for _, ticket in self._waiting[priority]:
            if ticket.chat_id in blocked:
                continue
            if self._ready(ticket, now):
                return ticket
            if ticket.chat_id is not None:
                blocked.add(ticket.chat_id)
        return None

    def _fair_urgent(self, now: float) -> Ticket | None:
        """The first ready urgent send of each share; of those, the share served longest ago."""
        blocked: set[int] = set()
        firsts: dict[str | None, Ticket] = {}
        for _, ticket in self._waiting[Priority.URGENT]:
            free = ticket.chat_id not in blocked and ticket.share not in firsts
            if free and self._ready(ticket, now):
                firsts[ticket.share] = ticket
            # A chat's later sends wait for this one (whether it goes, cannot go, or waits
            # behind an earlier send of its share).
            if ticket.chat_id is not None:
                blocked.add(ticket.chat_id)
        if not firsts:
            return None
        return min(firsts.values(), key=lambda t: (self._share_served.get(t.share, -1), t.seq))

    def _ready(self, ticket: Ticket, now: float) -> bool:
        if ticket.not_before > now:
            return False
        if ticket.chat_id is None:
            return True
        chat = self._chats[ticket.chat_id]
        if chat.held_until > now:
            return False
        return chat.counter is None or not chat.counter.full()

    def _ordinary_paced_until(self) -> float | None:
        """Once the overall window holds a few sends: when the next ordinary send may go
        (None: it may go now, window permitting)."""
        window = self._overall.window
        if self._overall.used() < ORDINARY_AT_ONCE:
            return None
        return self._last_ordinary_start + window.seconds / window.count

    def _pick(self, now: float) -> Ticket | None:
        urgent = self._fair_urgent(now)
        paced_until = self._ordinary_paced_until()
        ordinary = (
            self._first_ready(Priority.ORDINARY, now)
            if paced_until is None or paced_until <= now
            else None
        )
        if urgent is None or ordinary is None:
            return urgent or ordinary
        starving = now - ordinary.submitted_at >= self._starving_after
        urgent_share = max(1, self._overall.window.count - 1)
        if starving and self._urgent_in_overall.used() >= urgent_share:
            return ordinary
        return urgent

    def _start(self, ticket: Ticket, now: float) -> None:
        queue = self._waiting[ticket.priority]
        index = bisect.bisect_left(queue, ticket.seq, key=lambda entry: entry[0])
        del queue[index]
        if ticket.chat_id is not None:
            self._chat(ticket.chat_id).waiting -= 1
        ticket.in_flight = True
        ticket.started_at = now
        if ticket.priority is Priority.ORDINARY:
            self._last_ordinary_start = now
        else:
            self._share_served[ticket.share] = self._urgent_starts
            self._urgent_starts += 1
        for counter in self._counters(ticket):
            counter.in_flight += 1
