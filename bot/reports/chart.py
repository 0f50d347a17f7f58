"""The /stats chart: one PNG of a month's or a year's figures, labelled in the staff language.

Drawn off-screen with matplotlib's Agg backend, on a Figure of its own (never pyplot's
global state), so several charts can be drawn in threads at once and nothing needs a
display. Its bundled DejaVu Sans font has every Kazakh and Russian letter.
"""

from __future__ import annotations

import gc
import io
import textwrap
import threading
from collections.abc import Sequence
from typing import Final

import matplotlib

# Before anything else of matplotlib: a server has no display, and the default backend
# would look for one.
matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import MaxNLocator

from bot.i18n import Translator
from bot.reports.figures import ReportFigures, SummaryLine, summary_lines

# Okabe-Ito colours: told apart also by people with colour blindness.
URGENT: Final = "#D55E00"
NOT_URGENT: Final = "#0072B2"
CAME: Final = "#009E73"
NO_SHOW: Final = "#E69F00"
UNMARKED: Final = "#BBBBBB"
FEEDBACK_COLOURS: Final = {"good": "#009E73", "neutral": "#999999", "bad": "#D55E00"}
MUTED: Final = "#555555"

WIDTH_INCHES: Final = 12.0
PANEL_ROW_INCHES: Final = 4.0
TITLE_INCHES: Final = 0.6
DPI: Final = 100
LABEL_WIDTH: Final = 24  # characters on one line of a bar's label
LABEL_LINES: Final = 2  # a longer label is cut with "…"
BAR_INCHES: Final = 0.45  # per bar, so that two-line labels never overlap

# Charts are drawn in worker threads; matplotlib promises no thread safety (its font and
# text caches are shared), and a chart is rare enough to draw one at a time.
_DRAWING: Final = threading.Lock()


def render_chart(figures: ReportFigures, tr: Translator) -> bytes:
    """The figures as a PNG image: cases, appointments, feedback, totals; a year by month."""
    with _DRAWING:
        try:
            return _render(figures, tr)
        finally:
            # A figure is a web of reference cycles: collected now, its memory serves the
            # next chart instead of piling up until a later collection (some 30 MB more
            # after a few charts of a year).
            gc.collect()


def _render(figures: ReportFigures, tr: Translator) -> bytes:
    # The bars' row grows with the number of services (a centre may offer many).
    bars = max(len(figures.categories), len(figures.services))
    heights = [max(PANEL_ROW_INCHES, BAR_INCHES * bars + 1.2), PANEL_ROW_INCHES]
    if figures.period.is_year:
        heights.insert(0, PANEL_ROW_INCHES)
    rows = len(heights)
    height = TITLE_INCHES + sum(heights)
    # Constrained layout makes room for long labels; the padding keeps them off the edge.
    layout = ConstrainedLayoutEngine(w_pad=0.15, h_pad=0.1)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout=layout)
    figure.suptitle(
        tr("report.chart.title", period=figures.period.label), fontsize=16, fontweight="bold"
    )
    grid = figure.add_gridspec(rows, 2, height_ratios=heights)
    first = 0
    if figures.period.is_year:
        _by_month(figure.add_subplot(grid[0, :]), figures, tr)
        first = 1
    _cases(figure.add_subplot(grid[first, 0]), figures, tr)
    _appointments(figure.add_subplot(grid[first, 1]), figures, tr)
    _feedback(figure.add_subplot(grid[first + 1, 0]), figures, tr)
    _summary(figure.add_subplot(grid[first + 1, 1]), summary_lines(figures), tr)
    out = io.BytesIO()
    # No "Software" stamp: the image says what the centre did, nothing about the server.
    figure.savefig(out, format="png", facecolor="white", metadata={"Software": None})
    return out.getvalue()


def _wrap(label: str) -> str:
    lines = textwrap.wrap(label, LABEL_WIDTH, max_lines=LABEL_LINES, placeholder=" …")
    return "\n".join(lines) or label


def _category_label(category: str, tr: Translator) -> str:
    key = f"report.category.{category}"
    return tr(key) if key in tr.texts.keys else category


