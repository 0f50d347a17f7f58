"""The one staff gate: who may use a staff command or press a staff button."""

from __future__ import annotations

from telegram import Update

from bot.context import Services


async def staff_member(update: Update, services: Services, *, admin: bool = False) -> bool:
    """True when the update comes from the staff group and its sender is a member of it
    (and an admin, with `admin`). Otherwise the caller does nothing at all.

    The chat is checked here too, not only by the handler's filter: a button's data can
    be forged in any chat, and a member pressing it elsewhere must change nothing."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or user.is_bot:
        return False
    if chat.id != services.settings.telegram.staff_chat_id:
        return False
    if admin and not services.staff.is_admin(user.id):
        return False
    return await services.staff.is_member(user.id)
