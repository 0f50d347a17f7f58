"""The config's leaf values: durations, clock times, ids, chat ids, texts in both languages.

Each is a `Leaf` (see `bot.config.leaf`) with the words a problem with it is told in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic.dataclasses import dataclass as settings_dataclass

from bot.config.leaf import STRICT, Described, Leaf, describe, problem
from bot.domain.language import Language
from bot.domain.slots import TimeRange

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
_HOST_PORT = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DURATION_EXAMPLES = '"30s", "5m", "2h" or "1d"'
DURATION_EXPECTED = f"a duration such as {DURATION_EXAMPLES}"
ID_EXPECTED = "lower-case letters, digits, - or _ (up to 32)"


def parse_duration(text: str) -> timedelta | None:
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def parse_clock(text: str) -> time | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24:
        return time(0, 0) if minute == 0 else None
    return time(hour, minute)


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _at_least(minimum: int) -> Callable[[Any], int | None]:
    def convert(value: Any) -> int | None:
        number = _integer(value)
        return number if number is not None and number >= minimum else None

    return convert


def _positive_number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def filled_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _duration(*, zero_allowed: bool) -> Callable[[Any], timedelta | None]:
    def convert(value: Any) -> timedelta | None:
        if isinstance(value, timedelta):
            return value
        parsed = parse_duration(value) if isinstance(value, str) else None
        if parsed is not None and parsed <= timedelta(0) and not zero_allowed:
            # "0m" is well written, so "expected a duration" would puzzle the reader.
            raise problem(
                f"{describe(value)} is zero; expected a duration of more than zero, "
                f"such as {DURATION_EXAMPLES}"
            )
        return parsed

    return convert


def _reminders(value: Any) -> tuple[timedelta, ...] | None:
    if isinstance(value, tuple):
        return value
    if not isinstance(value, list):
        return None
    offsets = [parse_duration(item) if isinstance(item, str) else None for item in value]
    if any(offset is None for offset in offsets):
        return None
    if any(offset == timedelta(0) for offset in offsets):
        raise problem("a reminder 0 before the appointment; expected durations of more than zero")
    return tuple(sorted((o for o in offsets if o is not None), reverse=True))


def ids(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, tuple | frozenset):
        return tuple(value)
    if not isinstance(value, list) or not all(_integer(v) is not None for v in value):
        return None
    return tuple(value)


def id_set(value: Any) -> frozenset[int] | None:
    given = ids(value)
    return None if given is None else frozenset(given)


def id_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, tuple):
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def _group_chat_id(value: Any) -> int | None:
    number = _integer(value)
    if number is not None and number >= 0:
        raise problem(
            f"expected a group chat id, which is negative (such as -1001234567890), got {number}"
        )
    return number


def _language(value: Any) -> Language | None:
    if value == "kk":
        return "kk"
    if value == "ru":
        return "ru"
    return None


def _clock(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    return parse_clock(value) if isinstance(value, str) else None


def _time_range(*, wrapping: bool) -> Callable[[Any], TimeRange | None]:
    """Reads "09:00-18:00"; `wrapping` allows ranges past midnight (quiet hours, night shifts)."""

    def convert(value: Any) -> TimeRange | None:
        if isinstance(value, TimeRange):
            return value
        parts = value.split("-") if isinstance(value, str) else []
        clocks = [parse_clock(part.strip()) for part in parts]
        if len(clocks) != 2 or clocks[0] is None or clocks[1] is None:
            return None
        start, end = clocks[0], clocks[1]
        if start == end:
            raise problem(f"expected {_HOURS_EXPECTED}, got an empty range {describe(value)}")
        # "18:00-24:00" closes at midnight; that is not a range past midnight.
        if not wrapping and end != time(0, 0) and end < start:
            raise problem(f"the hours end before they start ({describe(value)})")
        return TimeRange(start, end)

    return convert


_HOURS_EXPECTED = 'hours as "HH:MM-HH:MM", for example "09:00-18:00"'


def _holidays(value: Any) -> frozenset[date] | None:
    if isinstance(value, frozenset):
        return value
    if not isinstance(value, list):
        return None
    days = set()
    for item in value:
        if isinstance(item, date):
            days.add(item)
            continue
        if not isinstance(item, str):
            return None
        try:
            days.add(date.fromisoformat(item))
        except ValueError:
            return None
    return frozenset(days)


def _time_zone(value: Any) -> ZoneInfo | None:
    if isinstance(value, ZoneInfo):
        return value
    try:
        return ZoneInfo(value) if isinstance(value, str) else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _short_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if not _ID.match(value):
        raise problem(f"expected {ID_EXPECTED}, got {describe(value)}")
    return value


def _weekday(value: Any) -> int | None:
    if isinstance(value, int) and 0 <= value < 7:
        return value
    if value in WEEKDAYS:
        return WEEKDAYS.index(value)
    raise problem(f"unknown key (known keys: {', '.join(sorted(WEEKDAYS))})")


def _weekdays(value: Any) -> frozenset[int] | None:
    if isinstance(value, frozenset):
        return value
    if not isinstance(value, list) or not value:
        return None
    for day in value:
        if day not in WEEKDAYS:
            raise problem(f"unknown day {describe(day)}; expected one of {', '.join(WEEKDAYS)}")
    return frozenset(WEEKDAYS.index(day) for day in value)


def _path(value: Any) -> Path | None:
    if isinstance(value, Path):
        return value
    return Path(value).expanduser() if isinstance(value, str) and value else None


def _http_url(value: Any) -> str | None:
    return value if isinstance(value, str) and re.match(r"^https?://\S+$", value) else None


def _webhook_url(value: Any) -> str | None:
    if value == "":
        return ""
    if not isinstance(value, str):
        return None
    # Telegram posts only to https; plain http only to this machine (a local Bot API
    # server, the sandbox's emulator in tests).
    if re.match(r"^https://\S+$", value) or re.match(_LOOPBACK_HTTP, value):
        return value
    return None


_LOOPBACK_HTTP = r"^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/\S*)?$"


# Telegram's rule for a bot's username: 5-32 letters, digits and _, ending in "bot".
BOT_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,30}[Bb][Oo][Tt]$")


def _bot_username(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    name = value.removeprefix("@")
    return name if name == "" or BOT_USERNAME.match(name) else None


def _webhook_secret(value: Any) -> str | None:
    if value == "":
        return ""
    return value if isinstance(value, str) and _WEBHOOK_SECRET.match(value) else None


@dataclass(frozen=True)
class ListenAddress:
    """Where a local HTTP server listens, written "host:port"."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def _listen_address(value: Any) -> ListenAddress | None:
    if isinstance(value, ListenAddress):
        return value
    match = _HOST_PORT.match(value) if isinstance(value, str) else None
    if not match or not 1 <= int(match.group(2)) <= 65535:
        return None
    return ListenAddress(match.group(1).strip("[]"), int(match.group(2)))


