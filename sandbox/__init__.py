"""A local Telegram Bot API emulator for tests: run PTB against it and play users and staff."""

from sandbox.emulator import SEND_METHODS, SimGroup, SimUser, TelegramEmulator
from sandbox.formatting import EntityParseError, entities_to_html, parse_html, parse_markdown_v2
from sandbox.models import (
    ApiError,
    CallbackAnswer,
    ForumTopic,
    RecordedRequest,
    SimMessage,
    UploadedFile,
)

__all__ = [
    "SEND_METHODS",
    "ApiError",
    "CallbackAnswer",
    "EntityParseError",
    "ForumTopic",
    "RecordedRequest",
    "SimGroup",
    "SimMessage",
    "SimUser",
    "TelegramEmulator",
    "UploadedFile",
    "entities_to_html",
    "parse_html",
    "parse_markdown_v2",
]
