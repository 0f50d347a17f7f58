"""/stats in the staff group: a month's figures as text with a bar chart; CSV for admins.

Members of the staff group see the figures (they are anonymous counts). The CSV export
goes only to an admin (`telegram.admin_ids`), in a private chat, never into the group.
"""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.config import Settings
from bot.context import HelplineContext, Services
from bot.domain.stats import (
    MonthlyFigures,
    bar,
    figures_csv,
    month_bounds,
    monthly_figures,
    previous_month,
)
from bot.i18n import Translator
from handlers.staff.gate import staff_member

logger = logging.getLogger(__name__)

MONTH_PREFIX = "stats:m:"
CSV_PREFIX = "stats:csv:"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _parse_month(text: str) -> date | None:
    match = _MONTH.match(text.strip())
    # Years outside these bounds are typos, and would overflow the month arithmetic.
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _this_month(services: Services) -> date:
    return services.clock.now().astimezone(services.settings.general.timezone).date().replace(day=1)


def render(figures: MonthlyFigures, tr: Translator, services: Services) -> str:
    lines = [tr("stats.title", month=figures.month.strftime("%Y-%m"))]
    lines.append(tr("stats.cases", count=figures.cases, urgent=figures.urgent))
    largest = max(figures.by_category.values(), default=0)
    for category, count in sorted(figures.by_category.items(), key=lambda item: -item[1]):
        lines.append(
            tr("stats.line", bar=bar(count, largest), label=tr(f"category.{category}"), count=count)
        )
    if figures.median_minutes_to_take is None:
        lines.append(tr("stats.none_taken"))
    else:
        urgent = figures.median_minutes_to_take_urgent
        lines.append(
            tr(
                "stats.taken",
                taken=figures.taken,
                median=round(figures.median_minutes_to_take),
                worst=round(figures.worst_minutes_to_take or 0),
                urgent_median="—" if urgent is None else round(urgent),
            )
        )
    lines.append(
        tr(
            "stats.appointments",
            count=figures.appointments,
            cancelled=figures.cancelled,
            came=figures.came,
            no_shows=figures.no_shows,
        )
    )
    largest = max(figures.by_service.values(), default=0)
    for service_id, count in sorted(figures.by_service.items(), key=lambda item: -item[1]):
        service = services.settings.service(service_id)
        label = service.name.get(tr.language) if service else service_id
        lines.append(tr("stats.line", bar=bar(count, largest), label=label, count=count))
    return "\n".join(lines)


def _keyboard(tr: Translator, month: date) -> InlineKeyboardMarkup:
    earlier = previous_month(month)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr("stats.previous", month=earlier.strftime("%Y-%m")),
                    callback_data=f"{MONTH_PREFIX}{earlier:%Y-%m}",
                ),
                InlineKeyboardButton(tr("stats.csv"), callback_data=f"{CSV_PREFIX}{month:%Y-%m}"),
            ]
        ]
    )


async def _figures(services: Services, month: date) -> MonthlyFigures:
    start, end = month_bounds(month, services.settings.general.timezone)
    cases = await services.stats.case_facts(start, end)
    appointments = await services.stats.appointment_facts(start, end)
    return monthly_figures(month, cases, appointments)


async def show_stats(update: Update, context: HelplineContext) -> None:
    """/stats [YYYY-MM]: the month's figures (this month by default)."""
    services = context.services
    if not await staff_member(update, services) or update.effective_message is None:
        return
    tr = services.tr(services.settings.general.default_language)
    month = _this_month(services)
    if context.args:
        parsed = _parse_month(context.args[0])
        if parsed is None:
            await update.effective_message.reply_text(tr("stats.usage"))
            return
        month = parsed
    figures = await _figures(services, month)
    await update.effective_message.reply_text(
        render(figures, tr, services), reply_markup=_keyboard(tr, month)
    )


async def show_month(update: Update, context: HelplineContext) -> None:
    """The "previous month" button: the same message, another month."""
    query = update.callback_query
    services = context.services
    assert query is not None and query.data is not None
    if not await staff_member(update, services):
        await query.answer()
        return
    month = _parse_month(query.data.removeprefix(MONTH_PREFIX))
    tr = services.tr(services.settings.general.default_language)
    if month is None:
        await query.answer(tr("fallback.stale_button"))
        return
    await query.answer()
    figures = await _figures(services, month)
    # A double tap finds the month already shown: that is not an error.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(
            render(figures, tr, services), reply_markup=_keyboard(tr, month)
        )


async def export_csv(update: Update, context: HelplineContext) -> None:
    """The CSV button: admins get the month's anonymous rows in a private chat."""
    query = update.callback_query
    services = context.services
    user = update.effective_user
    assert query is not None and query.data is not None
    if user is None or not await staff_member(update, services, admin=True):
        await query.answer()  # nothing, not even "you may not"
        return
    tr = services.tr(services.settings.general.default_language)
    month = _parse_month(query.data.removeprefix(CSV_PREFIX))
    if month is None:
        await query.answer(tr("fallback.stale_button"))
        return
    start, end = month_bounds(month, services.settings.general.timezone)
    cases = await services.stats.case_facts(start, end)
    appointments = await services.stats.appointment_facts(start, end)
    data = figures_csv(cases, appointments, services.settings.general.timezone)
    # Recorded before it leaves: an export that happened is never missing from the log.
    await services.audit.record(
        at=services.clock.now(), actor_id=user.id, action="export", detail=f"{month:%Y-%m}"
    )
    try:
        await services.bot.send_document(
            chat_id=user.id,
            document=data.encode("utf-8"),
            filename=f"helpline-{month:%Y-%m}.csv",
            caption=tr("stats.csv_caption", month=f"{month:%Y-%m}"),
        )
    except Forbidden:
        await query.answer(tr("stats.csv_start_first"), show_alert=True)
        return
    await query.answer(tr("stats.csv_sent"))
    logger.info("figures exported")


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    staff_group = filters.Chat(chat_id=settings.telegram.staff_chat_id)
    return [
        CommandHandler("stats", show_stats, filters=staff_group),
        CallbackQueryHandler(show_month, pattern=f"^{MONTH_PREFIX}"),
        CallbackQueryHandler(export_csv, pattern=f"^{CSV_PREFIX}"),
    ]
