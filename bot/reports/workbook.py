"""The admins' Excel report: a summary laid out as a monthly report, and anonymous rows.

`workbook_layout` decides every cell (pure, tested by tables); `write_workbook` only turns
the layout into an .xlsx with openpyxl. The rows carry no code, no user id and no text a
person wrote: a category, yes or no, kinds of reasons, times, a service, a status.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from bot.domain.stats import AppointmentFact, CaseFact
from bot.i18n import Translator
from bot.reports.figures import FeedbackFact, ReportFigures, summary_lines

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

CellValue = str | int | float | date | datetime | None

DATE_FORMAT: Final = "yyyy-mm-dd"
TIME_FORMAT: Final = "yyyy-mm-dd hh:mm"


class Style(StrEnum):
    TITLE = "title"
    META = "meta"
    SECTION = "section"
    HEADER = "header"
    BODY = "body"
    PART = "part"  # a part of the line above, indented
    TOTAL = "total"


@dataclass(frozen=True)
class Row:
    cells: tuple[CellValue, ...]
    style: Style = Style.BODY


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: tuple[Row, ...]
    widths: tuple[int, ...]  # characters, per column
    # A table of rows with its header on top: frozen and filterable in Excel.
    table: bool


@dataclass(frozen=True)
class ReportContext:
    """What the summary's heading names besides the figures."""

    centre: str
    made: date
    tz: ZoneInfo


def workbook_layout(
    figures: ReportFigures,
    cases: Sequence[CaseFact],
    appointments: Sequence[AppointmentFact],
    feedback: Sequence[FeedbackFact],
    context: ReportContext,
    tr: Translator,
) -> tuple[Sheet, ...]:
    return (
        _summary(figures, context, tr),
        _case_rows(cases, context.tz, tr),
        _appointment_rows(appointments, figures, context.tz, tr),
        _feedback_rows(feedback, context.tz, tr),
    )


def _label(tr: Translator, prefix: str, value: str) -> str:
    key = f"{prefix}.{value}"
    return tr(key) if key in tr.texts.keys else value


def _summary(figures: ReportFigures, context: ReportContext, tr: Translator) -> Sheet:
    period = figures.period
    span = f"{period.label} ({period.first_day:%d.%m.%Y} – {period.last_day:%d.%m.%Y})"
    rows: list[Row] = [
        Row((tr("report.book.title"),), Style.TITLE),
        Row((tr("report.book.period"), span), Style.META),
        Row((tr("report.book.centre"), context.centre), Style.META),
        Row((tr("report.book.made"), context.made), Style.META),
        Row((tr("report.book.note"),), Style.META),
        Row(()),
        Row((tr("report.book.indicator"), tr("report.book.value")), Style.HEADER),
    ]
    for line in summary_lines(figures):
        value = "—" if line.value is None else line.value
        rows.append(Row((tr(line.key), value), Style.PART if line.indented else Style.BODY))

    rows += [Row(()), Row((tr("report.chart.cases"),), Style.SECTION)]
    rows.append(
        Row(
            (
                tr("report.column.category"),
                tr("report.chart.urgent"),
                tr("report.chart.not_urgent"),
                tr("report.column.total"),
            ),
            Style.HEADER,
        )
    )
    for item in figures.categories:
        label = _label(tr, "report.category", item.category)
        rows.append(Row((label, item.urgent, item.not_urgent, item.total)))
    rows.append(
        Row(
            (
                tr("report.column.total"),
                sum(item.urgent for item in figures.categories),
                sum(item.not_urgent for item in figures.categories),
                sum(item.total for item in figures.categories),
            ),
            Style.TOTAL,
        )
    )

    rows += [Row(()), Row((tr("report.chart.appointments"),), Style.SECTION)]
    rows.append(
        Row(
            (
                tr("report.column.service"),
                tr("report.column.total"),
                tr("report.chart.came"),
                tr("report.chart.no_show"),
                tr("report.chart.unmarked"),
                tr("report.total.cancelled"),
            ),
            Style.HEADER,
        )
    )
    services = figures.services
    for service in services:
        rows.append(
            Row(
                (
                    service.label,
                    service.booked,
                    service.came,
                    service.no_show,
                    service.unmarked,
                    service.cancelled,
                )
            )
        )
    rows.append(
        Row(
            (
                tr("report.column.total"),
                sum(s.booked for s in services),
                sum(s.came for s in services),
                sum(s.no_show for s in services),
                sum(s.unmarked for s in services),
                sum(s.cancelled for s in services),
            ),
            Style.TOTAL,
        )
    )

    rows += [Row(()), Row((tr("report.chart.feedback"),), Style.SECTION)]
    rows.append(Row((tr("report.column.answer"), tr("report.column.total")), Style.HEADER))
    for answer in figures.feedback:
        rows.append(Row((_label(tr, "report.feedback", answer.answer), answer.count)))
    rows.append(Row((tr("report.column.total"), figures.feedback_total), Style.TOTAL))

    if figures.months:
        rows += [Row(()), Row((tr("report.chart.by_month"),), Style.SECTION)]
        rows.append(
            Row(
                (
                    tr("report.column.month"),
                    tr("report.total.cases"),
                    tr("report.total.urgent"),
                    tr("report.total.appointments"),
                    tr("report.total.came"),
                    tr("report.total.no_show"),
                ),
                Style.HEADER,
            )
        )
        for month in figures.months:
            rows.append(
                Row(
                    (
                        f"{tr(f'report.month.{month.month.month}')} {month.month.year}",
                        month.cases,
                        month.urgent,
                        month.appointments,
                        month.came,
                        month.no_show,
                    )
                )
            )
    return Sheet(tr("report.sheet.summary"), tuple(rows), (44, 16, 14, 14, 14, 14), table=False)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Local wall time without a zone: Excel has no time zones."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def _case_rows(cases: Sequence[CaseFact], tz: ZoneInfo, tr: Translator) -> Sheet:
    header = Row(
        (
            tr("report.column.category"),
            tr("report.column.urgent"),
            tr("report.column.reasons"),
            tr("report.column.opened"),
            tr("report.column.taken_after"),
            tr("report.column.closed"),
        ),
        Style.HEADER,
    )
    rows = [header]
    for fact in cases:
        minutes = None
        if fact.taken_at is not None:
            minutes = round((fact.taken_at - fact.created_at).total_seconds() / 60, 1)
        reasons = "; ".join(_label(tr, "report.reason", reason) for reason in fact.urgent_reasons)
        rows.append(
            Row(
                (
                    _label(tr, "report.category", fact.category),
                    tr("report.yes") if fact.urgent else tr("report.no"),
                    reasons or None,
                    _local(fact.created_at, tz),
                    minutes,
                    _local(fact.closed_at, tz),
                )
            )
        )
    return Sheet(tr("report.sheet.cases"), tuple(rows), (30, 10, 36, 18, 18, 18), table=True)


