"""Dates and times as a villager reads them: in the centre's zone, with Babel's CLDR
names in the user's language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.domain.language import Language


def day_label(day: date, language: Language) -> str:
    """For a button, in words read at a glance: "Четверг, 3 декабря" / "Бейсенбі, 3
    желтоқсан". CLDR's short forms ("бс, 3 жел.", "сс", "жм") are cryptic in Kazakh."""
    text = day_long(day, language)
    return text[:1].upper() + text[1:]


def day_long(day: date, language: Language) -> str:
    """ "четверг, 3 декабря" / "бейсенбі, 3 желтоқсан"."""
    return str(format_date(day, "EEEE, d MMMM", locale=language))


def clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def relative_day(moment: datetime, now: datetime, tz: ZoneInfo) -> int:
    """0 for today, 1 for tomorrow, ... in the centre's zone."""
    return (moment.astimezone(tz).date() - now.astimezone(tz).date()).days
