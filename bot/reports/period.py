"""What a report covers: one month ("2026-11") or one calendar year ("2026"), in local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.stats import month_bounds

# Years outside these bounds are typos, and would overflow the month arithmetic.
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100

_MONTH: Final = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_YEAR: Final = re.compile(r"^(\d{4})$", re.ASCII)


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None  # None: the whole year

    @property
    def is_year(self) -> bool:
        return self.month is None

    @property
    def label(self) -> str:
        """As staff type it after /stats, and as files and buttons name it."""
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def months(self) -> tuple[date, ...]:
        """The first day of every month the period covers."""
        if self.month is not None:
            return (self.first_day,)
        return tuple(date(self.year, month, 1) for month in range(1, 13))

    @property
    def last_day(self) -> date:
        if self.month is None:
            return date(self.year, 12, 31)
        following = (self.first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as instants: local midnight of its first day to that of the next period."""
        if self.month is not None:
            return month_bounds(self.first_day, tz)
        return (
            datetime.combine(date(self.year, 1, 1), time(0), tzinfo=tz),
            datetime.combine(date(self.year + 1, 1, 1), time(0), tzinfo=tz),
        )

    def previous(self) -> Period:
        if self.month is None:
            return Period(self.year - 1)
        if self.month == 1:
            return Period(self.year - 1, 12)
        return Period(self.year, self.month - 1)


def parse_period(text: str) -> Period | None:
    """ "2026-11" or "2026"; None for anything else, a 13th month or a year out of bounds."""
    text = text.strip()
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return None
        period = Period(year, month)
    elif match := _YEAR.match(text):
        period = Period(int(match.group(1)))
    else:
        return None
    return period if FIRST_YEAR <= period.year <= LAST_YEAR else None
