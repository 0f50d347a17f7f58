"""The configuration: a TOML file parsed once into frozen, typed settings.

pydantic checks each table against the classes in `sections` and `places` (leaf values
in `values`); `checks` looks at the whole (ids, centres, staff groups); `problems` says
every problem with its key and what is expected, all at once. The bot refuses to start
on the same problems with the same messages. The token, the webhook secret and the data
keys are never printed: they are kept out of every repr and every message.
"""

from bot.config.checks import EXAMPLE_GROUP_IDS, config_warnings, real_staff_groups
from bot.config.loading import (
    CONFIG_ENV,
    DATA_DIR_ENV,
    DATA_KEY_ENV,
    HEALTH_LISTEN_ENV,
    TOKEN_ENV,
    default_config_path,
    load_settings,
    parse_settings,
)
from bot.config.places import (
    DEFAULT_EMERGENCY_NUMBERS,
    REFERRAL_KINDS,
    Center,
    DutyEntry,
    EmergencyNumber,
    QuickReply,
    Referral,
    ReferralKind,
    Service,
)
from bot.config.problems import ConfigError, Problem
from bot.config.sections import (
    BackupSettings,
    BookingSettings,
    GeneralSettings,
    HealthSettings,
    LimitSettings,
    PrivacySettings,
    StorageSettings,
    TelegramSettings,
    TimingSettings,
    UrgentSettings,
)
from bot.config.settings import Settings, StaffSide
from bot.config.values import (
    WEEKDAYS,
    ListenAddress,
    Localized,
    parse_duration,
)
from bot.domain.language import LANGUAGES, Language

__all__ = [
    "CONFIG_ENV",
    "DATA_DIR_ENV",
    "DATA_KEY_ENV",
    "DEFAULT_EMERGENCY_NUMBERS",
    "EXAMPLE_GROUP_IDS",
    "HEALTH_LISTEN_ENV",
    "LANGUAGES",
    "REFERRAL_KINDS",
    "TOKEN_ENV",
    "WEEKDAYS",
    "BackupSettings",
    "BookingSettings",
    "Center",
    "ConfigError",
    "DutyEntry",
    "EmergencyNumber",
    "GeneralSettings",
    "HealthSettings",
    "Language",
    "LimitSettings",
    "ListenAddress",
    "Localized",
    "PrivacySettings",
    "Problem",
    "QuickReply",
    "Referral",
    "ReferralKind",
    "Service",
    "Settings",
    "StaffSide",
    "StorageSettings",
    "TelegramSettings",
    "TimingSettings",
    "UrgentSettings",
    "config_warnings",
    "default_config_path",
    "load_settings",
    "parse_duration",
    "parse_settings",
    "real_staff_groups",
]
