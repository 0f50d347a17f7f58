"""An unsent request counts its story parts, texts and voice notes alike."""

from __future__ import annotations

import pytest

from bot.domain.request_draft import RequestDraft


@pytest.mark.parametrize(
    ("texts", "voices", "parts"),
    [([], [], 0), (["a"], [], 1), ([], ["v"], 1), (["a", "b"], ["v"], 3)],
)
def test_parts(texts: list[str], voices: list[str], parts: int) -> None:
    assert RequestDraft(texts=texts, voices=voices).parts == parts


def test_a_new_draft_answers_in_this_chat_and_has_no_screen() -> None:
    draft = RequestDraft()
    assert (draft.reply_by, draft.phone, draft.screen, draft.category) == ("chat", None, None, "")
