"""The request draft lives in the typed user data, and goes with it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from bot.context import HelplineContext, UserData
from handlers.private.request.states import Awaiting, draft_of, drop_draft


def _context() -> HelplineContext:
    return cast(HelplineContext, SimpleNamespace(user_data=UserData()))


def test_the_draft_is_made_once_and_dropped() -> None:
    context = _context()
    draft = draft_of(context)
    draft.category = "crisis"
    assert draft_of(context) is draft
    drop_draft(context)
    assert draft_of(context).category == ""


def test_the_quick_exit_clearing_user_data_drops_the_draft_and_other_keys() -> None:
    context = _context()
    draft_of(context).texts.append("секрет")
    user_data = cast(Any, context.user_data)
    user_data["booking_draft"] = object()
    user_data.clear()
    assert user_data.request_draft is None and dict(user_data) == {}


def test_states_are_distinct_and_never_the_end_of_the_conversation() -> None:
    values = [state.value for state in Awaiting]
    assert len(set(values)) == len(values) and -1 not in values
