"""No update is lost in a crash: stored before it is confirmed, handled after a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Chat, Message, Update, User

from bot.app import SANDBOX_TOKEN
from bot.update_inbox import MAX_REPLAYS, PersistentUpdateQueue
from sandbox import SimUser, TelegramEmulator
from storage.crypto import TextSealer, new_key
from storage.db import Database
from storage.update_inbox import UpdateInboxStore
from tests.conftest import DUTY_ID, STAFF_CHAT_ID, TEST_CONFIG

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DATA_KEY = new_key()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[UpdateInboxStore]:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        yield UpdateInboxStore(db, TextSealer())
    finally:
        await db.close()


async def test_a_poisoned_update_is_dropped_after_a_few_replays(
    store: UpdateInboxStore, emulator: TelegramEmulator
) -> None:
    from telegram import Bot

    payload = '{"update_id": 9, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "x"}}'  # noqa: E501
    await store.store(9, payload, NOW)
    queue = PersistentUpdateQueue()
    queue.attach(store, lambda: NOW)
    bot = Bot(SANDBOX_TOKEN, base_url=emulator.base_url)
    for _ in range(MAX_REPLAYS):
        assert await queue.replay_unhandled(bot) == 1
        queue.get_nowait()
    # Each replay crashed the bot (it never marked the update handled): now it is dropped.
    assert await queue.replay_unhandled(bot) == 0
    assert await store.unhandled() == []


def _config(tmp_path: Path, base_url: str) -> Path:
    text = TEST_CONFIG.replace(
        "[telegram]\n", f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\nbase_url = "{base_url}"\n', 1
    )
    text += f'\n[storage]\npath = "{tmp_path / "helpline.sqlite3"}"\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


ROOT = Path(__file__).resolve().parents[2]


async def _start_bot(config: Path) -> asyncio.subprocess.Process:
    """The real command line in its own process, so that it can really be killed."""
    # With a token the bot runs only with a data key (plaintext is the sandbox's alone).
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HELPLINE_BOT_DATA_KEY": DATA_KEY}
    env.pop("HELPLINE_BOT_TOKEN", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _onboard(emulator: TelegramEmulator, user: SimUser) -> None:
    await user.send("/start")
    await user.wait_for_bot_message(lambda m: "Выберите язык" in m.content, timeout=30)
    await user.press("Русский")
    await user.wait_for_bot_message(lambda m: bool(m.buttons), timeout=10)
    await user.press("Да, начать")
    await user.wait_for_bot_message(lambda m: "Спасибо" in m.content, timeout=10)


async def test_a_sos_fetched_just_before_a_crash_is_handled_after_the_restart(
    tmp_path: Path, emulator: TelegramEmulator
) -> None:
    group = emulator.create_group(chat_id=STAFF_CHAT_ID, title="Staff")
    duty = emulator.create_user(user_id=DUTY_ID, first_name="Dilnaz")
    group.add_member(duty, status="member")
    villager = emulator.create_user(user_id=700_000_001, first_name="Aigul", language_code="ru")
    config = _config(tmp_path, emulator.base_url)

    first = await _start_bot(config)
    try:
        await _onboard(emulator, villager)
        # Freeze the /sos handler at its first send: the update is fetched, stored and
        # confirmed to Telegram (the next getUpdates moved past it), never handled.
        emulator.hold("sendMessage")
        await villager.send("/sos")
        await emulator.wait_until(
            lambda: (
                not emulator.pending_updates()
                and any(
                    r.params.get("chat_id") == villager.id
                    for r in emulator.requests_for("sendMessage")
                )
            ),
            timeout=10,
        )
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    emulator.release("sendMessage")
    assert not group.bot_messages(), "the staff heard of it before the crash: not a real test"

    second = await _start_bot(config)
    try:
        card = await group.wait_for_bot_message(lambda m: bool(m.buttons), timeout=30)
        assert "SOS" in card.content or "🆘" in card.content
        # Handled once: one card, however often Telegram or the restart offered the update.
        cards = [m for m in group.bot_messages() if m.buttons]
        assert len(cards) == 1
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    rows = sqlite3.connect(tmp_path / "helpline.sqlite3").execute(
        "SELECT COUNT(*) FROM update_inbox WHERE handled_at IS NULL"
    )
    assert rows.fetchone() == (0,)


def _text_update(update_id: int, chat_id: int, text: str) -> Update:
    chat = Chat(chat_id, "private")
    user = User(chat_id, "x", is_bot=False)
    message = Message(update_id, date=NOW, chat=chat, from_user=user, text=text)
    return Update(update_id, message=message)


async def test_a_getupdates_answer_is_stored_in_one_write_before_the_next_confirms_it(
    store: UpdateInboxStore,
) -> None:
    """Polling: 120 texts are stored together, so a /sos right behind them is queued
    without waiting for 120 writes one after another (issue 17)."""
    queue = PersistentUpdateQueue()
    queue.attach(store, lambda: NOW)
    queue.batching = True
    await store.store(5, '{"update_id": 5}', NOW)  # seen before: handled once only
    updates = [_text_update(n, 100 + n, "добрый день") for n in range(1, 121)]
    updates.append(_text_update(121, 7, "/sos"))
    for update in updates:
        await queue.put(update)
    # Nothing waited for the database: the answer's updates are stored in one write ...
    assert queue.empty()
    asking = asyncio.create_task(queue.stored())  # what the next getUpdates waits for
    await asking
    # ... and queued in their order once stored, the one seen before not again.
    queued = [queue.get_nowait() for _ in range(queue.qsize())]
    assert queued == [u for u in updates if u.update_id != 5]
    assert {stored.update_id for stored in await store.unhandled()} == set(range(1, 122))
