"""/health in the staff group (admins): is the alert path sound right now?

Polling (when the last update came), the outbox backlog by kind and its oldest age, who
is on duty at the group's centre and whether the bot can write to them, the bot's rights in
that group, the last backup, the database size and the version.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from importlib import metadata
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, TypeHandler, filters

from bot.alert_path import staff_group_problems
from bot.cases.staff_side import StaffSide
from bot.config import Settings
from bot.context import HelplineContext, Services
from bot.i18n import Translator
from handlers.staff.gate import region_member, staff_center, staff_groups
from storage.outbox_health import pending_backlog, refused_chat

# People remembered in `Services.heard_from`; the oldest are forgotten first (a colleague
# forgotten shows as unreachable again only if their last DM was refused: the safe side).
HEARD_FROM_MAX = 2000


async def note_update_time(update: Update, context: HelplineContext) -> None:
    with contextlib.suppress(RuntimeError):  # before post_init: nothing to note into
        services = context.services
        now = services.clock.now()
        services.last_update_at = now
        chat, user = update.effective_chat, update.effective_user
        if chat is not None and user is not None and chat.type == chat.PRIVATE:
            heard = services.heard_from
            heard.pop(user.id, None)
            heard[user.id] = now
            while len(heard) > HEARD_FROM_MAX:
                del heard[next(iter(heard))]


async def show_health(update: Update, context: HelplineContext) -> None:
    services = context.services
    message = update.effective_message
    if message is None:
        return
    tr = services.tr(services.settings.general.default_language)
    now = services.clock.now()
    lines = [tr("health.title"), _polling(tr, services, now), *await _outbox(tr, services, now)]
    # An admin of the centre whose group it is: its own rota and its own group's rights.
    side = await staff_center(update, services, admin=True)
    if side is not None:
        lines += await _duty(tr, services, side)
        lines.append(await _group(tr, services, side))
    elif await region_member(update, services, admin=True):
        # The region group: every centre's group, one line each (each rota is its own).
        sides = services.cases.staff_sides
        for each in sides.all:
            group = await _group(tr, services, each)
            lines.append(
                tr("health.center_group", center=sides.center_name(each.center_id), group=group)
            )
    else:
        return
    lines += [_backup(tr, services), _database(tr, services), _version(tr)]
    await message.reply_text("\n".join(lines))


def _ago(tr: Translator, since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 120:
        return tr("health.seconds", count=seconds)
    return tr("health.minutes", count=seconds // 60)


def _polling(tr: Translator, services: Services, now: datetime) -> str:
    last = services.last_update_at
    if last is None:
        return tr("health.polling_none")
    return tr("health.polling", ago=_ago(tr, last, now))


async def _outbox(tr: Translator, services: Services, now: datetime) -> list[str]:
    backlog = await pending_backlog(services.db)
    if not backlog:
        return [tr("health.outbox_empty")]
    lines = [tr("health.outbox", count=sum(b.count for b in backlog))]
    lines += [
        tr("health.outbox_kind", kind=b.purpose, count=b.count, ago=_ago(tr, b.oldest, now))
        for b in backlog
    ]
    return lines


async def _duty(tr: Translator, services: Services, side: StaffSide) -> list[str]:
    on_duty = await side.on_duty_now()
    lines = []
    for key, people in (("health.on_duty", on_duty), ("health.backups", side.backup_ids)):
        if not people:
            lines.append(tr(key, people=tr("health.nobody")))
            continue
        names = []
        for user_id in people:
            mark = await _reachability(tr, services, user_id)
            names.append(f"{await side.name_of(user_id)} {mark}")
        lines.append(tr(key, people=", ".join(names)))
    return lines


async def _reachability(tr: Translator, services: Services, user_id: int) -> str:
    """What the bot knows first: its last direct message to them refused for good (they
    blocked the bot, the account is gone, no such chat), unless they wrote to the bot
    since; a DM delivered since clears it too. Else Telegram's getChat, which knows who
    never pressed Start but not who blocked the bot later."""
    refused = await refused_chat(services.db, user_id)
    heard = services.heard_from.get(user_id)
    if refused is not None and (heard is None or heard <= refused.at):
        return tr(_refusal_key(refused.error))
    return "✅" if await _reachable(services, user_id) else tr("health.unreachable")


def _refusal_key(error: str) -> str:
    if "blocked" in error:
        return "health.unreachable_blocked"
    if "deactivated" in error:
        return "health.unreachable_deleted"
    if "initiate" in error:
        return "health.unreachable"
    return "health.unreachable_no_chat"


async def _reachable(services: Services, user_id: int) -> bool:
    """Whether Telegram knows the chat (someone who never pressed Start is unknown to it)."""
    try:
        await services.bot.get_chat(user_id)
    except TelegramError:
        return False
    return True


async def _group(tr: Translator, services: Services, side: StaffSide) -> str:
    problems = await staff_group_problems(services.bot, side.chat_id, side.is_forum)
    if problems is None:
        return tr("health.group_unknown")
    if not problems:
        return tr("health.group_ok")
    return tr("health.group_problems", problems=", ".join(problems))


def _backup(tr: Translator, services: Services) -> str:
    backup = services.settings.backup
    if backup is None:
        return tr("health.backup_none")
    copies = sorted(
        (p for p in Path(backup.dir).glob("*") if p.is_file()), key=lambda p: p.stat().st_mtime
    )
    if not copies:
        return tr("health.backup_not_yet")
    made = datetime.fromtimestamp(copies[-1].stat().st_mtime, tz=services.clock.now().tzinfo)
    return tr("health.backup", ago=_ago(tr, made, services.clock.now()))


def _database(tr: Translator, services: Services) -> str:
    path = Path(services.settings.storage.path)
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return tr("health.database", size=f"{size / 1_000_000:.1f}")


def _version(tr: Translator) -> str:
    try:
        version = metadata.version("helpline-bot")
    except metadata.PackageNotFoundError:
        version = "?"
    return tr("health.version", version=version)


def build_early_handlers() -> list[BaseHandler[Update, HelplineContext, None]]:
    return [TypeHandler(Update, note_update_time)]


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    groups = staff_groups(settings)
    if settings.telegram.region_chat_id is not None:
        groups = filters.Chat(chat_id=[*groups.chat_ids, settings.telegram.region_chat_id])
    return [CommandHandler("health", show_health, filters=groups)]


__all__ = ["build_early_handlers", "build_handlers"]
