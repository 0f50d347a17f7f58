"""My appointments: the list with codes; cancel, reschedule, and the reminder buttons.

```mermaid
flowchart TD
    list[/appointments/] --> each[one message per appointment: Reschedule, Cancel]
    reminder[reminder: I'll come, Reschedule, Cancel] -->|ap:come| thanks[shown on the agenda]
    each & reminder -->|ap:cancel| sure{cancel?}
    sure -->|ap:cancel_yes| freed[cancelled, seat freed, staff told]
    sure -->|ap:keep| kept[stays]
    each & reminder -->|ap:move| days[free days]
    days -->|rs:day| times[free times]
    times -->|rs:time| move{move?}
    move -->|rs:ok| moved[new seat taken, old freed, one transaction]
    move -->|just taken| times
```

Buttons carry the appointment's id and version. Whatever a button says, the change is
made only for the presser's own appointment, still booked, still at the version the
message showed (a reschedule bumps it): anything else changes nothing and says why.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import booking as rules
from bot.appointment_messages import (
    CANCEL,
    CANCEL_YES,
    COME,
    KEEP,
    MOVE,
    appointment_data,
    details,
    staff_notices,
    user_buttons,
    when,
)
from bot.config import Service, Settings
from bot.context import HelplineContext, Services
from bot.i18n import Safe, Translator
from handlers.common import (
    MENU_APPOINTMENTS,
    MENU_BOOK,
    answer_button,
    consented_user,
    menu_keyboard,
    reply,
    strip_buttons,
    with_quick_exit,
)
from handlers.private.booking import (
    button,
    days_keyboard,
    offer_times,
    taken_seats,
    times_keyboard,
    unavailable_key,
)
from storage.appointments import Appointment, Outcome, Result
from storage.users import User

logger = logging.getLogger(__name__)

# More than this many upcoming appointments are listed by count only.
_LISTED = 10


def _parts(update: Update) -> list[str]:
    query = update.callback_query
    return (query.data or "").split(":") if query is not None else []


def _ids(parts: list[str]) -> tuple[int, int] | None:
    """The (appointment id, version) of "prefix:action:<id>:<version>[:...]"."""
    if len(parts) < 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return int(parts[2]), int(parts[3])


async def list_appointments(update: Update, context: HelplineContext) -> None:
    """/appointments or the menu: each upcoming appointment with its code and buttons."""
    await answer_button(update)
    user = await consented_user(update, context)
    if user is None:
        return
    services = context.services
    tr = services.tr(user.language)
    upcoming = await services.appointments.upcoming_for_user(user.user_id, services.clock.now())
    if not upcoming:
        await reply(
            update,
            tr("appointment.none"),
            with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
        )
        return
    await reply(update, tr.plural("appointment.list_title", len(upcoming)))
    for appointment in upcoming[:_LISTED]:
        await reply(
            update, details(services.settings, tr, appointment), user_buttons(tr, appointment)
        )
    if len(upcoming) > _LISTED:
        await reply(update, tr.plural("appointment.more", len(upcoming) - _LISTED))


async def _checked(
    update: Update, context: HelplineContext, user: User, tr: Translator
) -> Appointment | None:
    """The presser's own, still booked, still ahead appointment at the button's version."""
    services = context.services
    ids = _ids(_parts(update))
    appointment = await services.appointments.get(ids[0]) if ids else None
    if ids is None or appointment is None or appointment.user_id != user.user_id:
        await refuse(update, services, tr, Result(Outcome.NOT_FOUND))
        return None
    if not appointment.is_booked:
        await refuse(update, services, tr, Result(Outcome.CANCELLED, appointment))
        return None
    if appointment.version != ids[1]:
        await refuse(update, services, tr, Result(Outcome.OUTDATED, appointment))
        return None
    if appointment.starts_at <= services.clock.now():
        await reply(update, tr("appointment.past", code=appointment.code))
        return None
    return appointment


async def refuse(update: Update, services: Services, tr: Translator, result: Result) -> None:
    """Why a button changed nothing."""
    logger.info("refused an appointment button (%s)", result.outcome.value)
    appointment = result.appointment
    if result.outcome is Outcome.CANCELLED and appointment is not None:
        await reply(update, tr("appointment.already_cancelled", code=appointment.code))
    elif result.outcome is Outcome.OUTDATED and appointment is not None:
        await reply(
            update,
            tr(
                "appointment.outdated",
                code=appointment.code,
                when=when(
                    tr,
                    appointment.starts_at,
                    appointment.ends_at,
                    services.settings.general.timezone,
                ),
            ),
            user_buttons(tr, appointment),
        )
    else:
        await reply(
            update,
            tr("appointment.not_yours"),
            with_quick_exit([[button(tr("menu.appointments"), MENU_APPOINTMENTS)]], tr),
        )


async def _pressed_appointment(
    update: Update, context: HelplineContext
) -> tuple[User, Translator, Appointment] | None:
    """The consented presser, their texts, and the appointment their button names, checked
    (their own, still booked, still ahead, at the button's version); None when refused."""
    found = await _user_and_tr(update, context)
    if found is None:
        return None
    user, tr = found
    appointment = await _checked(update, context, user, tr)
    return None if appointment is None else (user, tr, appointment)


async def _user_and_tr(update: Update, context: HelplineContext) -> tuple[User, Translator] | None:
    await answer_button(update)
    user = await consented_user(update, context)
    if user is None:
        return None
    return user, context.services.tr(user.language)


# ------------------------------------------------------------------ I'll come


async def will_come(update: Update, context: HelplineContext) -> None:
    """ap:come: notes that the user will come (staff see it on the agenda)."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    user, tr, appointment = pressed
    services = context.services
    result = await services.appointments.confirm_coming(
        appointment.id, user_id=user.user_id, version=appointment.version, now=services.clock.now()
    )
    if not result.ok or result.appointment is None:
        await refuse(update, services, tr, result)
        return
    await strip_buttons(update)
    center = services.settings.center(appointment.center_id)
    await reply(
        update,
        tr(
            "appointment.will_come",
            when=when(tr, appointment.starts_at, None, services.settings.general.timezone),
            address=center.address.get(tr.language) if center else "",
            code=appointment.code,
        ),
        user_buttons(tr, result.appointment),
    )


# ------------------------------------------------------------------ cancel


async def ask_cancel(update: Update, context: HelplineContext) -> None:
    """ap:cancel: asks to be sure (a tap on a reminder is easily a mistake)."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    tz = context.services.settings.general.timezone
    markup = with_quick_exit(
        [
            [
                button(
                    tr("appointment.button.cancel_yes"), appointment_data(CANCEL_YES, appointment)
                ),
                button(tr("appointment.button.keep"), appointment_data(KEEP, appointment)),
            ]
        ],
        tr,
    )
    await reply(
        update,
        tr(
            "appointment.ask_cancel",
            code=appointment.code,
            when=when(tr, appointment.starts_at, appointment.ends_at, tz),
        ),
        markup,
    )


async def cancel(update: Update, context: HelplineContext) -> None:
    """ap:cancel_yes: cancels; the seat is free for others at once; staff are told."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    user, tr, appointment = pressed
    services = context.services
    settings = services.settings
    result = await services.appointments.cancel(
        appointment.id,
        user_id=user.user_id,
        version=appointment.version,
        now=services.clock.now(),
        notices=staff_notices(
            settings, services.tr(settings.general.default_language), "cancelled"
        ),
    )
    if not result.ok:
        await refuse(update, services, tr, result)
        return
    services.delivery.notify()
    logger.info("appointment cancelled by the user")
    await strip_buttons(update)
    await reply(
        update,
        tr(
            "appointment.cancelled",
            code=appointment.code,
            when=when(tr, appointment.starts_at, None, settings.general.timezone),
        ),
        with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
    )


async def keep(update: Update, context: HelplineContext) -> None:
    """ap:keep: nothing changes."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    await strip_buttons(update)
    await reply(update, tr("appointment.kept", code=appointment.code), menu_keyboard(tr))


# ------------------------------------------------------------------ reschedule


def _service_of(services: Services, appointment: Appointment) -> Service | None:
    return services.settings.service(appointment.service_id)


def _rs(prefix: str, appointment: Appointment, tail: str | int) -> str:
    return f"rs:{prefix}:{appointment.id}:{appointment.version}:{tail}"


async def _ask_new_day(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    appointment: Appointment,
    *,
    lead: str | None = None,
    page: int = 0,
    edit: bool = False,
) -> None:
    services = context.services
    service = _service_of(services, appointment)
    stop = button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment))
    if service is None:
        await reply(update, tr("appointment.service_gone", code=appointment.code))
        return
    tz = services.settings.general.timezone
    days = rules.open_days(
        service,
        await taken_seats(services, service),
        services.clock.now(),
        services.settings.booking,
        tz,
    )
    if not days:
        await reply(
            update,
            tr("appointment.no_days_to_move", code=appointment.code),
            with_quick_exit([[stop]], tr),
        )
        return
    markup = days_keyboard(
        tr,
        days,
        page,
        day_data=lambda day: _rs("day", appointment, day.isoformat()),
        page_data=lambda number: _rs("page", appointment, number),
        footer=[stop],
    )
    query = update.callback_query
    if edit and query is not None:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(markup)
        return
    text = tr(
        "appointment.ask_new_day",
        code=appointment.code,
        when=when(tr, appointment.starts_at, appointment.ends_at, tz),
    )
    await reply(update, f"{lead}\n\n{text}" if lead else text, markup)


