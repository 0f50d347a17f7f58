"""Staff tools on a case card: quick answers (a button or `/r ID`), referrals ("Refer…"),
internal notes (`// text` or `/note TEXT` as a reply) and "Pass to…" a colleague.

Pickers are posted under the card in the staff group and answer only staff; their button
data carries a case's row id and a config id or index, checked again on every press. The
services (bot/cases/staff_tools.py) do the writing; this module reads the update.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.cases import Case
from bot.config import Settings
from bot.context import HelplineContext, Services
from bot.i18n import Translator, escape
from bot.referrals import button_label, render_referral
from handlers.common import translator_for
from handlers.staff.cases import case_of
from handlers.staff.gate import staff_member

NOTE_PREFIX = "//"


def _tr(context: HelplineContext) -> Translator:
    return context.services.cases.staff_side.tr


async def _open_case_for_answer(message: Message, tr: Translator, case: Case | None) -> bool:
    """Whether a prepared answer can go to the villager; says why not."""
    if case is None:
        await message.reply_text(tr("staff_tools.which_case"))
        return False
    if not case.is_open:
        await message.reply_text(tr("staff.case_closed_not_sent", code=case.code))
        return False
    if case.user_id is None:
        await message.reply_text(tr("staff.user_forgotten", code=case.code))
        return False
    return True


# ---------------------------------------------------------------------------------- notes


async def note_message(update: Update, context: HelplineContext) -> None:
    """`// text` as a reply in a case's thread: an internal note, never relayed."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _store_note(update, context, message, message.text.removeprefix(NOTE_PREFIX))


async def note_command(update: Update, context: HelplineContext) -> None:
    """/note TEXT as a reply to a case: an internal note, never relayed."""
    message = update.effective_message
    if message is None:
        return
    await _store_note(update, context, message, " ".join(context.args or []))


async def _store_note(
    update: Update, context: HelplineContext, message: Message, text: str
) -> None:
    if not await staff_member(update, context.services):
        return
    tr = _tr(context)
    case = await case_of(context.services, message)
    if case is None:
        await message.reply_text(tr("staff_tools.which_case"))
        return
    if not text.strip():
        await message.reply_text(tr("staff_tools.note_empty"))
        return
    staff = update.effective_user
    assert staff is not None
    await context.services.cases.staff_tools.add_note(case, staff.id, text.strip())


# -------------------------------------------------------------------------- quick answers


async def quick_reply_command(update: Update, context: HelplineContext) -> None:
    """/r ID as a reply to a case: the quick answer goes out in the villager's language."""
    message = update.effective_message
    staff = update.effective_user
    if message is None or staff is None or not await staff_member(update, context.services):
        return
    services = context.services
    tr = _tr(context)
    reply_id = (context.args or [""])[0]
    quick = services.settings.quick_reply(reply_id)
    if quick is None:
        ids = ", ".join(r.id for r in services.settings.quick_replies) or "—"
        example = (
            services.settings.quick_replies[0].id if services.settings.quick_replies else "hello"
        )
        await message.reply_text(
            tr("staff_tools.unknown_quick_reply", id=reply_id, ids=ids, example=example)
        )
        return
    case = await case_of(services, message, to_user=True)
    if not await _open_case_for_answer(message, tr, case):
        return
    assert case is not None
    await services.cases.staff_tools.send_prepared(
        case,
        staff_id=staff.id,
        staff_name=staff.first_name,
        text_in=lambda language: escape(quick.text.get(language)),
        action="quick_reply",
        detail=quick.id,
    )


# -------------------------------------------------------------------------------- buttons


