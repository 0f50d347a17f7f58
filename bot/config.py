"""The configuration: a TOML file parsed once into frozen, typed settings.

Every problem is collected (not just the first) so that `helpline-bot check-config`
can list them all, each with its key and what is expected. The bot refuses to start
on the same problems with the same messages. The token is never printed: it is kept
out of every repr and every message.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.language import LANGUAGES, Language
from bot.domain.rota import DutyShift
from bot.domain.slots import TimeRange

TOKEN_ENV = "HELPLINE_BOT_TOKEN"
CONFIG_ENV = "HELPLINE_BOT_CONFIG"
DATA_KEY_ENV = "HELPLINE_BOT_DATA_KEY"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
_NO_IDS: tuple[int, ...] = ()
_DURATION_EXPECTED = 'a duration such as "30s", "5m", "2h" or "1d"'


@dataclass(frozen=True)
class Localized:
    """A text given in both languages by the centre (names, addresses)."""

    kk: str
    ru: str

    def get(self, language: Language) -> str:
        return self.kk if language == "kk" else self.ru


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)
    base_url: str
    staff_chat_id: int
    admin_ids: frozenset[int]

    @property
    def uses_sandbox(self) -> bool:
        return not self.token


@dataclass(frozen=True)
class GeneralSettings:
    timezone: ZoneInfo
    default_language: Language


@dataclass(frozen=True)
class StorageSettings:
    path: Path


@dataclass(frozen=True)
class UrgentSettings:
    escalate_after: timedelta
    max_escalations: int
    backup_ids: tuple[int, ...]
    # A forgotten /duty must not leave urgent cases with someone asleep.
    manual_duty_max: timedelta


@dataclass(frozen=True)
class BookingSettings:
    horizon_days: int
    min_lead: timedelta
    reminders: tuple[timedelta, ...]
    quiet_hours: TimeRange | None
    holidays: frozenset[date]
    agenda_time: time


@dataclass(frozen=True)
class Center:
    id: str
    name: Localized
    address: Localized
    phone: str


@dataclass(frozen=True)
class Service:
    id: str
    center: str
    name: Localized
    duration: timedelta
    capacity: int
    hours: Mapping[int, TimeRange]  # weekday (0 = Monday) -> working hours


@dataclass(frozen=True)
class EmergencyNumber:
    number: str
    name: Localized


@dataclass(frozen=True)
class PrivacySettings:
    retention_days: int
    data_key_file: Path | None
    allow_plaintext: bool
    # Newest first: the first seals, all open (key rotation). Never printed.
    data_keys: tuple[bytes, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class LimitSettings:
    cases_per_day: int
    bookings_per_day: int
    # Telegram's own limits; tests raise them so that bursts do not take minutes.
    telegram_per_second: float
    telegram_group_per_minute: float


@dataclass(frozen=True)
class TimingSettings:
    """How often due work (escalations, reminders, retention) is looked for."""

    tick: timedelta
    retry_base: timedelta
    retry_max: timedelta
    poll_timeout: timedelta


@dataclass(frozen=True)
class Settings:
    telegram: TelegramSettings
    general: GeneralSettings
    storage: StorageSettings
    urgent: UrgentSettings
    duty: tuple[DutyShift, ...]
    booking: BookingSettings
    centers: tuple[Center, ...]
    services: tuple[Service, ...]
    emergency_numbers: tuple[EmergencyNumber, ...]
    privacy: PrivacySettings
    limits: LimitSettings
    timing: TimingSettings

    def center(self, center_id: str) -> Center | None:
        return next((c for c in self.centers if c.id == center_id), None)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(Exception):
    """The config has problems; `problems` lists every one of them."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the configuration:\n{lines}")


DEFAULT_EMERGENCY_NUMBERS = (
    EmergencyNumber("112", Localized("Бірыңғай құтқару қызметі", "Единая служба спасения")),
    EmergencyNumber("102", Localized("Полиция", "Полиция")),
    EmergencyNumber("103", Localized("Жедел жәрдем", "Скорая помощь")),
    EmergencyNumber(
        "111",
        Localized(
            "Отбасы, әйелдер мен балалар мәселелері жөніндегі байланыс орталығы "
            "(тәулік бойы, тегін)",
            "Контакт-центр по вопросам семьи, женщин и детей (круглосуточно, бесплатно)",
        ),
    ),
    EmergencyNumber(
        "150",
        Localized("Балалар мен жастарға сенім телефоны", "Телефон доверия для детей и молодёжи"),
    ),
    EmergencyNumber("101", Localized("Өрт сөндіру қызметі", "Пожарная служба")),
)

