"""Telegram's text formatting: HTML, MarkdownV2 and legacy Markdown into text + entities.

The parsers mirror tdlib's behaviour (the library behind the real Bot API server) closely
enough that a message which the emulator accepts is accepted by Telegram too. Where tdlib is
lenient but the Bot API documentation asks for escaping (a bare ``&`` in HTML), the emulator
is deliberately stricter, so that unescaped user text is caught in tests.

Offsets and lengths of entities are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "entities_to_html",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "parse_text",
    "strip_text",
    "utf16_len",
]

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """The text can't be parsed; ``str(exc)`` is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def _sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --------------------------------------------------------------------------------------- HTML

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str] = field(default_factory=dict)
    language: str | None = None


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decodes ``&...;`` at ``pos``; returns (character, position after ';') or None."""
    end = text.find(";", pos + 1, pos + 12)
    if end == -1:
        return None
    body = text[pos + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1
    code: int | None = None
    if re.fullmatch(r"#[0-9]{1,7}", body):
        code = int(body[1:])
    elif re.fullmatch(r"#[xX][0-9a-fA-F]{1,6}", body):
        code = int(body[2:], 16)
    if code is None or code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), end + 1


def parse_html(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    out_len = 0
    stack: list[_OpenTag] = []
    entities: list[Entity] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is None:
                # tdlib would keep a bare '&'; the API docs require &amp;, so we insist.
                raise EntityParseError(
                    f"Unsupported HTML entity at byte offset {_byte_offset(text, i)}; "
                    "escape '&' as &amp;"
                )
            out.append(decoded[0])
            out_len += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if ch != "<":
            out.append(ch)
            out_len += utf16_len(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            end_name = text[begin + 2 : i].lower()
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{tag.name}>", found "</{end_name}>"'
                )
            _close_html_tag(tag, out_len, stack, entities)
            continue
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[begin + 1 : i].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
            )
        tag = _OpenTag(name=name, offset=out_len)
        i = _parse_html_attributes(text, i, begin, tag)
        if name == "span" and tag.attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        stack.append(tag)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out), _sort_entities(entities)


def _parse_html_attributes(text: str, i: int, begin: int, tag: _OpenTag) -> int:
    """Parses attributes from ``i`` up to the closing '>'; returns the position after it."""
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            return i + 1
        attr_begin = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        attr = text[attr_begin:i].lower()
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag.name}" at byte offset '
                f"{_byte_offset(text, attr_begin)}"
            )
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            if tag.name == "blockquote" and attr == "expandable":
                tag.attrs[attr] = ""
                continue
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag.name}" at byte offset {_byte_offset(text, begin)}'
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] not in "'\"":
            token_begin = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            if i >= n or (not text[i].isspace() and text[i] != ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_begin)}"
                )
            value = text[token_begin:i].lower()
        else:
            quote = text[i]
            i += 1
            chars: list[str] = []
            while i < n and text[i] != quote:
                if text[i] == "&":
                    decoded = _decode_html_entity(text, i)
                    if decoded is not None:
                        chars.append(decoded[0])
                        i = decoded[1]
                        continue
                chars.append(text[i])
                i += 1
            if i >= n:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            value = "".join(chars)
        tag.attrs[attr] = value


def _close_html_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[Entity]) -> None:
    length = end - tag.offset
    if tag.name == "code":
        language = tag.attrs.get("class", "")
        parent = stack[-1] if stack else None
        if parent is not None and parent.name == "pre" and language.startswith("language-"):
            # <pre><code class="language-x"> is one pre entity with a language.
            parent.language = language.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: Entity = {"offset": tag.offset, "length": length}
    if tag.name in _SIMPLE_TAG_TYPES:
        entity["type"] = _SIMPLE_TAG_TYPES[tag.name]
    elif tag.name == "a":
        url = tag.attrs.get("href", "")
        if not url:
            return
        entity["type"] = "text_link"
        entity["url"] = url
    elif tag.name == "code":
        entity["type"] = "code"
    elif tag.name == "pre":
        entity["type"] = "pre"
        if tag.language:
            entity["language"] = tag.language
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif tag.name == "tg-emoji":
        emoji_id = tag.attrs.get("emoji-id", "")
        if not emoji_id:
            return
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = emoji_id
    entities.append(entity)


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
        opened = _MdOpen(type=kind, offset=out_len, byte_offset=_byte_offset(text, i))
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
    return "".join(out), _sort_entities(entities)


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
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
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
    return "".join(out), _sort_entities(entities)


# ----------------------------------------------------------------------------------- helpers


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Dispatches on ``parse_mode`` as the Bot API does (case-insensitive)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    if mode:
        raise ValueError(f"Unsupported parse_mode {parse_mode!r}")
    return text, []


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
    ordered = _sort_entities([e for e in entities if _open_tag(e) != ("", "")])
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
