"""The staff group's side: "I take it", replies relayed to the user, duty, close, block.

Everything here works only in a centre's staff group, on that centre's cases, and only for
its members (asked of Telegram, cached a minute); for anyone else nothing happens and
nothing is revealed, not even that the command exists. A reply to a case card, to the
bot's repost or relay of that case in the group, or anything written in the case's forum
topic goes to the user as "Psychologist:", never with a name. A reply to a notice (which
may name a colleague) or to a colleague's answer is staff talk and stays in the group.
Button data carries a case's row id only, and every press is checked against the database.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.cases import Case
from bot.cases.cards import centers_keyboard
from bot.cases.outgoing import CARD_KINDS
from bot.cases.staff_actions import TakeOutcome
from bot.cases.staff_side import StaffSide
from bot.config import Settings
from bot.context import HelplineContext, Services
from bot.domain.codes import CODE_RE, parse_code
from bot.i18n import Translator
from handlers.common import relayable_content, reply, translator_for
from handlers.staff.gate import staff_center, staff_groups, staff_member

logger = logging.getLogger(__name__)


def _tr(context: HelplineContext) -> Translator:
    return context.services.cases.staff_sides.tr


def _works_here(services: Services, side: StaffSide, case: Case) -> bool:
    """A group acts only on its own centre's cases (and on one no centre has taken yet)."""
    return side in services.cases.staff_sides.of(case)


# A reply to these goes to the user; a reply to a notice (which may name a colleague) or
# to a colleague's own answer is staff talk, and never reaches the user.
_TO_USER_KINDS = frozenset({*CARD_KINDS, "relay"})


async def _case_of(services: Services, message: Message, *, to_user: bool = False) -> Case | None:
    """The case a staff message belongs to: its forum topic, or the message it replies to.

    With `to_user`, a reply to a notice or to a colleague's answer belongs to no case.
    """
    replied = message.reply_to_message
    # Only messages linked to the case count: a bot message that merely mentions a code
    # (the /audit output, a notice not linked yet) is staff talk and never reaches the user.
    linked = (
        await services.cases.staff_message_link(message.chat.id, replied.message_id)
        if replied is not None
        else None
    )
    if to_user and linked is not None and linked[1] not in _TO_USER_KINDS:
        return None
    if message.is_topic_message and message.message_thread_id is not None:
        # Topic ids are numbered per group: another centre's topic of the same number is
        # not this one.
        side = services.cases.staff_sides.of_chat(message.chat.id)
        for case in await services.cases.by_topic(message.message_thread_id):
            if side is None or _works_here(services, side, case):
                return case
    return linked[0] if linked is not None else None


# For the other staff tools on a case (handlers/staff/case_tools.py).
case_of = _case_of


async def _is_staff_talk(services: Services, message: Message) -> bool:
    """A reply to a bot message with a case code, or to any message linked to a case,
    that is not (yet) a way to the user: staff are told how to reach the user."""
    replied = message.reply_to_message
    if replied is None:
        return False
    if await services.cases.staff_message_link(message.chat.id, replied.message_id):
        return True
    return _mentions_a_case(services, message)


def _mentions_a_case(services: Services, message: Message) -> bool:
    """A reply to a bot message with a case code that is not (yet) linked to the case."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != services.bot.id:
        return False
    return CODE_RE.search(replied.text or replied.caption or "") is not None


async def _case_from_command(update: Update, context: HelplineContext) -> Case | None:
    """A case of this group's centre named by `CODE` after the command, else the case the
    command replies to; another centre's case is as unknown here as a wrong code."""
    services = context.services
    if context.args:
        code = parse_code(" ".join(context.args))
        case = await services.cases.by_code(code) if code else None
    else:
        message = update.effective_message
        case = await _case_of(services, message) if message is not None else None
    chat = update.effective_chat
    side = services.cases.staff_sides.of_chat(chat.id) if chat is not None else None
    if case is None or side is None or not _works_here(services, side, case):
        return None
    return case


def _no_case(context: HelplineContext, tr: Translator, command: str) -> str:
    """A code that names no case is said to be unknown; no code at all gets the usage."""
    if context.args:
        return tr("staff.no_such_case", code=" ".join(context.args)[:20])
    return tr("staff.which_case", command=command)


# ------------------------------------------------------------------------------ buttons


