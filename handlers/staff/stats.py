"""/stats in the staff group: a month's or a year's figures as text and as a chart image;
a CSV and an Excel report for admins.

Members of the staff group see the figures (they are anonymous counts). The exports go
only to an admin (`telegram.admin_ids`), in a private chat, never into the group.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.config import Settings
from bot.context import HelplineContext, Services
from bot.domain.stats import AppointmentFact, CaseFact, MonthlyFigures, bar, figures_csv
from bot.i18n import Translator
from bot.reports.figures import (
    FeedbackFact,
    ReportFigures,
    figures_of_counts,
    month_starts,
    report_figures,
)
from bot.reports.period import Period, parse_period
from bot.reports.workbook import ReportContext, workbook_layout
from handlers.staff.gate import region_member, staff_center, staff_groups

logger = logging.getLogger(__name__)

MONTH_PREFIX = "stats:m:"
CSV_PREFIX = "stats:csv:"


def _this_month(services: Services) -> Period:
    today = services.clock.now().astimezone(services.settings.general.timezone).date()
    return Period(today.year, today.month)


def render(figures: MonthlyFigures, tr: Translator, services: Services, period: Period) -> str:
    lines = [tr("stats.title", month=period.label)]
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


async def _feedback_facts(services: Services, period: Period) -> list[FeedbackFact]:
    start, end = period.bounds(services.settings.general.timezone)
    return await services.feedback.facts(start, end)


def _keyboard(tr: Translator, period: Period) -> InlineKeyboardMarkup:
    earlier = period.previous()
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr("stats.previous", month=earlier.label),
                    callback_data=f"{MONTH_PREFIX}{earlier.label}",
                ),
                InlineKeyboardButton(tr("stats.csv"), callback_data=f"{CSV_PREFIX}{period.label}"),
            ]
        ]
    )


async def _facts(
    services: Services, period: Period, center_id: str | None = None
) -> tuple[list[CaseFact], list[AppointmentFact]]:
    """The period's facts; with `center_id` in a region of several centres, its own only."""
    start, end = period.bounds(services.settings.general.timezone)
    cases = await services.stats.case_facts(start, end)
    appointments = await services.stats.appointment_facts(start, end)
    if center_id is not None and len(services.settings.centers) > 1:
        cases = [c for c in cases if c.center_id == center_id]
        appointments = [a for a in appointments if a.center_id == center_id]
    return cases, appointments


async def _center_of(update: Update, services: Services, *, admin: bool = False) -> str | None:
    side = await staff_center(update, services, admin=admin)
    return side.center_id if side is not None else None


def _report_figures(
    services: Services,
    period: Period,
    tr: Translator,
    cases: Sequence[CaseFact],
    appointments: Sequence[AppointmentFact],
    feedback: Sequence[FeedbackFact],
) -> ReportFigures:
    return report_figures(
        period,
        cases,
        appointments,
        feedback,
        tz=services.settings.general.timezone,
        service_labels=_service_labels(services, tr),
    )


async def _counted_figures(
    services: Services,
    period: Period,
    tr: Translator,
    center_id: str | None = None,
    *,
    with_feedback: bool = True,
) -> ReportFigures:
    """The period's figures counted in SQL: a year of a busy region is some 40,000 facts,
    too many to load one by one for a command (the exports still need them as rows). With
    `center_id` in a region of several centres, that centre's own only."""
    tz = services.settings.general.timezone
    start, end = period.bounds(tz)
    own = center_id if len(services.settings.centers) > 1 else None
    counts = await services.stats.counts(start, end, month_starts(period, tz), own)
    # Feedback answers are still read one by one: far fewer than cases and appointments.
    # They are anonymous and belong to no centre: each centre's figures show them all.
    feedback = await _feedback_facts(services, period) if with_feedback else []
    return figures_of_counts(period, counts, feedback, service_labels=_service_labels(services, tr))


def _service_labels(services: Services, tr: Translator) -> dict[str, str]:
    return {s.id: s.name.get(tr.language) for s in services.settings.services}


async def _show(
    message: Message,
    services: Services,
    period: Period,
    *,
    edit: bool,
    center_id: str | None = None,
) -> None:
    """The figures as text (a new message, or the pressed one redrawn), then the chart."""
    tr = services.tr(services.settings.staff_language)
    figures = await _counted_figures(services, period, tr, center_id)
    text = render(figures.totals, tr, services, period)
    if edit:
        try:
            await message.edit_text(text, reply_markup=_keyboard(tr, period))
        except TelegramError:
            # A double tap finds the period already shown: no second chart either.
            return
    else:
        await message.reply_text(text, reply_markup=_keyboard(tr, period))
    # A year's chart takes seconds of CPU: in a worker process, a /sos meanwhile goes on.
    image = await services.drawing.chart(figures, tr.language)
    await message.reply_photo(
        image, caption=tr("report.chart.caption", period=period.label), do_quote=False
    )


