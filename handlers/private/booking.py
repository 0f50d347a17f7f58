"""Booking an appointment: centre, service, day, time, a note, reminders, confirm.

```mermaid
flowchart TD
    book[/book or menu:book/] -->|limit reached| calm[calm answer, nothing stored]
    book -->|several centres| CENTER
    book -->|one centre| SERVICE
    CENTER -->|bk:center| SERVICE
    SERVICE -->|bk:service| DAY
    DAY -->|bk:page| DAY
    DAY -->|bk:day| TIME
    TIME -->|bk:time| NOTE
    TIME -->|taken or past| TIME
    NOTE -->|text| NAMING_CHOICE
    NOTE -->|bk:skipnote| NAMING_CHOICE
    NAMING_CHOICE -->|bk:naming| CONFIRMATION
    CONFIRMATION -->|bk:confirm, seat taken| booked[code, address, phone, how to cancel]
    CONFIRMATION -->|just taken| TIME
    SERVICE & DAY & TIME & NOTE & NAMING_CHOICE & CONFIRMATION -->|Back| previous[the step before]
    SERVICE & DAY & TIME & NOTE & NAMING_CHOICE & CONFIRMATION -->|/cancel| menu[nothing stored]
```

The draft lives in ``context.user_data`` (so the quick exit, which clears it, ends the
booking without a trace) and is indexed by user id so that this flow only catches text
while it waits for something. Every button carries what it chose (service, day, the
slot's start), and every choice is checked again against the config and the database:
old, forged or outdated buttons get a clear answer and change nothing. Nothing is stored
until the user confirms; the seat is taken atomically (storage/appointments.py).
"""

from __future__ import annotations

import contextlib
import enum
import html
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import booking as rules
from bot.appointment_messages import details, staff_notices, when
from bot.config import Center, Service, Settings
from bot.context import HelplineContext, Services
from bot.domain.slots import FreeSlot
from bot.domain.triage import has_danger_words
from bot.i18n import Safe, Translator
from bot.keyboards import MAX_BUTTONS
from handlers.common import (
    MENU_APPOINTMENTS,
    MENU_BOOK,
    MENU_SOS,
    answer_button,
    consented_user,
    emergency_numbers,
    menu_keyboard,
    reply,
    strip_buttons,
    translator_for,
    with_quick_exit,
)
from handlers.private.conversation import to_case
from storage.appointments import NewBooking, Outcome

logger = logging.getLogger(__name__)

DRAFT_KEY = "booking"
# An untouched draft stops catching the user's text after this long.
DRAFT_LIFETIME = timedelta(hours=2)


class Awaiting(enum.Enum):
    """What the booking waits for from the user."""

    CENTER = "center"
    SERVICE = "service"
    DAY = "day"
    TIME = "time"
    NOTE = "note"
    NAMING_CHOICE = "naming_choice"
    CONFIRMATION = "confirmation"


@dataclass
class BookingDraft:
    user_id: int
    awaiting: Awaiting
    touched_at: datetime
    center_id: str | None = None
    service_id: str | None = None
    day: date | None = None
    slot: FreeSlot | None = None
    # Kept in memory only until confirmed; stored sealed.
    note: str | None = None
    note_decided: bool = False
    name_in_reminders: bool = False
    # Bumped on every change, so "Confirm" on an older summary cannot book something else.
    revision: int = 0

    def touch(self, awaiting: Awaiting, now: datetime) -> None:
        self.awaiting = awaiting
        self.touched_at = now
        self.revision += 1


@dataclass
class DraftIndex:
    """Which users have a draft waiting for what: lets a filter decide before a handler runs."""

    awaiting: dict[int, Awaiting] = field(default_factory=dict)

    def waits_for(self, user_id: int, states: frozenset[Awaiting]) -> bool:
        return self.awaiting.get(user_id) in states


class _Waiting(filters.UpdateFilter):
    def __init__(self, index: DraftIndex, states: frozenset[Awaiting]) -> None:
        super().__init__(name=f"booking awaiting {sorted(s.value for s in states)}")
        self._index = index
        self._states = states

    def filter(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and self._index.waits_for(user.id, self._states)


class _LeavingObserver(BaseHandler[Update, HelplineContext, None]):
    """Never handles anything: notices a user leaving the booking for another flow.

    A command other than /book and /cancel, or a button that is not the booking's,
    starts something else (a help request, /sos ...): from then on this flow must not
    take the user's text as a note. The draft itself stays, so a booking button pressed
    later still works. It is first in the booking's handlers, which come before the
    other flows, so it sees those updates before they are taken.
    """

    def __init__(self, index: DraftIndex) -> None:
        super().__init__(self._never)
        self._index = index

    @staticmethod
    async def _never(update: Update, context: HelplineContext) -> None:
        raise AssertionError("the observer never handles an update")

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update) or update.effective_user is None:
            return False
        user_id = update.effective_user.id
        if user_id not in self._index.awaiting:
            return False
        query = update.callback_query
        message = update.message
        if query is not None:
            leaving = not (query.data or "").startswith("bk:")
        elif message is not None and message.text and message.text.startswith("/"):
            command = message.text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()
            leaving = command not in ("book", "cancel")
        else:
            leaving = False
        if leaving:
            self._index.awaiting.pop(user_id, None)
        return False