async def take_and_answer(
    query: CallbackQuery, services: Services, side: StaffSide, case: Case
) -> TakeOutcome:
    """Takes the case ("I take it" on its card or on a list of urgent cases) and says in
    the pop-up how it went."""
    tr = services.cases.staff_sides.tr
    staff = query.from_user
    outcome = await services.cases.staff_actions.take(
        case, staff.id, staff.first_name, chat_id=side.chat_id
    )
    if outcome == "taken":
        await query.answer(tr("staff.you_took", code=case.code))
    elif outcome == "already":
        fresh = await services.cases.get(case.id)
        name = fresh.taken_by_name if fresh and fresh.taken_by_name else "?"
        await query.answer(tr("staff.already_taken", code=case.code, name=name))
    else:
        await query.answer(tr("staff.already_closed", code=case.code))
    return outcome


async def press_case_button(update: Update, context: HelplineContext) -> None:
    """take / close / block / hand over: checked against the database; a stale press (or one
    in another centre's group) changes nothing."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.services
    tr = _tr(context)
    case = None
    side = await staff_center(update, context.services)
    if side is not None:
        case = await services.cases.get(int(query.data.split(":")[2]))
        if case is not None and not _works_here(services, side, case):
            case = None
    if case is None or side is None:
        # To anyone else the button is as dead as any forged one: nothing is revealed.
        await query.answer((await translator_for(update, context))("fallback.stale_button"))
        return
    action = query.data.split(":")[1]
    staff = update.effective_user
    assert staff is not None
    if action == "take":
        await take_and_answer(query, services, side, case)
    elif action == "close":
        closed = await services.cases.staff_actions.close(case, staff.id, staff.first_name)
        await query.answer(
            tr("staff.closed_short" if closed else "staff.already_closed", code=case.code)
        )
    elif action == "block":
        await services.cases.staff_actions.set_blocked(case, staff.id, True)
        await query.answer(tr("staff.blocked_short", code=case.code))
    elif action == "hand":
        await _offer_centers(update, services, side, case)
    elif action == "to":
        await _hand_over(update, services, case, query.data.split(":")[3])
    else:
        await query.answer()


async def _offer_centers(update: Update, services: Services, side: StaffSide, case: Case) -> None:
    """The list of the other centres, under the card."""
    query = update.callback_query
    assert query is not None
    sides = services.cases.staff_sides
    centers = [
        (other.center_id, sides.center_name(other.center_id))
        for other in sides.others(side.center_id)
    ]
    await query.answer()
    message = update.effective_message
    if message is not None and centers:
        posted = await message.reply_text(
            sides.tr("staff.hand_over_to", code=case.code),
            reply_markup=centers_keyboard(sides.tr, case, centers),
        )
        await services.cases.remember_group_message(posted.chat_id, posted.message_id, case, "tool")


async def _hand_over(update: Update, services: Services, case: Case, center_id: str) -> None:
    query = update.callback_query
    staff = update.effective_user
    assert query is not None and staff is not None
    sides = services.cases.staff_sides
    moved = await services.cases.staff_actions.hand_over(case, staff.id, center_id)
    name = sides.center_name(center_id)
    key = "staff.handed_over_short" if moved else "staff.not_handed_over"
    await query.answer(sides.tr(key, code=case.code, center=name))
    if moved and update.effective_message is not None:
        # The list of centres is spent: it goes, so nobody hands the case on twice.
        await update.effective_message.edit_reply_markup(None)


# ----------------------------------------------------------------------------- messages


async def staff_message(update: Update, context: HelplineContext) -> None:
    """A staff message in a case's thread or topic goes to the user as the psychologist."""
    message = update.effective_message
    staff = update.effective_user
    if message is None or staff is None:
        return
    services = context.services
    case = await _case_of(services, message, to_user=True)
    if case is None:
        # Perhaps meant for a user: say how to reach them, and send nothing anywhere.
        if await _is_staff_talk(services, message) and await staff_member(update, context.services):
            await message.reply_text(_tr(context)("staff.reply_to_card"))
        return
    # Ordinary talk among staff is none of the bot's business; non-members get nothing.
    side = await staff_center(update, context.services)
    if side is None:
        return
    tr = _tr(context)
    if not _works_here(services, side, case):
        # Handed to another centre: its staff answer now, this group no longer.
        name = services.cases.staff_sides.center_name(case.center_id)
        await message.reply_text(tr("staff.case_elsewhere", code=case.code, center=name))
        return
    if not case.is_open:
        await message.reply_text(tr("staff.case_closed_not_sent", code=case.code))
        return
    if case.user_id is None:
        await message.reply_text(tr("staff.user_forgotten", code=case.code))
        return
    content = relayable_content(message)
    if content is None:
        await message.reply_text(tr("staff.cannot_relay"))
        return
    kind, body, file_id = content
    await services.cases.relay.relay_staff_message(
        case,
        staff_id=staff.id,
        staff_name=staff.first_name,
        chat_id=message.chat.id,
        message_id=message.message_id,
        kind=kind,
        body=body,
        file_id=file_id,
    )


