"""Fitting texts into Telegram messages: length as Telegram counts it, splitting, packing.

No I/O here. Telegram counts a message's length in UTF-16 code units of the *visible*
text (after HTML is parsed), at most 4096; a card or a relay that would be longer is
split into several messages, at a line break or a space when one is near.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Final

TELEGRAM_TEXT_LIMIT: Final = 4096
TELEGRAM_CAPTION_LIMIT: Final = 1024

_TAG = re.compile(r"<[^>]+>")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """How long Telegram finds a message written in the bot's simple HTML."""
    return utf16_length(html.unescape(_TAG.sub("", html_text)).strip())


def split_text(text: str, limit: int) -> list[str]:
    """Cuts plain text into pieces of at most `limit` UTF-16 units, at a break if near."""
    if limit < 16:
        raise ValueError("limit too small to split into")
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        # The longest prefix that fits (emoji count twice).
        cut = 0
        used = 0
        for index, char in enumerate(rest):
            size = 2 if ord(char) > 0xFFFF else 1
            if used + size > limit:
                break
            used += size
            cut = index + 1
        window = rest[:cut]
        # Prefer a line break, then a space, in the last quarter of the window.
        floor = cut * 3 // 4
        for separator in ("\n", " "):
            at = window.rfind(separator)
            if at >= floor:
                cut = at + 1
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest.strip() or not pieces:
        pieces.append(rest)
    return [piece for piece in pieces if piece.strip()] or [text]


def pack_texts(label: str, texts: Sequence[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """User texts relayed together: as few messages as fit, each starting with `label`.

    `label` is HTML made by the bot; texts are escaped here. A text too long for one
    message is split over several.
    """
    room = limit - visible_length(label) - 8
    messages: list[str] = []
    current: list[str] = []
    used = 0
    for text in texts:
        for piece in split_text(text, room):
            size = utf16_length(piece) + (2 if current else 0)
            if current and used + size > room:
                messages.append(label + "\n" + "\n\n".join(current))
                current, used = [], 0
                size = utf16_length(piece)
            current.append(_escape(piece))
            used += size
    if current:
        messages.append(label + "\n" + "\n\n".join(current))
    return messages


def caption_for(label: str, caption: str | None) -> tuple[str, list[str]]:
    """A label and the user's own caption (escaped) within Telegram's caption limit, and
    what did not fit, as follow-up texts (each with the label) so nothing is lost."""
    if not caption:
        return label, []
    room = TELEGRAM_CAPTION_LIMIT - visible_length(label) - 2
    first, *rest = split_text(caption, max(room, 16))
    return f"{label}\n{_escape(first)}", pack_texts(label, rest) if rest else []


# Where a short phrase ends: a sentence's end or a line break (a comma does not end one).
_PHRASE_END = re.compile(r"[.!?;…\n]")
# Longer phrases are cut to a few words either side of the words quoted.
PHRASE_WORDS: Final = 10
_CONTEXT_WORDS: Final = 3


def phrase_around(text: str, start: int, end: int) -> str:
    """The whole short phrase of `text` holding text[start:end] (a sentence, or a few words
    either side of it when the sentence is long): what a staff card quotes."""
    begin = 0
    for m in _PHRASE_END.finditer(text, 0, start):
        begin = m.end()
    stop = _PHRASE_END.search(text, end)
    finish = stop.start() if stop else len(text)
    words = list(re.finditer(r"\S+", text[begin:finish]))
    if len(words) <= PHRASE_WORDS:
        return " ".join(w.group() for w in words).strip(" ,:-—«»\"'")
    inside = [i for i, w in enumerate(words) if begin + w.end() > start and begin + w.start() < end]
    if not inside:
        return text[start:end]
    first = max(0, inside[0] - _CONTEXT_WORDS)
    last = min(len(words), inside[-1] + 1 + _CONTEXT_WORDS)
    quoted = " ".join(w.group() for w in words[first:last]).strip(" ,:-—«»\"'")
    return ("… " if first > 0 else "") + quoted + (" …" if last < len(words) else "")


def distinct_phrases(phrases: Sequence[str]) -> list[str]:
    """Each phrase once, in order; one found inside another (longer) one is left out."""
    kept: list[str] = []
    for phrase in dict.fromkeys(p for p in phrases if p):
        if any(phrase in other for other in phrases if other != phrase):
            continue
        kept.append(phrase)
    return kept
