"""MarkdownV2 and legacy Markdown, parsed as tdlib parses them."""

import pytest

from sandbox.entities import EntityParseError
from sandbox.markdown import parse_markdown, parse_markdown_v2


def test_markdown_v2_entities_and_escapes() -> None:
    text, entities = parse_markdown_v2(
        "*bold* _it_ __under__ ~gone~ `x` [site](https://a.kz) 1\\.5"
    )
    assert text == "bold it under gone x site 1.5"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 4),
        ("italic", 5, 2),
        ("underline", 8, 5),
        ("strikethrough", 14, 4),
        ("code", 19, 1),
        ("text_link", 21, 4),
    ]
    assert entities[-1]["url"] == "https://a.kz"


@pytest.mark.parametrize("char", list("_*[]()~`>#+-=|{}.!"))
def test_markdown_v2_wants_every_reserved_character_escaped(char: str) -> None:
    parse_markdown_v2(f"a \\{char} b")
    if char in "_*~`[":
        return  # these open an entity; unclosed they fail differently
    with pytest.raises(EntityParseError, match="is reserved and must be escaped"):
        parse_markdown_v2(f"a {char} b")


def test_markdown_v2_unclosed_entity() -> None:
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*open")


def test_legacy_markdown_is_lenient_about_dots() -> None:
    text, entities = parse_markdown("*Hi* there. _a_b")
    assert text.startswith("Hi there.")
    assert entities[0] == {"type": "bold", "offset": 0, "length": 2}
