"""Pure rules of cases: escalation timing, the daily limit's day, flood windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.case_rules import (
    CATEGORIES,
    SCREENED_CATEGORY,
    FloodWindow,
    cases_day_start,
    next_escalation,
)

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
AFTER = timedelta(minutes=5)


@pytest.mark.parametrize(
    ("step", "maximum", "expected"),
    [
        (0, 3, NOW + AFTER),  # the first alert went out: the first re-alert is due later
        (1, 3, NOW + AFTER),
        (2, 3, NOW + AFTER),
        (3, 3, None),  # the last re-alert: nothing more
        (0, 0, None),  # re-alerts switched off
        (5, 3, None),
    ],
)
def test_next_escalation(step: int, maximum: int, expected: datetime | None) -> None:
    assert (
        next_escalation(step=step, now=NOW, escalate_after=AFTER, max_escalations=maximum)
        == expected
    )


def test_flood_window_warns_once_per_window() -> None:
    window = FloodWindow(window=timedelta(seconds=10), limit=3)
    hits = [window.hit(1, NOW + timedelta(seconds=i * 0.1)) for i in range(10)]
    assert hits == [False, False, False, True, False, False, False, False, False, False]
    assert not window.hit(2, NOW)  # another person is not slowed by the first
    assert window.hit(1, NOW + timedelta(seconds=11)) is False  # the window moved on
    window.forget_idle(NOW + timedelta(minutes=5))


def test_the_daily_limit_counts_from_local_midnight() -> None:
    assert cases_day_start(datetime(2026, 12, 2, 20, 0, tzinfo=UTC), ALMATY) == datetime(
        2026, 12, 3, 0, 0, tzinfo=ALMATY
    )


def test_the_screened_category_is_one_the_user_can_pick() -> None:
    assert SCREENED_CATEGORY in CATEGORIES