BUTTON_STEPS = frozenset(
    {
        Awaiting.CENTER,
        Awaiting.SERVICE,
        Awaiting.DAY,
        Awaiting.TIME,
        Awaiting.NAMING_CHOICE,
        Awaiting.CONFIRMATION,
    }
)


# ------------------------------------------------------------------ keyboards (shared)


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def days_keyboard(
    tr: Translator,
    days: list[date],
    page: int,
    *,
    day_data: Callable[[date], str],
    page_data: Callable[[int], str],
    footer: Sequence[InlineKeyboardButton],
) -> InlineKeyboardMarkup:
    """Free days, two per row, paged, then the footer (Back, Cancel), then the quick exit."""
    shown, page = rules.page_of(days, page)
    rows = [
        [button(rules.day_label(day, tr.language), day_data(day)) for day in shown[i : i + 2]]
        for i in range(0, len(shown), 2)
    ]
    pages = rules.page_count(days)
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(button(tr("booking.button.earlier"), page_data(page - 1)))
        if page < pages - 1:
            nav.append(button(tr("booking.button.later"), page_data(page + 1)))
        rows.append(nav)
    rows.append(list(footer))
    return with_quick_exit(rows, tr)


def slot_label(tr: Translator, slot: FreeSlot, service: Service, services: Services) -> str:
    time_text = rules.clock(slot.start, services.settings.general.timezone)
    if service.capacity > 1:
        return tr.plural("booking.slot_with_seats", slot.seats_left, time=time_text)
    return time_text


def times_keyboard(
    tr: Translator,
    slots: Sequence[FreeSlot],
    service: Service,
    services: Services,
    *,
    slot_data: Callable[[FreeSlot], str],
    footer: Sequence[InlineKeyboardButton],
    with_day: bool = False,
) -> InlineKeyboardMarkup:
    """Free times, three per row (one per row for group services or with the day).

    Then the footer and the quick exit. Telegram refuses more than 100 buttons: a day
    with more free times than fit (very short slots) shows its earliest ones.
    """
    per_row = 1 if service.capacity > 1 or with_day else 3
    slots = slots[: MAX_BUTTONS - len(footer) - 1]
    tz = services.settings.general.timezone

    def label(slot: FreeSlot) -> str:
        text = slot_label(tr, slot, service, services)
        if with_day:
            return f"{rules.day_label(slot.start.astimezone(tz).date(), tr.language)}, {text}"
        return text

    rows = [
        [button(label(slot), slot_data(slot)) for slot in slots[i : i + per_row]]
        for i in range(0, len(slots), per_row)
    ]
    rows.append(list(footer))
    return with_quick_exit(rows, tr)


def unavailable_key(reason: rules.Unavailable) -> str:
    """What the user is told about a time that cannot be booked."""
    return "booking.just_taken" if reason is rules.Unavailable.FULL else "booking.time_unavailable"


async def offer_times(
    update: Update,
    tr: Translator,
    services: Services,
    service: Service,
    *,
    after: datetime,
    taken: Mapping[datetime, int],
    lead_key: str,
    slot_data: Callable[[FreeSlot], str],
    footer: Sequence[InlineKeyboardButton],
    skip: datetime | None = None,
) -> None:
    """ "This time was just taken (or is gone): here are the next free times" (booking and
    moving a booked appointment, which skips its own time)."""
    tz = services.settings.general.timezone
    found = [
        slot
        for slot in rules.alternatives(
            service, after, taken, services.clock.now(), services.settings.booking, tz
        )
        if slot.start != skip
    ]
    if not found:
        await reply(
            update,
            tr(lead_key) + "\n\n" + tr("booking.no_alternatives"),
            with_quick_exit([footer], tr),
        )
        return
    markup = times_keyboard(
        tr, found, service, services, slot_data=slot_data, footer=footer, with_day=True
    )
    await reply(update, tr(lead_key) + "\n\n" + tr("booking.alternatives"), markup)


async def taken_seats(services: Services, service: Service) -> dict[datetime, int]:
    tz = services.settings.general.timezone
    since, until = rules.horizon_window(services.clock.now(), services.settings.booking, tz)
    return await services.appointments.taken(service.id, since, until)


# ------------------------------------------------------------------ the flow


def _cancel_button(tr: Translator) -> InlineKeyboardButton:
    return button(tr("booking.button.cancel"), "bk:cancel")


