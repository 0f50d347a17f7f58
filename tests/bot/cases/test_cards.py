"""Case cards: what staff see, escaped, split to fit."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.cases.cards import CardFacts, render_card
from bot.domain.message_text import TELEGRAM_TEXT_LIMIT, visible_length
from bot.domain.triage import DangerKind, DangerSignal
from bot.i18n import Texts

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


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


def test_the_danger_words_are_quoted_as_whole_phrases_once() -> None:
    from bot.domain.triage import find_danger_signals

    story = "Ол мені ұрады. Балаларым, ұрады"
    signals = tuple(find_danger_signals(story))
    tr = Texts.load().for_language("kk")
    [card] = render_card(tr, _facts(story=story, signals=signals), ALMATY)
    reason = next(line for line in card.splitlines() if "«" in line)
    assert "«Ол мені ұрады. Балаларым, ұрады»" in reason
