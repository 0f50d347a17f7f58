"""The one staff gate: who may use a staff command or press a staff button, and for which
centre (each centre's staff group works that centre's cases and appointments only)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters

from bot.cases.staff_side import StaffSide
from bot.config import Settings
from bot.context import Services


def staff_groups(settings: Settings) -> filters.Chat:
    """Every centre's staff group, for a handler's filter."""
    groups = {side.staff_chat_id for side in settings.staff_sides}
    return filters.Chat(chat_id=sorted(groups or {settings.telegram.staff_chat_id}))


async def staff_center(
    update: Update, services: Services, *, admin: bool = False
) -> StaffSide | None:
    """The centre whose staff group the update comes from, when its sender is a member of
    that group (and an admin of that centre, with `admin`); else None, and the caller does
    nothing at all.

    The chat is checked here too, not only by the handler's filter: a button's data can
    be forged in any chat, and a member pressing it elsewhere must change nothing."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or user.is_bot:
        return None
    side = services.cases.staff_sides.of_chat(chat.id)
    if side is None:
        return None
    if admin and not services.staff.is_admin(user.id, chat.id):
        return None
    return side if await services.staff.is_member(user.id, chat.id) else None


async def region_member(update: Update, services: Services, *, admin: bool = False) -> bool:
    """True when the update comes from the region group and its sender is in it (and, with
    `admin`, an admin of some centre)."""
    region = services.settings.telegram.region_chat_id
    chat, user = update.effective_chat, update.effective_user
    if region is None or chat is None or user is None or chat.id != region or user.is_bot:
        return False
    if admin and not services.staff.is_admin(user.id):
        return False
    return await services.staff.is_member(user.id, region)


async def staff_member(update: Update, services: Services, *, admin: bool = False) -> bool:
    """True when the update comes from a staff group and its sender is a member of it."""
    return await staff_center(update, services, admin=admin) is not None
