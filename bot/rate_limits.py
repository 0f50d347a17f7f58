"""Telegram's sending limits, applied to sending only.

PTB's AIORateLimiter counts every call with a group chat id against the group's 20
messages a minute, reads included. A membership check on "I take it" or the forum
check when a /sos arrives must not wait behind a backlog of staff-group notices.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

# Calls that read and send nothing: Telegram does not count them as messages.
_READS = frozenset(
    {"getChat", "getChatMember", "getChatAdministrators", "getMe", "getFile", "getMyCommands"}
)


class SendingRateLimiter(AIORateLimiter):
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in _READS:
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
