"""The config's single tables: [telegram], [general], [storage], [urgent], [booking], ...

Each class is the table as the code reads it; its field names are the TOML keys, its
defaults what an absent key means.
"""

from __future__ import annotations

from dataclasses import field
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic.dataclasses import dataclass as settings_dataclass

from bot.config.leaf import STRICT, Internal
from bot.config.values import (
    BotToken,
    BotUsername,
    ClockTime,
    Count,
    DataPath,
    Days,
    Duration,
    DurationOrZero,
    Flag,
    GroupChatId,
    Holidays,
    HttpUrl,
    LanguageCode,
    Listen,
    ListenAddress,
    OptionalFilePath,
    OptionalGroupChatId,
    OptionalLanguageCode,
    QuietHours,
    Rate,
    Reminders,
    Steps,
    TimeZone,
    UserIds,
    UserIdSet,
    WebhookSecret,
    WebhookUrl,
)
from bot.domain.slots import TimeRange

# Not given: the loader puts the first centre's own group here (see loading._completed).
NO_GROUP = 0


@settings_dataclass(frozen=True, config=STRICT)
class TelegramSettings:
    token: BotToken = field(default="", repr=False)
    base_url: HttpUrl = "https://api.telegram.org/bot"
    staff_chat_id: GroupChatId = NO_GROUP
    admin_ids: UserIdSet = frozenset()
    # Second round: a region group, the staff groups' own language, webhooks.
    region_chat_id: OptionalGroupChatId = None
    staff_language: OptionalLanguageCode = None
    webhook_url: WebhookUrl = ""
    webhook_listen: Listen = ListenAddress("127.0.0.1", 8443)
    webhook_secret: WebhookSecret = field(default="", repr=False)
    # Third round: the bot's @username, so that a poster's link is made without network.
    bot_username: BotUsername = ""

    @property
    def uses_sandbox(self) -> bool:
        return not self.token


@settings_dataclass(frozen=True, config=STRICT)
class GeneralSettings:
    timezone: TimeZone = ZoneInfo("Asia/Almaty")
    default_language: LanguageCode = "kk"


@settings_dataclass(frozen=True, config=STRICT)
class StorageSettings:
    # Validated even when absent: relative to the config file, like a path that is given.
    path: DataPath = Field(default=Path("helpline.sqlite3"), validate_default=True)


@settings_dataclass(frozen=True, config=STRICT)
class UrgentSettings:
    escalate_after: Duration = timedelta(minutes=5)
    max_escalations: Steps = 3
    backup_ids: UserIds = ()
    # A forgotten /duty must not leave urgent cases with someone asleep.
    manual_duty_max: Duration = timedelta(hours=12)


@settings_dataclass(frozen=True, config=STRICT)
class BookingSettings:
    horizon_days: Days = 14
    min_lead: DurationOrZero = timedelta(hours=2)
    reminders: Reminders = (timedelta(hours=24), timedelta(hours=2))
    quiet_hours: QuietHours = TimeRange(time(22), time(8))
    holidays: Holidays = frozenset()
    agenda_time: ClockTime = time(8, 30)


@settings_dataclass(frozen=True, config=STRICT)
class PrivacySettings:
    retention_days: Days = 90
    # After a quick exit, what staff, reminders and questions send her is held until she
    # writes again or this long has passed (bot/domain/contact_safety.py).
    hold_after_exit: Duration = timedelta(days=7)
    data_key_file: OptionalFilePath = None
    # Without a token (the sandbox) only: texts are stored unencrypted when no key is given.
    allow_plaintext: Flag = False
    # With a token, plaintext needs this loud key instead (loading.PLAINTEXT_OVERRIDE).
    insecure_plaintext_with_token: Flag = False
    # Newest first: the first seals, all open (key rotation). Read from the environment
    # or the key file by the loader, never from the config itself; never printed.
    data_keys: Annotated[tuple[bytes, ...], Internal(tuple)] = field(default=(), repr=False)


@settings_dataclass(frozen=True, config=STRICT)
class LimitSettings:
    cases_per_day: Count = 5
    bookings_per_day: Count = 5
    # Telegram's own limits; tests raise them so that bursts do not take minutes.
    telegram_per_second: Rate = 30.0
    telegram_group_per_minute: Rate = 20.0


@settings_dataclass(frozen=True, config=STRICT)
class TimingSettings:
    """How often due work (escalations, reminders, retention) is looked for."""

    tick: Duration = timedelta(seconds=10)
    retry_base: Duration = timedelta(seconds=1)
    retry_max: Duration = timedelta(minutes=5)
    poll_timeout: Duration = timedelta(seconds=30)
    # A "yes, erase everything" press counts only on a question asked this recently: an old
    # one scrolled up in the chat history (a shared phone) must not erase anything.
    forget_confirm_valid: Duration = timedelta(minutes=5)
    # A person writing outside any flow gets the calm "what I understand" answer at most
    # this often: a flood of hundreds of messages gets one answer, not hundreds.
    fallback_answer_every: Duration = timedelta(minutes=1)
    # How often the alert path (the bot's rights in the staff group) is checked.
    alert_path_check: Duration = timedelta(minutes=5)
    # An urgent message (card, on-duty DM, the user's numbers) not delivered after this
    # long: the admins and backups are told.
    urgent_undelivered_after: Duration = timedelta(minutes=1)


@settings_dataclass(frozen=True, config=STRICT)
class HealthSettings:
    """[health]: GET /healthz and /metrics on a local address (absent: no endpoint)."""

    listen: Listen = ListenAddress("127.0.0.1", 8080)
    # A message waiting longer than this to be delivered makes /healthz answer 503.
    outbox_max_age: Duration = timedelta(minutes=10)


@settings_dataclass(frozen=True, config=STRICT)
class BackupSettings:
    """[backup]: a daily copy of the database (absent: no scheduled backups)."""

    dir: DataPath = Field(default=Path("backups"), validate_default=True)
    time: ClockTime = time(3, 0)
    keep: Count = 14


__all__ = [
    "BackupSettings",
    "BookingSettings",
    "GeneralSettings",
    "HealthSettings",
    "LimitSettings",
    "PrivacySettings",
    "StorageSettings",
    "TelegramSettings",
    "TimingSettings",
    "UrgentSettings",
]
