"""sd_notify over a real unix datagram socket, as systemd listens for it."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.ops.systemd import SystemdNotifier, notify, watchdog_interval
from tests.conftest import HarnessFactory


@pytest.fixture
def systemd_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A socket where systemd would listen; (the socket, its path)."""
    path = str(tmp_path / "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.setblocking(False)
    yield listener, path
    listener.close()


async def receive(listener: socket.socket) -> str:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(10):
        return (await loop.sock_recv(listener, 4096)).decode("ascii")


def pending(listener: socket.socket) -> list[str]:
    messages = []
    while True:
        try:
            messages.append(listener.recv(4096).decode("ascii"))
        except BlockingIOError:
            return messages


async def test_notify_sends_the_state_to_the_socket(
    systemd_socket: tuple[socket.socket, str],
) -> None:
    listener, path = systemd_socket
    assert notify("READY=1", {"NOTIFY_SOCKET": path})
    assert await receive(listener) == "READY=1"


def test_without_notify_socket_nothing_is_sent() -> None:
    assert not notify("READY=1", {})


async def test_abstract_socket_names_start_with_at() -> None:
    name = f"helpline-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind("\0" + name)
        listener.setblocking(False)
        assert notify("READY=1", {"NOTIFY_SOCKET": "@" + name})
        assert await receive(listener) == "READY=1"


def test_an_unreachable_socket_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    assert not notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "nobody")})


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    me = str(os.getpid())
    table = [
        ({}, None),
        ({"WATCHDOG_USEC": "30000000"}, timedelta(seconds=15)),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": me}, timedelta(seconds=15)),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
    ]
    for env, expected in table:
        assert watchdog_interval(env) == expected, env


async def test_ready_starts_the_watchdog_and_stopping_ends_it(
    systemd_socket: tuple[socket.socket, str],
) -> None:
    listener, path = systemd_socket
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000", "WATCHDOG_PID": str(os.getpid())}
    notifier = SystemdNotifier(env)
    notifier.ready()
    assert await receive(listener) == "READY=1"
    assert await receive(listener) == "WATCHDOG=1"
    assert await receive(listener) == "WATCHDOG=1"
    await notifier.stopping()
    await notifier.stopping()
    messages = pending(listener)
    assert messages.count("STOPPING=1") == 1 and messages[-1] == "STOPPING=1"
    assert set(messages) <= {"WATCHDOG=1", "STOPPING=1"}


async def test_the_bot_says_ready_when_started_and_stopping_when_stopped(
    start_bot: HarnessFactory,
    systemd_socket: tuple[socket.socket, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listener, path = systemd_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    bot = await start_bot()
    assert await receive(listener) == "READY=1"
    await bot.stop()
    assert pending(listener) == ["STOPPING=1"]
