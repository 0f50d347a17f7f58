"""The one typed channel through which handlers and jobs reach the bot's resources."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import aiosqlite
from telegram.ext import Application, CallbackContext, ExtBot

from bot.appointments.draft import BookingDraft
from bot.appointments.service import AppointmentService
from bot.cases.service import Cases
from bot.clock import Clock
from bot.config import Settings
from bot.contact_safety import ContactSafetyService
from bot.delivery import Delivery
from bot.domain.language import Language
from bot.domain.request_draft import RequestDraft
from bot.feedback import FeedbackService
from bot.i18n import Texts, Translator
from bot.message_log import MessageLog
from bot.ops.metrics import Metrics
from bot.reports.drawing import Drawing
from bot.staff_access import StaffDirectory
from storage.audit import AuditRepository
from storage.crypto import TextSealer
from storage.db import Database
from storage.outbox import OutboxRepository
from storage.stats import StatsRepository
from storage.unit_of_work import Transaction, UnitOfWork
from storage.users import UserRepository

SERVICES_KEY = "services"

DueWork = Callable[["Services"], Awaitable[None]]


@dataclass(frozen=True)
class DailyWork:
    """A job the JobQueue runs once a day at a local time (and once at start, to catch up
    on a day the bot was down at that time)."""

    at: time
    work: DueWork


# Erases one feature's data about a user inside the forget-me transaction (bot/forgetting.py).
Eraser = Callable[[aiosqlite.Connection, "Services", int, datetime], Awaitable[None]]


@dataclass
class Services:
    """Everything a handler may use; built in post_init, when the database is open."""

    settings: Settings
    texts: Texts
    clock: Clock
    db: Database
    bot: ExtBot[Any]
    sealer: TextSealer
    delivery: Delivery
    staff: StaffDirectory
    users: UserRepository
    outbox: OutboxRepository
    audit: AuditRepository
    stats: StatsRepository
    message_log: MessageLog
    # The appointments feature (bot/appointments/): booking, moving, reminders, agenda.
    appointments: AppointmentService
    # The cases feature (bot/cases/): intake, escalation, relay, staff actions, erasing.
    cases: Cases
    # Counters for /metrics: `services.metrics.case_opened(urgent=...)` and the like.
    metrics: Metrics
    # The one write boundary, built once at the wiring (it wakes delivery after COMMIT).
    unit_of_work: UnitOfWork
    # Feedback after a closed case: the question, its answers, the quick-exit times.
    feedback: FeedbackService
    # What she said about her safety: quick exit, safe hours (bot/contact_safety.py).
    contact_safety: ContactSafetyService
    # Charts and workbooks, drawn in a worker process (closed in post_shutdown).
    drawing: Drawing = field(default_factory=Drawing)

    # When the last update came from Telegram (polling alive?), for /health.
    last_update_at: datetime | None = None
    # When each person last wrote to the bot (bounded, newest kept): someone whose direct
    # message was refused is reachable again once they write (handlers/staff/health.py).
    heard_from: dict[int, datetime] = field(default_factory=dict)
    # Periodic work by cadence: the JobQueue runs each list at its own pace (bot/app.py).
    # Every job is idempotent (a database claim or a last-run check), so running one early
    # or twice changes nothing; tests run them all with run_due_work() after moving the clock.
    due_work: list[DueWork] = field(default_factory=list)  # every tick: escalations, reminders
    hourly_work: list[DueWork] = field(default_factory=list)  # retention
    daily_work: list[DailyWork] = field(default_factory=list)  # the morning agenda, backups
    # What /forget erases, in order; each feature that stores user data adds its eraser.
    erasers: list[Eraser] = field(default_factory=list)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """The one write boundary: the change and its outbox rows in one transaction;
        delivery wakes after COMMIT by itself (storage/unit_of_work.py)."""
        async with self.unit_of_work.write() as transaction:
            yield transaction

    def tr(self, language: Language) -> Translator:
        return self.texts.for_language(language)

    async def run_due_work(self) -> None:
        """Runs everything that may be due now, whatever its cadence (tests call it after
        moving the clock; each job decides for itself whether its time has come)."""
        for work in [*self.due_work, *self.hourly_work, *(d.work for d in self.daily_work)]:
            await work(self)


class UserData(dict[Any, Any]):
    """One person's memory between updates (in memory only: a restart forgets it).

    Each flow's draft is a typed attribute; `clear()` (the quick exit, forget-me) drops
    them all. It is still a dict for anything that keeps string keys.
    """

    def __init__(self) -> None:
        super().__init__()
        self.request_draft: RequestDraft | None = None
        self.booking: BookingDraft | None = None
        # The centre a poster's link (/start ID) named, until consent lets us store it.
        self.preselected_center: str | None = None

    def clear(self) -> None:
        super().clear()
        self.request_draft = None
        self.booking = None
        self.preselected_center = None


class HelplineContext(CallbackContext[ExtBot[None], UserData, dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        return services_of(self.application)


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("services are not ready: post_init has not run")
    return services
