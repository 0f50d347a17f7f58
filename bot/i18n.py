"""Texts in Kazakh and Russian from gettext catalogues (.po files, read with Babel).

Message ids are keys such as "menu.request": neither language is the source, both are
translations, and translators edit the .po files in bot/locales/<lang>/LC_MESSAGES/.
Each flow keeps its texts in its own .po file (core.po, request.po, ...); all files of
a language are merged at start. Plural forms follow each file's Plural-Forms header
(Russian has three).

Every message goes out as HTML, so parameters are escaped here unless wrapped in
`Safe` (already-formatted HTML made by the bot itself): user text can never inject
markup, whoever calls this.
"""

from __future__ import annotations

import html
import io
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.domain.language import LANGUAGES, Language


class Safe(str):
    """HTML that the bot built itself and that must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> str:
    if isinstance(value, Safe):
        return value
    return html.escape(str(value), quote=False)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    forms: tuple[str, ...]  # one form, or the plural forms of the language


def read_catalog(language: str) -> tuple[dict[str, CatalogEntry], Catalog]:
    """All .po files of one language, merged into one catalogue with the language's plural rule."""
    folder = resources.files("bot").joinpath("locales", language, "LC_MESSAGES")
    merged = Catalog(locale=language)
    entries: dict[str, CatalogEntry] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".po"):
            continue
        with entry.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        if catalog.num_plurals != merged.num_plurals:
            # Babel derives the plural rule from the locale; a file that disagrees is wrong.
            raise ValueError(
                f"{entry.name} ({language}) has {catalog.num_plurals} plural forms, "
                f"the language has {merged.num_plurals}"
            )
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in entries:
                raise ValueError(f"{language}: {key} is defined twice ({entry.name})")
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            entries[key] = CatalogEntry(key, tuple(str(f) for f in forms))
            merged[message.id] = message
    return entries, merged


class Texts:
    """All texts of both languages, loaded once at start."""

    def __init__(self, translations: Mapping[str, Translations], keys: frozenset[str]) -> None:
        self._translations = translations
        self.keys = keys

    @classmethod
    def load(cls) -> Texts:
        translations: dict[str, Translations] = {}
        keys: set[str] = set()
        for language in LANGUAGES:
            entries, catalog = read_catalog(language)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            translations[language] = Translations(fp=buffer)
            keys |= set(entries)
        return cls(translations, frozenset(keys))

    def get(self, language: Language, key: str, /, **params: Any) -> str:
        if key not in self.keys:
            raise KeyError(f"no text {key!r} in the catalogues")
        text = self._translations[language].gettext(key)
        return _format(text, params)

    def plural(self, language: Language, key: str, count: int, /, **params: Any) -> str:
        if key not in self.keys:
            raise KeyError(f"no text {key!r} in the catalogues")
        text = self._translations[language].ngettext(key, key, count)
        return _format(text, {"count": count, **params})

    def for_language(self, language: Language) -> Translator:
        return Translator(self, language)


def _format(text: str, params: Mapping[str, Any]) -> str:
    if not params:
        return text
    return text.format_map({name: escape(value) for name, value in params.items()})


class Translator:
    """The texts of one language, as handlers use them: tr("menu.request")."""

    def __init__(self, texts: Texts, language: Language) -> None:
        self.texts = texts
        self.language = language

    def __call__(self, key: str, /, **params: Any) -> str:
        return self.texts.get(self.language, key, **params)

    def plural(self, key: str, count: int, /, **params: Any) -> str:
        return self.texts.plural(self.language, key, count, **params)
