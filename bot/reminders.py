"""Due work of appointments: reminders and the morning agenda.

The database is the source of truth. Reminders are planned per appointment when it
is booked (or moved); on every tick the due ones are claimed and their messages put
into the outbox in one transaction, so a reminder is never lost and never sent twice,
whatever restarts happen in between. One missed while the bot was down goes out late
if the appointment is still ahead and is skipped if not (``should_send_late``); none
goes out in quiet hours: a late one waits for their end and is judged again then.

Also the eraser for "forget me" and the retention of notes.

The morning agenda goes out once per local day at ``booking.agenda_time`` (or later
that day if the bot was down then), remembered in ``agenda_runs``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

import aiosqlite
from telegram import InlineKeyboardMarkup

from bot.appointment_messages import (
    PURPOSE_AGENDA,
    PURPOSE_STAFF_NOTICE,
    agenda_message,
    agenda_messages,
    reminder,
    staff_notices,
)
from bot.booking import day_window
from bot.context import Services
from bot.domain.reminder_schedule import in_quiet_hours, should_send_late
from bot.domain.slots import is_closed_day
from storage.appointments import AgendaOutgoing, DueReminder, Outgoing
from storage.outbox import OutboxItem, enqueue, erase_refs

logger = logging.getLogger(__name__)

# An agenda message redrawn by forget-me (its ref is the agenda record, like the sending's).
PURPOSE_AGENDA_ERASED = "agenda_erased"

# Reminders claimed per transaction: a burst of thousands does not hold the lock for long.
_BATCH = 200


async def send_due_reminders(services: Services) -> None:
    """Claims every due reminder and enqueues it (or skips it when it became useless)."""
    settings = services.settings
    tz = settings.general.timezone
    now = services.clock.now()
    if in_quiet_hours(now, settings.booking.quiet_hours, tz):
        # Nothing goes out now; what is due waits and is judged again when they end.
        return

    def render(due: DueReminder) -> Outgoing | None:
        appointment = due.appointment
        if appointment.user_id is None or not should_send_late(
            due=due.due_at, now=now, appointment_start=appointment.starts_at
        ):
            return None
        return reminder(settings, services.tr(due.language), appointment, now)

    total = 0
    while True:
        handled = await services.appointments.claim_due_reminders(now, render, limit=_BATCH)
        if handled:
            services.delivery.notify()
        total += handled
        if handled < _BATCH:
            break
    if total:
        logger.info("handled %d due reminders", total)


async def send_morning_agenda(services: Services) -> None:
    """The day's agenda into the staff group, once per day from agenda_time on."""
    settings = services.settings
    tz = settings.general.timezone
    now = services.clock.now()
    local = now.astimezone(tz)
    if local.time() < settings.booking.agenda_time:
        return
    today = local.date()
    if await services.appointments.agenda_sent(today.isoformat()):
        return
    start, end = day_window(today, tz)
    appointments = await services.appointments.booked_between(start, end)
    if not appointments and not _centre_open(services, today):
        # A closed day with nobody booked: no message at all, rather than noise.
        await services.appointments.claim_agenda_day(today.isoformat(), now=now, messages=())
        return
    tr = services.tr(settings.general.default_language)
    messages = [
        AgendaOutgoing(
            Outgoing(
                chat_id=settings.telegram.staff_chat_id,
                params=_agenda_params(part.text, part.markup),
                purpose=PURPOSE_AGENDA,
            ),
            part.appointment_ids,
            with_buttons=part.markup is not None,
        )
        for part in agenda_messages(settings, tr, today, appointments)
    ]
    if await services.appointments.claim_agenda_day(today.isoformat(), now=now, messages=messages):
        services.delivery.notify()
        logger.info("morning agenda enqueued (%d messages)", len(messages))


def _agenda_params(text: str, markup: InlineKeyboardMarkup | None) -> dict[str, Any]:
    return {
        "text": text,
        "parse_mode": "HTML",
        **({"reply_markup": markup.to_dict()} if markup is not None else {}),
    }


