"""No network at start: one line per attempt, a growing wait, systemd told, and the bot
starts once Telegram answers (issue 18). Telegram is an address on loopback that refuses
connections until the emulator starts listening there; no test sleeps."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot.app import SANDBOX_TOKEN
from bot.ops.reach import TokenRefused, wait_for_telegram
from sandbox import TelegramEmulator
from storage.crypto import new_key
from tests.bot.ops.ports import free_port
from tests.conftest import TEST_CONFIG

ROOT = Path(__file__).resolve().parents[3]


async def test_waits_longer_each_time_in_one_line_and_starts_once_telegram_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    emulator = TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_test_bot")
    waits: list[float] = []
    told: list[str] = []

    async def sleep(seconds: float) -> None:
        # Instead of the time passing: the wait is noted, and the fifth time the network
        # comes back.
        waits.append(seconds)
        if len(waits) == 5:
            await emulator.start(port=port)

    bot = Bot(SANDBOX_TOKEN, base_url=f"http://127.0.0.1:{port}/bot")
    caplog.set_level(logging.INFO, logger="bot.ops.reach")
    try:
        failures = await wait_for_telegram(
            bot,
            first_wait=timedelta(seconds=1),
            longest_wait=timedelta(seconds=5),
            sleep=sleep,
            tell_systemd=told.append,
        )
    finally:
        await bot.shutdown()
        await emulator.stop()
    assert failures == 5
    assert waits == [1, 2, 4, 5, 5]
    lines = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in lines][:2] == [
        f"Telegram cannot be reached at 127.0.0.1:{port} (NetworkError): trying again in 1s",
        f"Telegram cannot be reached at 127.0.0.1:{port} (NetworkError): trying again in 2s",
    ]
    assert all(r.exc_info is None for r in caplog.records), "no traceback"
    assert told[0].splitlines() == [
        f"STATUS=Telegram cannot be reached at 127.0.0.1:{port}; trying again in 1s",
        "EXTEND_TIMEOUT_USEC=31000000",
        "WATCHDOG=1",
    ]
    assert told[-1] == f"STATUS=Telegram reached at 127.0.0.1:{port}; starting"


async def test_a_token_telegram_refuses_is_not_tried_again() -> None:
    async with TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_test_bot") as emu:
        bot = Bot("123456:AAHsomeoneelsestokenxxxx", base_url=emu.base_url)
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)

        with pytest.raises(TokenRefused):
            await wait_for_telegram(
                bot,
                first_wait=timedelta(seconds=1),
                longest_wait=timedelta(seconds=5),
                sleep=sleep,
            )
        assert waits == []


def _config(tmp_path: Path, port: int) -> Path:
    text = TEST_CONFIG.replace(
        "[telegram]\n",
        f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\nbase_url = "http://127.0.0.1:{port}/bot"\n',
        1,
    ).replace('retry_base = "1s"\nretry_max = "4s"', 'retry_base = "10ms"\nretry_max = "40ms"')
    assert 'retry_base = "10ms"' in text
    text += f'\n[storage]\npath = "{tmp_path / "helpline.sqlite3"}"\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def _lines_until(stream: asyncio.StreamReader, wanted: str, count: int) -> list[str]:
    seen: list[str] = []
    async with asyncio.timeout(30):
        while sum(wanted in line for line in seen) < count:
            line = await stream.readline()
            assert line, "the bot stopped: " + "".join(seen)
            seen.append(line.decode())
    return seen


async def test_run_without_network_keeps_trying_and_starts_when_telegram_answers(
    tmp_path: Path,
) -> None:
    port = free_port()
    notify_path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(notify_path)
        systemd.setblocking(False)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HELPLINE_BOT_DATA_KEY": new_key(),
            "NOTIFY_SOCKET": notify_path,
        }
        env.pop("HELPLINE_BOT_TOKEN", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bot", "run", "--config", str(_config(tmp_path, port))),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        emulator = TelegramEmulator(token=SANDBOX_TOKEN, bot_username="helpline_test_bot")
        try:
            early = await _lines_until(process.stderr, "Telegram cannot be reached", 3)
            assert process.returncode is None, "still running, still trying"
            await emulator.start(port=port)
            later = await _lines_until(process.stderr, "bot ready", 1)
            villager = emulator.create_user(user_id=700_000_001, first_name="A", language_code="ru")
            await villager.send("/start")
            await villager.wait_for_bot_message(lambda m: "Выберите язык" in m.content, timeout=30)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            rest = await process.stderr.read()
            await process.wait()
            await emulator.stop()
        told = []
        while True:
            try:
                told.append(systemd.recv(4096).decode())
            except BlockingIOError:
                break
    log = "".join(early + later) + rest.decode()
    assert "Traceback" not in log
    reach_lines = [line for line in early if "Telegram cannot be reached" in line]
    assert all(f"127.0.0.1:{port} (NetworkError): trying again in" in x for x in reach_lines)
    assert any(m.startswith("STATUS=Telegram cannot be reached") for m in told)
    assert "READY=1" in told
