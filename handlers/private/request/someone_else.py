"""A request about someone else: two short questions instead of the risk screen.

```mermaid
flowchart TD
    CAT[Awaiting.CATEGORY] -->|someone_else| DANGER[Awaiting.OTHER_DANGER: in danger now?]
    DANGER -->|yes / no / don't know| CHILD[Awaiting.OTHER_CHILD: a child at risk?]
    CHILD -->|any yes| numbers[102 and 150 first]
    CHILD -->|no / don't know| STORY[Awaiting.STORY]
    numbers --> STORY
```
"""

from __future__ import annotations

from telegram import Update

from bot.context import HelplineContext
from bot.domain.someone_else import CHILD_AT_RISK, OTHER_IN_DANGER, needs_numbers_first
from bot.i18n import Translator
from handlers.common import emergency_numbers, reply, strip_buttons, translator_for, with_quick_exit
from handlers.private.request.prompts import ask_story
from handlers.private.request.states import Awaiting, button, draft_of, nav

ANSWER_PATTERN = r"^req:other:(yes|no|unknown)$"
_ANSWERS = {"yes": True, "no": False, "unknown": None}


async def ask_other_in_danger(update: Update, tr: Translator) -> Awaiting:
    await _ask(update, tr, "request.other_in_danger")
    return Awaiting.OTHER_DANGER


async def ask_child_at_risk(update: Update, tr: Translator) -> Awaiting:
    await _ask(update, tr, "request.child_at_risk")
    return Awaiting.OTHER_CHILD


async def _ask(update: Update, tr: Translator, key: str) -> None:
    markup = with_quick_exit(
        [
            [
                button(tr("request.yes"), "req:other:yes"),
                button(tr("request.no"), "req:other:no"),
            ],
            [button(tr("request.dont_know"), "req:other:unknown")],
            nav(tr),
        ],
        tr,
    )
    await reply(update, tr(key), markup)


async def _answer(update: Update, context: HelplineContext, key: str) -> Translator:
    """Stores the answer under `key`; returns the user's texts."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await strip_buttons(update)
    draft = draft_of(context)
    if draft.screen is None:
        draft.screen = {}
    draft.screen[key] = _ANSWERS[query.data.removeprefix("req:other:")]
    return await translator_for(update, context)


async def answer_other_in_danger(update: Update, context: HelplineContext) -> Awaiting:
    """Stores "is the person in danger now"; asks about a child."""
    tr = await _answer(update, context, OTHER_IN_DANGER)
    return await ask_child_at_risk(update, tr)


async def answer_child_at_risk(update: Update, context: HelplineContext) -> Awaiting:
    """Stores "is a child at risk"; any yes: 102 and 150 first; then the story."""
    tr = await _answer(update, context, CHILD_AT_RISK)
    draft = draft_of(context)
    if draft.screen is not None and needs_numbers_first(draft.screen):
        numbers = emergency_numbers(context.services, tr)
        await reply(update, tr("request.other_call_now", numbers=numbers))
    return await ask_story(update, tr)
