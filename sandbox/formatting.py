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

from sandbox.entities import (
    Entity,
    EntityParseError,
    byte_offset,
    entities_to_html,
    sort_entities,
    strip_text,
    utf16_len,
)
from sandbox.markdown import parse_markdown, parse_markdown_v2

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
                    f"Unsupported HTML entity at byte offset {byte_offset(text, i)}; "
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
                    f"Unexpected end tag at byte offset {byte_offset(text, begin)}"
                )
            i += 1
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            end_name = text[begin + 2 : i].lower()
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {byte_offset(text, begin)}"
                )
            i += 1
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(text, begin)}, "
                    f'expected "</{tag.name}>", found "</{end_name}>"'
                )
            _close_html_tag(tag, out_len, stack, entities)
            continue
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
        name = text[begin + 1 : i].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(text, begin)}'
            )
        tag = _OpenTag(name=name, offset=out_len)
        i = _parse_html_attributes(text, i, begin, tag)
        if name == "span" and tag.attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(text, begin)}'
            )
        stack.append(tag)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out), sort_entities(entities)


def _parse_html_attributes(text: str, i: int, begin: int, tag: _OpenTag) -> int:
    """Parses attributes from ``i`` up to the closing '>'; returns the position after it."""
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
        if text[i] == ">":
            return i + 1
        attr_begin = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        attr = text[attr_begin:i].lower()
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag.name}" at byte offset '
                f"{byte_offset(text, attr_begin)}"
            )
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            if tag.name == "blockquote" and attr == "expandable":
                tag.attrs[attr] = ""
                continue
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag.name}" at byte offset {byte_offset(text, begin)}'
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
        if text[i] not in "'\"":
            token_begin = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            if i >= n or (not text[i].isspace() and text[i] != ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {byte_offset(text, token_begin)}"
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
                    f"Unclosed start tag at byte offset {byte_offset(text, begin)}"
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
