"""The config's lists of tables: [[centers]], [[services]], [[duty]], [[referrals]], ...

Whether the ids they name exist and fit together is checked in `bot.config.checks`,
where every list is in view.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, Field
from pydantic.dataclasses import dataclass as settings_dataclass

from bot.config.leaf import STRICT, Described, Leaf, problem
from bot.config.values import (
    CENTER_ID_EXPECTED,
    LOCALIZED_EXPECTED,
    CenterId,
    Duration,
    Localized,
    LocalizedText,
    OpeningHours,
    OptionalGroupChatId,
    People,
    Phone,
    ShiftHours,
    ShortId,
    UserId,
    Weekday,
    Weekdays,
    filled_text,
    id_list,
    id_set,
    ids,
    text,
)
from bot.domain.rota import DutyShift
from bot.domain.slots import TimeRange

OptionalUserIds = Annotated[
    tuple[int, ...] | None, Leaf("a list of Telegram user ids", ids, optional=True)
]
OptionalUserIdSet = Annotated[
    frozenset[int] | None, Leaf("a list of Telegram user ids", id_set, optional=True)
]
OptionalLocalizedText = Annotated[Localized | None, Described(LOCALIZED_EXPECTED)]
OptionalCenterId = Annotated[str | None, Leaf(CENTER_ID_EXPECTED, filled_text, optional=True)]


@settings_dataclass(frozen=True, config=STRICT)
class Center:
    id: ShortId
    name: LocalizedText
    address: LocalizedText
    phone: Phone = ""
    # Its own staff side; None falls back to telegram.staff_chat_id, telegram.admin_ids
    # and urgent.backup_ids (see Settings.staff_side).
    staff_chat_id: OptionalGroupChatId = None
    admin_ids: OptionalUserIdSet = None
    backup_ids: OptionalUserIds = None


_WEEK_HOURS = 'working hours for at least one day, such as { mon = "09:00-18:00" }'


def _some_hours(hours: dict[int, TimeRange]) -> dict[int, TimeRange]:
    if not hours:
        raise problem(f"missing; expected {_WEEK_HOURS}")
    return hours


@settings_dataclass(frozen=True, config=STRICT)
class Service:
    id: ShortId
    center: CenterId
    name: LocalizedText
    duration: Duration
    capacity: People = 1
    # Weekday (0 = Monday) -> working hours. Required: the default is there only because
    # capacity before it has one, and validating it reports "missing".
    hours: Annotated[
        dict[Weekday, OpeningHours], Described(_WEEK_HOURS), AfterValidator(_some_hours)
    ] = Field(default_factory=dict, validate_default=True)


@settings_dataclass(frozen=True, config=STRICT)
class DutyEntry(DutyShift):
    """A [[duty]] entry: a rota shift, written with `days`, and the centre it serves."""

    user_id: UserId
    weekdays: Annotated[Weekdays, Field(alias="days")]
    hours: ShiftHours
    # Required when there are several centres; None: the only centre.
    center: OptionalCenterId = None


@settings_dataclass(frozen=True, config=STRICT)
class EmergencyNumber:
    number: Annotated[str, Leaf('a number as text, such as "102"', text)]
    name: LocalizedText


ReferralKind = Literal[
    "police", "crisis_centre", "hospital", "legal_aid", "addiction", "social_services", "other"
]
REFERRAL_KINDS: tuple[ReferralKind, ...] = get_args(ReferralKind)


def _referral_kind(value: Any) -> ReferralKind | None:
    return value if value in REFERRAL_KINDS else None


@settings_dataclass(frozen=True, config=STRICT)
class Referral:
    """[[referrals]]: where else to get help (shown by /contacts)."""

    kind: Annotated[ReferralKind, Leaf(f"one of {', '.join(REFERRAL_KINDS)}", _referral_kind)]
    name: LocalizedText
    phone: Phone
    address: OptionalLocalizedText = None
    hours: OptionalLocalizedText = None
    # The centres it is shown for; empty: every centre.
    centers: Annotated[tuple[str, ...], Leaf("a list of centre ids", id_list)] = ()


@settings_dataclass(frozen=True, config=STRICT)
class QuickReply:
    """[[quick_replies]]: a staff answer ready in both languages (/r ID)."""

    id: ShortId
    text: LocalizedText


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
