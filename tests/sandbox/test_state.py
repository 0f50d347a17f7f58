"""The state store: with a state file, numbering and messages outlive one emulator."""

from __future__ import annotations

import json
from pathlib import Path

from telegram import Bot

from sandbox import TelegramEmulator
from tests.sandbox.conftest import TOKEN

VILLAGER = 10001
STAFF = 333333333
GROUP = -1001234567890


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_message_and_update_ids_never_repeat_across_lifetimes(tmp_path: Path) -> None:
    path = tmp_path / "helpline.sqlite3.sandbox.json"
    async with TelegramEmulator(token=TOKEN, state_path=path) as emu:
        villager = emu.create_user(user_id=VILLAGER)
        staff = emu.create_user(user_id=STAFF)
        group = emu.create_group(chat_id=GROUP, is_forum=True)
        group.add_member(staff, "administrator")
        first = await villager.send("/start")
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            card = await bot.send_message(GROUP, "card")
            topic = await bot.create_forum_topic(GROUP, "Case A")
        await staff.send_in(group, "in the topic", thread_id=topic.message_thread_id)
        update_ids = [u["update_id"] for u in emu.pending_updates()]
        group_ids_before = [m.message_id for m in group.messages(include_service=True)]

    async with TelegramEmulator(token=TOKEN, state_path=path) as emu:
        villager = emu.create_user(user_id=VILLAGER)
        staff = emu.create_user(user_id=STAFF)
        group = emu.create_group(chat_id=GROUP, is_forum=True)
        group.add_member(staff, "administrator")
        again = await villager.send("/start")
        assert again.message_id > first.message_id
        assert villager.message(first.message_id).text == "/start"
        assert min(u["update_id"] for u in emu.pending_updates()) > max(update_ids)
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            # The bot's old card can still be edited, its old topic still written in.
            await bot.edit_message_text("card (closed)", GROUP, card.message_id)
            new = await bot.send_message(GROUP, "reply", message_thread_id=topic.message_thread_id)
        assert new.message_id > max(group_ids_before)
        assert group.topic("Case A").message_thread_id == topic.message_thread_id
        # Who had started the bot still has: it may write to them first.
        assert villager.started


async def test_the_state_is_written_while_running_not_only_at_stop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3.sandbox.json"
    async with TelegramEmulator(token=TOKEN, state_path=path) as emu:
        user = emu.create_user(user_id=VILLAGER)
        message = await user.send("hello")

        def saved_next_id() -> int:
            if not path.exists():
                return 0
            chats = json.loads(path.read_text(encoding="utf-8"))["chats"]
            return int(chats.get(str(VILLAGER), {}).get("next_message_id", 0))

        await emu.wait_until(lambda: saved_next_id() > message.message_id)
    assert files_in(tmp_path) == [path.name]


async def test_chats_not_created_again_are_kept_for_a_later_run(tmp_path: Path) -> None:
    path = tmp_path / "db.sandbox.json"
    async with TelegramEmulator(token=TOKEN, state_path=path) as emu:
        await emu.create_user(user_id=VILLAGER).send("one")
    async with TelegramEmulator(token=TOKEN, state_path=path):
        pass  # a run that never creates the villager
    async with TelegramEmulator(token=TOKEN, state_path=path) as emu:
        message = await emu.create_user(user_id=VILLAGER).send("two")
        assert message.message_id == 2


async def test_without_a_state_path_every_emulator_starts_afresh(tmp_path: Path) -> None:
    for _ in range(2):
        async with TelegramEmulator(token=TOKEN) as emu:
            assert (await emu.create_user(user_id=VILLAGER).send("hi")).message_id == 1
    assert files_in(tmp_path) == []
