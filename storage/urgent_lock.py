"""The lock on the one connection, with urgent work first.

Every statement and transaction takes the connection's lock (storage/db.py). A plain
asyncio lock serves waiters in arrival order, so a /sos handled while a thousand
reminders are being claimed waited behind each batch for each of its reads and writes
(1.9 s in bench/urgent_latency.py). Work marked urgent (`urgent_work()`: an urgent
update's handlers, the urgent lanes of the outbox) is handed the lock before any
ordinary waiter; ordinary work keeps its order among itself. Whoever holds the lock
keeps it to the end: a transaction is never interrupted, only the queue is reordered.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Iterator
from contextvars import ContextVar
from types import TracebackType

_URGENT: ContextVar[bool] = ContextVar("urgent_database_work", default=False)


@contextlib.contextmanager
def urgent_work(urgent: bool = True) -> Iterator[None]:
    """Inside it (and in tasks created inside it), this task's database work goes first."""
    token = _URGENT.set(urgent)
    try:
        yield
    finally:
        _URGENT.reset(token)


def mark_urgent() -> None:
    """The rest of this task's work is urgent (an update found urgent mid-way, by triage)."""
    _URGENT.set(True)


def is_urgent_work() -> bool:
    return _URGENT.get()


class UrgentFirstLock:
    """An asyncio lock whose urgent waiters are served before ordinary ones."""

    def __init__(self) -> None:
        self._locked = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._ordinary: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        return self._locked

    async def acquire(self) -> None:
        if not self._locked and not self._urgent and not self._ordinary:
            self._locked = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if _URGENT.get() else self._ordinary
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # Handed the lock just as this task was cancelled: pass it on.
                self.release()
            else:
                with contextlib.suppress(ValueError):
                    queue.remove(waiter)
            raise

    def release(self) -> None:
        if not self._locked:
            raise RuntimeError("release of an unlocked UrgentFirstLock")
        for queue in (self._urgent, self._ordinary):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    # The lock passes straight to the waiter: nobody can slip in between.
                    waiter.set_result(None)
                    return
        self._locked = False

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
