"""The chart is a PNG whose size follows the period and the number of bars."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.stats import AppointmentFact, CaseFact
from bot.i18n import Texts
from bot.reports.chart import render_chart
from bot.reports.figures import report_figures
from bot.reports.period import Period

ALMATY = ZoneInfo("Asia/Almaty")
T = datetime(2026, 11, 3, 6, tzinfo=UTC)
TEXTS = Texts.load()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize(
    ("period", "services", "language", "size"),
    [
        (Period(2026, 11), 2, "ru", (1200, 860)),
        (Period(2026, 11), 0, "kk", (1200, 860)),
        (Period(2026), 3, "kk", (1200, 1260)),
        # Many services: their row grows (0.45 inch a bar, title 0.6, feedback row 4).
        (Period(2026, 11), 12, "ru", (1200, 60 + 660 + 400)),
    ],
)
def test_chart_size(period: Period, services: int, language: str, size: tuple[int, int]) -> None:
    labels = {f"s{i}": f"Услуга с длинным названием номер {i}" for i in range(services)}
    figures = report_figures(
        period,
        [CaseFact("ABC-DEF", T, "violence", True, None, None)],
        [AppointmentFact("GHJ-KLM", T, "sairam", service, False, "came") for service in labels],
        [],
        tz=ALMATY,
        service_labels=labels,
    )
    assert png_size(render_chart(figures, TEXTS.for_language(language))) == size  # type: ignore[arg-type]