def _back(tr: Translator, data: str) -> InlineKeyboardButton:
    return button(tr("booking.button.back"), data)


def _draft(context: HelplineContext, index: DraftIndex, user_id: int) -> BookingDraft | None:
    """The user's live draft, or None (none, expired, or wiped by a quick exit)."""
    draft = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    now = context.services.clock.now()
    if not isinstance(draft, BookingDraft) or now - draft.touched_at > DRAFT_LIFETIME:
        index.awaiting.pop(user_id, None)
        if context.user_data is not None:
            context.user_data.pop(DRAFT_KEY, None)
        return None
    return draft


class BookingFlow:
    """The handlers of the booking conversation, sharing the draft index."""

    def __init__(self) -> None:
        self.index = DraftIndex()

    # -- drafts

    def _save(self, context: HelplineContext, draft: BookingDraft) -> None:
        assert context.user_data is not None
        context.user_data[DRAFT_KEY] = draft
        self.index.awaiting[draft.user_id] = draft.awaiting

    def _drop(self, context: HelplineContext, user_id: int) -> None:
        if context.user_data is not None:
            context.user_data.pop(DRAFT_KEY, None)
        self.index.awaiting.pop(user_id, None)

    def _draft_for(self, update: Update, context: HelplineContext) -> BookingDraft:
        """The live draft, or a fresh one (buttons carry their choices, so old ones work)."""
        assert update.effective_user is not None
        user_id = update.effective_user.id
        draft = _draft(context, self.index, user_id)
        if draft is None:
            draft = BookingDraft(user_id, Awaiting.SERVICE, context.services.clock.now())
        return draft

    # -- entry

    async def start(self, update: Update, context: HelplineContext) -> None:
        """/book or the menu: checks the daily limit, asks the centre (or the service)."""
        await answer_button(update)
        user = await consented_user(update, context)
        if user is None:
            return
        services = context.services
        tr = services.tr(user.language)
        if await self._limit_reached(services, user.user_id):
            await reply(update, self._limit_text(services, tr), menu_keyboard(tr))
            return
        draft = BookingDraft(user.user_id, Awaiting.SERVICE, services.clock.now())
        centers = services.settings.centers
        if len(centers) == 1:
            await self._ask_service(update, context, tr, draft, centers[0])
        else:
            await self._ask_center(update, context, tr, draft)

    async def _limit_reached(self, services: Services, user_id: int) -> bool:
        tz = services.settings.general.timezone
        since = rules.local_midnight(services.clock.now(), tz)
        made = await services.appointments.bookings_since(user_id, since)
        return made >= services.settings.limits.bookings_per_day

    def _limit_text(self, services: Services, tr: Translator) -> str:
        centers = services.settings.centers
        return tr(
            "booking.daily_limit",
            limit=services.settings.limits.bookings_per_day,
            phone=centers[0].phone if centers else "",
        )

    # -- centre and service

    async def _ask_center(
        self, update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
    ) -> None:
        rows = [
            [button(center.name.get(tr.language), f"bk:center:{center.id}")]
            for center in context.services.settings.centers
        ]
        rows.append([_cancel_button(tr)])
        draft.touch(Awaiting.CENTER, context.services.clock.now())
        self._save(context, draft)
        await reply(update, tr("booking.ask_center"), with_quick_exit(rows, tr))

    async def choose_center(self, update: Update, context: HelplineContext) -> None:
        """bk:center:<id> (or Back to the services): asks the service."""
        await answer_button(update)
        if await consented_user(update, context) is None:
            return
        tr = await translator_for(update, context)
        data = _data(update).split(":")
        center = context.services.settings.center(data[2]) if len(data) == 3 else None
        if center is None:
            await self._stale(update, context, tr)
            return
        await strip_buttons(update)
        await self._ask_service(update, context, tr, self._draft_for(update, context), center)

    async def back_to_centers(self, update: Update, context: HelplineContext) -> None:
        """bk:centers: the list of centres again."""
        await answer_button(update)
        if await consented_user(update, context) is None:
            return
        tr = await translator_for(update, context)
        await strip_buttons(update)
        await self._ask_center(update, context, tr, self._draft_for(update, context))

    async def _ask_service(
        self,
        update: Update,
        context: HelplineContext,
        tr: Translator,
        draft: BookingDraft,
        center: Center,
    ) -> None:
        services = context.services.settings.services
        rows = [
            [button(service.name.get(tr.language), f"bk:service:{service.id}")]
            for service in services
            if service.center == center.id
        ]
        footer = [_cancel_button(tr)]
        if len(context.services.settings.centers) > 1:
            footer.insert(0, _back(tr, "bk:centers"))
        rows.append(footer)
        draft.center_id = center.id
        draft.touch(Awaiting.SERVICE, context.services.clock.now())
        self._save(context, draft)
        await reply(
            update,
            tr("booking.ask_service", center=center.name.get(tr.language)),
            with_quick_exit(rows, tr),
        )

    async def choose_service(self, update: Update, context: HelplineContext) -> None:
        """bk:service:<id> (or Back to the days): asks the day."""
        await answer_button(update)
        if await consented_user(update, context) is None:
            return
        tr = await translator_for(update, context)
        data = _data(update).split(":")
        service = context.services.settings.service(data[2]) if len(data) == 3 else None
        if service is None:
            await self._stale(update, context, tr)
            return
        await strip_buttons(update)
        await self._ask_day(update, context, tr, self._draft_for(update, context), service)

    async def _ask_day(
        self,
        update: Update,
        context: HelplineContext,
        tr: Translator,
        draft: BookingDraft,
        service: Service,
        *,
        lead: str | None = None,
    ) -> None:
        services = context.services
        tz = services.settings.general.timezone
        now = services.clock.now()
        days = rules.open_days(
            service, await taken_seats(services, service), now, services.settings.booking, tz
        )
        center = services.settings.center(service.center)
        draft.center_id = service.center
        draft.service_id = service.id
        back = _back(tr, f"bk:center:{service.center}")
        if not days:
            draft.touch(Awaiting.SERVICE, now)
            self._save(context, draft)
            await reply(
                update,
                tr(
                    "booking.no_days",
                    service=service.name.get(tr.language),
                    phone=center.phone if center else "",
                ),
                with_quick_exit([[back, _cancel_button(tr)]], tr),
            )
            return
        draft.touch(Awaiting.DAY, now)
        self._save(context, draft)
        text = tr("booking.ask_day", service=service.name.get(tr.language))
        if lead:
            text = f"{lead}\n\n{text}"
        await reply(update, text, self._days_markup(tr, service, days, 0))

    def _days_markup(
        self, tr: Translator, service: Service, days: list[date], page: int
    ) -> InlineKeyboardMarkup:
        return days_keyboard(
            tr,
            days,
            page,
            day_data=lambda day: f"bk:day:{service.id}:{day.isoformat()}",
            page_data=lambda number: f"bk:page:{service.id}:{number}",
            footer=[_back(tr, f"bk:center:{service.center}"), _cancel_button(tr)],
        )

    async def page_days(self, update: Update, context: HelplineContext) -> None:
        """bk:page:<service>:<n>: the same question, other days (the message is edited)."""
        await answer_button(update)
        if await consented_user(update, context) is None:
            return
        tr = await translator_for(update, context)
        services = context.services
        data = _data(update).split(":")
        service = services.settings.service(data[2]) if len(data) == 4 else None
        query = update.callback_query
        if service is None or not data[3].isdigit() or query is None:
            await self._stale(update, context, tr)
            return
        days = rules.open_days(
            service,
            await taken_seats(services, service),
            services.clock.now(),
            services.settings.booking,
            services.settings.general.timezone,
        )
        if not days:
            await strip_buttons(update)
            await self._ask_day(update, context, tr, self._draft_for(update, context), service)
            return
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(
                self._days_markup(tr, service, days, int(data[3]))
            )

    # -- day and time

    async def choose_day(self, update: Update, context: HelplineContext) -> None:
        """bk:day:<service>:<date> (or Back to the times): asks the time."""
        await answer_button(update)
        if await consented_user(update, context) is None:
            return
        tr = await translator_for(update, context)
        services = context.services
        data = _data(update).split(":")
        service = services.settings.service(data[2]) if len(data) == 4 else None
        day = rules.parse_day(data[3]) if len(data) == 4 else None
        if service is None or day is None:
            await self._stale(update, context, tr)
            return
        await strip_buttons(update)
        await self._ask_time(update, context, tr, self._draft_for(update, context), service, day)

    async def _ask_time(
        self,
        update: Update,
        context: HelplineContext,
        tr: Translator,
        draft: BookingDraft,
        service: Service,
        day: date,
    ) -> None:
        services = context.services
        tz = services.settings.general.timezone
        slots = rules.slots_on(
            service,
            day,
            await taken_seats(services, service),
            services.clock.now(),
            services.settings.booking,
            tz,
        )
        if not slots:
            # A forged day, a holiday, a day that filled up or passed: the free days again.
            await self._ask_day(
                update, context, tr, draft, service, lead=tr("booking.day_unavailable")
            )
            return
        draft.service_id = service.id
        draft.center_id = service.center
        draft.day = day
        draft.touch(Awaiting.TIME, services.clock.now())
        self._save(context, draft)
        markup = times_keyboard(
            tr,
            slots,
            service,
            services,
            slot_data=lambda slot: f"bk:time:{service.id}:{rules.timestamp(slot.start)}",
            footer=[_back(tr, f"bk:service:{service.id}"), _cancel_button(tr)],
        )
        key = "booking.ask_time_group" if service.capacity > 1 else "booking.ask_time"
        await reply(
            update,
            tr(key, day=rules.day_long(day, tr.language), service=service.name.get(tr.language)),
            markup,
        )

    async def choose_time(self, update: Update, context: HelplineContext) -> None:
        """bk:time:<service>:<start>: keeps the time, asks for a note."""
        await self._take_time(update, context, keep_details=False)

    async def choose_alternative(self, update: Update, context: HelplineContext) -> None:
        """bk:alt:<service>:<start>: another time after "just taken"; the note is kept."""
        await self._take_time(update, context, keep_details=True)

    async def _take_time(
        self, update: Update, context: HelplineContext, *, keep_details: bool
    ) -> None:
        await answer_button(update)
        if await consented_user(update, context) is None:
            return
        tr = await translator_for(update, context)
        services = context.services
        tz = services.settings.general.timezone
        data = _data(update).split(":")
        service = services.settings.service(data[2]) if len(data) == 4 else None
        start = rules.from_timestamp(data[3], tz) if len(data) == 4 else None
        if service is None or start is None:
            await self._stale(update, context, tr)
            return
        draft = self._draft_for(update, context)
        taken = await taken_seats(services, service)
        slot = rules.offered_slot(
            service, start, taken, services.clock.now(), services.settings.booking, tz
        )
        await strip_buttons(update)
        if slot is None:
            await self._offer_alternatives(
                update, context, tr, draft, service, start, taken, "booking.time_unavailable"
            )
            return
        keep = keep_details and draft.note_decided and draft.service_id == service.id
        draft.service_id = service.id
        draft.center_id = service.center
        draft.day = slot.start.astimezone(tz).date()
        draft.slot = slot
        if keep:
            await self._show_summary(update, context, tr, draft)
        else:
            draft.note = None
            draft.note_decided = False
            await self._ask_note(update, context, tr, draft)

    async def _offer_alternatives(
        self,
        update: Update,
        context: HelplineContext,
        tr: Translator,
        draft: BookingDraft,
        service: Service,
        after: datetime,
        taken: dict[datetime, int],
        lead_key: str,
    ) -> None:
        """ "This time was just taken (or is gone): here are the next free times"."""
        services = context.services
        draft.service_id = service.id
        draft.center_id = service.center
        draft.touch(Awaiting.TIME, services.clock.now())
        self._save(context, draft)
        await offer_times(
            update,
            tr,
            services,
            service,
            after=after,
            taken=taken,
            lead_key=lead_key,
            slot_data=lambda slot: f"bk:alt:{service.id}:{rules.timestamp(slot.start)}",
            footer=[
                button(tr("booking.button.other_day"), f"bk:service:{service.id}"),
                _cancel_button(tr),
            ],
        )

    # -- note

    async def _ask_note(
        self, update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
    ) -> None:
        draft.touch(Awaiting.NOTE, context.services.clock.now())
        self._save(context, draft)
        assert draft.service_id is not None and draft.day is not None
        markup = with_quick_exit(
            [
                [button(tr("booking.button.skip_note"), "bk:skipnote")],
                [
                    _back(tr, f"bk:day:{draft.service_id}:{draft.day.isoformat()}"),
                    _cancel_button(tr),
                ],
            ],
            tr,
        )
        await reply(update, tr("booking.ask_note", limit=rules.NOTE_MAX_LENGTH), markup)

    async def back_to_note(self, update: Update, context: HelplineContext) -> None:
        """bk:note: Back from the reminder choice to the note."""
        draft = await self._draft_at(update, context)
        if draft is None:
            return
        tr = await translator_for(update, context)
        await strip_buttons(update)
        await self._ask_note(update, context, tr, draft)

    async def note_text(self, update: Update, context: HelplineContext) -> None:
        """A note for the specialist: kept (in memory until confirmed); asks about reminders."""
        assert update.effective_user is not None and update.message is not None
        draft = _draft(context, self.index, update.effective_user.id)
        tr = await translator_for(update, context)
        if draft is None or draft.slot is None:
            # Wiped (a quick exit clears drafts): answer as if no booking ever was.
            await reply(update, tr("fallback.text_outside_flow"), menu_keyboard(tr))
            return
        text = (update.message.text or "").strip()
        user_id = update.effective_user.id
        in_case = await _has_open_case(context, user_id)
        if in_case and (
            not text
            or len(text) > rules.NOTE_MAX_LENGTH
            or _replies_to_psychologist(update, context, tr)
        ):
            # A voice message, a photo, a long letter or an answer to the psychologist is
            # most likely meant for the psychologist, not a note: it goes to the case
            # (checked before the note's own rules, so nothing meant for staff is refused).
            await to_case(update, context)
            await self._ask_note(update, context, tr, draft)
            return
        if not text:
            # A sticker, a photo or a voice message where a written note is asked for.
            await reply(update, tr("booking.note_text_only"))
            return
        if len(text) > rules.NOTE_MAX_LENGTH:
            await reply(
                update, tr("booking.note_too_long", limit=rules.NOTE_MAX_LENGTH, length=len(text))
            )
            return
        draft.note = text
        draft.note_decided = True
        if has_danger_words(text):
            # Whenever danger is mentioned the numbers come first; the booking goes on,
            # with help that cannot wait one tap away.
            numbers = emergency_numbers(context.services, tr)
            await reply(
                update,
                tr("booking.note_danger", numbers=numbers),
                with_quick_exit([[button(tr("menu.sos"), MENU_SOS)]], tr),
            )
            if in_case:
                # The psychologist must see this now: it goes to the case too (which
                # turns urgent and alerts staff). "Passed on" only when it was stored
                # for the case: a blocked case receives nothing (to_case says so).
                case = await context.services.cases.open_case_of(user_id)
                await to_case(update, context)
                if case is not None and not case.blocked:
                    await reply(update, tr("booking.note_passed_to_case"))
        await self._ask_naming(update, context, tr, draft)

    async def skip_note(self, update: Update, context: HelplineContext) -> None:
        """bk:skipnote: no note; asks about reminders."""
        draft = await self._draft_at(update, context)
        if draft is None:
            return
        tr = await translator_for(update, context)
        await strip_buttons(update)
        draft.note = None
        draft.note_decided = True
        await self._ask_naming(update, context, tr, draft)

    # -- what reminders may say

    async def _ask_naming(
        self, update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
    ) -> None:
        settings = context.services.settings
        if not settings.booking.reminders:
            # No reminders, nothing to choose.
            draft.name_in_reminders = False
            await self._show_summary(update, context, tr, draft)
            return
        draft.touch(Awaiting.NAMING_CHOICE, context.services.clock.now())
        self._save(context, draft)
        markup = with_quick_exit(
            [
                [button(tr("booking.button.discreet"), "bk:naming:0")],
                [button(tr("booking.button.named"), "bk:naming:1")],
                [_back(tr, "bk:note"), _cancel_button(tr)],
            ],
            tr,
        )
        await reply(
            update,
            tr("booking.ask_naming", offsets=_offsets_text(tr, settings.booking.reminders)),
            markup,
        )

    async def choose_naming(self, update: Update, context: HelplineContext) -> None:
        """bk:naming:0|1: keeps the choice, shows the summary."""
        draft = await self._draft_at(update, context)
        if draft is None:
            return
        tr = await translator_for(update, context)
        await strip_buttons(update)
        draft.name_in_reminders = _data(update).endswith(":1")
        await self._show_summary(update, context, tr, draft)

    async def back_to_naming(self, update: Update, context: HelplineContext) -> None:
        """bk:naming: Back from the summary."""
        draft = await self._draft_at(update, context)
        if draft is None:
            return
        tr = await translator_for(update, context)
        await strip_buttons(update)
        await self._ask_naming(update, context, tr, draft)

    # -- summary and confirmation

    async def _show_summary(
        self, update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
    ) -> None:
        services = context.services
        settings = services.settings
        service = settings.service(draft.service_id or "")
        center = settings.center(draft.center_id or "")
        assert service is not None and center is not None and draft.slot is not None
        draft.touch(Awaiting.CONFIRMATION, services.clock.now())
        self._save(context, draft)
        tz = settings.general.timezone
        lines = [
            tr(
                "booking.summary",
                service=service.name.get(tr.language),
                when=when(tr, draft.slot.start, draft.slot.end, tz),
                center=center.name.get(tr.language),
                address=center.address.get(tr.language),
            )
        ]
        if draft.note:
            lines.append(tr("booking.summary_note", note=draft.note))
        if settings.booking.reminders:
            lines.append(
                tr(
                    "booking.summary_named"
                    if draft.name_in_reminders
                    else "booking.summary_discreet"
                )
            )
        back = "bk:naming" if settings.booking.reminders else "bk:note"
        markup = with_quick_exit(
            [
                [button(tr("booking.button.confirm"), f"bk:confirm:{draft.revision}")],
                [_back(tr, back), _cancel_button(tr)],
            ],
            tr,
        )
        await reply(update, "\n".join(lines), markup)

    async def confirm(self, update: Update, context: HelplineContext) -> None:
        """bk:confirm:<revision>: takes the seat, or offers the next free times."""
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        user = await consented_user(update, context)
        if user is None:
            await query.answer()
            return
        services = context.services
        tr = services.tr(user.language)
        draft = _draft(context, self.index, user.user_id)
        revision = _data(update).rsplit(":", 1)[-1]
        if draft is None or draft.awaiting is not Awaiting.CONFIRMATION or draft.slot is None:
            await query.answer()
            await self._interrupted(update, context, tr)
            return
        if revision != str(draft.revision):
            await query.answer(tr("booking.summary_outdated"))
            return
        await query.answer()
        await strip_buttons(update)
        settings = services.settings
        tz = settings.general.timezone
        service = settings.service(draft.service_id or "")
        assert service is not None
        now = services.clock.now()
        taken = await taken_seats(services, service)
        unavailable = rules.why_unavailable(
            service, draft.slot.start, taken, now, settings.booking, tz
        )
        if unavailable is not None:
            # Full already, or too close to now (the summary sat there a while).
            await self._offer_alternatives(
                update,
                context,
                tr,
                draft,
                service,
                draft.slot.start,
                taken,
                unavailable_key(unavailable),
            )
            return
        staff_tr = services.tr(settings.general.default_language)
        result = await services.appointments.book(
            NewBooking(
                user_id=user.user_id,
                center_id=service.center,
                service_id=service.id,
                starts_at=draft.slot.start,
                ends_at=draft.slot.end,
                capacity=service.capacity,
                note=draft.note,
                name_in_reminders=draft.name_in_reminders,
                reminders=rules.planned_reminders(draft.slot.start, now, settings.booking, tz),
                limit_since=rules.local_midnight(now, tz),
                daily_limit=settings.limits.bookings_per_day,
            ),
            now=now,
            notices=staff_notices(settings, staff_tr, "new"),
        )
        if result.outcome is Outcome.SLOT_TAKEN:
            taken = await taken_seats(services, service)
            await self._offer_alternatives(
                update, context, tr, draft, service, draft.slot.start, taken, "booking.just_taken"
            )
            return
        if result.outcome is Outcome.DAILY_LIMIT:
            self._drop(context, user.user_id)
            await reply(update, self._limit_text(services, tr), menu_keyboard(tr))
            return
        if result.outcome is Outcome.OVERLAP:
            assert result.other is not None
            await self._ask_day(
                update,
                context,
                tr,
                draft,
                service,
                lead=tr(
                    "booking.overlap",
                    code=result.other.code,
                    when=when_short(tr, result.other.starts_at, services),
                ),
            )
            return
        assert result.appointment is not None
        self._drop(context, user.user_id)
        services.delivery.notify()
        logger.info("appointment booked")
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
                details=Safe(details(settings, tr, result.appointment)),
                code=result.appointment.code,
            ),
            markup,
        )

    # -- leaving, bad input

    async def cancel(self, update: Update, context: HelplineContext) -> None:
        """/cancel or bk:cancel: forgets the draft; nothing was stored."""
        await answer_button(update)
        assert update.effective_user is not None
        self._drop(context, update.effective_user.id)
        await strip_buttons(update)
        tr = await translator_for(update, context)
        await reply(update, tr("booking.cancelled"), menu_keyboard(tr))

    async def show_menu(self, update: Update, context: HelplineContext) -> None:
        """bk:menu after a booking: the main menu."""
        await answer_button(update)
        tr = await translator_for(update, context)
        await strip_buttons(update)
        await reply(update, tr("menu.title"), menu_keyboard(tr))

    async def expecting_button(self, update: Update, context: HelplineContext) -> None:
        """Text (or a sticker ...) where a button is expected: says so, asks again."""
        assert update.effective_user is not None
        draft = _draft(context, self.index, update.effective_user.id)
        tr = await translator_for(update, context)
        if await _has_open_case(context, update.effective_user.id):
            # Most likely an answer to the psychologist: it goes to the case, and the
            # booking asks its question again.
            await to_case(update, context)
            if draft is not None:
                await self._repeat_step(update, context, tr, draft)
            return
        if draft is None:
            await reply(update, tr("fallback.text_outside_flow"), menu_keyboard(tr))
            return
        await reply(update, tr("booking.use_buttons"))
        await self._repeat_step(update, context, tr, draft)

    async def _repeat_step(
        self, update: Update, context: HelplineContext, tr: Translator, draft: BookingDraft
    ) -> None:
        settings = context.services.settings
        service = settings.service(draft.service_id or "")
        center = settings.center(draft.center_id or "")
        if draft.awaiting is Awaiting.CENTER or (draft.awaiting is Awaiting.SERVICE and not center):
            await self._ask_center(update, context, tr, draft)
        elif draft.awaiting is Awaiting.SERVICE and center is not None:
            await self._ask_service(update, context, tr, draft, center)
        elif draft.awaiting is Awaiting.DAY and service is not None:
            await self._ask_day(update, context, tr, draft, service)
        elif draft.awaiting is Awaiting.TIME and service is not None and draft.day is not None:
            await self._ask_time(update, context, tr, draft, service, draft.day)
        elif draft.awaiting is Awaiting.NAMING_CHOICE:
            await self._ask_naming(update, context, tr, draft)
        elif draft.awaiting is Awaiting.CONFIRMATION and draft.slot is not None:
            await self._show_summary(update, context, tr, draft)
        elif service is not None:
            await self._ask_day(update, context, tr, draft, service)
        else:
            await self._ask_center(update, context, tr, draft)

    async def _draft_at(self, update: Update, context: HelplineContext) -> BookingDraft | None:
        """For buttons that only make sense inside a live booking with a chosen time."""
        await answer_button(update)
        assert update.effective_user is not None
        draft = _draft(context, self.index, update.effective_user.id)
        if draft is None or draft.slot is None:
            tr = await translator_for(update, context)
            await self._interrupted(update, context, tr)
            return None
        return draft

    async def _interrupted(self, update: Update, context: HelplineContext, tr: Translator) -> None:
        await strip_buttons(update)
        await reply(
            update,
            tr("booking.interrupted"),
            with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
        )

    async def _stale(self, update: Update, context: HelplineContext, tr: Translator) -> None:
        logger.info("ignored a booking button with unknown data")
        await reply(
            update,
            tr("booking.stale_button"),
            with_quick_exit([[button(tr("menu.book"), MENU_BOOK)]], tr),
        )

    # -- wiring

    def handlers(self) -> list[BaseHandler[Update, HelplineContext, None]]:
        private = filters.ChatType.PRIVATE
        new_messages = filters.UpdateType.MESSAGE
        in_booking = _Waiting(self.index, frozenset(Awaiting))
        at_note = _Waiting(self.index, frozenset({Awaiting.NOTE}))
        at_button = _Waiting(self.index, BUTTON_STEPS)
        return [
            _LeavingObserver(self.index),
            CommandHandler("book", self.start, filters=private),
            CallbackQueryHandler(self.start, pattern=f"^{MENU_BOOK}$"),
            CommandHandler("cancel", self.cancel, filters=private & in_booking),
            CallbackQueryHandler(self.cancel, pattern=r"^bk:cancel$"),
            CallbackQueryHandler(self.back_to_centers, pattern=r"^bk:centers$"),
            CallbackQueryHandler(self.choose_center, pattern=r"^bk:center:"),
            CallbackQueryHandler(self.choose_service, pattern=r"^bk:service:"),
            CallbackQueryHandler(self.page_days, pattern=r"^bk:page:"),
            CallbackQueryHandler(self.choose_day, pattern=r"^bk:day:"),
            CallbackQueryHandler(self.choose_time, pattern=r"^bk:time:"),
            CallbackQueryHandler(self.choose_alternative, pattern=r"^bk:alt:"),
            CallbackQueryHandler(self.skip_note, pattern=r"^bk:skipnote$"),
            CallbackQueryHandler(self.back_to_note, pattern=r"^bk:note$"),
            CallbackQueryHandler(self.choose_naming, pattern=r"^bk:naming:[01]$"),
            CallbackQueryHandler(self.back_to_naming, pattern=r"^bk:naming$"),
            CallbackQueryHandler(self.confirm, pattern=r"^bk:confirm:\d+$"),
            CallbackQueryHandler(self.show_menu, pattern=r"^bk:menu$"),
            MessageHandler(private & new_messages & at_note & ~filters.COMMAND, self.note_text),
            MessageHandler(
                private & new_messages & at_button & ~filters.COMMAND, self.expecting_button
            ),
        ]


