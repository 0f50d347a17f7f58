"""The "I take it" buttons of a list of urgent cases that came at once (bot/cases/fold.py).

A press takes that case exactly as its card's button does (checked against the database;
a stale press changes nothing), then the list's buttons say who took which case.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.cases.fold import FOLD_TAKE_PREFIX, case_ids_in
from bot.config import Settings
from bot.context import HelplineContext
from handlers.common import translator_for
from handlers.staff.cases import take_and_answer
from handlers.staff.gate import staff_center


async def press_take_in_list(update: Update, context: HelplineContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    case = None
    side = await staff_center(update, services)
    if side is not None:
        case = await services.cases.get(int(query.data.removeprefix(FOLD_TAKE_PREFIX)))
        # A group acts only on its own centre's cases (and on one no centre has taken yet).
        if case is not None and side not in services.cases.staff_sides.of(case):
            case = None
    if case is None or side is None:
        # To anyone else the button is as dead as any forged one: nothing is revealed.
        await query.answer((await translator_for(update, context))("fallback.stale_button"))
        return
    message = query.message
    ids = case_ids_in(message.reply_markup) if isinstance(message, Message) else []
    folding = services.cases.folding
    if message is not None and ids:
        # Known from now on (a list sent before a restart too), so this take edits it.
        folding.remember(side.chat_id, message.message_id, ids)
    outcome = await take_and_answer(query, services, side, case)
    if outcome != "taken" and message is not None and ids:
        # Nothing changed by this press, but the list may be stale: show how things are.
        await folding.refresh(side.chat_id, message.message_id, ids)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    return [CallbackQueryHandler(press_take_in_list, pattern=r"^fold:take:\d{1,18}$")]
