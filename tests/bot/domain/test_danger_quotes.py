"""What a staff card quotes of the danger words: whole short phrases, each once."""

from __future__ import annotations

import pytest

from bot.domain.message_text import distinct_phrases, phrase_around
from bot.domain.triage import find_danger_signals


def quoted(text: str) -> list[str]:
    return distinct_phrases([s.phrase for s in find_danger_signals(text)])


@pytest.mark.parametrize(
    ("story", "quotes"),
    [
        # Once a fragment across a sentence end and the same word twice; now whole, once.
        ("Ол мені ұрады. Балаларым, ұрады", ["Ол мені ұрады. Балаларым, ұрады"]),
        ("Күйеуім ұрады", ["Күйеуім ұрады"]),
        ("Он бьёт меня, сейчас бьёт", ["Он бьёт меня, сейчас бьёт"]),
        (
            "Всё хорошо было. Муж сказал, что убьёт меня! Я у соседки.",
            ["Муж сказал, что убьёт меня"],
        ),
        (
            "Он взял нож.\nПотом сказал: убью.",
            ["Он взял нож", "Потом сказал: убью"],
        ),
        (
            "Вчера вечером когда мы ужинали с детьми и его матерью он вдруг сказал "
            "что убьёт меня если я уйду к родителям",
            ["… вдруг сказал что убьёт меня если я …"],
        ),
        ("Мне просто грустно.", []),
    ],
)
def test_cards_quote_whole_short_phrases_once(story: str, quotes: list[str]) -> None:
    assert quoted(story) == quotes


@pytest.mark.parametrize(
    ("text", "word", "phrase"),
    [
        ("Он взял нож. Я ушла.", "нож", "Он взял нож"),
        ("«Убью», сказал он", "Убью", "Убью», сказал он"),
        ("нож", "нож", "нож"),
    ],
)
def test_phrase_around_a_word(text: str, word: str, phrase: str) -> None:
    start = text.index(word)
    assert phrase_around(text, start, start + len(word)) == phrase


@pytest.mark.parametrize(
    ("phrases", "kept"),
    [
        (["a b", "a b"], ["a b"]),
        (["b", "a b c"], ["a b c"]),
        (["x", "y", ""], ["x", "y"]),
    ],
)
def test_distinct_phrases(phrases: list[str], kept: list[str]) -> None:
    assert distinct_phrases(phrases) == kept
