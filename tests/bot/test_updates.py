"""The update processor: order within a chat, no starvation across chats."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor, end_chat_turn
from storage.urgent_lock import is_urgent_work


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    user = User(chat_id, "x", is_bot=False)
    message = Message(update_id, date=None, chat=chat, from_user=user, text="t")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_chats_flood_does_not_hold_back_another_chat() -> None:
    processor = PerChatUpdateProcessor(max_running_updates=4)
    release = asyncio.Event()
    done: list[str] = []

    async def slow(name: str) -> None:
        await release.wait()
        done.append(name)

    async def quick(name: str) -> None:
        done.append(name)

    flood = [
        asyncio.create_task(processor.process_update(_update(i, 1), slow(f"flood {i}")))
        for i in range(20)
    ]
    await asyncio.sleep(0)  # let the flood queue up on its chat lock
    other = asyncio.create_task(processor.process_update(_update(99, 2), quick("sos")))
    await asyncio.wait_for(other, timeout=1)
    assert done == ["sos"]  # the flood's first update still holds its chat; sos went through
    assert processor.current_concurrent_updates == 20
    release.set()
    await asyncio.gather(*flood)
    assert done[1:] == [f"flood {i}" for i in range(20)]  # in order within the chat
    assert processor.current_concurrent_updates == 0


async def test_an_urgent_update_does_not_wait_for_a_running_slot() -> None:
    processor = PerChatUpdateProcessor(
        max_running_updates=2, is_urgent=lambda update: getattr(update, "update_id", 0) == 99
    )
    release = asyncio.Event()
    done: list[str] = []

    async def slow(name: str) -> None:
        await release.wait()
        done.append(name)

    async def quick(name: str) -> None:
        done.append(name)

    busy = [
        asyncio.create_task(processor.process_update(_update(i, 10 + i), slow(f"busy {i}")))
        for i in range(4)
    ]
    await asyncio.sleep(0)  # every running slot is taken, two more wait for one
    ordinary = asyncio.create_task(processor.process_update(_update(50, 2), quick("ordinary")))
    urgent = asyncio.create_task(processor.process_update(_update(99, 3), quick("sos")))
    await asyncio.wait_for(urgent, timeout=1)
    assert done == ["sos"]
    release.set()
    await asyncio.gather(*busy, ordinary)
    assert sorted(done) == sorted(["sos", "ordinary", *(f"busy {i}" for i in range(4))])


async def test_updates_without_a_chat_still_run() -> None:
    processor = PerChatUpdateProcessor()
    ran: list[Any] = []

    async def work() -> None:
        ran.append(True)

    await processor.process_update(object(), work())
    assert ran == [True]


async def test_an_urgent_update_s_database_work_is_marked_urgent() -> None:
    processor = PerChatUpdateProcessor(
        is_urgent=lambda update: getattr(update, "update_id", 0) == 99
    )
    seen: dict[int, bool] = {}

    async def note(update_id: int) -> None:
        seen[update_id] = is_urgent_work()

    await processor.process_update(_update(99, 1), note(99))
    await processor.process_update(_update(50, 2), note(50))
    assert seen == {99: True, 50: False}
    assert not is_urgent_work()  # the mark ends with the update


async def test_a_group_update_waiting_for_a_send_lets_the_groups_next_update_go() -> None:
    processor = PerChatUpdateProcessor()
    slot = asyncio.Event()
    done: list[str] = []

    async def waits_for_a_send(name: str) -> None:
        end_chat_turn()  # what the rate limiter does when the send cannot go at once
        await slot.wait()
        done.append(name)

    async def quick(name: str) -> None:
        done.append(name)

    for chat_id, expected in ((-100, ["press", "onduty"]), (7, [])):
        done.clear()
        slow = asyncio.create_task(
            processor.process_update(_update(1, chat_id), waits_for_a_send("onduty"))
        )
        await asyncio.sleep(0)
        press = asyncio.create_task(processor.process_update(_update(2, chat_id), quick("press")))
        if expected:
            # A group: the press behind the waiting command is handled meanwhile.
            await asyncio.wait_for(press, timeout=1)
            assert done == ["press"]
        else:
            # A private chat keeps its whole turn (its flows hold state).
            for _ in range(20):
                await asyncio.sleep(0)  # yields only: the press had every chance to run
            assert done == []
        slot.set()
        await asyncio.gather(slow, press)
        slot.clear()
        assert done == (expected or ["onduty", "press"])
    end_chat_turn()  # outside any update: nothing happens
