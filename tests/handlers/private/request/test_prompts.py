"""The summary before "Send": what the user is about to send, in their language."""

from __future__ import annotations

from bot.domain.request_draft import RequestDraft
from bot.i18n import Texts
from handlers.private.request.prompts import summary


def test_the_summary_shows_the_story_the_screen_and_how_to_answer() -> None:
    tr = Texts.load().for_language("ru")
    draft = RequestDraft(
        category="violence",
        screen={"weapon": True, "gun": None},
        texts=["Он угрожает"],
        voices=["voice-1"],
        reply_by="call",
        phone="+7 701 234 56 78",
    )
    text = summary(tr, draft)
    assert tr("category.violence") in text and "Он угрожает" in text
    assert tr.plural("request.summary_voices", 1) in text
    assert tr.plural("request.summary_screen", 1) in text  # one answered, one skipped
    assert "+7 701 234 56 78" in text and tr("request.summary_chat") not in text


def test_a_long_story_is_shortened_in_the_summary_only() -> None:
    tr = Texts.load().for_language("kk")
    draft = RequestDraft(category="crisis", texts=["а" * 1000])
    text = summary(tr, draft)
    assert "а" * 600 + "…" in text and "а" * 601 not in text
    assert tr("request.summary_chat") in text
    assert len(draft.texts[0]) == 1000