async def show_stats(update: Update, context: HelplineContext) -> None:
    """/stats [YYYY-MM | YYYY]: a month's or a year's figures (this month by default)."""
    services = context.services
    if update.effective_message is None:
        return
    region = await region_member(update, services)
    side = None if region else await staff_center(update, services)
    if side is None and not region:
        return
    tr = services.tr(services.settings.staff_language)
    period = _this_month(services)
    if context.args:
        parsed = parse_period(context.args[0]) if len(context.args) == 1 else None
        if parsed is None:
            await update.effective_message.reply_text(tr("stats.usage"))
            return
        period = parsed
    if region:
        await _show_region(update.effective_message, services, period)
        return
    assert side is not None
    await _show(update.effective_message, services, period, edit=False, center_id=side.center_id)


async def _show_region(message: Message, services: Services, period: Period) -> None:
    """Every centre's figures side by side, one line each."""
    tr = services.tr(services.settings.staff_language)
    lines = [tr("region.stats_title"), tr("stats.title", month=period.label)]
    for center in services.settings.centers:
        # Feedback is anonymous and belongs to no centre: the line shows none.
        figures = await _counted_figures(services, period, tr, center.id, with_feedback=False)
        totals = figures.totals
        lines.append(
            tr(
                "region.stats_line",
                center=center.name.get(tr.language),
                cases=totals.cases,
                urgent=totals.urgent,
                taken=totals.taken,
                appointments=totals.appointments,
                came=totals.came,
            )
        )
    await message.reply_text("\n".join(lines))


async def show_month(update: Update, context: HelplineContext) -> None:
    """The "previous" button: the same message, the period before, and its chart."""
    query = update.callback_query
    services = context.services
    assert query is not None and query.data is not None
    center_id = await _center_of(update, services)
    if center_id is None:
        await query.answer()
        return
    period = parse_period(query.data.removeprefix(MONTH_PREFIX))
    tr = services.tr(services.settings.staff_language)
    if period is None or not isinstance(query.message, Message):
        await query.answer(tr("fallback.stale_button"))
        return
    await query.answer()
    await _show(query.message, services, period, edit=True, center_id=center_id)


async def export_csv(update: Update, context: HelplineContext) -> None:
    """The CSV button: admins get the period's anonymous rows in a private chat, as a CSV
    and as an Excel report."""
    query = update.callback_query
    services = context.services
    user = update.effective_user
    assert query is not None and query.data is not None
    center_id = await _center_of(update, services, admin=True)
    if user is None or center_id is None:
        await query.answer()  # nothing, not even "you may not"
        return
    tr = services.tr(services.settings.staff_language)
    period = parse_period(query.data.removeprefix(CSV_PREFIX))
    if period is None:
        await query.answer(tr("fallback.stale_button"))
        return
    cases, appointments = await _facts(services, period, center_id)
    tz = services.settings.general.timezone
    data = figures_csv(cases, appointments, tz)
    feedback = await _feedback_facts(services, period)
    figures = _report_figures(services, period, tr, cases, appointments, feedback)
    own = services.settings.center(center_id)
    centers = [own] if own is not None else services.settings.centers
    centre = ", ".join(center.name.get(tr.language) for center in centers)
    context_of_report = ReportContext(centre, services.clock.now().astimezone(tz).date(), tz)
    layout = workbook_layout(figures, cases, appointments, feedback, context_of_report, tr)
    workbook = await services.drawing.workbook(layout)
    # Recorded before it leaves: an export that happened is never missing from the log.
    await services.audit.record(
        at=services.clock.now(), actor_id=user.id, action="export", detail=period.label
    )
    try:
        await services.bot.send_document(
            chat_id=user.id,
            document=data.encode("utf-8"),
            filename=f"helpline-{period.label}.csv",
            caption=tr("stats.csv_caption", month=period.label),
        )
        await services.bot.send_document(
            chat_id=user.id,
            document=workbook,
            filename=f"helpline-{period.label}.xlsx",
            caption=tr("report.book.caption", period=period.label),
        )
    except Forbidden:
        await query.answer(tr("stats.csv_start_first"), show_alert=True)
        return
    await query.answer(tr("stats.csv_sent"))
    logger.info("figures exported")


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    groups = staff_groups(settings)
    if settings.telegram.region_chat_id is not None:
        groups = filters.Chat(chat_id=[*groups.chat_ids, settings.telegram.region_chat_id])
    return [
        CommandHandler("stats", show_stats, filters=groups),
        CallbackQueryHandler(show_month, pattern=f"^{MONTH_PREFIX}"),
        CallbackQueryHandler(export_csv, pattern=f"^{CSV_PREFIX}"),
    ]
