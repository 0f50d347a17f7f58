"""The whole config as the code reads it, and each centre's resolved staff side."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field
from pydantic.dataclasses import dataclass as settings_dataclass

from bot.config.leaf import STRICT
from bot.config.places import (
    DEFAULT_EMERGENCY_NUMBERS,
    Center,
    DutyEntry,
    EmergencyNumber,
    QuickReply,
    Referral,
    Service,
)
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
from bot.domain.language import Language
from bot.domain.rota import DutyShift


@dataclass(frozen=True)
class StaffSide:
    """Who works one centre's cases: its group, admins, backups and rota."""

    center_id: str
    staff_chat_id: int
    admin_ids: frozenset[int]
    backup_ids: tuple[int, ...]
    duty: tuple[DutyShift, ...]


@settings_dataclass(frozen=True, config=STRICT)
class Settings:
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    general: GeneralSettings = field(default_factory=GeneralSettings)
    # Validated from {} when absent, so the default database lies beside the config file.
    storage: StorageSettings = Field(default_factory=dict, validate_default=True)
    urgent: UrgentSettings = field(default_factory=UrgentSettings)
    duty: tuple[DutyEntry, ...] = ()
    booking: BookingSettings = field(default_factory=BookingSettings)
    centers: tuple[Center, ...] = ()
    services: tuple[Service, ...] = ()
    emergency_numbers: tuple[EmergencyNumber, ...] = DEFAULT_EMERGENCY_NUMBERS
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    timing: TimingSettings = field(default_factory=TimingSettings)
    referrals: tuple[Referral, ...] = ()
    quick_replies: tuple[QuickReply, ...] = ()
    # Absent sections switch these off: no health endpoint, no scheduled backups.
    health: HealthSettings | None = None
    backup: BackupSettings | None = None

    def center(self, center_id: str) -> Center | None:
        return next((c for c in self.centers if c.id == center_id), None)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def quick_reply(self, reply_id: str) -> QuickReply | None:
        return next((r for r in self.quick_replies if r.id == reply_id), None)

    @property
    def staff_language(self) -> Language:
        return self.telegram.staff_language or self.general.default_language

    def staff_side(self, center_id: str) -> StaffSide | None:
        """A centre's own staff keys, each falling back to the top-level one.

        Duty entries naming no centre belong to the only centre (the validator refuses
        them when there are several).
        """
        center = self.center(center_id)
        if center is None:
            return None
        only_center = len(self.centers) == 1
        duty = tuple(
            entry
            for entry in self.duty
            if entry.center == center_id or (entry.center is None and only_center)
        )
        return StaffSide(
            center_id=center_id,
            staff_chat_id=(
                self.telegram.staff_chat_id
                if center.staff_chat_id is None
                else center.staff_chat_id
            ),
            admin_ids=self.telegram.admin_ids if center.admin_ids is None else center.admin_ids,
            backup_ids=(self.urgent.backup_ids if center.backup_ids is None else center.backup_ids),
            duty=duty,
        )

    @property
    def staff_sides(self) -> tuple[StaffSide, ...]:
        sides = (self.staff_side(center.id) for center in self.centers)
        return tuple(side for side in sides if side is not None)
