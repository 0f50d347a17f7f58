"""The booking's questions: each one records what it asks in the draft and returns it
as the conversation's next state. Every button carries what it chose (service, day,
the slot's start), so a press on an older question still works."""

from __future__ import annotations

import logging
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.appointments import rules
from bot.appointments.dates import day_long
from bot.appointments.draft import Awaiting, BookingDraft
from bot.appointments.keyboards import button, days_keyboard, times_keyboard
from bot.appointments.messages import offsets_text, when
from bot.appointments.service import TakenSeats
from bot.appointments.waitlist import join_button
from bot.config import Center, Service
from bot.context import HelplineContext
from bot.i18n import Translator
from handlers.common import MENU_BOOK, reply, with_quick_exit
from handlers.private.booking.shared import offer_times

logger = logging.getLogger(__name__)

# What a booking callback returns: the question it asked (the next state), END when the
# booking is over, or UNCHANGED when it asked nothing new (the state stays as it was).
END = ConversationHandler.END
UNCHANGED = None
Next = Awaiting | int | None


def cancel_button(tr: Translator) -> InlineKeyboardButton:
    return button(tr("booking.button.cancel"), "bk:cancel")


def back_button(tr: Translator, data: str) -> InlineKeyboardButton:
    return button(tr("booking.button.back"), data)


# ------------------------------------------------------------------ the draft


def live_draft(context: HelplineContext) -> BookingDraft | None:
    """The user's draft, or None (none, expired, or wiped by a quick exit)."""
    user_data = context.user_data
    draft = user_data.booking if user_data is not None else None
    if draft is not None and draft.expired(context.services.clock.now()):
        assert user_data is not None
        user_data.booking = draft = None
    return draft


def draft_for(update: Update, context: HelplineContext) -> BookingDraft:
    """The live draft, or a fresh one (buttons carry their choices, so old ones work)."""
    draft = live_draft(context)
    if draft is None:
        assert update.effective_user is not None and context.user_data is not None
        draft = BookingDraft(update.effective_user.id, Awaiting.SERVICE, _now(context))
        context.user_data.booking = draft
    return draft


def drop_draft(context: HelplineContext) -> None:
    if context.user_data is not None:
        context.user_data.booking = None


def _now(context: HelplineContext) -> datetime:
    return context.services.clock.now()


# ------------------------------------------------------------------ the questions


async def ask_center(
    update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
) -> Awaiting:
    rows = [
        [button(center.name.get(tr.language), f"bk:center:{center.id}")]
        for center in context.services.settings.centers
    ]
    rows.append([cancel_button(tr)])
    await reply(update, tr("booking.ask_center"), with_quick_exit(rows, tr))
    return draft.ask(Awaiting.CENTER, _now(context))


async def ask_service(
    update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft, center: Center
) -> Awaiting:
    settings = context.services.settings
    rows = [
        [button(service.name.get(tr.language), f"bk:service:{service.id}")]
        for service in settings.services
        if service.center == center.id
    ]
    footer = [cancel_button(tr)]
    if len(settings.centers) > 1:
        footer.insert(0, back_button(tr, "bk:centers"))
    rows.append(footer)
    draft.center_id = center.id
    text = tr("booking.ask_service", center=center.name.get(tr.language))
    others = [c.name.get(tr.language) for c in settings.centers if c.id != center.id]
    if others:
        text += "\n\n" + tr("booking.other_centers", centers=", ".join(others))
    await reply(update, text, with_quick_exit(rows, tr))
    return draft.ask(Awaiting.SERVICE, _now(context))


async def ask_day(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    draft: BookingDraft,
    service: Service,
    *,
    lead: str | None = None,
) -> Awaiting:
    appointments = context.services.appointments
    days = appointments.open_days(await appointments.taken_seats(service))
    draft.center_id = service.center
    draft.service_id = service.id
    if not days:
        center = context.services.settings.center(service.center)
        back = back_button(tr, f"bk:center:{service.center}")
        await reply(
            update,
            tr(
                "booking.no_days",
                service=service.name.get(tr.language),
                phone=center.phone if center else "",
            ),
            with_quick_exit([[back, cancel_button(tr)]], tr),
        )
        return draft.ask(Awaiting.SERVICE, _now(context))
    text = tr("booking.ask_day", service=service.name.get(tr.language))
    if lead:
        text = f"{lead}\n\n{text}"
    await reply(update, text, days_markup(tr, service, days, 0))
    return draft.ask(Awaiting.DAY, _now(context))


def days_markup(
    tr: Translator, service: Service, days: list[date], page: int
) -> InlineKeyboardMarkup:
    return days_keyboard(
        tr,
        days,
        page,
        day_data=lambda day: f"bk:day:{service.id}:{day.isoformat()}",
        page_data=lambda number: f"bk:page:{service.id}:{number}",
        footer=[back_button(tr, f"bk:center:{service.center}"), cancel_button(tr)],
    )


async def ask_time(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    draft: BookingDraft,
    service: Service,
    day: date,
) -> Awaiting:
    appointments = context.services.appointments
    slots = appointments.slots_on(await appointments.taken_seats(service), day)
    if not slots:
        # A forged day, a holiday, a day that filled up or passed: the free days again.
        return await ask_day(
            update, context, tr, draft, service, lead=tr("booking.day_unavailable")
        )
    draft.service_id = service.id
    draft.center_id = service.center
    draft.day = day
    markup = times_keyboard(
        tr,
        slots,
        service,
        context.services.settings.general.timezone,
        slot_data=lambda slot: f"bk:time:{service.id}:{rules.timestamp(slot.start)}",
        footer=[back_button(tr, f"bk:service:{service.id}"), cancel_button(tr)],
    )
    key = "booking.ask_time_group" if service.capacity > 1 else "booking.ask_time"
    await reply(
        update,
        tr(key, day=day_long(day, tr.language), service=service.name.get(tr.language)),
        markup,
    )
    return draft.ask(Awaiting.TIME, _now(context))


