"""The languages of the bot are the languages of the catalogues."""

from __future__ import annotations

from pathlib import Path

from bot.domain.language import LANGUAGES

LOCALES = Path(__file__).resolve().parents[3] / "bot" / "locales"


def test_every_language_has_its_catalogue_and_no_other_exists() -> None:
    assert sorted(LANGUAGES) == sorted(p.name for p in LOCALES.iterdir() if p.is_dir())