async def _has_open_case(context: HelplineContext, user_id: int) -> bool:
    return await context.services.cases.open_case_of(user_id) is not None


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _replies_to_psychologist(update: Update, context: HelplineContext, tr: Translator) -> bool:
    """A Telegram reply to the bot's message that relays the psychologist's words."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return False
    shown = replied.text or replied.caption or ""
    return shown.startswith(_plain(tr("conversation.staff_label")))


def _data(update: Update) -> str:
    query = update.callback_query
    return query.data if query is not None and query.data is not None else ""


def when_short(tr: Translator, start: datetime, services: Services) -> str:
    return when(tr, start, None, services.settings.general.timezone)


def _offsets_text(tr: Translator, offsets: Sequence[timedelta]) -> str:
    parts = []
    for offset in sorted(offsets, reverse=True):
        seconds = int(offset.total_seconds())
        # "24 hours" reads better than "1 day" for a reminder the day before.
        if seconds % 86400 == 0 and seconds >= 2 * 86400:
            parts.append(tr.plural("booking.offset_days", seconds // 86400))
        elif seconds % 3600 == 0:
            parts.append(tr.plural("booking.offset_hours", seconds // 3600))
        elif seconds % 60 == 0:
            parts.append(tr.plural("booking.offset_minutes", seconds // 60))
        else:
            parts.append(tr.plural("booking.offset_seconds", seconds))
    return ", ".join(parts)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    return BookingFlow().handlers()
