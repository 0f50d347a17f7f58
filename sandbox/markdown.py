"""MarkdownV2 and legacy Markdown into text + entities, as tdlib parses them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.entities import Entity, EntityParseError, byte_offset, sort_entities, utf16_len

__all__ = ["parse_markdown", "parse_markdown_v2"]

# --------------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "blockquote": "BlockQuote",
}


@dataclass
class _MdOpen:
    type: str
    offset: int
    byte_offset: int
    language: str | None = None


def _reserved_error(ch: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
    )


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    out_len = 0
    stack: list[_MdOpen] = []
    entities: list[Entity] = []
    quote_start: int | None = None
    n = len(text)
    i = 0

    def emit(s: str) -> None:
        nonlocal out_len
        out.append(s)
        out_len += utf16_len(s)

    while i < n:
        ch = text[i]
        top = stack[-1].type if stack else None
        if ch == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            closing = "```" if top == "pre" else "`"
            if text.startswith(closing, i):
                _close_md(stack.pop(), out_len, entities)
                i += len(closing)
            else:
                emit(ch)
                i += 1
            continue
        at_line_start = i == 0 or text[i - 1] == "\n"
        if ch == "\n" and quote_start is not None and not text.startswith(">", i + 1):
            entities.append(
                {"type": "blockquote", "offset": quote_start, "length": out_len - quote_start}
            )
            quote_start = None
        if ch not in _MDV2_RESERVED:
            emit(ch)
            i += 1
            continue
        if ch == ">" and at_line_start:
            if quote_start is None:
                quote_start = out_len
            i += 1
            continue
        if ch == "_" and text.startswith("__", i) and top != "italic":
            token, kind = "__", "underline"
        elif ch == "_":
            token, kind = "_", "italic"
        elif ch == "*":
            token, kind = "*", "bold"
        elif ch == "~":
            token, kind = "~", "strikethrough"
        elif ch == "|" and text.startswith("||", i):
            token, kind = "||", "spoiler"
        elif ch == "`" and text.startswith("```", i):
            token, kind = "```", "pre"
        elif ch == "`":
            token, kind = "`", "code"
        elif ch == "[":
            token, kind = "[", "text_link"
        elif ch == "]" and top == "text_link":
            i = _close_md_link(text, i, stack.pop(), out_len, entities)
            continue
        else:
            raise _reserved_error(ch)
        if top == kind and kind != "text_link":
            _close_md(stack.pop(), out_len, entities)
            i += len(token)
            continue
        if any(o.type == kind for o in stack):
            raise _reserved_error(ch)
        opened = _MdOpen(type=kind, offset=out_len, byte_offset=byte_offset(text, i))
        i += len(token)
        if kind == "pre":
            newline = text.find("\n", i)
            header = text[i:newline] if newline != -1 else ""
            if newline != -1 and re.fullmatch(r"[A-Za-z0-9_+#.-]*", header):
                opened.language = header or None
                i = newline + 1
        stack.append(opened)
    if stack:
        o = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MDV2_NAMES[o.type]} entity at byte offset {o.byte_offset}"
        )
    if quote_start is not None and out_len > quote_start:
        entities.append(
            {"type": "blockquote", "offset": quote_start, "length": out_len - quote_start}
        )
    return "".join(out), sort_entities(entities)


def _close_md(opened: _MdOpen, end: int, entities: list[Entity]) -> None:
    if end <= opened.offset:
        return
    entity: Entity = {"type": opened.type, "offset": opened.offset, "length": end - opened.offset}
    if opened.language:
        entity["language"] = opened.language
    entities.append(entity)


def _close_md_link(text: str, i: int, opened: _MdOpen, end: int, entities: list[Entity]) -> int:
    """Handles ``](url)`` at ``i``; returns the position after it."""
    i += 1
    if i >= len(text) or text[i] != "(":
        return i
    i += 1
    url: list[str] = []
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        url.append(text[i])
        i += 1
    if i >= len(text):
        raise EntityParseError(f"Can't find end of a URL at byte offset {opened.byte_offset}")
    if end > opened.offset and url:
        entities.append(
            {
                "type": "text_link",
                "offset": opened.offset,
                "length": end - opened.offset,
                "url": "".join(url),
            }
        )
    return i + 1


# --------------------------------------------------------------------------- legacy Markdown


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    out_len = 0
    entities: list[Entity] = []
    n = len(text)
    i = 0
    pairs = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            out_len += 1
            i += 2
            continue
        if ch not in "_*`[":
            out.append(ch)
            out_len += utf16_len(ch)
            i += 1
            continue
        begin = i
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            kind, token = "pre", "```"
        elif ch == "[":
            end = text.find("]", i + 1)
            kind, token = "text_link", "]"
        else:
            end = text.find(ch, i + 1)
            kind, token = pairs[ch], ch
        if end == -1:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
            )
        start = i + (3 if kind == "pre" else 1)
        inner = text[start:end]
        after = end + len(token)
        entity: Entity = {"type": kind, "offset": out_len, "length": utf16_len(inner)}
        if kind == "text_link":
            match = re.match(r"\(([^)]*)\)", text[after:])
            if match is None:
                entity = {}
            else:
                entity["url"] = match.group(1)
                after += match.end()
        if entity and entity["length"] > 0:
            entities.append(entity)
        out.append(inner)
        out_len += utf16_len(inner)
        i = after
    return "".join(out), sort_entities(entities)