T = TypeVar("T")


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def parse_duration(text: str) -> timedelta | None:
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def _parse_clock(text: str) -> time | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24:
        return time(0, 0) if minute == 0 else None
    return time(hour, minute)


class _Reader:
    """Walks the parsed TOML, records every problem and returns safe defaults."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message))

    def table(self, data: Mapping[str, Any], key: str, allowed: set[str]) -> Mapping[str, Any]:
        value = data.get(key.rsplit(".", 1)[-1].split("[", 1)[0], {})
        return self.check_table(value, key, allowed)

    def check_table(self, value: object, key: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            self.problem(key, f"expected a table, got {_describe(value)}")
            return {}
        for unknown in sorted(set(value) - allowed):
            self.problem(
                f"{key}.{unknown}", f"unknown key (known keys: {', '.join(sorted(allowed))})"
            )
        return value

    def value(
        self,
        data: Mapping[str, Any],
        prefix: str,
        name: str,
        default: T,
        convert: Callable[[Any], T | None],
        expected: str,
        *,
        required: bool = False,
    ) -> T:
        key = f"{prefix}.{name}" if prefix else name
        if name not in data:
            if required:
                self.problem(key, f"missing; expected {expected}")
            return default
        converted = convert(data[name])
        if converted is None:
            self.problem(key, f"expected {expected}, got {_describe(data[name])}")
            return default
        return converted


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _positive_int(value: Any) -> int | None:
    number = _int(value)
    return number if number is not None and number > 0 else None


def _non_negative_int(value: Any) -> int | None:
    number = _int(value)
    return number if number is not None and number >= 0 else None


def _positive_number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _duration(value: Any) -> timedelta | None:
    if not isinstance(value, str):
        return None
    parsed = parse_duration(value)
    return parsed if parsed is not None and parsed > timedelta(0) else None


def _non_negative_duration(value: Any) -> timedelta | None:
    return parse_duration(value) if isinstance(value, str) else None


def _ids(value: Any) -> tuple[int, ...] | None:
    if not isinstance(value, list) or not all(_int(v) is not None for v in value):
        return None
    return tuple(value)


def _language(value: Any) -> Language | None:
    if value == "kk":
        return "kk"
    if value == "ru":
        return "ru"
    return None


def _clock(value: Any) -> time | None:
    return _parse_clock(value) if isinstance(value, str) else None


def _time_range(
    reader: _Reader,
    data: Mapping[str, Any],
    prefix: str,
    name: str,
    *,
    wrapping: bool,
    required: bool = False,
) -> TimeRange | None:
    """Reads "09:00-18:00"; `wrapping` allows ranges past midnight (quiet hours, night shifts)."""
    key = f"{prefix}.{name}"
    expected = 'hours as "HH:MM-HH:MM", for example "09:00-18:00"'
    if name not in data:
        if required:
            reader.problem(key, f"missing; expected {expected}")
        return None
    value = data[name]
    parts = value.split("-") if isinstance(value, str) else []
    clocks = [_parse_clock(part.strip()) for part in parts]
    if len(clocks) != 2 or clocks[0] is None or clocks[1] is None:
        reader.problem(key, f"expected {expected}, got {_describe(value)}")
        return None
    start, end = clocks[0], clocks[1]
    if start == end:
        reader.problem(key, f"expected {expected}, got an empty range {_describe(value)}")
        return None
    # "18:00-24:00" closes at midnight; that is not a range past midnight.
    if not wrapping and end != time(0, 0) and end < start:
        reader.problem(key, f"the hours end before they start ({_describe(value)})")
        return None
    return TimeRange(start, end)


def _localized(reader: _Reader, data: Mapping[str, Any], prefix: str, name: str) -> Localized:
    key = f"{prefix}.{name}"
    value = data.get(name)
    expected = 'a table with both languages, { kk = "...", ru = "..." }'
    if value is None:
        reader.problem(key, f"missing; expected {expected}")
        return Localized("", "")
    if not isinstance(value, dict):
        reader.problem(key, f"expected {expected}, got {_describe(value)}")
        return Localized("", "")
    for unknown in sorted(set(value) - set(LANGUAGES)):
        reader.problem(f"{key}.{unknown}", "unknown language (expected kk and ru)")
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            reader.problem(f"{key}.{language}", "missing or empty; every text needs kk and ru")
            texts[language] = ""
        else:
            texts[language] = text
    return Localized(texts["kk"], texts["ru"])


def _list_of_tables(reader: _Reader, data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        reader.problem(key, f"expected a list of tables ([[{key}]]), got {_describe(value)}")
        return []
    return value


def _weekday_list(reader: _Reader, value: Any, key: str) -> frozenset[int]:
    if not isinstance(value, list) or not value:
        reader.problem(key, f"expected a non-empty list of days from {', '.join(WEEKDAYS)}")
        return frozenset()
    days: set[int] = set()
    for day in value:
        if day not in WEEKDAYS:
            reader.problem(
                key, f"unknown day {_describe(day)}; expected one of {', '.join(WEEKDAYS)}"
            )
        else:
            days.add(WEEKDAYS.index(day))
    return frozenset(days)


def _parse_telegram(
    reader: _Reader, root: Mapping[str, Any], env: Mapping[str, str]
) -> TelegramSettings:
    data = reader.table(root, "telegram", {"token", "base_url", "staff_chat_id", "admin_ids"})
    token = reader.value(
        data, "telegram", "token", "", _str, "a string (the bot token from BotFather)"
    )
    token = env.get(TOKEN_ENV, "").strip() or token.strip()
    if token and not re.match(r"^\d+:[A-Za-z0-9_-]{20,}$", token):
        # Never echo the token itself, not even a bad one.
        reader.problem(
            "telegram.token", 'expected a token of the form "123456:ABC..." from BotFather'
        )
    base_url = reader.value(
        data, "telegram", "base_url", "https://api.telegram.org/bot", _str, "an http(s) URL"
    )
    if not re.match(r"^https?://\S+$", base_url):
        reader.problem("telegram.base_url", f"expected an http(s) URL, got {_describe(base_url)}")
    staff_chat_id = reader.value(
        data,
        "telegram",
        "staff_chat_id",
        0,
        _int,
        "the staff group's chat id (a negative number)",
        required=True,
    )
    if "staff_chat_id" in data and _int(data["staff_chat_id"]) is not None and staff_chat_id >= 0:
        reader.problem(
            "telegram.staff_chat_id",
            "expected a group chat id, which is negative (such as -1001234567890), "
            f"got {staff_chat_id}",
        )
    admin_ids = reader.value(
        data, "telegram", "admin_ids", _NO_IDS, _ids, "a list of Telegram user ids"
    )
    return TelegramSettings(token, base_url, staff_chat_id, frozenset(admin_ids))


def _parse_general(reader: _Reader, root: Mapping[str, Any]) -> GeneralSettings:
    data = reader.table(root, "general", {"timezone", "default_language"})
    zone_name = reader.value(data, "general", "timezone", "Asia/Almaty", _str, "a time zone name")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem(
            "general.timezone",
            f'expected a time zone name such as "Asia/Almaty", got {_describe(zone_name)}',
        )
        zone = ZoneInfo("Asia/Almaty")
    language: Language = reader.value(
        data, "general", "default_language", "kk", _language, '"kk" or "ru"'
    )
    return GeneralSettings(zone, language)


def _parse_storage(reader: _Reader, root: Mapping[str, Any], base_dir: Path) -> StorageSettings:
    data = reader.table(root, "storage", {"path"})
    raw = reader.value(data, "storage", "path", "helpline.sqlite3", _str, "a file path")
    path = Path(raw).expanduser()
    # Relative to the config file, so the bot finds its database wherever it is started.
    return StorageSettings(path if path.is_absolute() else base_dir / path)


def _parse_urgent(reader: _Reader, root: Mapping[str, Any]) -> UrgentSettings:
    data = reader.table(
        root, "urgent", {"escalate_after", "max_escalations", "backup_ids", "manual_duty_max"}
    )
    return UrgentSettings(
        escalate_after=reader.value(
            data, "urgent", "escalate_after", timedelta(minutes=5), _duration, _DURATION_EXPECTED
        ),
        max_escalations=reader.value(
            data, "urgent", "max_escalations", 3, _non_negative_int, "a whole number, 0 or more"
        ),
        backup_ids=reader.value(
            data, "urgent", "backup_ids", _NO_IDS, _ids, "a list of Telegram user ids"
        ),
        manual_duty_max=reader.value(
            data, "urgent", "manual_duty_max", timedelta(hours=12), _duration, _DURATION_EXPECTED
        ),
    )


def _parse_duty(reader: _Reader, root: Mapping[str, Any]) -> tuple[DutyShift, ...]:
    shifts = []
    for index, item in enumerate(_list_of_tables(reader, root, "duty")):
        prefix = f"duty[{index}]"
        data = reader.check_table(item, prefix, {"user_id", "days", "hours"})
        if not data:
            continue
        user_id = reader.value(
            data, prefix, "user_id", 0, _int, "a Telegram user id", required=True
        )
        days = _weekday_list(reader, data.get("days"), f"{prefix}.days")
        # A night shift may run past midnight: it belongs to the day it starts.
        hours = _time_range(reader, data, prefix, "hours", wrapping=True, required=True)
        if hours is not None:
            shifts.append(DutyShift(user_id=user_id, weekdays=days, hours=hours))
    return tuple(shifts)


def _holiday_list(value: Any) -> frozenset[date] | None:
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


def _reminder_list(value: Any) -> tuple[timedelta, ...] | None:
    if not isinstance(value, list):
        return None
    offsets = [_duration(item) for item in value]
    if any(offset is None for offset in offsets):
        return None
    return tuple(sorted((o for o in offsets if o is not None), reverse=True))


def _parse_booking(reader: _Reader, root: Mapping[str, Any]) -> BookingSettings:
    data = reader.table(
        root,
        "booking",
        {"horizon_days", "min_lead", "reminders", "quiet_hours", "holidays", "agenda_time"},
    )
    quiet_raw = data.get("quiet_hours", "22:00-08:00")
    quiet = None
    if quiet_raw != "":
        quiet = _time_range(
            reader, {"quiet_hours": quiet_raw}, "booking", "quiet_hours", wrapping=True
        )
    return BookingSettings(
        horizon_days=reader.value(
            data, "booking", "horizon_days", 14, _positive_int, "a whole number of days, 1 or more"
        ),
        min_lead=reader.value(
            data,
            "booking",
            "min_lead",
            timedelta(hours=2),
            _non_negative_duration,
            _DURATION_EXPECTED,
        ),
        reminders=reader.value(
            data,
            "booking",
            "reminders",
            (timedelta(hours=24), timedelta(hours=2)),
            _reminder_list,
            f"a list of durations, each {_DURATION_EXPECTED}",
        ),
        quiet_hours=quiet,
        holidays=reader.value(
            data,
            "booking",
            "holidays",
            frozenset(),
            _holiday_list,
            'a list of dates such as "2026-12-16"',
        ),
        agenda_time=reader.value(
            data, "booking", "agenda_time", time(8, 30), _clock, 'a time of day such as "08:30"'
        ),
    )


def _parse_centers(reader: _Reader, root: Mapping[str, Any]) -> tuple[Center, ...]:
    centers = []
    seen: set[str] = set()
    for index, item in enumerate(_list_of_tables(reader, root, "centers")):
        prefix = f"centers[{index}]"
        data = reader.check_table(item, prefix, {"id", "name", "address", "phone"})
        if not data:
            continue
        center_id = reader.value(
            data, prefix, "id", "", _str, 'a short id such as "sairam"', required=True
        )
        if center_id and not _ID.match(center_id):
            reader.problem(f"{prefix}.id", "expected lower-case letters, digits, - or _ (up to 32)")
        if center_id in seen:
            reader.problem(f"{prefix}.id", f'"{center_id}" is used by another centre')
        seen.add(center_id)
        centers.append(
            Center(
                id=center_id,
                name=_localized(reader, data, prefix, "name"),
                address=_localized(reader, data, prefix, "address"),
                phone=reader.value(data, prefix, "phone", "", _str, "a phone number as text"),
            )
        )
    return tuple(centers)


def _parse_services(
    reader: _Reader, root: Mapping[str, Any], centers: tuple[Center, ...]
) -> tuple[Service, ...]:
    services = []
    seen: set[str] = set()
    center_ids = [c.id for c in centers]
    for index, item in enumerate(_list_of_tables(reader, root, "services")):
        prefix = f"services[{index}]"
        data = reader.check_table(
            item, prefix, {"id", "center", "name", "duration", "capacity", "hours"}
        )
        if not data:
            continue
        service_id = reader.value(data, prefix, "id", "", _str, "a short id", required=True)
        if service_id and not _ID.match(service_id):
            reader.problem(f"{prefix}.id", "expected lower-case letters, digits, - or _ (up to 32)")
        if service_id in seen:
            reader.problem(f"{prefix}.id", f'"{service_id}" is used by another service')
        seen.add(service_id)
        center = reader.value(data, prefix, "center", "", _str, "a centre id", required=True)
        if center and center not in center_ids:
            known = ", ".join(center_ids) or "none are configured"
            reader.problem(f"{prefix}.center", f'no centre with id "{center}" (known: {known})')
        hours: dict[int, TimeRange] = {}
        hours_data = reader.check_table(data.get("hours", {}), f"{prefix}.hours", set(WEEKDAYS))
        for day_name in hours_data:
            if day_name not in WEEKDAYS:
                continue
            parsed = _time_range(reader, hours_data, f"{prefix}.hours", day_name, wrapping=False)
            if parsed is not None:
                hours[WEEKDAYS.index(day_name)] = parsed
        if not hours_data and isinstance(data.get("hours", {}), dict):
            reader.problem(
                f"{prefix}.hours", "missing; expected working hours for at least one day"
            )
        services.append(
            Service(
                id=service_id,
                center=center,
                name=_localized(reader, data, prefix, "name"),
                duration=reader.value(
                    data,
                    prefix,
                    "duration",
                    timedelta(minutes=45),
                    _duration,
                    _DURATION_EXPECTED,
                    required=True,
                ),
                capacity=reader.value(
                    data,
                    prefix,
                    "capacity",
                    1,
                    _positive_int,
                    "a whole number of people, 1 or more",
                ),
                hours=hours,
            )
        )
    return tuple(services)


def _parse_emergency(reader: _Reader, root: Mapping[str, Any]) -> tuple[EmergencyNumber, ...]:
    if "emergency_numbers" not in root:
        return DEFAULT_EMERGENCY_NUMBERS
    numbers = []
    for index, item in enumerate(_list_of_tables(reader, root, "emergency_numbers")):
        prefix = f"emergency_numbers[{index}]"
        data = reader.check_table(item, prefix, {"number", "name"})
        if not data:
            continue
        number = reader.value(
            data, prefix, "number", "", _str, 'a number as text, such as "102"', required=True
        )
        numbers.append(EmergencyNumber(number, _localized(reader, data, prefix, "name")))
    return tuple(numbers)


def _parse_privacy(
    reader: _Reader, root: Mapping[str, Any], base_dir: Path, env: Mapping[str, str]
) -> PrivacySettings:
    data = reader.table(root, "privacy", {"retention_days", "data_key_file", "allow_plaintext"})
    key_file = reader.value(data, "privacy", "data_key_file", "", _str, "a file path")
    key_path = None
    key_text = env.get(DATA_KEY_ENV, "").strip()
    if key_file:
        key_path = Path(key_file).expanduser()
        key_path = key_path if key_path.is_absolute() else base_dir / key_path
        if not key_text:
            try:
                key_text = key_path.read_text(encoding="ascii").strip()
            except (OSError, UnicodeError):
                reader.problem("privacy.data_key_file", f"cannot read the key file {key_path}")
    keys = tuple(part.strip().encode("ascii") for part in re.split(r"[,\s]+", key_text) if part)
    for key in keys:
        if not _is_fernet_key(key):
            # Never echo the key, not even a bad one.
            reader.problem(
                "privacy.data_key_file" if key_file else DATA_KEY_ENV,
                "expected keys made by `helpline-bot new-key` (44 characters, base64)",
            )
            keys = ()
            break
    allow_plaintext = reader.value(
        data, "privacy", "allow_plaintext", False, _bool, "true or false"
    )
    if not keys and not allow_plaintext:
        reader.problem(
            "privacy",
            f"no data key: set {DATA_KEY_ENV} or privacy.data_key_file "
            "(make one with `helpline-bot new-key`), or allow_plaintext = true to try the bot",
        )
    return PrivacySettings(
        retention_days=reader.value(
            data,
            "privacy",
            "retention_days",
            90,
            _positive_int,
            "a whole number of days, 1 or more",
        ),
        data_key_file=key_path,
        allow_plaintext=allow_plaintext,
        data_keys=keys,
    )


def _is_fernet_key(key: bytes) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key)) == 32 and len(key) == 44
    except (ValueError, binascii.Error):
        return False


def _parse_limits(reader: _Reader, root: Mapping[str, Any]) -> LimitSettings:
    data = reader.table(
        root,
        "limits",
        {"cases_per_day", "bookings_per_day", "telegram_per_second", "telegram_group_per_minute"},
    )
    return LimitSettings(
        cases_per_day=reader.value(
            data, "limits", "cases_per_day", 5, _positive_int, "a whole number, 1 or more"
        ),
        bookings_per_day=reader.value(
            data, "limits", "bookings_per_day", 5, _positive_int, "a whole number, 1 or more"
        ),
        telegram_per_second=reader.value(
            data, "limits", "telegram_per_second", 30.0, _positive_number, "a positive number"
        ),
        telegram_group_per_minute=reader.value(
            data, "limits", "telegram_group_per_minute", 20.0, _positive_number, "a positive number"
        ),
    )


def _parse_timing(reader: _Reader, root: Mapping[str, Any]) -> TimingSettings:
    data = reader.table(root, "timing", {"tick", "retry_base", "retry_max", "poll_timeout"})
    return TimingSettings(
        tick=reader.value(
            data, "timing", "tick", timedelta(seconds=10), _duration, _DURATION_EXPECTED
        ),
        retry_base=reader.value(
            data, "timing", "retry_base", timedelta(seconds=1), _duration, _DURATION_EXPECTED
        ),
        retry_max=reader.value(
            data, "timing", "retry_max", timedelta(minutes=5), _duration, _DURATION_EXPECTED
        ),
        poll_timeout=reader.value(
            data, "timing", "poll_timeout", timedelta(seconds=30), _duration, _DURATION_EXPECTED
        ),
    )


_SECTIONS = {
    "telegram",
    "general",
    "storage",
    "urgent",
    "duty",
    "booking",
    "centers",
    "services",
    "emergency_numbers",
    "privacy",
    "limits",
    "timing",
}


def parse_settings(
    root: Mapping[str, Any],
    *,
    base_dir: Path,
    env: Mapping[str, str] | None = None,
    source: str = "config",
) -> Settings:
    """Turns a parsed TOML document into Settings, or raises ConfigError with every problem."""
    reader = _Reader()
    env = os.environ if env is None else env
    for unknown in sorted(set(root) - _SECTIONS):
        reader.problem(unknown, f"unknown section (known: {', '.join(sorted(_SECTIONS))})")
    centers = _parse_centers(reader, root)
    settings = Settings(
        telegram=_parse_telegram(reader, root, env),
        general=_parse_general(reader, root),
        storage=_parse_storage(reader, root, base_dir),
        urgent=_parse_urgent(reader, root),
        duty=_parse_duty(reader, root),
        booking=_parse_booking(reader, root),
        centers=centers,
        services=_parse_services(reader, root, centers),
        emergency_numbers=_parse_emergency(reader, root),
        privacy=_parse_privacy(reader, root, base_dir, env),
        limits=_parse_limits(reader, root),
        timing=_parse_timing(reader, root),
    )
    if reader.problems:
        raise ConfigError(source, reader.problems)
    return settings


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get(CONFIG_ENV) or "config.toml")


def load_settings(path: Path, env: Mapping[str, str] | None = None) -> Settings:
    """Reads and validates the config file; raises ConfigError listing every problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            source, [Problem("(file)", "not found; copy config.example.toml")]
        ) from None
    except OSError as error:
        raise ConfigError(
            source, [Problem("(file)", f"cannot be read: {error.strerror}")]
        ) from None
    try:
        root = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, [Problem("(syntax)", f"not valid TOML: {error}")]) from None
    return parse_settings(root, base_dir=path.resolve().parent, env=env, source=source)
