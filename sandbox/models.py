"""Plain data objects the emulator exposes to tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.formatting import entities_to_html

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "ForumTopic",
    "RecordedRequest",
    "SimMessage",
    "UploadedFile",
]


class ApiError(Exception):
    """An error answer of the Bot API; raised inside method handlers."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class UploadedFile:
    """A multipart file part; only its metadata is kept in recorded requests."""

    name: str
    filename: str | None
    size: int
    content_type: str | None
    data: bytes = field(default=b"", repr=False)


@dataclass
class RecordedRequest:
    """One HTTP call to the emulator, recorded on arrival.

    ``status`` is 0 while the call is pending (a long poll) and 499 if the client hung up
    before the answer.
    """

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class ForumTopic:
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    @property
    def id(self) -> int:
        return self.message_thread_id

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass
class CallbackAnswer:
    id: str
    user_id: int
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    at: float


@dataclass
class SimMessage:
    """A message as the emulator stores it; mutated in place by edits and deletions."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    date: int
    sent_at: float
    kind: str  # text | voice | sticker | photo | document | service
    thread_id: int | None = None
    text: str | None = None
    raw_text: str | None = None  # as the sender wrote it, before parse_mode was applied
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, Any] | None = None  # the voice/sticker/document object, or {"photo": [...]}
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    forward_origin: dict[str, Any] | None = None
    service: dict[str, Any] | None = None  # e.g. {"forum_topic_created": {...}}
    deleted: bool = False
    edited: bool = False
    edit_date: int | None = None
    history: list[str | None] = field(default_factory=list)  # earlier texts/captions
    bot_reactions: list[dict[str, Any]] = field(default_factory=list)  # setMessageReaction's

    @property
    def html(self) -> str | None:
        """The text (or caption) rendered as Telegram HTML from its entities."""
        if self.text is not None:
            return entities_to_html(self.text, self.entities)
        if self.caption is not None:
            return entities_to_html(self.caption, self.caption_entities)
        return None

    @property
    def content(self) -> str:
        """Text or caption, '' when there is neither; handy in predicates."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons as (text, callback_data); URL buttons have data None."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [
            (str(button.get("text", "")), button.get("callback_data"))
            for row in self.reply_markup["inline_keyboard"]
            for button in row
        ]

    @property
    def file_id(self) -> str | None:
        if self.media is None:
            return None
        if "photo" in self.media:
            return str(self.media["photo"][-1]["file_id"])
        return str(self.media["file_id"])

    def describe(self) -> str:
        who = "bot" if self.from_bot else f"user {self.sender_id}"
        flags = "".join(
            f" [{flag}]" for flag, on in (("edited", self.edited), ("deleted", self.deleted)) if on
        )
        body = self.content if self.kind in ("text", "service") else f"<{self.kind}> {self.content}"
        buttons = f" buttons={[text for text, _ in self.buttons]}" if self.buttons else ""
        thread = f" thread={self.thread_id}" if self.thread_id is not None else ""
        return f"#{self.message_id}{thread} {who}: {body!r}{buttons}{flags}"
