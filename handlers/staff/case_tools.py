"""Staff tools on a case card: quick answers (a button or `/r ID`), referrals ("Refer…"),
internal notes (`// text` or `/note TEXT` as a reply) and "Pass to…" a colleague.

Pickers are posted under the card in the staff group and answer only staff; their button
data carries a case's row id and a config id or index, checked again on every press. The
services (bot/cases/staff_tools.py) do the writing; this module reads the update.

Each centre's group works its own cases only: a tool used on another centre's case (a card
left behind by a handover) does nothing, and "Pass to…" lists that centre's staff.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.cases import Case
from bot.cases.staff_side import StaffSide
from bot.config import Referral, Settings
from bot.context import HelplineContext, Services
from bot.i18n import Translator, escape
from bot.referrals import button_label, render_referral
from handlers.common import translator_for
from handlers.staff.cases import case_of
from handlers.staff.gate import staff_center, staff_groups

NOTE_PREFIX = "//"


def _tr(context: HelplineContext) -> Translator:
    return context.services.cases.staff_sides.tr


def _works_here(services: Services, side: StaffSide, case: Case | None) -> Case | None:
    """The case, when this group works it (its centre's, or one no centre has yet)."""
    return case if case is not None and side in services.cases.staff_sides.of(case) else None


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
    side = await staff_center(update, context.services)
    if side is None:
        return
    tr = _tr(context)
    case = _works_here(context.services, side, await case_of(context.services, message))
    if case is None:
        await message.reply_text(tr("staff_tools.which_case"))
        return
    if not text.strip():
        await message.reply_text(tr("staff_tools.note_empty"))
        return
    staff = update.effective_user
    assert staff is not None
    await context.services.cases.staff_tools.add_note(
        side, case, staff.id, text.strip(), message.message_id
    )


# -------------------------------------------------------------------------- quick answers


async def quick_reply_command(update: Update, context: HelplineContext) -> None:
    """/r ID as a reply to a case: the quick answer goes out in the villager's language."""
    message = update.effective_message
    staff = update.effective_user
    side = await staff_center(update, context.services)
    if message is None or staff is None or side is None:
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
    case = _works_here(services, side, await case_of(services, message, to_user=True))
    if not await _open_case_for_answer(message, tr, case):
        return
    assert case is not None
    await services.cases.staff_tools.send_prepared(
        side,
        case,
        staff_id=staff.id,
        staff_name=staff.first_name,
        text_in=lambda language: escape(quick.text.get(language)),
        action="quick_reply",
        detail=quick.id,
    )


# -------------------------------------------------------------------------------- buttons


async def _pressed_case(
    update: Update, context: HelplineContext, part: int
) -> tuple[StaffSide, Case] | None:
    """The group's side and the case of a tool button (its id is the data's `part`), for
    that group's staff and a case it works only; anyone else gets the dead-button answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    side = await staff_center(update, context.services)
    if side is not None:
        case = await context.services.cases.get(int(query.data.split(":")[part]))
        found = _works_here(context.services, side, case)
        if found is not None:
            return side, found
    await query.answer((await translator_for(update, context))("fallback.stale_button"))
    return None


def _picker(rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in rows]
    )


async def open_picker(update: Update, context: HelplineContext) -> None:
    """ "Quick answer…", "Refer…", "Pass to…": a list under the card to choose from."""
    query = update.callback_query
    pressed = await _pressed_case(update, context, 2)
    if pressed is None or query is None or query.message is None:
        return
    side, case = pressed
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
            for index, r in _referrals_here(services, side, case)
        ]
        title, empty = "staff_tools.pick_referral", "staff_tools.no_referrals"
    else:
        colleagues = await _colleagues(services, side, case)
        rows = [(name, f"tp:{case.id}:{uid}") for uid, name in colleagues]
        title, empty = "staff_tools.pick_colleague", "staff_tools.no_colleagues"
    await query.answer()
    if not rows:
        posted = await query.message.reply_text(tr(empty, code=case.code))  # type: ignore[attr-defined]
    else:
        posted = await query.message.reply_text(  # type: ignore[attr-defined]
            tr(title, code=case.code), reply_markup=_picker(rows)
        )
    await services.cases.remember_group_message(posted.chat_id, posted.message_id, case, "tool")


def _referrals_here(services: Services, side: StaffSide, case: Case) -> list[tuple[int, Referral]]:
    """The referrals for the case's centre, with their place in the config (the button's
    data); with one centre, every one of them."""
    referrals = services.settings.referrals
    if not services.cases.staff_sides.several:
        return list(enumerate(referrals))
    center_id = case.center_id or side.center_id
    return [(i, r) for i, r in enumerate(referrals) if not r.centers or center_id in r.centers]


async def _colleagues(services: Services, side: StaffSide, case: Case) -> list[tuple[int, str]]:
    """Known staff of this centre still in its group, but the case's owner: its rota,
    backups and admins, those on /duty here and everyone who took one of its cases."""
    staff = side.staff
    known = [entry.user_id for entry in staff.duty]
    known += list(staff.backup_ids) + sorted(staff.admin_ids)
    known += [
        entry.user_id
        for entry in await services.cases.manual_duty()
        if side.is_ours(entry.center_id)
    ]
    known += await services.cases.staff_tools.staff_who_took_cases(side)
    found = []
    for user_id in dict.fromkeys(known):
        if user_id == case.taken_by or not await services.staff.is_member(user_id, side.chat_id):
            continue
        found.append((user_id, await side.name_of(user_id)))
    return found


async def choose_from_picker(update: Update, context: HelplineContext) -> None:
    """A quick answer, a referral or a colleague chosen: done, and the picker says so."""
    query = update.callback_query
    staff = update.effective_user
    pressed = await _pressed_case(update, context, 1)
    if pressed is None or query is None or query.data is None or staff is None:
        return
    side, case = pressed
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
            side,
            case,
            staff_id=staff.id,
            staff_name=staff.first_name,
            text_in=lambda language: escape(quick.text.get(language)),
            action="quick_reply",
            detail=quick.id,
        )
    elif kind == "tr":
        referral = dict(_referrals_here(services, side, case)).get(int(choice))
        if referral is None:
            await query.answer(tr("fallback.stale_button"))
            return
        await tools.send_prepared(
            side,
            case,
            staff_id=staff.id,
            staff_name=staff.first_name,
            text_in=lambda language: render_referral(services.tr(language), referral),
            action="referral",
            detail=referral.kind,
        )
    else:
        to_id = int(choice)
        if to_id == case.taken_by or not await services.staff.is_member(to_id, side.chat_id):
            await query.answer(tr("fallback.stale_button"))
            return
        name = await side.name_of(to_id)
        if not await tools.hand_over(side, case, from_id=staff.id, to_id=to_id, to_name=name):
            await query.answer(tr("staff_tools.not_taken", code=case.code))
            return
    await query.answer(tr("staff_tools.done"))
    await query.edit_message_reply_markup(None)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    group = staff_groups(settings)
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