def _centre_open(services: Services, day: date) -> bool:
    booking = services.settings.booking
    if is_closed_day(day, booking.holidays):
        return False
    return any(day.weekday() in service.hours for service in services.settings.services)


async def erase_appointments(
    connection: aiosqlite.Connection, services: Services, user_id: int, now: datetime
) -> None:
    """Forget me: future appointments are cancelled (staff told), notes erased, the rest
    unlinked; runs before the user row goes, inside the same transaction."""
    settings = services.settings
    tr = services.tr(settings.general.default_language)
    repository = services.appointments
    staff_messages = await repository.staff_messages_of_user(connection, user_id)
    # Sent notices and reminders hold the note and the times in the outbox until its
    # 48-hour purge; the notices in the staff group are edited to drop the note.
    appointment_ids = await repository.ids_of_user(connection, user_id)
    await erase_refs(connection, "appointment_", appointment_ids)
    for appointment_id, code, chat_id, message_id in staff_messages:
        await enqueue(
            connection,
            services.sealer,
            chat_id=chat_id,
            method="editMessageText",
            params={
                "message_id": message_id,
                "text": tr("appointment_notice.erased", code=code),
                "parse_mode": "HTML",
            },
            purpose="appointment_erased",
            ref=appointment_id,
            now=now,
        )
    await repository.erase_user(
        connection, user_id, now=now, notices=staff_notices(settings, tr, "cancelled")
    )
    # Agenda messages list notes: each one listing the user's appointments is redrawn
    # from what is stored now (the notes are gone), the rest of the day unchanged. One
    # still queued (a backlog, retries) is sent redrawn; the outbox keeps no old copy.
    for agenda in await repository.agenda_messages_listing(connection, appointment_ids):
        if not agenda.entries:
            continue
        first = agenda.entries[0]
        text, markup = agenda_message(
            settings,
            tr,
            date.fromisoformat(agenda.day),
            first.center_id,
            first.service_id,
            agenda.entries,
            with_buttons=agenda.with_buttons,
        )
        rewritten, sent_message_id = await repository.redraw_queued_agenda(
            connection,
            agenda.record_id,
            (PURPOSE_AGENDA, PURPOSE_AGENDA_ERASED),
            text,
            markup.to_dict() if markup is not None else None,
        )
        edited_id = agenda.message_id if agenda.message_id is not None else sent_message_id
        if rewritten or edited_id is None:
            # The queued message (or redraw) goes out with the new text by itself.
            continue
        await enqueue(
            connection,
            services.sealer,
            chat_id=agenda.chat_id,
            method="editMessageText",
            params={"message_id": edited_id, **_agenda_params(text, markup)},
            purpose=PURPOSE_AGENDA_ERASED,
            ref=agenda.record_id,
            now=now,
        )


def register_hooks(services: Services) -> None:
    """Staff notices are remembered by message id, so forget-me can edit them."""

    async def link(item: OutboxItem, message_id: int | None) -> None:
        if message_id is not None and item.ref is not None:
            await services.appointments.link_staff_message(item.chat_id, message_id, item.ref)

    services.delivery.on_delivered[PURPOSE_STAFF_NOTICE] = link

    async def agenda_delivered(item: OutboxItem, message_id: int | None) -> None:
        # The morning agenda: its record waits for the message id (forget-me edits it).
        if message_id is not None and item.ref is not None:
            await services.appointments.agenda_delivered(item.ref, message_id)

    services.delivery.on_delivered[PURPOSE_AGENDA] = agenda_delivered


async def erase_old_notes(services: Services, now: datetime) -> int:
    """Retention hook: a note for the specialist is kept `retention_days` after the visit."""
    kept = timedelta(days=services.settings.privacy.retention_days)
    return await services.appointments.erase_old_notes(now - kept)
