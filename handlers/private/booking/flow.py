"""Booking an appointment: centre, service, day, time, a note, reminders, confirm.

```mermaid
stateDiagram-v2
    [*] --> CENTER: /book, menu:book (several centres)
    [*] --> SERVICE: /book, menu:book (one centre)
    [*] --> [*]: daily limit reached (calm answer, nothing stored)
    CENTER --> SERVICE: bk:center
    SERVICE --> DAY: bk:service
    DAY --> DAY: bk:page
    DAY --> TIME: bk:day
    TIME --> NOTE: bk:time, bk:alt
    TIME --> TIME: taken or gone (next free times)
    NOTE --> NAMING_CHOICE: a note (written or a voice message), bk:skipnote
    NOTE --> NOTE: meant for the psychologist (to the open case), too long
    NAMING_CHOICE --> CONFIRMATION: bk:naming
    CONFIRMATION --> [*]: bk:confirm, seat taken (code, address, how to cancel)
    CONFIRMATION --> TIME: just taken (next free times)
    TIME --> [*]: wl:join (full slot: waits for a seat, bot/appointments/waitlist.py)
    CONFIRMATION --> DAY: overlaps the user's own appointment
    CENTER --> [*]: /cancel, bk:cancel, any other command or button
    NOTE --> [*]: /cancel, bk:cancel, any other command or button
```
(Every state leaves like CENTER and NOTE do; Back goes to the step before; the states
are `Awaiting` in bot/appointments/draft.py, named for what the booking waits for.)

One ConversationHandler, like the request flow. Every booking button is an entry point
(allow_reentry), because each carries what it chose: a press on an older question, or
after the user left for another flow, still works and resumes the booking. What the
user chose lives in the typed draft (`context.user_data.booking`), so the quick exit,
which clears the user data, ends the booking without a trace: the state it leaves
behind answers nothing, since every step first looks for the draft and, finding none,
lets the other flows answer. Nothing is stored until Confirm; the seat is taken
atomically (bot/appointments/service.py).

The conversation runs in its own handler group, before the flows (bot/app.py): what it
answers stops there (ApplicationHandlerStop); a command or button of another flow ends
the booking and goes on to that flow, so the user's next text is not taken as a note.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.appointments.draft import Awaiting
from bot.context import HelplineContext
from handlers.common import MENU_BOOK
from handlers.private.booking import choices, waitlist
from handlers.private.booking.confirm import cancel, confirm, show_menu
from handlers.private.booking.messages import NotForBooking, expecting_button, note_text
from handlers.private.booking.questions import END, Next

Step = Callable[[Update, HelplineContext], Awaitable[Next]]


def answers(step: Step) -> Callable[[Update, HelplineContext], Coroutine[Any, Any, object]]:
    """The booking answered the update: no flow after it may answer it too."""

    @functools.wraps(step)
    async def answered(update: Update, context: HelplineContext) -> object:
        try:
            state = await step(update, context)
        except NotForBooking:
            # Not the booking's after all: it ends, and the flows after it answer.
            return END
        raise ApplicationHandlerStop(state)

    return answered


async def leave(update: Update, context: HelplineContext) -> object:
    """Another command or button: the booking stops waiting (its draft stays, so a
    booking button pressed later still works) and that flow answers."""
    return END


def build_conversation() -> ConversationHandler[HelplineContext]:
    private = filters.ChatType.PRIVATE
    new_messages = private & filters.UpdateType.MESSAGE & ~filters.COMMAND
    buttons: list[tuple[str, Step]] = [
        (f"^{MENU_BOOK}$", choices.start),
        (r"^bk:cancel$", cancel),
        (r"^bk:centers$", choices.back_to_centers),
        (r"^bk:center:", choices.choose_center),
        (r"^bk:service:", choices.choose_service),
        (r"^bk:page:", choices.page_days),
        (r"^bk:day:", choices.choose_day),
        (r"^bk:time:", choices.choose_time),
        (r"^bk:alt:", choices.choose_alternative),
        (r"^bk:skipnote$", choices.skip_note),
        (r"^bk:note$", choices.back_to_note),
        (r"^bk:naming:[01]$", choices.choose_naming),
        (r"^bk:naming$", choices.back_to_naming),
        (r"^bk:confirm:\d+$", confirm),
        (r"^bk:menu$", show_menu),
        (r"^wl:join:[^:]{1,64}:\d{1,12}$", waitlist.join),
        (r"^wl:take:\d{1,12}$", waitlist.take),
    ]
    entry_points: list[BaseHandler[Update, HelplineContext, Any]] = [
        CommandHandler("book", answers(choices.start), filters=private),
        *(CallbackQueryHandler(answers(step), pattern=pattern) for pattern, step in buttons),
    ]
    at_button: list[BaseHandler[Update, HelplineContext, Any]] = [
        MessageHandler(new_messages, answers(expecting_button))
    ]
    states: dict[object, list[BaseHandler[Update, HelplineContext, Any]]] = {
        state: at_button for state in Awaiting if state is not Awaiting.NOTE
    }
    states[Awaiting.NOTE] = [MessageHandler(new_messages, answers(note_text))]
    with warnings.catch_warnings():
        # Tracked per chat and user on purpose, as the request flow: a press on an old
        # question is checked against the draft, not against the message it came from.
        warnings.filterwarnings("ignore", message=".*per_message.*")
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=[
                CommandHandler("cancel", answers(cancel), filters=private),
                MessageHandler(private & filters.COMMAND, leave),
                CallbackQueryHandler(leave),
            ],
            allow_reentry=True,
            name="booking",
        )
