"""Tells systemd how the bot is doing (sd_notify), for a unit with Type=notify and
WatchdogSec: READY=1 once it works, WATCHDOG=1 while it lives, STOPPING=1 at the end.

A few lines over the datagram socket systemd names in $NOTIFY_SOCKET, instead of a
dependency; without that variable (a terminal, a container) every call does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Mapping
from datetime import timedelta

logger = logging.getLogger(__name__)


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Sends one state ("READY=1" ...); False when systemd did not ask for them."""
    env = os.environ if env is None else env
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        # An abstract socket: its name starts with a zero byte instead.
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode("ascii"))
    except OSError as error:
        logger.warning("cannot notify systemd: %s", error)
        return False
    return True


def watchdog_interval(env: Mapping[str, str] | None = None) -> timedelta | None:
    """Half of WatchdogSec (systemd passes it as WATCHDOG_USEC), as systemd advises;
    None when there is no watchdog, or it is meant for another process."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None
    return timedelta(microseconds=int(usec) / 2)


class SystemdNotifier:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = dict(os.environ if env is None else env)
        self._watchdog: asyncio.Task[None] | None = None
        self._stopping_sent = False

    def ready(self) -> None:
        """READY=1, and the watchdog's heartbeat from now on."""
        if not notify("READY=1", self._env):
            return
        interval = watchdog_interval(self._env)
        if interval is not None and self._watchdog is None:
            self._watchdog = asyncio.create_task(self._beat(interval), name="systemd-watchdog")

    async def _beat(self, interval: timedelta) -> None:
        # Real time, not the bot's clock: systemd counts wall-clock seconds. The beat
        # comes from the event loop itself, so a loop stuck for WatchdogSec gets the bot
        # restarted.
        while True:
            notify("WATCHDOG=1", self._env)
            await asyncio.sleep(interval.total_seconds())

    async def stopping(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        if not self._stopping_sent:
            self._stopping_sent = True
            notify("STOPPING=1", self._env)
