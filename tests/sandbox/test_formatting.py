"""HTML parsing and the parse_mode switch."""

import pytest

from sandbox.entities import EntityParseError
from sandbox.formatting import parse_html, parse_text


def test_html_tags_and_entities() -> None:
    text, entities = parse_html(
        "<b>B</b> <strong>S</strong> <i>I</i> <u>U</u> <s>X</s> <tg-spoiler>P</tg-spoiler> "
        '<code>c</code> <pre><code class="language-py">p</code></pre> &#1241;&#x4E2D;&quot;'
    )
    assert text == 'B S I U X P c p ә中"'
    assert [e["type"] for e in entities] == [
        "bold", "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre",
    ]  # fmt: skip
    assert entities[-1]["language"] == "py"


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a & b", "Unsupported HTML entity at byte offset 2"),
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
    ],
)
def test_html_errors_name_the_place(html: str, error: str) -> None:
    with pytest.raises(EntityParseError, match=error):
        parse_html(html)


def test_parse_mode_is_case_insensitive_and_checked() -> None:
    assert parse_text("<b>x</b>", "HTML") == ("x", [{"type": "bold", "offset": 0, "length": 1}])
    assert parse_text("*x*", "MarkdownV2")[0] == "x"
    assert parse_text("<b>x</b>", None) == ("<b>x</b>", [])
    with pytest.raises(ValueError, match="Unsupported parse_mode"):
        parse_text("x", "BBCode")