async def ask_new_day(update: Update, context: HelplineContext) -> None:
    """ap:move: the free days of the same service."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    await strip_buttons(update)
    await _ask_new_day(update, context, tr, appointment)


async def page_new_days(update: Update, context: HelplineContext) -> None:
    """rs:page:<id>:<version>:<n>: other free days, in the same message."""
    pressed = await _pressed_appointment(update, context)
    parts = _parts(update)
    if pressed is None or len(parts) != 5 or not parts[4].isdigit():
        return
    _user, tr, appointment = pressed
    await _ask_new_day(update, context, tr, appointment, page=int(parts[4]), edit=True)


async def ask_new_time(update: Update, context: HelplineContext) -> None:
    """rs:day:<id>:<version>:<date>: the free times of that day."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    parts = _parts(update)
    day = rules.parse_day(parts[4]) if len(parts) == 5 else None
    services = context.services
    service = _service_of(services, appointment)
    await strip_buttons(update)
    if day is None or service is None:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.day_unavailable"))
        return
    tz = services.settings.general.timezone
    slots = [
        slot
        for slot in rules.slots_on(
            service,
            day,
            await taken_seats(services, service),
            services.clock.now(),
            services.settings.booking,
            tz,
        )
        if slot.start != appointment.starts_at
    ]
    if not slots:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.day_unavailable"))
        return
    markup = times_keyboard(
        tr,
        slots,
        service,
        services,
        slot_data=lambda slot: _rs("time", appointment, rules.timestamp(slot.start)),
        footer=[
            button(tr("booking.button.back"), appointment_data(MOVE, appointment)),
            button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment)),
        ],
    )
    await reply(
        update,
        tr("appointment.ask_new_time", day=rules.day_long(day, tr.language), code=appointment.code),
        markup,
    )


