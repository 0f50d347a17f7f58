"""The help request, and "Danger now" (/sos), which skips every question.

```mermaid
flowchart TD
    entry[/request or menu:request/] -->|open case| open[write here: it goes to case]
    entry -->|limit, blocked| calm[calm answer + numbers]
    entry --> CAT[Awaiting.CATEGORY]
    CAT -->|violence| SAFE[Awaiting.SAFETY_ANSWER: safe to talk now?]
    CAT -->|someone_else| OTHER[someone_else.py: in danger now? a child at risk?]
    OTHER --> STORY
    CAT -->|other categories| STORY
    SAFE -->|yes| SCR[Awaiting.SCREEN_CHOICE]
    SAFE -->|no| unsafe[numbers, Danger now, quick exit, continue briefly]
    unsafe -->|continue briefly| STORY
    SCR -->|answer| Q[Awaiting.SCREEN_ANSWER x11, one message edited: yes / no / skip / stop]
    SCR -->|skip| STORY
    Q -->|last or stop| STORY[Awaiting.STORY: text or voice]
    STORY --> REPLY[Awaiting.REPLY_CHOICE: this chat / call back]
    REPLY -->|more text or voice| REPLY
    REPLY -->|call back| PHONE[Awaiting.PHONE]
    REPLY -->|this chat| CONFIRM[Awaiting.CONFIRMATION]
    PHONE --> CONFIRM
    CONFIRM -->|send| stored[(case stored, card + alerts in the outbox)]
    stored --> code[code, what happens next; urgent: numbers first]
    sos[/sos or menu:sos, from anywhere/] --> urgent[(urgent case at once)]
    urgent --> numbers[numbers first, then who was alerted]
```

Every step has Back and Cancel (and /cancel), and the quick exit as its last row (a
press ends the flow silently: handlers/private/safety.py already wiped the chat and the
draft); nothing becomes a case before "Send".
The draft lives in memory only (`UserData.request_draft`): a restart forgets an unsent
draft, which is the privacy-friendly failure.

Modules: states.py (what is awaited, the draft), prompts.py (the questions), steps.py
(the answers, the risk screen, Back), someone_else.py (a request about someone else),
send.py (entry, cancel, Send), danger_now.py (/sos, "Danger now").
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.context import HelplineContext
from bot.domain.case_rules import CATEGORIES
from handlers.common import MENU_EXIT, MENU_REQUEST, MENU_SOS
from handlers.private.request.danger_now import consent_and_sos, sos
from handlers.private.request.send import (
    cancel,
    cancel_outside_flow,
    confirm,
    end_silently,
    start_request,
)
from handlers.private.request.someone_else import ANSWER_PATTERN as OTHER_ANSWER
from handlers.private.request.someone_else import answer_child_at_risk, answer_other_in_danger
from handlers.private.request.states import CANCEL, SEND, SOS_CONSENT, Awaiting
from handlers.private.request.steps import (
    add_to_story,
    answer_question,
    answer_safety,
    back_from,
    choose_category,
    choose_reply,
    choose_screen,
    phone_by_voice,
    receive_phone,
    receive_story,
    wrong_input_at,
)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, Any]]:
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    # Text or voice; anything else at the story step gets a gentle word.
    any_message = private & new_messages & ~filters.COMMAND
    text = private & new_messages & filters.TEXT & ~filters.COMMAND
    button_steps: dict[Awaiting, list[BaseHandler[Update, HelplineContext, Any]]] = {
        Awaiting.CATEGORY: [
            CallbackQueryHandler(choose_category, pattern=rf"^req:cat:({'|'.join(CATEGORIES)})$")
        ],
        Awaiting.SAFETY_ANSWER: [
            CallbackQueryHandler(answer_safety, pattern=r"^req:safe:(yes|no|brief)$")
        ],
        Awaiting.SCREEN_CHOICE: [
            CallbackQueryHandler(choose_screen, pattern=r"^req:screen:(start|skip)$")
        ],
        Awaiting.SCREEN_ANSWER: [
            CallbackQueryHandler(answer_question, pattern=r"^req:ans:(yes|no|skip|stop)$")
        ],
        Awaiting.OTHER_DANGER: [CallbackQueryHandler(answer_other_in_danger, pattern=OTHER_ANSWER)],
        Awaiting.OTHER_CHILD: [CallbackQueryHandler(answer_child_at_risk, pattern=OTHER_ANSWER)],
        Awaiting.STORY: [MessageHandler(any_message, receive_story)],
        Awaiting.REPLY_CHOICE: [
            CallbackQueryHandler(choose_reply, pattern=r"^req:reply:(chat|call)$"),
            MessageHandler(any_message, add_to_story),
        ],
        Awaiting.PHONE: [
            MessageHandler(text, receive_phone),
            MessageHandler(private & new_messages & filters.VOICE, phone_by_voice),
        ],
        Awaiting.CONFIRMATION: [CallbackQueryHandler(confirm, pattern=f"^{SEND}$")],
    }
    states: dict[object, list[BaseHandler[Update, HelplineContext, Any]]] = {}
    for state, handlers in button_steps.items():
        states[state] = [*handlers, back_from(state), wrong_input_at(state, any_message)]
    with warnings.catch_warnings():
        # One request per person at a time, tracked per chat and user on purpose: a
        # press on an old prompt is checked against the current step's patterns.
        warnings.filterwarnings("ignore", message=".*per_message.*")
        conversation: ConversationHandler[HelplineContext] = ConversationHandler(
            entry_points=[
                CommandHandler("request", start_request, filters=private),
                CallbackQueryHandler(start_request, pattern=f"^{MENU_REQUEST}$"),
            ],
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel, filters=private),
                CallbackQueryHandler(cancel, pattern=f"^{CANCEL}$"),
                CommandHandler("sos", sos, filters=private),
                CallbackQueryHandler(sos, pattern=f"^{MENU_SOS}$"),
                CallbackQueryHandler(consent_and_sos, pattern=f"^{SOS_CONSENT}$"),
                # The quick exit (handlers/private/safety.py) already wiped the chat: end.
                CommandHandler("exit", end_silently, filters=private),
                CallbackQueryHandler(end_silently, pattern=f"^{MENU_EXIT}$"),
            ],
            allow_reentry=True,
            name="request",
        )
    return [
        conversation,
        CommandHandler("sos", sos, filters=private),
        CallbackQueryHandler(sos, pattern=f"^{MENU_SOS}$"),
        CallbackQueryHandler(consent_and_sos, pattern=f"^{SOS_CONSENT}$"),
        CommandHandler("cancel", cancel_outside_flow, filters=private),
    ]


__all__ = ["build_handlers"]
