"""Fitting texts into Telegram messages: splitting, packing, captions."""

from __future__ import annotations

import pytest

from bot.domain.message_text import (
    TELEGRAM_TEXT_LIMIT,
    caption_for,
    pack_texts,
    split_text,
    utf16_length,
    visible_length,
)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 100, ["short"]),
        ("a" * 40, 16, ["a" * 16, "a" * 16, "a" * 8]),
        ("one two three four five six", 16, ["one two three", "four five six"]),
        # A line break near the end wins over a later space.
        ("line one is nice\nand more text", 20, ["line one is nice", "and more text"]),
        ("😢" * 10, 16, ["😢" * 8, "😢" * 2]),  # an emoji is two UTF-16 units
    ],
)
def test_split_text(text: str, limit: int, expected: list[str]) -> None:
    pieces = split_text(text, limit)
    assert pieces == expected
    assert all(utf16_length(piece) <= limit for piece in pieces)


def test_split_text_refuses_a_tiny_limit() -> None:
    with pytest.raises(ValueError):
        split_text("abc", 3)


def test_visible_length_ignores_tags_and_entities() -> None:
    assert visible_length("<b>a&lt;b</b> 😢") == 6


def test_pack_texts_coalesces_and_splits() -> None:
    label = "📩 <b>7KQ-M2F</b>"
    assert pack_texts(label, ["a", "<b>"]) == [f"{label}\na\n\n&lt;b&gt;"]
    many = pack_texts(label, ["x" * 3000, "y" * 3000, "z" * 5000])
    assert all(visible_length(text) <= TELEGRAM_TEXT_LIMIT for text in many)
    assert "".join(many).count("x") == 3000 and "".join(many).count("z") == 5000


def test_caption_for_keeps_within_the_caption_limit_and_loses_nothing() -> None:
    label = "📩 <b>7KQ-M2F</b>"
    caption, rest = caption_for(label, "<i>" + "c" * 2000)
    assert caption.startswith(label + "\n&lt;i&gt;") and visible_length(caption) <= 1024
    assert rest and all(text.startswith(label + "\n") for text in rest)
    assert (caption + "".join(rest)).count("c") == 2000
    assert caption_for("label", None) == ("label", [])
    assert caption_for(label, "short") == (label + "\nshort", [])
