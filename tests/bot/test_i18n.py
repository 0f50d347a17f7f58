"""Texts: both languages have every text, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import Safe, Texts, placeholders, read_catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogs() -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        language: {key: entry.forms for key, entry in read_catalog(language)[0].items()}
        for language in ("kk", "ru")
    }


def test_both_languages_have_the_same_texts(
    catalogs: dict[str, dict[str, tuple[str, ...]]],
) -> None:
    assert set(catalogs["kk"]) == set(catalogs["ru"]), set(catalogs["kk"]) ^ set(catalogs["ru"])


def test_no_text_is_empty(catalogs: dict[str, dict[str, tuple[str, ...]]]) -> None:
    for language, entries in catalogs.items():
        for key, forms in entries.items():
            assert all(form.strip() for form in forms), f"{language}: {key} is empty"


def test_placeholders_match(catalogs: dict[str, dict[str, tuple[str, ...]]]) -> None:
    for key, kk_forms in catalogs["kk"].items():
        expected = placeholders(kk_forms[0])
        for language in ("kk", "ru"):
            for form in catalogs[language][key]:
                assert placeholders(form) == expected, f"{language}: {key} placeholders differ"


def test_every_key_used_in_code_exists() -> None:
    texts = Texts.load()
    pattern = re.compile(r"""\b(?:tr|tr\.plural|texts\.get)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    used: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys: the pattern is broken"
    assert used - texts.keys == set()


def test_texts_render_and_escape_parameters() -> None:
    texts = Texts.load()
    line = texts.get("ru", "emergency.line", number="112", name="<b>x</b> & y")
    assert line == "📞 <b>112</b> — &lt;b&gt;x&lt;/b&gt; &amp; y"
    assert texts.get("kk", "emergency.line", number=Safe("<i>1</i>"), name="a").startswith(
        "📞 <b><i>1</i></b>"
    )
    with pytest.raises(KeyError):
        texts.get("ru", "no.such.text")


def test_plural_rules_per_language() -> None:
    from babel.messages.catalog import Catalog

    assert Catalog(locale="ru").num_plurals == 3
    assert Catalog(locale="kk").num_plurals == 2
