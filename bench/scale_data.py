"""The database of the scale run: a few years of a busy region, written fast.

The schema comes from the bot's own migrations (``Database.open`` once); the rows are
then bulk-inserted with plain ``sqlite3`` (``executemany`` in one transaction), which
is a hundred times faster than going through the bot. The rows follow the bot's rules,
so that the bot reads them as its own:

* appointments sit on real slots of the region's services (closed days skipped) and
  never overfill a slot; cancelled rows may share a slot with a booked one;
* the past is what retention leaves behind: notes kept only for 90 days after the visit,
  texts of cases closed more than 90 days ago erased, outbox and message-id rows only for
  the last 48 hours; reminders and the morning agenda already sent, nothing pending, no
  case waiting for an escalation (the first tick must not flood the emulator);
* sealed columns hold Fernet tokens made with the run's data key (bot/crypto.py).

Dates spread over ``Sizes.days`` before the manual clock's "now" and the booking horizon
after it; a fixed seed makes the same database every time.

    .venv/bin/python -m bench.scale_data PATH [SCALE]     (the key in HELPLINE_BOT_DATA_KEY)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import sys
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from bot.appointments.rules import planned_reminders
from bot.config import DATA_KEY_ENV, Service, Settings
from bot.domain.slots import day_slots, is_closed_day
from bot.domain.triage import LETHALITY_QUESTIONS
from storage.crypto import TextSealer
from storage.db import Database
from tests.conftest import START, make_settings

SEED = 20261202
# Staff who act in the data (the first four are the harness's staff group members).
STAFF = (
    (900, "Admin"),
    (901, "Dilnaz"),
    (902, "Bolat"),
    (903, "Saule"),
    *((910 + n, name) for n, name in enumerate(("Aruzhan", "Yerlan", "Madina", "Timur"))),
)
CATEGORIES = ("violence", "crisis", "addiction", "someone_else", "other", "unknown")
CATEGORY_WEIGHTS = (30, 20, 10, 10, 20, 10)
URGENT_REASONS = ("sos_button", "danger_words", "lethality_screen")
RETENTION = timedelta(days=90)  # privacy.retention_days of the test configuration
SHORT_LIVED = timedelta(hours=48)  # outbox and message-id rows (bot/retention.py)
# The offices of the district: (id, Kazakh name, Russian name).
CENTRES = (
    ("aksu", "Ақсу", "Аксу"),
    ("karabulak", "Қарабұлақ", "Карабулак"),
    ("kazygurt", "Қазығұрт", "Казыгурт"),
    ("ordabasy", "Ордабасы", "Ордабасы"),
    ("shayan", "Шаян", "Шаян"),
    ("lenger", "Леңгір", "Ленгер"),
)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class Sizes:
    appointments: int = 100_000
    cases: int = 20_000
    users: int = 50_000
    days: int = 3 * 365  # how far back the history goes

    def scaled(self, factor: float) -> Sizes:
        return Sizes(
            appointments=max(1, round(self.appointments * factor)),
            cases=max(1, round(self.cases * factor)),
            users=max(10, round(self.users * factor)),
            days=self.days,
        )


def region_changes() -> dict[str, Any]:
    """The test configuration turned into a busy district: one centre (one staff group,
    as the harness has) with offices in six villages, four services each."""
    centers: list[dict[str, Any]] = [
        {
            "id": "sairam",
            "name": {"kk": "Сайрам орталығы", "ru": "Сайрамский центр"},
            "address": {"kk": "Ақсу ауылы", "ru": "село Аксу"},
            "phone": "+7 725 000 00 00",
        }
    ]
    services: list[dict[str, Any]] = []
    for office, kk, ru in CENTRES:
        weekdays = {day: "09:00-18:00" for day in _WEEKDAYS}
        mornings = {day: "09:00-13:00" for day in _WEEKDAYS}
        for kind, kk_name, ru_name, duration, capacity, hours in (
            ("psy", "Психолог кеңесі", "Консультация психолога", "45m", 1, weekdays),
            ("law", "Заңгер кеңесі", "Консультация юриста", "30m", 1, {"tue": "10:00-16:00"}),
            ("social", "Әлеуметтік қызметкер", "Социальный работник", "60m", 1, mornings),
            ("group", "Тренинг", "Тренинг", "2h", 12, {"sat": "10:00-12:00"}),
        ):
            services.append(
                {
                    "id": f"{office}-{kind}",
                    "center": "sairam",
                    "name": {"kk": f"{kk_name} ({kk})", "ru": f"{ru_name} ({ru})"},
                    "duration": duration,
                    "capacity": capacity,
                    "hours": dict(hours),
                }
            )
        services[-3]["hours"]["thu"] = "10:00-16:00"  # the lawyer comes twice a week
    return {
        "centers": centers,
        "services": services,
        "booking": {"horizon_days": 30},
    }


def region_settings(folder: Path, base_url: str, data_key: str) -> Settings:
    return make_settings(
        folder, base_url, region_changes() | {"privacy": {"allow_plaintext": False}}, data_key
    )


def db_time(moment: float) -> str:
    """storage.db.to_db_time of a POSIX time (isoformat is some three times faster than
    strftime, and there are a million of these)."""
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="microseconds")[:-6] + "Z"


@dataclass
class _Seat:
    service: Service
    start: float
    end: float


@dataclass
class _Counters:
    staff_message: int = 10_000  # message ids in the staff group
    old_outbox: int = 0  # ids of outbox rows erased by retention long ago
    user_first_seen: dict[int, float] = field(default_factory=dict)

    def staff_message_id(self) -> int:
        self.staff_message += 1
        return self.staff_message


class Generator:
    def __init__(self, settings: Settings, sizes: Sizes, now: datetime, seed: int) -> None:
        self.settings = settings
        self.sizes = sizes
        self.now = now.timestamp()
        self.tz = settings.general.timezone
        self.rng = random.Random(seed)
        self.sealer = TextSealer(settings.privacy.data_keys)
        self.staff_chat = settings.telegram.staff_chat_id
        self.codes: set[str] = set()
        self.counters = _Counters()
        self.first = now - timedelta(days=sizes.days)
        self.horizon = now + timedelta(days=settings.booking.horizon_days)
        self.users: list[tuple[int, str]] = []  # (id, language) of consented users
        self._user_weights: list[float] = []
        self.outbox: list[tuple[Any, ...]] = []
        self.message_log: list[tuple[int, int, str]] = []
        self.case_audit: list[tuple[Any, ...]] = []
        # (local day, centre, service, appointment id) of booked rows up to today.
        self.booked_days: list[tuple[str, str, str, int]] = []

    # ------------------------------------------------------------------ helpers

    def code(self) -> str:
        alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            text = "".join(self.rng.choices(alphabet, k=6))
            code = f"{text[:3]}-{text[3:]}"
            if code not in self.codes:
                self.codes.add(code)
                return code

    def seal(self, text: str) -> str:
        return self.sealer.seal(text)

    def pick_user(self) -> tuple[int, str]:
        """Some people come often, most once or twice (a heavy-tailed choice)."""
        point = self.rng.random() * self._user_weights[-1]
        return self.users[bisect_left(self._user_weights, point)]

    def seen(self, user_id: int, moment: float) -> None:
        first = self.counters.user_first_seen.get(user_id)
        if first is None or moment < first:
            self.counters.user_first_seen[user_id] = moment

    def recent(self, moment: float) -> bool:
        """Still within the 48 hours that outbox and message-id rows are kept."""
        return moment > self.now - SHORT_LIVED.total_seconds()

    def sent(self, chat_id: int, purpose: str, ref: int | None, at: float, text: str) -> int:
        """An outbox row (kept only when recent); returns its id either way."""
        if not self.recent(at):
            self.counters.old_outbox += 1
            return self.counters.old_outbox
        payload = self.seal(json.dumps({"chat_id": chat_id, "text": text}, ensure_ascii=False))
        row_id = 1_000_000_000 + len(self.outbox)
        done = db_time(at + 0.5)
        self.outbox.append(
            (
                row_id,
                chat_id,
                "sendMessage",
                payload,
                purpose,
                ref,
                "sent",
                1,
                None,
                self.counters.staff_message_id() if chat_id == self.staff_chat else None,
                db_time(at),
                done,
                0,
            )
        )
        return row_id

    def logged(self, chat_id: int, at: float, count: int) -> None:
        """Ids of private-chat messages, for the quick exit (kept 48 hours)."""
        if self.recent(at):
            base = len(self.message_log) * 10 + 1
            self.message_log += [(chat_id, base + n, db_time(at + n)) for n in range(count)]

    # ------------------------------------------------------------------ users

    def make_users(self) -> None:
        rng = self.rng
        ids = rng.sample(range(1_000_000_000, 7_000_000_000), self.sizes.users)
        consented = ids[: round(len(ids) * 0.95)]
        self.users = [(user_id, "kk" if rng.random() < 0.6 else "ru") for user_id in consented]
        # Capped, or one person would hold thousands of appointments.
        self._user_weights = list(accumulate(min(rng.paretovariate(1.5), 30.0) for _ in self.users))
        self._all_ids = ids

    def user_rows(self) -> Iterator[tuple[int, str, str | None, str]]:
        languages = dict(self.users)
        first_seen = self.counters.user_first_seen
        start, span = self.first.timestamp(), self.now - self.first.timestamp()
        for user_id in self._all_ids:
            language = languages.get(user_id)
            if language is None:  # came, chose a language, never consented
                at = start + self.rng.random() * span
                yield user_id, "kk" if self.rng.random() < 0.6 else "ru", None, db_time(at)
                continue
            at = first_seen.get(user_id, start + self.rng.random() * span) - 600
            yield user_id, language, db_time(at + 60), db_time(at)

    # ------------------------------------------------------------------ appointments

    def seats(self) -> list[_Seat]:
        """Every seat of every service from the first day to the end of the horizon."""
        holidays = self.settings.booking.holidays
        found: list[_Seat] = []
        day = self.first.astimezone(self.tz).date()
        last = self.horizon.astimezone(self.tz).date()
        while day <= last:
            if not is_closed_day(day, holidays):
                for service in self.settings.services:
                    hours = service.hours.get(day.weekday())
                    for start in day_slots(day, hours, service.duration, self.tz):
                        begin = start.timestamp()
                        end = begin + service.duration.total_seconds()
                        found += [_Seat(service, begin, end)] * service.capacity
            day += timedelta(days=1)
        return found

    def appointments(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(appointments, their reminders, their staff-group notices)."""
        rng = self.rng
        first, last = self.first.timestamp(), self.horizon.timestamp()
        seats = [s for s in self.seats() if first <= s.start < last]
        total = self.sizes.appointments
        cancelled_count = round(total * 0.12)
        booked_count = min(total - cancelled_count, round(len(seats) * 0.9))
        cancelled_count = total - booked_count
        picked = rng.sample(seats, booked_count) + rng.choices(seats, k=cancelled_count)
        # Ids in the order of the start times; the index tells booked from cancelled.
        chosen = sorted(enumerate(picked), key=lambda pair: (pair[1].start, pair[0]))
        horizon = self.settings.booking.horizon_days * 86400
        rows: list[tuple[Any, ...]] = []
        reminders: list[tuple[Any, ...]] = []
        notices: list[tuple[Any, ...]] = []
        retention_cut = self.now - RETENTION.total_seconds()
        today = datetime.fromtimestamp(self.now, self.tz).date()
        for appointment_id, (index, seat) in enumerate(chosen, start=1):
            cancelled = index >= booked_count
            past = seat.start < self.now
            forgotten = past and rng.random() < 0.03
            user_id, _ = self.pick_user()
            latest = min(seat.start - 7200, self.now - 60)
            earliest = seat.start - horizon
            booked_at = earliest + (latest - earliest) * rng.betavariate(3, 1.5)
            if not forgotten:
                self.seen(user_id, booked_at)
            note = None
            if rng.random() < 0.25 and seat.end >= retention_cut and not forgotten:
                note = self.seal(rng.choice(_NOTES))
            cancelled_at: str | None = None
            cancelled_by: str | None = None
            attendance: str | None = None
            attendance_at: str | None = None
            confirmed_at: str | None = None
            if cancelled:
                until = min(seat.start, self.now - 30)
                cancelled_at = db_time(booked_at + (until - booked_at) * rng.random())
                cancelled_by = "forget" if forgotten else rng.choice(("user",) * 6 + ("staff",))
            elif past:
                roll = rng.random()
                attendance = "came" if roll < 0.8 else "no_show" if roll < 0.92 else None
                if attendance and seat.start + 3600 < self.now:
                    attendance_at = db_time(seat.start + 1800 + rng.random() * 6 * 3600)
                else:
                    attendance = None
                if rng.random() < 0.5 and seat.start - 86400 > booked_at:
                    confirmed_at = db_time(seat.start - 86400 + rng.random() * 20 * 3600)
            rescheduled = rng.random() < 0.05
            code = self.code()
            rows.append(
                (
                    appointment_id,
                    code,
                    None if forgotten else user_id,
                    seat.service.center,
                    seat.service.id,
                    db_time(seat.start),
                    db_time(seat.end),
                    "cancelled" if cancelled else "booked",
                    note,
                    int(rng.random() < 0.3),
                    2 if rescheduled else 1,
                    int(rescheduled),
                    db_time(booked_at),
                    confirmed_at,
                    cancelled_at,
                    cancelled_by,
                    attendance,
                    attendance_at,
                )
            )
            starts = datetime.fromtimestamp(seat.start, self.tz)
            booked = datetime.fromtimestamp(booked_at, self.tz)
            if not cancelled and starts.date() <= today:
                self.booked_days.append(
                    (
                        starts.date().isoformat(),
                        seat.service.center,
                        seat.service.id,
                        appointment_id,
                    )
                )
            for offset, due in planned_reminders(starts, booked, self.settings.booking, self.tz):
                due_at = due.timestamp()
                dropped = cancelled_at is not None and cancelled_at <= db_time(due_at)
                if due_at <= self.now and not dropped:
                    outbox_id = self.sent(
                        user_id, "appointment_reminder", appointment_id, due_at, "reminder"
                    )
                    reminders.append(
                        (
                            appointment_id,
                            int(offset.total_seconds()),
                            db_time(due_at),
                            "sent",
                            outbox_id,
                            db_time(due_at + 1),
                        )
                    )
                elif due_at > self.now and not cancelled:
                    reminders.append(
                        (
                            appointment_id,
                            int(offset.total_seconds()),
                            db_time(due_at),
                            "planned",
                            None,
                            None,
                        )
                    )
            self.sent(self.staff_chat, "appointment_notice", appointment_id, booked_at, code)
            self.logged(user_id, booked_at, 12)
            notices.append((self.staff_chat, self.counters.staff_message_id(), appointment_id))
        return rows, reminders, notices

    def agendas(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[str, str]]]:
        """The morning agendas already sent: one message per centre and service a day."""
        by_day: dict[tuple[str, str, str], list[int]] = {}
        for day, centre, service, appointment_id in self.booked_days:
            by_day.setdefault((day, centre, service), []).append(appointment_id)
        messages: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        days: dict[str, str] = {}
        agenda_time = self.settings.booking.agenda_time
        for (day, _, _), ids in sorted(by_day.items()):
            record_id = len(messages) + 1
            message_id = self.counters.staff_message_id()
            messages.append((record_id, self.staff_chat, message_id, day, 1))
            entries += [(record_id, a, n) for n, a in enumerate(ids)]
            morning = datetime.combine(date.fromisoformat(day), agenda_time, tzinfo=self.tz)
            days[day] = db_time(morning.timestamp() + 5)
        return messages, entries, sorted(days.items())

    # ------------------------------------------------------------------ cases

    def cases(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(cases, their messages, their staff-group messages); audit rows go with them."""
        rng = self.rng
        first, span = self.first.timestamp(), self.now - 600 - self.first.timestamp()
        moments = sorted(first + span * rng.random() for _ in range(self.sizes.cases))
        retention_cut = self.now - RETENTION.total_seconds()
        cases: list[tuple[Any, ...]] = []
        messages: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        for case_id, created in enumerate(moments, start=1):
            user_id, language = self.pick_user()
            forgotten = rng.random() < 0.03
            if not forgotten:
                self.seen(user_id, created)
            category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
            urgent = rng.random() < 0.15
            reasons = rng.sample(URGENT_REASONS, rng.randint(1, 2)) if urgent else []
            age_days = (self.now - created) / 86400
            is_open = rng.random() < (0.4 if age_days < 30 else 0.01)
            taken = not is_open or rng.random() < 0.8
            median = 3 if urgent else 45
            taken_at = created + 60 * median * rng.lognormvariate(0, 0.8) if taken else None
            if taken_at is not None and taken_at > self.now:
                taken_at = self.now - 1
            staff_id, staff_name = rng.choice(STAFF)
            closed_at = None
            if not is_open:
                start = taken_at if taken_at is not None else created
                closed_at = min(start + 86400 * rng.expovariate(1 / 6), self.now - 1)
            erased = forgotten or (closed_at is not None and closed_at < retention_cut)
            reply_by = "call" if rng.random() < 0.15 else "chat"
            story = voice = screen = phone = None
            if not erased:
                story = self.seal(rng.choice(_STORIES))
                if rng.random() < 0.1:
                    voice = self.seal(json.dumps([f"voice-{case_id}"]))
                if "lethality_screen" in reasons:
                    answers = {q: rng.choice((True, False, None)) for q in LETHALITY_QUESTIONS}
                    screen = self.seal(json.dumps(answers))
                if reply_by == "call":
                    phone = self.seal(f"+7 701 {rng.randrange(10**7):07d}")
            card = self.counters.staff_message_id()
            code = self.code()
            cases.append(
                (
                    case_id,
                    code,
                    None if forgotten else user_id,
                    language,
                    category,
                    int(urgent),
                    ",".join(reasons),
                    db_time(created) if urgent else None,
                    story,
                    voice,
                    screen,
                    reply_by,
                    phone,
                    "open" if is_open else "closed",
                    int(rng.random() < 0.005),
                    int(rng.random() < 0.01),
                    db_time(created),
                    None if taken_at is None else db_time(taken_at),
                    staff_id if taken_at is not None else None,
                    staff_name if taken_at is not None else None,
                    None if closed_at is None else db_time(closed_at),
                    rng.randint(0, 2) if urgent else 0,
                    None,
                    card,
                    None,
                    "sairam",  # the one centre (cases.center_id)
                )
            )
            links.append((self.staff_chat, card, case_id, "card"))
            self.sent(self.staff_chat, "case_card", case_id, created + 1, code)
            if taken_at is not None:
                self.case_audit.append((db_time(taken_at), staff_id, "take", code, None))
            end = closed_at if closed_at is not None else self.now - 1
            moment = created
            for n in range(max(1, round(rng.gauss(6, 2.5)))):
                moment = min(moment + rng.expovariate(1 / 3600), end)
                from_user = n % 3 != 1 or taken_at is None or moment < taken_at
                kind = "text"
                if from_user:
                    roll = rng.random()
                    kind = "text" if roll < 0.8 else "voice" if roll < 0.95 else "photo"
                body = None if erased or kind == "voice" else self.seal(rng.choice(_LINES))
                file_id = None if erased or kind == "text" else self.seal(f"file-{case_id}-{n}")
                outbox_id = self.sent(
                    self.staff_chat if from_user else user_id,
                    "case_relay" if from_user else "case_user",
                    case_id,
                    moment,
                    "relay",
                )
                messages.append(
                    (
                        case_id,
                        "user" if from_user else "staff",
                        None if from_user else staff_id,
                        kind,
                        body,
                        file_id,
                        outbox_id if from_user else None,
                        db_time(moment),
                    )
                )
                links.append(
                    (
                        self.staff_chat,
                        self.counters.staff_message_id(),
                        case_id,
                        "relay" if from_user else "staff",
                    )
                )
                if not from_user:
                    self.case_audit.append((db_time(moment), staff_id, "reply", code, None))
                self.logged(user_id, moment, 2)
            if closed_at is not None:
                self.case_audit.append((db_time(closed_at), staff_id, "close", code, None))
        return cases, messages, links

    # ------------------------------------------------------------------ audit

    def appointment_audit(self, appointments: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for row in appointments:
            if row[16] is not None:
                staff_id = self.rng.choice(STAFF)[0]
                action = "attended" if row[16] == "came" else "no_show"
                rows.append((row[17], staff_id, action, row[1], None))
            if row[15] == "staff":
                rows.append((row[14], self.rng.choice(STAFF)[0], "cancel", row[1], None))
        return rows

    def routine_audit(self, days: Sequence[tuple[str, str]]) -> list[tuple[Any, ...]]:
        """/agenda most mornings, /stats now and then, duty taken and handed back."""
        rows: list[tuple[Any, ...]] = []
        for day, at in days:
            staff_id = self.rng.choice(STAFF)[0]
            rows.append((at, staff_id, "agenda", None, day))
            if day.endswith("-01"):
                rows.append((at, STAFF[0][0], "export", None, day[:7]))
            if self.rng.random() < 0.2:
                rows.append((at, staff_id, "duty_on", None, None))
                rows.append((at, staff_id, "duty_off", None, None))
        return rows

    # ------------------------------------------------------------------ all of it

    def write(self, connection: sqlite3.Connection) -> None:
        self.make_users()
        appointments, reminders, notices = self.appointments()
        agenda_messages, agenda_entries, agenda_days = self.agendas()
        cases, case_messages, case_links = self.cases()
        audit = sorted(
            self.appointment_audit(appointments) + self.case_audit + self.routine_audit(agenda_days)
        )
        users = list(self.user_rows())
        # Recent rows keep ids far above the erased ones they follow (AUTOINCREMENT).
        outbox = sorted(self.outbox)
        with connection:
            many = connection.executemany
            many(
                "INSERT INTO users (user_id, language, consented_at, created_at) "
                "VALUES (?, ?, ?, ?)",
                users,
            )
            # The generated rows carry no voice note (the last column, 0016).
            many(
                f"INSERT INTO appointments VALUES ({_marks(19)})",
                [(*row, None) for row in appointments],
            )
            many(
                "INSERT INTO appointment_reminders (appointment_id, offset_seconds, due_at, "
                "status, outbox_id, done_at) VALUES (?, ?, ?, ?, ?, ?)",
                reminders,
            )
            many(
                "INSERT INTO appointment_staff_messages (chat_id, message_id, appointment_id) "
                "VALUES (?, ?, ?)",
                notices,
            )
            many("INSERT INTO agenda_messages VALUES (?, ?, ?, ?, ?)", agenda_messages)
            many("INSERT INTO agenda_message_entries VALUES (?, ?, ?)", agenda_entries)
            many("INSERT INTO agenda_runs VALUES (?, ?)", agenda_days)
            # Every generated case was safe to talk about (the last column, 0017).
            many(f"INSERT INTO cases VALUES ({_marks(27)})", [(*row, 0) for row in cases])
            many(
                "INSERT INTO case_messages (case_id, author, staff_id, kind, body, file_id, "
                "relay_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                case_messages,
            )
            many("INSERT INTO case_staff_messages VALUES (?, ?, ?, ?)", case_links)
            many(
                "INSERT INTO audit_log (at, actor_id, action, subject, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                audit,
            )
            # None held for her safety (not_before, 0017).
            many(f"INSERT INTO outbox VALUES ({_marks(14)})", [(*row, None) for row in outbox])
            many("INSERT OR IGNORE INTO message_log VALUES (?, ?, ?)", self.message_log)
        connection.execute("ANALYZE")


def _marks(count: int) -> str:
    return ", ".join("?" * count)


_NOTES = (
    "Прошу женщину-психолога",
    "Приду с ребёнком, 6 лет",
    "Мен қазақша сөйлескім келеді",
    "Нужна справка для суда",
    "Плохо слышу, говорите громче",
)
_STORIES = (
    "Муж снова кричал ночью и угрожал, я ушла к маме с детьми, не знаю что делать дальше.",
    "Сыну 16, он перестал ходить в школу и не выходит из комнаты, боюсь за него.",
    "Күйеуім ішіп келеді де, балаларға айқайлайды. Көмек керек.",
    "Соседка просит помочь, её бьёт сожитель, она боится звонить сама.",
    "Не могу спать уже месяц, всё время тревога, мысли плохие.",
)
_LINES = (
    "Спасибо, мне стало немного легче.",
    "Можно завтра после обеда?",
    "Рахмет, түсіндім.",
    "Он опять пришёл пьяный.",
    "Я боюсь, что он узнает, что я пишу.",
    "Хорошо, я попробую.",
)


async def build_database(
    settings: Settings, sizes: Sizes, now: datetime = START, seed: int = SEED
) -> dict[str, int]:
    """Creates the schema with the bot's migrations, then fills it; returns row counts."""
    path = settings.storage.path
    database = await Database.open(path)
    await database.close()
    with closing(sqlite3.connect(path)) as connection:
        # A bulk load into a throwaway file: no syncing, and the whole file in the cache
        # (the random codes of the unique indexes would otherwise spill it).
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")
        Generator(settings, sizes, now, seed).write(connection)
        return row_counts(connection)


def row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # Names come from sqlite_master, not from input.
    return {t: int(connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}


def main() -> None:
    path = Path(sys.argv[1])
    factor = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    key = os.environ[DATA_KEY_ENV]
    settings = region_settings(path.parent, "http://127.0.0.1:9/bot", key)
    assert settings.storage.path == path, "the database must be named helpline.sqlite3"
    started = time.perf_counter()
    counts = asyncio.run(build_database(settings, Sizes().scaled(factor)))
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": counts}))


if __name__ == "__main__":
    main()