async def ask_move(update: Update, context: HelplineContext) -> None:
    """rs:time:<id>:<version>:<start>: asks to confirm the move."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    _user, tr, appointment = pressed
    services = context.services
    tz = services.settings.general.timezone
    parts = _parts(update)
    start = rules.from_timestamp(parts[4], tz) if len(parts) == 5 else None
    service = _service_of(services, appointment)
    await strip_buttons(update)
    if start is None or service is None:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.time_unavailable"))
        return
    taken = await taken_seats(services, service)
    slot = rules.offered_slot(
        service, start, taken, services.clock.now(), services.settings.booking, tz
    )
    if slot is None:
        await _offer_new_times(
            update, context, tr, appointment, service, start, "booking.time_unavailable"
        )
        return
    markup = with_quick_exit(
        [
            [button(tr("appointment.button.move_yes"), _rs("ok", appointment, parts[4]))],
            [
                button(
                    tr("booking.button.back"),
                    _rs("day", appointment, slot.start.astimezone(tz).date().isoformat()),
                ),
                button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment)),
            ],
        ],
        tr,
    )
    await reply(
        update,
        tr(
            "appointment.ask_move",
            code=appointment.code,
            old=when(tr, appointment.starts_at, appointment.ends_at, tz),
            new=when(tr, slot.start, slot.end, tz),
        ),
        markup,
    )


async def _offer_new_times(
    update: Update,
    context: HelplineContext,
    tr: Translator,
    appointment: Appointment,
    service: Service,
    after: datetime,
    lead_key: str,
) -> None:
    services = context.services
    await offer_times(
        update,
        tr,
        services,
        service,
        after=after,
        taken=await taken_seats(services, service),
        lead_key=lead_key,
        slot_data=lambda slot: _rs("time", appointment, rules.timestamp(slot.start)),
        footer=[
            button(tr("booking.button.other_day"), appointment_data(MOVE, appointment)),
            button(tr("appointment.button.keep_time"), appointment_data(KEEP, appointment)),
        ],
        skip=appointment.starts_at,
    )


async def move(update: Update, context: HelplineContext) -> None:
    """rs:ok:<id>:<version>:<start>: takes the new seat, frees the old, tells staff."""
    pressed = await _pressed_appointment(update, context)
    if pressed is None:
        return
    user, tr, appointment = pressed
    services = context.services
    settings = services.settings
    tz = settings.general.timezone
    parts = _parts(update)
    start = rules.from_timestamp(parts[4], tz) if len(parts) == 5 else None
    service = _service_of(services, appointment)
    await strip_buttons(update)
    if start is None or service is None:
        await _ask_new_day(update, context, tr, appointment, lead=tr("booking.time_unavailable"))
        return
    now = services.clock.now()
    taken = await taken_seats(services, service)
    slot = rules.offered_slot(service, start, taken, now, settings.booking, tz)
    if slot is None:
        reason = rules.why_unavailable(service, start, taken, now, settings.booking, tz)
        await _offer_new_times(
            update,
            context,
            tr,
            appointment,
            service,
            start,
            unavailable_key(reason or rules.Unavailable.GONE),
        )
        return
    result = await services.appointments.reschedule(
        appointment.id,
        user_id=user.user_id,
        version=appointment.version,
        starts_at=slot.start,
        ends_at=slot.end,
        capacity=service.capacity,
        reminders=rules.planned_reminders(slot.start, now, settings.booking, tz),
        now=now,
        notices=staff_notices(
            settings,
            services.tr(settings.general.default_language),
            "moved",
            previous_start=appointment.starts_at,
        ),
    )
    if result.outcome is Outcome.SLOT_TAKEN:
        await _offer_new_times(
            update, context, tr, appointment, service, start, "booking.just_taken"
        )
        return
    if result.outcome is Outcome.SAME_TIME:
        await reply(update, tr("appointment.same_time", code=appointment.code))
        return
    if result.outcome is Outcome.OVERLAP and result.other is not None:
        await _ask_new_day(
            update,
            context,
            tr,
            appointment,
            lead=tr(
                "booking.overlap",
                code=result.other.code,
                when=when(tr, result.other.starts_at, None, tz),
            ),
        )
        return
    if not result.ok or result.appointment is None:
        await refuse(update, services, tr, result)
        return
    services.delivery.notify()
    logger.info("appointment rescheduled by the user")
    await reply(
        update,
        tr("appointment.moved", details=Safe(details(settings, tr, result.appointment))),
        user_buttons(tr, result.appointment),
    )


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    ids = r":\d{1,12}:\d{1,6}"
    return [
        CommandHandler("appointments", list_appointments, filters=private),
        CallbackQueryHandler(list_appointments, pattern=f"^{MENU_APPOINTMENTS}$"),
        CallbackQueryHandler(will_come, pattern=f"^{COME}{ids}$"),
        CallbackQueryHandler(ask_cancel, pattern=f"^{CANCEL}{ids}$"),
        CallbackQueryHandler(cancel, pattern=f"^{CANCEL_YES}{ids}$"),
        CallbackQueryHandler(keep, pattern=f"^{KEEP}{ids}$"),
        CallbackQueryHandler(ask_new_day, pattern=f"^{MOVE}{ids}$"),
        CallbackQueryHandler(page_new_days, pattern=rf"^rs:page{ids}:\d+$"),
        CallbackQueryHandler(ask_new_time, pattern=rf"^rs:day{ids}:[0-9-]+$"),
        CallbackQueryHandler(ask_move, pattern=rf"^rs:time{ids}:\d+$"),
        CallbackQueryHandler(move, pattern=rf"^rs:ok{ids}:\d+$"),
    ]
