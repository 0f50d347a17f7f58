"""Entities: UTF-16 lengths, trimming as Telegram trims, and HTML rendered back."""

import pytest

from sandbox.entities import Entity, entities_to_html, sort_entities, strip_text, utf16_len


@pytest.mark.parametrize(
    ("text", "units"), [("", 0), ("abc", 3), ("Сәлем", 5), ("😀", 2), ("a😀b", 4)]
)
def test_utf16_length_counts_astral_characters_twice(text: str, units: int) -> None:
    assert utf16_len(text) == units


def test_strip_text_shifts_and_clips_entities() -> None:
    entities: list[Entity] = [
        {"type": "bold", "offset": 0, "length": 4},  # "  hi": clipped to "hi"
        {"type": "italic", "offset": 5, "length": 4},  # "x  " -> "x"
        {"type": "code", "offset": 0, "length": 1},  # only whitespace: dropped
    ]
    text, kept = strip_text("  hi x  ", entities)
    assert text == "hi x"
    assert kept == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 3, "length": 1},
    ]
    assert strip_text("same", entities) == ("same", entities)


def test_outer_entities_sort_before_inner_ones() -> None:
    inner: Entity = {"type": "italic", "offset": 0, "length": 2}
    outer: Entity = {"type": "bold", "offset": 0, "length": 5}
    later: Entity = {"type": "code", "offset": 3, "length": 1}
    assert sort_entities([later, inner, outer]) == [outer, inner, later]


def test_entities_render_back_to_escaped_html() -> None:
    text = 'a<b & "c" 😀 link'
    entities: list[Entity] = [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 10, "length": 2},  # the emoji: two UTF-16 units
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://x.org/?a=1&b=2"},
        {"type": "mention", "offset": 0, "length": 1},  # no tag of its own
    ]
    assert entities_to_html(text, entities) == (
        '<b>a&lt;b</b> &amp; &quot;c&quot; <i>😀</i> <a href="https://x.org/?a=1&amp;b=2">link</a>'
    )
    pre: list[Entity] = [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    assert entities_to_html("x = 1", pre) == (
        '<pre><code class="language-python">x = 1</code></pre>'
    )