Phone = Annotated[str, Leaf("a phone number as text", text)]
ShortId = Annotated[str, Leaf('a short id such as "sairam"', _short_id)]
CENTER_ID_EXPECTED = 'a centre id such as "sairam"'
CenterId = Annotated[str, Leaf(CENTER_ID_EXPECTED, filled_text)]
Flag = Annotated[bool, Leaf("true or false", _bool)]
Count = Annotated[int, Leaf("a whole number, 1 or more", _at_least(1))]
Steps = Annotated[int, Leaf("a whole number, 0 or more", _at_least(0))]
Days = Annotated[int, Leaf("a whole number of days, 1 or more", _at_least(1))]
People = Annotated[int, Leaf("a whole number of people, 1 or more", _at_least(1))]
Rate = Annotated[float, Leaf("a positive number", _positive_number)]
UserId = Annotated[int, Leaf("a Telegram user id", _integer)]
UserIds = Annotated[tuple[int, ...], Leaf("a list of Telegram user ids", ids)]
UserIdSet = Annotated[frozenset[int], Leaf("a list of Telegram user ids", id_set)]
_GROUP_EXPECTED = "the staff group's chat id (a negative number)"
GroupChatId = Annotated[int, Leaf(_GROUP_EXPECTED, _group_chat_id)]
OptionalGroupChatId = Annotated[int | None, Leaf(_GROUP_EXPECTED, _group_chat_id, optional=True)]
Duration = Annotated[timedelta, Leaf(DURATION_EXPECTED, _duration(zero_allowed=False))]
DurationOrZero = Annotated[timedelta, Leaf(DURATION_EXPECTED, _duration(zero_allowed=True))]
Reminders = Annotated[
    tuple[timedelta, ...], Leaf(f"a list of durations, each {DURATION_EXPECTED}", _reminders)
]
ClockTime = Annotated[time, Leaf('a time of day such as "08:30"', _clock)]
OpeningHours = Annotated[TimeRange, Leaf(_HOURS_EXPECTED, _time_range(wrapping=False))]
# A night shift may run past midnight: it belongs to the day it starts.
ShiftHours = Annotated[TimeRange, Leaf(_HOURS_EXPECTED, _time_range(wrapping=True))]
QuietHours = Annotated[
    TimeRange | None,
    Leaf(f'{_HOURS_EXPECTED}, or "" for none', _time_range(wrapping=True), blank_is_none=True),
]
Holidays = Annotated[frozenset[date], Leaf('a list of dates such as "2026-12-16"', _holidays)]
TimeZone = Annotated[ZoneInfo, Leaf('a time zone name such as "Asia/Almaty"', _time_zone)]
LanguageCode = Annotated[Language, Leaf('"kk" or "ru"', _language)]
OptionalLanguageCode = Annotated[Language | None, Leaf('"kk" or "ru"', _language, optional=True)]
Weekday = Annotated[int, Leaf("a day of the week", _weekday)]
Weekdays = Annotated[
    frozenset[int],
    Leaf(f"a non-empty list of days from {', '.join(WEEKDAYS)}", _weekdays),
]
FilePath = Annotated[Path, Leaf("a file path", _path, needs_base_dir=True)]
# A file or folder the bot writes: relative to the data folder when there is one.
DataPath = Annotated[Path, Leaf("a file path", _path, written_by_bot=True)]
OptionalFilePath = Annotated[
    Path | None, Leaf("a file path", _path, needs_base_dir=True, blank_is_none=True)
]
HttpUrl = Annotated[str, Leaf("an http(s) URL", _http_url)]
WebhookUrl = Annotated[
    str,
    Leaf(
        "an https URL (Telegram sends webhooks only over HTTPS; plain http only to "
        'this machine), or "" for long polling',
        _webhook_url,
    ),
]
BotToken = Annotated[str, Leaf("a string (the bot token from BotFather)", text, secret=True)]
BotUsername = Annotated[
    str,
    Leaf('the bot\'s username without "@", such as "sairam_help_bot"', _bot_username),
]
WebhookSecret = Annotated[
    str,
    Leaf(
        "1 to 256 characters from A-Z, a-z, 0-9, _ and - (Telegram's rule for secret_token)",
        _webhook_secret,
        secret=True,
    ),
]
Listen = Annotated[
    ListenAddress, Leaf('an address "host:port", such as "127.0.0.1:8080"', _listen_address)
]

LanguageText = Annotated[
    str, Leaf("a text", filled_text, wrong="missing or empty; every text needs kk and ru")
]


@settings_dataclass(frozen=True, config=STRICT)
class Localized:
    """A text given in both languages by the centre (names, addresses)."""

    kk: LanguageText
    ru: LanguageText

    def get(self, language: Language) -> str:
        return self.kk if language == "kk" else self.ru


LOCALIZED_EXPECTED = 'a table with both languages, { kk = "...", ru = "..." }'
LocalizedText = Annotated[Localized, Described(LOCALIZED_EXPECTED)]
