"""A free local port for a server the bot starts from its config (which needs a real one)."""

from __future__ import annotations

import socket


def free_port() -> int:
    # The port is free when this returns; a clash before the bot binds it is possible
    # in principle and would fail loudly (address in use), never silently.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
