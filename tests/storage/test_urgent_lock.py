"""The connection's lock serves urgent work first, ordinary work in its order, and never
loses the lock to a cancelled waiter."""

from __future__ import annotations

import asyncio

import pytest

from storage.urgent_lock import UrgentFirstLock, mark_urgent, urgent_work


async def _waiters(
    lock: UrgentFirstLock, kinds: list[str], order: list[str]
) -> list[asyncio.Task[None]]:
    async def wait(name: str, urgent: bool) -> None:
        if urgent:
            mark_urgent()  # this task only: a task runs in its own copy of the context
        async with lock:
            order.append(name)

    tasks = []
    for n, kind in enumerate(kinds):
        tasks.append(asyncio.create_task(wait(f"{kind}{n}", kind == "u")))
        await asyncio.sleep(0)  # queued in this order
    return tasks


@pytest.mark.parametrize(
    ("arrivals", "served"),
    [
        (["o", "o", "o"], ["o0", "o1", "o2"]),
        (["o", "o", "u"], ["u2", "o0", "o1"]),
        (["o", "u", "o", "u"], ["u1", "u3", "o0", "o2"]),
        (["u", "u"], ["u0", "u1"]),
    ],
)
async def test_urgent_waiters_go_first_and_each_kind_keeps_its_order(
    arrivals: list[str], served: list[str]
) -> None:
    lock, order = UrgentFirstLock(), list[str]()
    await lock.acquire()  # held by a burst's transaction
    tasks = await _waiters(lock, arrivals, order)
    assert order == []  # the holder keeps it to the end
    lock.release()
    await asyncio.gather(*tasks)
    assert order == served
    assert not lock.locked()


async def test_a_free_lock_is_taken_at_once_whatever_the_kind() -> None:
    lock = UrgentFirstLock()
    with urgent_work():
        async with lock:
            assert lock.locked()
    async with lock:
        assert lock.locked()
    assert not lock.locked()


async def test_a_cancelled_waiter_neither_keeps_nor_loses_the_lock() -> None:
    lock, order = UrgentFirstLock(), list[str]()
    await lock.acquire()
    first, second = await _waiters(lock, ["o", "o"], order)
    first.cancel()  # cancelled while waiting
    await asyncio.sleep(0)
    lock.release()
    await second
    assert order == ["o1"] and not lock.locked()

    await lock.acquire()
    [handed] = await _waiters(lock, ["u"], order)
    [after] = await _waiters(lock, ["o"], order)
    lock.release()  # handed to the urgent waiter, which is cancelled before it runs
    handed.cancel()
    await after  # it passed the lock on instead of keeping it
    assert order[-1] == "o0" and not lock.locked()


async def test_releasing_a_free_lock_is_a_mistake() -> None:
    with pytest.raises(RuntimeError):
        UrgentFirstLock().release()
