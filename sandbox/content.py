"""What a message may contain: text and caption limits, parse modes, keyboards."""

from __future__ import annotations

import json
from typing import Any

from sandbox.formatting import EntityParseError, parse_text, strip_text, utf16_len
from sandbox.limits import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    bad_request,
)
from sandbox.state import Params


def formatted_text(
    text: str, parse_mode: Any, entities: Any, *, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    if entities is not None:
        if not isinstance(entities, list) or not all(
            isinstance(e, dict)
            and isinstance(e.get("type"), str)
            and isinstance(e.get("offset"), int)
            and isinstance(e.get("length"), int)
            for e in entities
        ):
            raise bad_request("can't parse entities JSON object")
        plain, parsed = text, [dict(e) for e in entities]
    else:
        if parse_mode is not None and str(parse_mode).lower() not in (
            "html",
            "markdown",
            "markdownv2",
            "",
        ):
            raise bad_request("unsupported parse_mode")
        try:
            plain, parsed = parse_text(text, parse_mode)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    plain, parsed = strip_text(plain, parsed)
    if caption:
        if utf16_len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
    return plain, parsed


def caption_of(params: Params) -> tuple[str | None, list[dict[str, Any]]]:
    caption = params.get("caption")
    if caption is None or caption == "":
        return None, []
    plain, entities = formatted_text(
        caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
    )
    return (plain or None), entities


def checked_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if sum(len(row) for row in rows) > 100:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                check_inline_button(button)
        rows = [row for row in rows if row]
        return {"inline_keyboard": rows} if rows else None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        if not isinstance(markup["keyboard"], list):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        return markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise bad_request('can\'t find field "inline_keyboard"')


def check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [
        key
        for key in (
            "url",
            "callback_data",
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        )
        if key in button
    ]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.strip():
            raise bad_request("BUTTON_URL_INVALID")


def same_entities(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def key(e: dict[str, Any]) -> str:
        return json.dumps(e, sort_keys=True)

    return sorted(map(key, a)) == sorted(map(key, b))


def parse_message_ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(i, int) for i in value):
        raise bad_request("can't parse message identifiers JSON object")
    if not value:
        raise bad_request("message identifiers are not specified")
    return value
