"""/audit CODE in the staff group: a case's or appointment's history, for admins only.

Anyone else gets no answer at all: the command's existence is not confirmed to them.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler

from bot.cases.staff_side import StaffSide
from bot.config import Settings
from bot.context import HelplineContext, Services
from bot.domain.codes import parse_code
from handlers.staff.gate import staff_center, staff_groups

logger = logging.getLogger(__name__)


async def show_audit(update: Update, context: HelplineContext) -> None:
    """Lists who did what to the case or appointment named by the code, and when."""
    services = context.services
    user = update.effective_user
    message = update.effective_message
    side = await staff_center(update, services, admin=True)
    if user is None or message is None or side is None:
        return
    tr = services.tr(services.settings.staff_language)
    code = parse_code(" ".join(context.args or []))
    if code is None:
        await message.reply_text(tr("audit.usage"))
        return
    # Another centre's case or appointment is as unknown here as a code never given.
    entries = await services.audit.for_subject(code) if await _ours(services, side, code) else []
    await services.audit.record(
        at=services.clock.now(), actor_id=user.id, action="audit", subject=code
    )
    if not entries:
        await message.reply_text(tr("audit.empty", code=code))
        return
    zone = services.settings.general.timezone
    names: dict[int, str] = {}
    lines = [tr("audit.title", code=code)]
    for entry in entries:
        if entry.actor_id not in names:
            names[entry.actor_id] = await _staff_name(context, message.chat_id, entry.actor_id)
        lines.append(
            tr(
                "audit.line",
                at=entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                who=names[entry.actor_id],
                action=entry.action,
                detail=entry.detail or "",
            ).rstrip(" ·")
        )
    await message.reply_text("\n".join(lines))


async def _ours(services: Services, side: StaffSide, code: str) -> bool:
    case = await services.cases.by_code(code)
    if case is not None:
        return side in services.cases.staff_sides.of(case)
    appointment = await services.appointments.store.by_code(code)
    if appointment is not None:
        return services.cases.staff_sides.of_center(appointment.center_id) is side
    return True  # nothing left of it but its history (erased): the code itself is the key


async def _staff_name(context: HelplineContext, chat_id: int, user_id: int) -> str:
    """The name as the group asking knows it (each centre has its own group)."""
    services = context.services
    try:
        member = await services.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return str(user_id)
    return f"{member.user.full_name} ({user_id})"


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    staff_group = staff_groups(settings)
    return [CommandHandler("audit", show_audit, filters=staff_group)]