async def staff_edit(update: Update, context: HelplineContext) -> None:
    """An edited reply is not sent again: staff are told to send a new message."""
    message = update.effective_message
    if message is None:
        return
    case = await _case_of(context.services, message, to_user=True)
    if case is None or not await staff_member(update, context.services):
        return
    await message.reply_text(_tr(context)("staff.edit_not_sent"))


# ----------------------------------------------------------------------------- commands


async def duty(update: Update, context: HelplineContext) -> None:
    """/duty takes the shift now, for the centre of the group it is sent in; /duty off hands
    it back."""
    side = await staff_center(update, context.services)
    if side is None:
        return
    services = context.services
    staff = update.effective_user
    assert staff is not None
    tr = _tr(context)
    args = context.args or []
    off = bool(args) and args[0].lower() in ("off", "выкл", "өшіру")
    had = await services.cases.staff_actions.set_duty(
        staff.id, staff.first_name, on=not off, center_id=side.center_id
    )
    if off:
        await reply(
            update, tr("staff.duty_off" if had else "staff.duty_was_off", name=staff.first_name)
        )
        return
    until = services.clock.now() + services.settings.urgent.manual_duty_max
    local = until.astimezone(services.settings.general.timezone)
    await reply(
        update, tr("staff.duty_on", name=staff.first_name, until=local.strftime("%d.%m %H:%M"))
    )


async def on_duty(update: Update, context: HelplineContext) -> None:
    """/onduty: who gets this centre's urgent alerts now (by /duty, then the rota), and its
    backups."""
    side = await staff_center(update, context.services)
    if side is None:
        return
    tr = _tr(context)
    people, backups = await side.on_duty_names()
    backup_text = ", ".join(backups) or "—"
    if people:
        await reply(update, tr("staff.on_duty", names=", ".join(people), backups=backup_text))
    else:
        await reply(update, tr("staff.nobody_on_duty", backups=backup_text))


async def close_command(update: Update, context: HelplineContext) -> None:
    """/close as a reply to a case (or /close CODE): closes it and tells the user kindly."""
    if not await staff_member(update, context.services):
        return
    tr = _tr(context)
    case = await _case_from_command(update, context)
    if case is None:
        await reply(update, _no_case(context, tr, "/close"))
        return
    staff = update.effective_user
    assert staff is not None
    if not await context.services.cases.staff_actions.close(case, staff.id, staff.first_name):
        await reply(update, tr("staff.already_closed", code=case.code))


async def block_command(update: Update, context: HelplineContext) -> None:
    """/block as a reply to a case: the person's messages stop reaching staff."""
    if not await staff_member(update, context.services):
        return
    tr = _tr(context)
    case = await _case_from_command(update, context)
    if case is None:
        await reply(update, _no_case(context, tr, "/block"))
        return
    staff = update.effective_user
    assert staff is not None
    await context.services.cases.staff_actions.set_blocked(case, staff.id, True)


async def unblock_command(update: Update, context: HelplineContext) -> None:
    """/unblock CODE: the person's messages reach staff again."""
    if not await staff_member(update, context.services):
        return
    tr = _tr(context)
    case = await _case_from_command(update, context)
    if case is None:
        await reply(update, _no_case(context, tr, "/unblock"))
        return
    staff = update.effective_user
    assert staff is not None
    await context.services.cases.staff_actions.set_blocked(case, staff.id, False)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    group = staff_groups(settings)
    new_messages = filters.UpdateType.MESSAGE
    return [
        CallbackQueryHandler(
            press_case_button,
            pattern=r"^case:((take|close|block|hand):\d{1,18}|to:\d{1,18}:[A-Za-z0-9_-]{1,32})$",
        ),
        CommandHandler("duty", duty, filters=group),
        CommandHandler("onduty", on_duty, filters=group),
        CommandHandler("close", close_command, filters=group),
        CommandHandler("block", block_command, filters=group),
        CommandHandler("unblock", unblock_command, filters=group),
        MessageHandler(
            group & new_messages & ~filters.COMMAND & ~filters.StatusUpdate.ALL, staff_message
        ),
        MessageHandler(group & filters.UpdateType.EDITED_MESSAGE, staff_edit),
    ]
