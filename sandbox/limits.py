"""Errors and limits: Telegram's error answers, size limits, injected faults, rate limits."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.models import ApiError

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
DELETE_WINDOW_SECONDS = 48 * 3600
#: Recorded as the status of a request whose client hung up before the answer (nginx's 499).
CLIENT_CLOSED_REQUEST = 499

#: Methods that post a new message; ``fail_next(None, ...)`` and the rate limits apply to them.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendSticker",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
    }
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
MISSING_PARAM_TEXT = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "message_ids": "message identifiers are not specified",
    "from_chat_id": "from_chat_id is empty",
}


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


@dataclass
class Fault:
    """A failure planned by ``fail_next``."""

    method: str | None
    remaining: int
    status: int
    retry_after: int
    description: str | None
    apply: bool

    def error(self) -> ApiError:
        if self.status == 429:
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {self.retry_after}",
                self.retry_after,
            )
        return ApiError(
            self.status, self.description or DEFAULT_DESCRIPTIONS.get(self.status, "Error")
        )


@dataclass
class RateLimits:
    """Telegram's sending limits, when a test asks for them (``enforce_rate_limits``)."""

    global_per_second: int
    group_per_minute: int
    private_per_second: int | None
    global_hits: deque[float] = field(default_factory=deque)
    chat_hits: dict[int, deque[float]] = field(default_factory=dict)


def take_fault(faults: list[Fault], method: str) -> Fault | None:
    """The planned failure for this call, if any; used up one call at a time."""
    for fault in faults:
        matches = fault.method == method if fault.method else method in SEND_METHODS
        if matches and fault.remaining > 0:
            fault.remaining -= 1
            if fault.remaining == 0:
                faults.remove(fault)
            return fault
    return None


def check_rate_limits(
    limits: RateLimits | None, method: str, params: dict[str, Any], now: float
) -> None:
    """Raises 429 with Telegram's retry_after when a send would exceed a limit."""
    if limits is None or method not in SEND_METHODS:
        return

    def retry_after(hits: deque[float], window: float, limit: int) -> int | None:
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return max(1, math.ceil(hits[0] + window - now))
        return None

    chat_id = params.get("chat_id")
    chat_hits = limits.chat_hits.setdefault(chat_id, deque()) if isinstance(chat_id, int) else None
    waits = [retry_after(limits.global_hits, 1.0, limits.global_per_second)]
    if chat_hits is not None and isinstance(chat_id, int):
        if chat_id < 0:
            waits.append(retry_after(chat_hits, 60.0, limits.group_per_minute))
        elif limits.private_per_second is not None:
            waits.append(retry_after(chat_hits, 1.0, limits.private_per_second))
    worst = max((w for w in waits if w is not None), default=None)
    if worst is not None:
        raise too_many_requests(worst)
    limits.global_hits.append(now)
    if chat_hits is not None:
        chat_hits.append(now)
