"""Message entities: their type, UTF-16 lengths, trimming, and rendering back into HTML.

Offsets and lengths of entities are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Entity", "EntityParseError", "entities_to_html", "strip_text", "utf16_len"]

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """The text can't be parsed; ``str(exc)`` is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trims surrounding whitespace like Telegram does, shifting and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    new_len = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, new_len)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def _escape_html(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _open_tag(entity: Entity) -> tuple[str, str]:
    kind = entity["type"]
    simple = {
        "bold": "b",
        "italic": "i",
        "underline": "u",
        "strikethrough": "s",
        "spoiler": "tg-spoiler",
        "code": "code",
        "blockquote": "blockquote",
    }
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "text_link":
        return f'<a href="{_escape_html(entity["url"])}">', "</a>"
    if kind == "pre":
        if entity.get("language"):
            return f'<pre><code class="language-{entity["language"]}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity["custom_emoji_id"]}">', "</tg-emoji>"
    return "", ""


def entities_to_html(text: str, entities: list[Entity]) -> str:
    """Renders text + entities back into Telegram HTML (like PTB's ``Message.text_html``)."""
    units = text.encode("utf-16-le")
    total = len(units) // 2
    ordered = sort_entities([e for e in entities if _open_tag(e) != ("", "")])
    parts: list[str] = []
    open_stack: list[tuple[int, str]] = []  # (end offset, closing tag)
    next_entity = 0
    pos = 0
    while pos <= total:
        while open_stack and open_stack[-1][0] <= pos:
            parts.append(open_stack.pop()[1])
        while next_entity < len(ordered) and ordered[next_entity]["offset"] <= pos:
            entity = ordered[next_entity]
            opening, closing = _open_tag(entity)
            parts.append(opening)
            open_stack.append((entity["offset"] + entity["length"], closing))
            next_entity += 1
        if pos == total:
            break
        unit = int.from_bytes(units[pos * 2 : pos * 2 + 2], "little")
        width = 2 if 0xD800 <= unit <= 0xDBFF else 1
        parts.append(_escape_html(units[pos * 2 : (pos + width) * 2].decode("utf-16-le")))
        pos += width
    while open_stack:
        parts.append(open_stack.pop()[1])
    return "".join(parts)