def _stacked_bars(
    axes: Axes,
    labels: Sequence[str],
    parts: Sequence[tuple[str, str, Sequence[int]]],  # legend label, colour, one count per bar
    tr: Translator,
) -> None:
    """Horizontal bars, first label on top, each bar split into parts, its total at its end."""
    positions = list(range(len(labels)))
    left = [0] * len(labels)
    for legend, colour, counts in parts:
        axes.barh(positions, counts, left=left, color=colour, label=legend, height=0.65)
        left = [start + count for start, count in zip(left, counts, strict=True)]
    largest = max(left, default=0)
    for position, total in zip(positions, left, strict=True):
        axes.text(total + largest * 0.01 + 0.05, position, str(total), va="center", fontsize=10)
    axes.set_yticks(positions, [_wrap(label) for label in labels], fontsize=10)
    axes.invert_yaxis()
    # Room for the totals written past the longest bar.
    axes.set_xlim(0, max(largest * 1.12, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _plain(axes)
    if largest == 0:
        axes.set_xticks([])
        _nothing(axes, tr("report.chart.nothing"))
    else:
        # Under the axes: inside, it would hide a bar whatever the corner.
        axes.legend(
            loc="upper left", bbox_to_anchor=(0, -0.06), ncols=len(parts), fontsize=9,
            frameon=False,
        )  # fmt: skip


def _plain(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    axes.set_axisbelow(True)


def _nothing(axes: Axes, text: str) -> None:
    axes.text(
        0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center",
        fontsize=12, color=MUTED,
    )  # fmt: skip


def _cases(axes: Axes, figures: ReportFigures, tr: Translator) -> None:
    axes.set_title(tr("report.chart.cases"), loc="left", fontweight="bold")
    categories = figures.categories
    _stacked_bars(
        axes,
        [_category_label(item.category, tr) for item in categories],
        [
            (tr("report.chart.urgent"), URGENT, [item.urgent for item in categories]),
            (tr("report.chart.not_urgent"), NOT_URGENT, [item.not_urgent for item in categories]),
        ],
        tr,
    )


def _appointments(axes: Axes, figures: ReportFigures, tr: Translator) -> None:
    axes.set_title(tr("report.chart.appointments"), loc="left", fontweight="bold")
    services = figures.services
    _stacked_bars(
        axes,
        [item.label for item in services],
        [
            (tr("report.chart.came"), CAME, [item.came for item in services]),
            (tr("report.chart.no_show"), NO_SHOW, [item.no_show for item in services]),
            (tr("report.chart.unmarked"), UNMARKED, [item.unmarked for item in services]),
        ],
        tr,
    )


def _feedback(axes: Axes, figures: ReportFigures, tr: Translator) -> None:
    axes.set_title(tr("report.chart.feedback"), loc="left", fontweight="bold")
    answers = figures.feedback
    positions = list(range(len(answers)))
    counts = [item.count for item in answers]
    colours = [FEEDBACK_COLOURS.get(item.answer, UNMARKED) for item in answers]
    axes.barh(positions, counts, color=colours, height=0.65)
    labels = []
    for item in answers:
        key = f"report.feedback.{item.answer}"
        labels.append(tr(key) if key in tr.texts.keys else item.answer)
    axes.set_yticks(positions, labels, fontsize=10)
    axes.invert_yaxis()
    largest = max(counts, default=0)
    for position, count in zip(positions, counts, strict=True):
        axes.text(count + largest * 0.01 + 0.05, position, str(count), va="center", fontsize=10)
    axes.set_xlim(0, max(largest * 1.12, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _plain(axes)
    if largest == 0:
        # The place stays, with its answers at zero, but no scale of nothing.
        axes.set_xticks([])
        _nothing(axes, tr("report.chart.no_feedback"))


def _summary(axes: Axes, lines: Sequence[SummaryLine], tr: Translator) -> None:
    """The headline figures as a two-column list: what, how many."""
    axes.set_title(tr("report.chart.summary"), loc="left", fontweight="bold")
    axes.axis("off")
    step = 1 / (len(lines) + 1)
    for index, line in enumerate(lines):
        y = 1 - step * (index + 0.5)
        label = ("    " if line.indented else "") + tr(line.key)
        weight = "normal" if line.indented else "bold"
        value = "—" if line.value is None else f"{line.value:g}"
        axes.text(0.0, y, label, transform=axes.transAxes, va="center", fontsize=10.5,
                  fontweight=weight, wrap=True)  # fmt: skip
        axes.text(1.0, y, value, transform=axes.transAxes, va="center", ha="right",
                  fontsize=10.5, fontweight=weight)  # fmt: skip
        if not line.indented and index:
            axes.axhline(y + step / 2, xmin=0, xmax=1.0, color="#DDDDDD", linewidth=0.8)


def _by_month(axes: Axes, figures: ReportFigures, tr: Translator) -> None:
    """Two bars a month: cases (urgent part darker) and appointments (came, no-show, unmarked)."""
    axes.set_title(tr("report.chart.by_month"), loc="left", fontweight="bold")
    months = figures.months
    width = 0.38
    cases_x = [index - width / 2 for index in range(len(months))]
    visits_x = [index + width / 2 for index in range(len(months))]
    urgent = [item.urgent for item in months]
    calm = [item.cases - item.urgent for item in months]
    axes.bar(cases_x, urgent, width, color=URGENT, label=tr("report.chart.urgent"))
    axes.bar(cases_x, calm, width, bottom=urgent, color=NOT_URGENT,
             label=tr("report.chart.not_urgent"))  # fmt: skip
    came = [item.came for item in months]
    no_show = [item.no_show for item in months]
    unmarked = [item.appointments - item.came - item.no_show for item in months]
    axes.bar(visits_x, came, width, color=CAME, label=tr("report.chart.came"))
    axes.bar(visits_x, no_show, width, bottom=came, color=NO_SHOW,
             label=tr("report.chart.no_show"))  # fmt: skip
    axes.bar(visits_x, unmarked, width, bottom=[a + b for a, b in zip(came, no_show, strict=True)],
             color=UNMARKED, label=tr("report.chart.unmarked"))  # fmt: skip
    axes.set_xticks(range(len(months)), [tr(f"report.month.{item.month.month}") for item in months])
    largest = max([item.cases for item in months] + [item.appointments for item in months])
    # Headroom for the legends above the tallest month.
    axes.set_ylim(0, max(largest * 1.3, 1))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(tr("report.chart.count"), color=MUTED)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    axes.set_axisbelow(True)
    if largest == 0:
        axes.set_yticks([])
        _nothing(axes, tr("report.chart.nothing"))
        return
    # One legend per bar of a month's pair, each titled, so the pairs read without guessing.
    handles, labels = axes.get_legend_handles_labels()
    cases_legend = axes.legend(
        handles[:2], labels[:2], title=tr("report.chart.cases_per_month"), loc="upper left",
        ncols=2, fontsize=9, title_fontsize=9, frameon=False, alignment="left",
    )  # fmt: skip
    axes.add_artist(cases_legend)
    axes.legend(
        handles[2:], labels[2:], title=tr("report.chart.appointments_per_month"),
        loc="upper left", bbox_to_anchor=(0.3, 1.0), ncols=3, fontsize=9, title_fontsize=9,
        frameon=False, alignment="left",
    )  # fmt: skip