def _appointment_rows(
    appointments: Sequence[AppointmentFact],
    figures: ReportFigures,
    tz: ZoneInfo,
    tr: Translator,
) -> Sheet:
    labels = {service.service_id: service.label for service in figures.services}
    header = Row(
        (
            tr("report.column.service"),
            tr("report.column.day"),
            tr("report.column.status"),
            tr("report.column.attendance"),
        ),
        Style.HEADER,
    )
    rows = [header]
    for fact in appointments:
        attendance = None
        if not fact.cancelled:
            attendance = {
                "came": tr("report.chart.came"),
                "no_show": tr("report.chart.no_show"),
            }.get(fact.attendance or "", tr("report.chart.unmarked"))
        rows.append(
            Row(
                (
                    labels.get(fact.service_id, fact.service_id),
                    fact.starts_at.astimezone(tz).date(),
                    tr("report.status.cancelled" if fact.cancelled else "report.status.booked"),
                    attendance,
                )
            )
        )
    return Sheet(tr("report.sheet.appointments"), tuple(rows), (32, 14, 16, 16), table=True)


def _feedback_rows(feedback: Sequence[FeedbackFact], tz: ZoneInfo, tr: Translator) -> Sheet:
    header = Row(
        (tr("report.column.given"), tr("report.column.about"), tr("report.column.answer")),
        Style.HEADER,
    )
    rows = [header]
    for fact in feedback:
        rows.append(
            Row(
                (
                    fact.given_at.astimezone(tz).date(),
                    _label(tr, "report.about", fact.about),
                    _label(tr, "report.feedback", fact.answer),
                )
            )
        )
    return Sheet(tr("report.sheet.feedback"), tuple(rows), (14, 16, 16), table=True)


# ---------------------------------------------------------------------------
# Writing the .xlsx
# ---------------------------------------------------------------------------

# openpyxl is imported where a workbook is written, not with this module: the bot
# imports this at start-up, and only an admin's export needs openpyxl's few megabytes.

_THIN_COLOUR: Final = "BBBBBB"
_HEADER_COLOUR: Final = "DCE6F1"
_TOTAL_COLOUR: Final = "F2F2F2"


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """The layout as an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    book.properties.creator = "helpline-bot"
    for sheet in sheets:
        page = book.create_sheet(sheet.title)
        for index, width in enumerate(sheet.widths, start=1):
            page.column_dimensions[get_column_letter(index)].width = width
        for row_number, row in enumerate(sheet.rows, start=1):
            _write_row(page, row_number, row, len(sheet.widths))
        if sheet.table:
            page.freeze_panes = "A2"
            last = get_column_letter(len(sheet.widths))
            page.auto_filter.ref = f"A1:{last}{max(len(sheet.rows), 1)}"
        else:
            # The summary is printed and signed: one page wide, portrait.
            page.page_setup.orientation = "portrait"
            page.page_setup.fitToWidth = 1
            page.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_row(page: Worksheet, row_number: int, row: Row, width: int) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color=_THIN_COLOUR)
    for column, value in enumerate(row.cells, start=1):
        cell = page.cell(row=row_number, column=column, value=value)
        if isinstance(value, datetime):
            cell.number_format = TIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        if row.style is Style.TITLE:
            cell.font = Font(bold=True, size=14)
        elif row.style is Style.SECTION:
            cell.font = Font(bold=True, size=12)
        elif row.style is Style.META:
            cell.font = Font(bold=column == 1)
            cell.alignment = Alignment(horizontal="left")
        elif row.style is Style.HEADER:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=_HEADER_COLOUR)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        elif row.style is Style.TOTAL:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=_TOTAL_COLOUR)
        elif row.style is Style.PART and column == 1:
            cell.alignment = Alignment(indent=2)
        if row.style in (Style.HEADER, Style.BODY, Style.PART, Style.TOTAL):
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    if row.style is Style.TITLE and width > 1:
        page.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=width)
