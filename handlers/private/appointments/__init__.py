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

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.appointments.keyboards import CANCEL, CANCEL_YES, COME, KEEP, MOVE
from bot.config import Settings
from bot.context import HelplineContext
from handlers.common import MENU_APPOINTMENTS
from handlers.private.appointments.listing import (
    ask_cancel,
    cancel,
    keep,
    list_appointments,
    will_come,
)
from handlers.private.appointments.moving import (
    ask_move,
    ask_new_day,
    ask_new_time,
    move,
    page_new_days,
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
