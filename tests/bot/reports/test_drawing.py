"""Charts and workbooks are drawn in a worker process (issue 17: a /sos must not wait for
a year's chart holding the bot's interpreter)."""

from __future__ import annotations

import os

from bot.domain.stats import AppointmentFact, CaseFact
from bot.reports.chart import render_chart
from bot.reports.drawing import Drawing
from bot.reports.figures import report_figures
from bot.reports.period import Period
from bot.reports.workbook import Row, Sheet
from tests.bot.reports.test_chart import ALMATY, TEXTS, T


async def test_a_chart_and_a_workbook_are_drawn_in_another_process_in_either_language() -> None:
    drawing = Drawing()
    try:
        assert await drawing.run(os.getpid) != os.getpid()
        figures = report_figures(
            Period(2026),
            [CaseFact("ABC-DEF", T, "violence", True, None, None)],
            [AppointmentFact("GHJ-KLM", T, "sairam", "s1", False, "came")],
            [],
            tz=ALMATY,
            service_labels={"s1": "Консультация психолога"},
        )
        for language in ("kk", "ru"):
            # The worker's own catalogues label it exactly as the bot would.
            here = render_chart(figures, TEXTS.for_language(language))
            assert await drawing.chart(figures, language) == here
        sheet = Sheet("Итог", (Row(("Обращения", 1)),), (20, 8), table=False)
        book = await drawing.workbook([sheet])
        assert book[:2] == b"PK"  # an .xlsx is a zip
    finally:
        drawing.close()


async def test_a_closed_drawing_starts_a_new_worker_when_asked_again() -> None:
    drawing = Drawing()
    first = await drawing.run(os.getpid)
    drawing.close()
    try:
        assert await drawing.run(os.getpid) not in (first, os.getpid())
    finally:
        drawing.close()
