"""Confirm: the seat is taken atomically (bot/appointments/service.py), or the next free
times are offered. Nothing was stored before this press."""

from __future__ import annotations

from telegram import Update

from bot.appointments.draft import Awaiting
from bot.appointments.keyboards import button
from bot.appointments.messages import details, when
from bot.appointments.rules import Unavailable
from bot.appointments.service import Booking, Outcome
from bot.context import HelplineContext
from bot.i18n import Safe
from handlers.common import (
    MENU_APPOINTMENTS,
    answer_button,
    consented_user,
    menu_keyboard,
    reply,
    strip_buttons,
    translator_for,
    with_quick_exit,
)
from handlers.private.booking.choices import limit_text
from handlers.private.booking.questions import (
    END,
    UNCHANGED,
    Next,
    ask_day,
    drop_draft,
    live_draft,
    offer_alternatives,
    say_interrupted,
)
from handlers.private.booking.shared import button_data, unavailable_key


async def confirm(update: Update, context: HelplineContext) -> Next:
    """bk:confirm:<revision>: takes the seat, or offers the next free times."""
    query = update.callback_query
    assert query is not None
    user = await consented_user(update, context)
    if user is None:
        await query.answer()
        return UNCHANGED
    services = context.services
    tr = services.tr(user.language)
    draft = live_draft(context)
    revision = button_data(update).rsplit(":", 1)[-1]
    if draft is None or draft.awaiting is not Awaiting.CONFIRMATION or draft.slot is None:
        await query.answer()
        await strip_buttons(update)
        await say_interrupted(update, tr)
        return END if draft is None else UNCHANGED
    if revision != str(draft.revision):
        await query.answer(tr("booking.summary_outdated"))
        return UNCHANGED
    await query.answer()
    await strip_buttons(update)
    appointments = services.appointments
    service = services.settings.service(draft.service_id or "")
    assert service is not None
    seats = await appointments.taken_seats(service)
    unavailable = appointments.why_unavailable(seats, draft.slot.start)
    if unavailable is not None:
        # Full already, or too close to now (the summary sat there a while).
        full = unavailable is Unavailable.FULL
        return await offer_alternatives(
            update,
            context,
            tr,
            draft,
            seats,
            draft.slot.start,
            unavailable_key(unavailable),
            full=draft.slot.start if full else None,
        )
    result = await appointments.book(
        Booking(
            user_id=user.user_id,
            service=service,
            slot=draft.slot,
            note=draft.note,
            voice_note=draft.voice_note,
            name_in_reminders=draft.name_in_reminders,
        )
    )
    if result.outcome is Outcome.SLOT_TAKEN:
        seats = await appointments.taken_seats(service)
        return await offer_alternatives(
            update,
            context,
            tr,
            draft,
            seats,
            draft.slot.start,
            "booking.just_taken",
            full=draft.slot.start,
        )
    if result.outcome is Outcome.DAILY_LIMIT:
        drop_draft(context)
        await reply(update, limit_text(context, tr), menu_keyboard(tr))
        return END
    if result.outcome is Outcome.OVERLAP:
        assert result.other is not None
        lead = tr(
            "booking.overlap",
            code=result.other.code,
            when=when(tr, result.other.starts_at, None, services.settings.general.timezone),
        )
        return await ask_day(update, context, tr, draft, service, lead=lead)
    assert result.appointment is not None
    drop_draft(context)
    markup = with_quick_exit(
        [
            [button(tr("menu.appointments"), MENU_APPOINTMENTS)],
            [button(tr("booking.button.menu"), "bk:menu")],
        ],
        tr,
    )
    await reply(
        update,
        tr(
            "booking.booked",
            details=Safe(details(services.settings, tr, result.appointment)),
            code=result.appointment.code,
        ),
        markup,
    )
    return END


async def show_menu(update: Update, context: HelplineContext) -> Next:
    """bk:menu after a booking: the main menu."""
    await answer_button(update)
    tr = await translator_for(update, context)
    await strip_buttons(update)
    await reply(update, tr("menu.title"), menu_keyboard(tr))
    return UNCHANGED


async def cancel(update: Update, context: HelplineContext) -> Next:
    """/cancel or bk:cancel: forgets the draft; nothing was stored."""
    await answer_button(update)
    drop_draft(context)
    await strip_buttons(update)
    tr = await translator_for(update, context)
    await reply(update, tr("booking.cancelled"), menu_keyboard(tr))
    return END