async def offer_alternatives(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    draft: BookingDraft,
    seats: TakenSeats,
    after: datetime,
    lead_key: str,
    full: datetime | None = None,
) -> Awaiting:
    """ "This time was just taken (or is gone): here are the next free times"; for a
    `full` slot also "tell me when a seat frees" (bot/appointments/waitlist.py)."""
    service = seats.service
    draft.service_id = service.id
    draft.center_id = service.center
    waitlist = [] if full is None else [join_button(tr("booking.button.waitlist"), service, full)]
    await offer_times(
        update,
        context,
        tr,
        seats,
        after=after,
        lead_key=lead_key,
        slot_data=lambda slot: f"bk:alt:{service.id}:{rules.timestamp(slot.start)}",
        footer=[
            *waitlist,
            button(tr("booking.button.other_day"), f"bk:service:{service.id}"),
            cancel_button(tr),
        ],
    )
    return draft.ask(Awaiting.TIME, _now(context))


async def ask_note(
    update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
) -> Awaiting:
    assert draft.service_id is not None and draft.day is not None
    markup = with_quick_exit(
        [
            [button(tr("booking.button.skip_note"), "bk:skipnote")],
            [
                back_button(tr, f"bk:day:{draft.service_id}:{draft.day.isoformat()}"),
                cancel_button(tr),
            ],
        ],
        tr,
    )
    await reply(update, tr("booking.ask_note", limit=rules.NOTE_MAX_LENGTH), markup)
    return draft.ask(Awaiting.NOTE, _now(context))


async def ask_naming(
    update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
) -> Awaiting:
    settings = context.services.settings
    if not settings.booking.reminders:
        # No reminders, nothing to choose.
        draft.name_in_reminders = False
        return await show_summary(update, context, tr, draft)
    markup = with_quick_exit(
        [
            [button(tr("booking.button.discreet"), "bk:naming:0")],
            [button(tr("booking.button.named"), "bk:naming:1")],
            [back_button(tr, "bk:note"), cancel_button(tr)],
        ],
        tr,
    )
    await reply(
        update,
        tr("booking.ask_naming", offsets=offsets_text(tr, settings.booking.reminders)),
        markup,
    )
    return draft.ask(Awaiting.NAMING_CHOICE, _now(context))


async def show_summary(
    update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
) -> Awaiting:
    settings = context.services.settings
    service = settings.service(draft.service_id or "")
    center = settings.center(draft.center_id or "")
    assert service is not None and center is not None and draft.slot is not None
    state = draft.ask(Awaiting.CONFIRMATION, _now(context))
    lines = [
        tr(
            "booking.summary",
            service=service.name.get(tr.language),
            when=when(tr, draft.slot.start, draft.slot.end, settings.general.timezone),
            center=center.name.get(tr.language),
            address=center.address.get(tr.language),
        )
    ]
    if draft.note:
        lines.append(tr("booking.summary_note", note=draft.note))
    elif draft.voice_note:
        lines.append(tr("booking.summary_voice_note"))
    if settings.booking.reminders:
        lines.append(
            tr("booking.summary_named" if draft.name_in_reminders else "booking.summary_discreet")
        )
    back = "bk:naming" if settings.booking.reminders else "bk:note"
    markup = with_quick_exit(
        [
            [button(tr("booking.button.confirm"), f"bk:confirm:{draft.revision}")],
            [back_button(tr, back), cancel_button(tr)],
        ],
        tr,
    )
    await reply(update, "\n".join(lines), markup)
    return state


async def ask_again(
    update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
) -> Awaiting:
    """The question the draft waits for, asked again."""
    settings = context.services.settings
    service = settings.service(draft.service_id or "")
    center = settings.center(draft.center_id or "")
    awaiting = draft.awaiting
    if awaiting is Awaiting.CENTER or (awaiting is Awaiting.SERVICE and center is None):
        return await ask_center(update, context, tr, draft)
    if awaiting is Awaiting.SERVICE and center is not None:
        return await ask_service(update, context, tr, draft, center)
    if awaiting is Awaiting.TIME and service is not None and draft.day is not None:
        return await ask_time(update, context, tr, draft, service, draft.day)
    if awaiting is Awaiting.NOTE and draft.slot is not None:
        return await ask_note(update, context, tr, draft)
    if awaiting is Awaiting.NAMING_CHOICE:
        return await ask_naming(update, context, tr, draft)
    if awaiting is Awaiting.CONFIRMATION and draft.slot is not None:
        return await show_summary(update, context, tr, draft)
    if service is not None:
        return await ask_day(update, context, tr, draft, service)
    return await ask_center(update, context, tr, draft)


async def say_interrupted(update: Update, tr: Translator) -> None:
    await reply(
        update,
        tr("booking.interrupted"),
        with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
    )


async def say_stale(update: Update, tr: Translator) -> None:
    logger.info("ignored a booking button with unknown data")
    await reply(
        update,
        tr("booking.stale_button"),
        with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
    )