async def _pressed_case(update: Update, context: HelplineContext, part: int) -> Case | None:
    """The case of a tool button (its id is the data's `part`), for staff only; anyone
    else gets the dead-button answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    case = None
    if await staff_member(update, context.services):
        case = await context.services.cases.get(int(query.data.split(":")[part]))
    if case is None:
        await query.answer((await translator_for(update, context))("fallback.stale_button"))
    return case


def _picker(rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in rows]
    )


async def open_picker(update: Update, context: HelplineContext) -> None:
    """ "Quick answer…", "Refer…", "Pass to…": a list under the card to choose from."""
    query = update.callback_query
    case = await _pressed_case(update, context, 2)
    if case is None or query is None or query.message is None:
        return
    services = context.services
    tr = _tr(context)
    tool = (query.data or "").split(":")[1]
    if not case.is_open:
        await query.answer(tr("staff.already_closed", code=case.code))
        return
    if tool == "qr":
        rows = [(r.id, f"tq:{case.id}:{r.id}") for r in services.settings.quick_replies]
        title, empty = "staff_tools.pick_quick_reply", "staff_tools.no_quick_replies"
    elif tool == "ref":
        rows = [
            (button_label(tr, r), f"tr:{case.id}:{index}")
            for index, r in enumerate(services.settings.referrals)
        ]
        title, empty = "staff_tools.pick_referral", "staff_tools.no_referrals"
    else:
        rows = [(name, f"tp:{case.id}:{uid}") for uid, name in await _colleagues(services, case)]
        title, empty = "staff_tools.pick_colleague", "staff_tools.no_colleagues"
    await query.answer()
    if not rows:
        await query.message.reply_text(tr(empty, code=case.code))  # type: ignore[attr-defined]
        return
    await query.message.reply_text(  # type: ignore[attr-defined]
        tr(title, code=case.code), reply_markup=_picker(rows)
    )


async def _colleagues(services: Services, case: Case) -> list[tuple[int, str]]:
    """Known staff still in the group, but the case's owner: the rota, the backups, the
    admins, those on /duty and everyone who took a case."""
    settings = services.settings
    known = [entry.user_id for entry in settings.duty]
    known += list(settings.urgent.backup_ids) + sorted(settings.telegram.admin_ids)
    known += [entry.user_id for entry in await services.cases.manual_duty()]
    known += await services.cases.staff_tools.staff_who_took_cases()
    found = []
    for user_id in dict.fromkeys(known):
        if user_id == case.taken_by or not await services.staff.is_member(user_id):
            continue
        found.append((user_id, await services.cases.staff_side.name_of(user_id)))
    return found


async def choose_from_picker(update: Update, context: HelplineContext) -> None:
    """A quick answer, a referral or a colleague chosen: done, and the picker says so."""
    query = update.callback_query
    staff = update.effective_user
    case = await _pressed_case(update, context, 1)
    if case is None or query is None or query.data is None or staff is None:
        return
    services = context.services
    tools = services.cases.staff_tools
    tr = _tr(context)
    kind, _, choice = query.data.split(":")
    if not case.is_open or case.user_id is None:
        await query.answer(tr("staff.already_closed", code=case.code))
        return
    if kind == "tq":
        quick = services.settings.quick_reply(choice)
        if quick is None:
            await query.answer(tr("fallback.stale_button"))
            return
        await tools.send_prepared(
            case,
            staff_id=staff.id,
            staff_name=staff.first_name,
            text_in=lambda language: escape(quick.text.get(language)),
            action="quick_reply",
            detail=quick.id,
        )
    elif kind == "tr":
        referrals = services.settings.referrals
        if int(choice) >= len(referrals):
            await query.answer(tr("fallback.stale_button"))
            return
        referral = referrals[int(choice)]
        await tools.send_prepared(
            case,
            staff_id=staff.id,
            staff_name=staff.first_name,
            text_in=lambda language: render_referral(services.tr(language), referral),
            action="referral",
            detail=referral.kind,
        )
    else:
        to_id = int(choice)
        if to_id == case.taken_by or not await services.staff.is_member(to_id):
            await query.answer(tr("fallback.stale_button"))
            return
        name = await services.cases.staff_side.name_of(to_id)
        if not await tools.hand_over(case, from_id=staff.id, to_id=to_id, to_name=name):
            await query.answer(tr("staff_tools.not_taken", code=case.code))
            return
    await query.answer(tr("staff_tools.done"))
    await query.edit_message_reply_markup(None)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    group = filters.Chat(chat_id=settings.telegram.staff_chat_id)
    new_messages = filters.UpdateType.MESSAGE
    return [
        CallbackQueryHandler(open_picker, pattern=r"^tool:(qr|ref|pass):\d{1,18}$"),
        CallbackQueryHandler(
            choose_from_picker,
            pattern=r"^(tq:\d{1,18}:[a-z0-9_-]{1,32}|tr:\d{1,18}:\d{1,4}|tp:\d{1,18}:\d{1,18})$",
        ),
        CommandHandler("note", note_command, filters=group),
        CommandHandler("r", quick_reply_command, filters=group),
        # Before the staff relay (handlers/staff/cases.py): a note is never relayed.
        MessageHandler(
            group & new_messages & filters.TEXT & filters.Regex(rf"^{NOTE_PREFIX}"), note_message
        ),
    ]
