"""Pure casework rules: splitting, cards, relay batches, flood windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cases import (
    TELEGRAM_TEXT_LIMIT,
    CardFacts,
    FloodWindow,
    caption_for,
    cases_day_start,
    pack_texts,
    render_card,
    split_text,
    utf16_length,
    visible_length,
)
from bot.domain.triage import DangerKind, DangerSignal
from bot.i18n import Texts

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


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


def _facts(**changes: object) -> CardFacts:
    values: dict[str, object] = {
        "code": "7KQ-M2F",
        "category": "violence",
        "reasons": ("sos_button", "danger_words", "lethality_screen"),
        "signals": (DangerSignal(DangerKind.WEAPON, "нож<"),),
        "screen": {"weapon": True, "gun": False},
        "reply_by": "chat",
        "callback_phone": None,
        "created_at": NOW,
        "story": "Он <b>взял</b> нож",
        "voice_notes": 2,
        "in_topic": False,
    }
    values.update(changes)
    return CardFacts(**values)  # type: ignore[arg-type]


def test_a_card_shows_what_staff_need_and_escapes_user_text() -> None:
    tr = Texts.load().for_language("ru")
    [card] = render_card(tr, _facts(), ALMATY)
    assert "<code>7KQ-M2F</code>" in card and "СРОЧНО" in card
    assert "Насилие в семье" in card
    assert "«нож&lt;»" in card and "Он &lt;b&gt;взял&lt;/b&gt; нож" in card
    assert "да — оружие или угроза оружием; нет — 1; пропущено — 9" in card
    assert "02.12.2026 10:00" in card  # Asia/Almaty
    assert "Голосовых сообщений: 2" in card


def test_a_phone_is_shown_only_for_a_call_back() -> None:
    tr = Texts.load().for_language("ru")
    [card] = render_card(tr, _facts(reply_by="call", callback_phone="+7 701"), ALMATY)
    assert "+7 701" in card


def test_a_long_card_is_split_and_each_part_fits() -> None:
    tr = Texts.load().for_language("kk")
    story = "Сөз <&> " * 1100
    parts = render_card(tr, _facts(story=story), ALMATY)
    assert len(parts) >= 3
    assert all(visible_length(part) <= TELEGRAM_TEXT_LIMIT for part in parts)
    assert "жалғасы 2/" in parts[1]
    assert sum(part.count("&lt;&amp;&gt;") for part in parts) == story.count("<&>")


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


def test_flood_window_warns_once_per_window() -> None:
    window = FloodWindow(window=timedelta(seconds=10), limit=3)
    hits = [window.hit(1, NOW + timedelta(seconds=i * 0.1)) for i in range(10)]
    assert hits == [False, False, False, True, False, False, False, False, False, False]
    assert not window.hit(2, NOW)  # another person is not slowed by the first
    assert window.hit(1, NOW + timedelta(seconds=11)) is False  # the window moved on
    window.forget_idle(NOW + timedelta(minutes=5))


def test_the_daily_limit_counts_from_local_midnight() -> None:
    assert cases_day_start(datetime(2026, 12, 2, 20, 0, tzinfo=UTC), ALMATY) == datetime(
        2026, 12, 3, 0, 0, tzinfo=ALMATY
    )
