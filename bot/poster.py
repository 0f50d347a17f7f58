"""The printed poster: one A4 page in Kazakh and Russian with the centre's QR links.

`helpline-bot poster --center ID --out FILE.pdf` writes the PDF and a PNG beside it.
The page takes a list of links, each a QR code with a label under it: today the
centre's Telegram link (`https://t.me/BOT?start=ID`, which preselects the centre in
the bot), and the WhatsApp door's link once it exists, without a new layout.

Drawn with matplotlib (already a dependency for the /stats chart), which writes PDF and
PNG from one figure and whose bundled DejaVu Sans has every Kazakh and Russian letter;
the QR matrix comes from segno and is drawn as one vector path, sharp at any print size.
The wording is neutral on purpose: the poster hangs in clinics and akimats, where the
person who hurts her may read it too.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import matplotlib

# Before anything else of matplotlib: a server has no display.
matplotlib.use("Agg")

import segno
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as DrawnPath

from bot.config import Center, EmergencyNumber, Settings
from bot.domain.language import LANGUAGES
from bot.i18n import Texts

# A4 in inches: matplotlib makes the PDF page exactly the figure's size.
A4_INCHES: Final = (210 / 25.4, 297 / 25.4)  # 210 x 297 mm
PNG_DPI: Final = 150
QUIET_ZONE: Final = 4  # modules of white around a QR code, as the standard asks
INK: Final = "#1A1A1A"
ACCENT: Final = "#0072B2"  # Okabe-Ito blue, as the chart
MUTED: Final = "#444444"
# The emergency list: a row's least height and one line of a name, in figure fractions.
NUMBER_ROW: Final = 0.034
NAME_LINE: Final = 0.0112
# Widths as fractions of the page: a column of the list, the number's part of it at most.
COLUMN: Final = 0.44
NUMBER_COLUMN: Final = 0.16
NUMBER_SIZE: Final = 20.0
NAME_SIZE: Final = 6.8
BOTTOM_MARGIN: Final = 0.015  # characters on one line of a number's name


@dataclass(frozen=True)
class PosterLink:
    """One QR code on the poster: the label printed under it and the link it opens."""

    label: str
    url: str


def telegram_link(bot_username: str, center_id: str) -> PosterLink:
    return PosterLink("Telegram", f"https://t.me/{bot_username}?start={center_id}")


def poster_links(center: Center, bot_username: str) -> list[PosterLink]:
    """The doors a villager can open from this centre's poster (WhatsApp joins here)."""
    return [telegram_link(bot_username, center.id)]


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code's modules (True: dark), quiet zone not included.

    Error correction level M: a poster gets scratched and photographed at an angle.
    """
    code = segno.make_qr(url, error="m", boost_error=False)
    return [[bool(module) for module in row] for row in code.matrix]


def _plain(text: str) -> str:
    # The catalogue's texts are HTML for Telegram; paper wants the characters themselves.
    return html.unescape(text)


def _both(texts: Texts, key: str, **params: str) -> tuple[str, str]:
    kk, ru = (_plain(texts.get(language, key, **params)) for language in LANGUAGES)
    return kk, ru


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _draw_qr(figure: Figure, link: PosterLink, box: tuple[float, float, float, float]) -> None:
    """A QR code as one vector path in a square box (left, bottom, width, height)."""
    matrix = qr_matrix(link.url)
    size = len(matrix) + 2 * QUIET_ZONE
    axes = figure.add_axes(box)
    axes.set_xlim(0, size)
    axes.set_ylim(size, 0)  # row 0 at the top, as segno gives it
    axes.set_aspect("equal")
    axes.axis("off")
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    square = [int(DrawnPath.MOVETO), *[int(DrawnPath.LINETO)] * 3, int(DrawnPath.CLOSEPOLY)]
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if not dark:
                continue
            x, y = column + QUIET_ZONE, row + QUIET_ZONE
            vertices += [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]
            codes += square
    # One path for all modules: no hairline seams between neighbouring squares.
    axes.add_patch(PathPatch(DrawnPath(vertices, codes), facecolor="black", edgecolor="none", lw=0))


def _draw_links(figure: Figure, links: Sequence[PosterLink], top: float, height: float) -> None:
    """The QR codes side by side, each with its label and its link written under it."""
    width_ratio = A4_INCHES[1] / A4_INCHES[0]  # a square in figure fractions
    side = min(height - 0.05, 0.8 / len(links) / width_ratio)
    gap = (1 - len(links) * side * width_ratio) / (len(links) + 1)
    for index, link in enumerate(links):
        left = gap + index * (side * width_ratio + gap)
        bottom = top - side
        _draw_qr(figure, link, (left, bottom, side * width_ratio, side))
        centre = left + side * width_ratio / 2
        figure.text(
            centre,
            bottom - 0.008,
            link.label,
            ha="center",
            va="top",
            size=15,
            weight="bold",
            color=ACCENT,
        )
        shown = link.url.removeprefix("https://")
        figure.text(centre, bottom - 0.032, shown, ha="center", va="top", size=10, color=MUTED)


def _number_names(entry: EmergencyNumber, width: int) -> str:
    # "Полиция" is the same in both languages: printed once.
    names = dict.fromkeys((entry.name.kk, entry.name.ru))
    return "\n".join(_wrapped(name, width) for name in names)


def _widths(figure: Figure, texts: Sequence[str], size: float) -> dict[str, float]:
    """Each text's width in bold at `size`, as a fraction of the page's width."""
    widths = {}
    for text in texts:
        probe = figure.text(0, 0, text, size=size, weight="bold")
        widths[text] = probe.get_window_extent().width / figure.bbox.width
        probe.remove()
    return widths


def _draw_numbers(figure: Figure, numbers: Sequence[EmergencyNumber], top: float) -> None:
    """The emergency numbers in two columns: the number large, its name in both languages.

    112 or 102 are printed large; a long local number smaller, so that the numbers' column
    stays narrow. Each row is as tall as its longest name (111's runs to four lines), and a
    centre that lists many local numbers gets them all, smaller, still above the edge.
    """
    widths = _widths(figure, [entry.number for entry in numbers], NUMBER_SIZE)
    numbers_column = min(max(widths.values(), default=0.0), NUMBER_COLUMN)
    gap = 0.012
    name_width = int((COLUMN - numbers_column - gap) * A4_INCHES[0] * 72 / (NAME_SIZE * 0.65))
    rows = [numbers[start : start + 2] for start in range(0, len(numbers), 2)]
    names = {entry.number: _number_names(entry, name_width) for entry in numbers}
    heights = [
        max(NUMBER_ROW, max(names[e.number].count("\n") + 1 for e in row) * NAME_LINE + 0.008)
        for row in rows
    ]
    scale = min(1.0, (top - BOTTOM_MARGIN) / max(sum(heights), 1e-9))
    y = top
    for row, height in zip(rows, heights, strict=True):
        for column, entry in enumerate(row):
            x = 0.07 + column * (COLUMN + 0.02)
            size = NUMBER_SIZE * min(1.0, numbers_column / widths[entry.number]) * scale
            figure.text(
                x, y, entry.number, ha="left", va="top", size=size, weight="bold", color=INK
            )
            figure.text(
                x + (numbers_column + gap) * scale,
                y - 0.002,
                names[entry.number],
                ha="left",
                va="top",
                size=NAME_SIZE * scale,
                color=MUTED,
                linespacing=1.15,
            )
        y -= height * scale


def draw_poster(
    center: Center,
    links: Sequence[PosterLink],
    numbers: Sequence[EmergencyNumber],
    texts: Texts,
) -> Figure:
    figure = Figure(figsize=A4_INCHES)
    # Agg measures the texts that must fit beside each other (the emergency numbers).
    FigureCanvasAgg(figure)
    title_kk, title_ru = _both(texts, "poster.title")
    figure.text(0.5, 0.955, title_kk, ha="center", va="top", size=34, weight="bold", color=INK)
    figure.text(0.5, 0.905, title_ru, ha="center", va="top", size=28, weight="bold", color=INK)
    promise_kk, promise_ru = _both(texts, "poster.promise")
    figure.text(0.5, 0.855, promise_kk, ha="center", va="top", size=17, color=ACCENT)
    figure.text(0.5, 0.828, promise_ru, ha="center", va="top", size=17, color=ACCENT)
    help_kk, help_ru = _both(texts, "poster.help")
    figure.text(
        0.5,
        0.795,
        f"{_wrapped(help_kk, 80)}\n\n{_wrapped(help_ru, 80)}",
        ha="center",
        va="top",
        size=10.5,
        color=INK,
        linespacing=1.2,
    )
    _draw_links(figure, links, top=0.69, height=0.33)
    scan_kk, scan_ru = _both(texts, "poster.scan")
    figure.text(
        0.5,
        0.345,
        f"{scan_kk}\n{scan_ru}",
        ha="center",
        va="top",
        size=11,
        color=INK,
        linespacing=1.3,
    )
    # "Телефон" is the same word in both languages: a wording shared by both is printed once.
    phone_line = " / ".join(dict.fromkeys(_both(texts, "poster.phone", phone=center.phone)))
    lines = [center.name.kk, center.address.kk, center.name.ru, center.address.ru]
    place = "\n".join(_wrapped(line, 90) for line in lines)
    figure.text(0.5, 0.298, place, ha="center", va="top", size=9.5, color=INK, linespacing=1.25)
    if center.phone:
        figure.text(
            0.5, 0.218, phone_line, ha="center", va="top", size=14, weight="bold", color=INK
        )
    figure.add_artist(Line2D([0.06, 0.94], [0.19, 0.19], color=MUTED, lw=0.6))
    emergency_kk, emergency_ru = _both(texts, "poster.emergency")
    figure.text(
        0.5,
        0.182,
        f"{emergency_kk}\n{emergency_ru}",
        ha="center",
        va="top",
        size=10,
        weight="bold",
        color=INK,
        linespacing=1.25,
    )
    _draw_numbers(figure, numbers, top=0.138)
    return figure


def write_poster(
    settings: Settings, center_id: str, bot_username: str, out: Path, texts: Texts
) -> tuple[Path, Path]:
    """The poster as `out` (PDF) and a PNG beside it; returns both paths."""
    center = settings.center(center_id)
    if center is None:
        raise KeyError(center_id)
    figure = draw_poster(
        center, poster_links(center, bot_username), settings.emergency_numbers, texts
    )
    png = out.with_suffix(".png")
    # TrueType fonts in the PDF (not Type 3): the text stays text, searchable and copyable.
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure.savefig(out, format="pdf")
    figure.savefig(png, format="png", dpi=PNG_DPI)
    return out, png
