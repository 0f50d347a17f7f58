"""The help request, and "Danger now" (/sos), which skips every question.

```mermaid
flowchart TD
    entry[/request or menu:request/] -->|open case| open[write here: it goes to case]
    entry -->|limit, blocked| calm[calm answer + numbers]
    entry --> CAT[AWAITING_CATEGORY]
    CAT -->|violence| SAFE[AWAITING_SAFETY_ANSWER: safe to talk now?]
    CAT -->|other categories| STORY
    SAFE -->|yes| SCR[AWAITING_SCREEN_CHOICE]
    SAFE -->|no| unsafe[numbers, Danger now, quick exit, continue briefly]
    unsafe -->|continue briefly| STORY
    SCR -->|answer| Q[AWAITING_SCREEN_ANSWER x11: yes / no / skip / stop]
    SCR -->|skip| STORY
    Q -->|last or stop| STORY[AWAITING_STORY: text or voice]
    STORY --> REPLY[AWAITING_REPLY_CHOICE: this chat / call back]
    REPLY -->|more text or voice| REPLY
    REPLY -->|call back| PHONE[AWAITING_PHONE]
    REPLY -->|this chat| CONFIRM[AWAITING_CONFIRMATION]
    PHONE --> CONFIRM
    CONFIRM -->|send| stored[(case stored, card + alerts in the outbox)]
    stored --> code[code, what happens next; urgent: numbers first]
    sos[/sos or menu:sos, from anywhere/] --> urgent[(urgent case at once)]
    urgent --> numbers[numbers first, then who was alerted]
```

Every step has Back and Cancel (and /cancel), and the quick exit as its last row (a
press ends the flow silently: handlers/safety.py already wiped the chat and the draft);
nothing becomes a case before "Send".
The draft lives in memory only (user_data): a restart forgets an unsent draft, which
is the privacy-friendly failure.
"""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import casework
from bot.cases import CATEGORIES, SCREENED_CATEGORY, UNKNOWN_CATEGORY
from bot.config import Settings
from bot.context import HelplineContext, Services
from bot.domain.triage import (
    LETHALITY_QUESTIONS,
    UrgencyReason,
    has_danger_words,
    lethality_is_high,
)
from bot.i18n import Safe, Translator
from handlers.common import (
    MENU_EXIT,
    MENU_REQUEST,
    MENU_SOS,
    answer_button,
    consented_user,
    emergency_numbers,
    language_hint,
    menu_keyboard,
    reply,
    strip_buttons,
    translator_for,
    with_quick_exit,
)
from storage.cases import Case, ReplyBy
from storage.users import User

logger = logging.getLogger(__name__)

(
    AWAITING_CATEGORY,
    AWAITING_SAFETY_ANSWER,
    AWAITING_SCREEN_CHOICE,
    AWAITING_SCREEN_ANSWER,
    AWAITING_STORY,
    AWAITING_REPLY_CHOICE,
    AWAITING_PHONE,
    AWAITING_CONFIRMATION,
) = range(8)
END = ConversationHandler.END

BACK = "req:back"
CANCEL = "req:cancel"
SOS_CONSENT = "sos:consent"
SEND = "req:send"
MAX_STORY_PARTS = 20
_PHONE = re.compile(r"^\+?[\d\s()\-]{10,20}$")
_DRAFT_KEY = "request_draft"


@dataclass
class Draft:
    """An unsent request; only `open_case` turns it into a stored case."""

    category: str = ""
    screen: dict[str, bool | None] | None = None
    question: int = 0
    texts: list[str] = field(default_factory=list)
    voices: list[str] = field(default_factory=list)
    reply_by: ReplyBy = "chat"
    phone: str | None = None

    @property
    def parts(self) -> int:
        return len(self.texts) + len(self.voices)


def _draft(context: HelplineContext) -> Draft:
    assert context.user_data is not None
    draft = context.user_data.get(_DRAFT_KEY)
    if not isinstance(draft, Draft):
        draft = Draft()
        context.user_data[_DRAFT_KEY] = draft
    return draft


def _drop_draft(context: HelplineContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(_DRAFT_KEY, None)


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _nav(tr: Translator, back: bool = True) -> list[InlineKeyboardButton]:
    row = [_button(tr("request.back"), BACK)] if back else []
    return [*row, _button(tr("request.cancel"), CANCEL)]


# ------------------------------------------------------------------------------ prompts


async def _ask_category(update: Update, tr: Translator) -> int:
    rows = [[_button(tr(f"category.{c}"), f"req:cat:{c}")] for c in CATEGORIES]
    await reply(update, tr("request.ask_category"), with_quick_exit([*rows, _nav(tr, False)], tr))
    return AWAITING_CATEGORY


async def _ask_safety(update: Update, tr: Translator) -> int:
    markup = with_quick_exit(
        [
            [
                _button(tr("request.safe_yes"), "req:safe:yes"),
                _button(tr("request.safe_no"), "req:safe:no"),
            ],
            _nav(tr),
        ],
        tr,
    )
    await reply(update, tr("request.ask_safe"), markup)
    return AWAITING_SAFETY_ANSWER


async def _ask_screen_choice(update: Update, tr: Translator) -> int:
    markup = with_quick_exit(
        [
            [_button(tr("request.screen_start"), "req:screen:start")],
            [_button(tr("request.screen_skip"), "req:screen:skip")],
            _nav(tr),
        ],
        tr,
    )
    await reply(update, tr("request.screen_offer", count=len(LETHALITY_QUESTIONS)), markup)
    return AWAITING_SCREEN_CHOICE


async def _ask_question(update: Update, tr: Translator, draft: Draft) -> int:
    question = LETHALITY_QUESTIONS[draft.question]
    markup = with_quick_exit(
        [
            [_button(tr("request.yes"), "req:ans:yes"), _button(tr("request.no"), "req:ans:no")],
            [_button(tr("request.skip_question"), "req:ans:skip")],
            [_button(tr("request.stop_screen"), "req:ans:stop")],
            _nav(tr),
        ],
        tr,
    )
    text = tr(
        "request.question",
        number=draft.question + 1,
        total=len(LETHALITY_QUESTIONS),
        question=Safe(tr(f"screen.{question}")),
    )
    await reply(update, text, markup)
    return AWAITING_SCREEN_ANSWER


async def _ask_story(update: Update, tr: Translator) -> int:
    await reply(update, tr("request.ask_story"), with_quick_exit([_nav(tr)], tr))
    return AWAITING_STORY


async def _ask_reply_choice(update: Update, tr: Translator, key: str = "request.ask_reply") -> int:
    markup = with_quick_exit(
        [
            [_button(tr("request.reply_chat"), "req:reply:chat")],
            [_button(tr("request.reply_call"), "req:reply:call")],
            _nav(tr),
        ],
        tr,
    )
    await reply(update, tr(key), markup)
    return AWAITING_REPLY_CHOICE


async def _ask_phone(update: Update, tr: Translator) -> int:
    await reply(update, tr("request.ask_phone"), with_quick_exit([_nav(tr)], tr))
    return AWAITING_PHONE


def _summary(tr: Translator, draft: Draft) -> str:
    lines = [
        tr("request.summary_title"),
        tr("request.summary_category", category=tr(f"category.{draft.category}")),
    ]
    if draft.texts:
        story = "\n\n".join(draft.texts)
        preview = story if len(story) <= 600 else story[:600] + "…"
        lines.append(tr("request.summary_story", story=preview))
    if draft.voices:
        lines.append(tr.plural("request.summary_voices", len(draft.voices)))
    if draft.screen is not None:
        answered = sum(1 for value in draft.screen.values() if value is not None)
        lines.append(tr.plural("request.summary_screen", answered))
    if draft.reply_by == "call" and draft.phone:
        lines.append(tr("request.summary_call", phone=draft.phone))
    else:
        lines.append(tr("request.summary_chat"))
    lines.append(tr("request.summary_question"))
    return "\n".join(lines)


async def _ask_confirmation(update: Update, tr: Translator, draft: Draft) -> int:
    markup = with_quick_exit([[_button(tr("request.send"), SEND)], _nav(tr)], tr)
    await reply(update, _summary(tr, draft), markup)
    return AWAITING_CONFIRMATION


# ----------------------------------------------------------------------- entry and exit


async def _refusal(services: Services, user: User, tr: Translator) -> str | None:
    """Why no new case can be opened now (blocked, open case, daily limit), or None."""
    if await services.cases.is_user_blocked(user.user_id):
        return tr("request.not_accepted", numbers=emergency_numbers(services, tr))
    open_case = await services.cases.open_case_of(user.user_id)
    if open_case is not None:
        return tr("request.already_open", code=open_case.code)
    if await casework.cases_today(services, user.user_id) >= services.settings.limits.cases_per_day:
        return tr("request.daily_limit", numbers=emergency_numbers(services, tr))
    return None


async def start_request(update: Update, context: HelplineContext) -> int:
    """/request or the menu: checks consent, an open case and the daily limit; asks the category."""
    await answer_button(update)
    user = await consented_user(update, context)
    if user is None:
        return END
    tr = context.services.tr(user.language)
    refusal = await _refusal(context.services, user, tr)
    if refusal is not None:
        await reply(update, refusal)
        return END
    _drop_draft(context)
    _draft(context)
    return await _ask_category(update, tr)


async def cancel(update: Update, context: HelplineContext) -> int:
    """/cancel or Cancel: forgets the draft; nothing was stored."""
    await answer_button(update)
    await strip_buttons(update)
    _drop_draft(context)
    tr = await translator_for(update, context)
    await reply(update, tr("request.cancelled"), menu_keyboard(tr))
    return END


async def end_silently(update: Update, context: HelplineContext) -> int:
    """The quick exit ran: the draft goes, nothing is said (the exit left its message)."""
    _drop_draft(context)
    return END


async def cancel_outside_flow(update: Update, context: HelplineContext) -> None:
    tr = await translator_for(update, context)
    await reply(update, tr("request.nothing_to_cancel"), menu_keyboard(tr))


# -------------------------------------------------------------------------------- steps


async def choose_category(update: Update, context: HelplineContext) -> int:
    """Stores the category; violence goes to "safe to talk?", the rest to the story."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await strip_buttons(update)
    tr = await translator_for(update, context)
    category = query.data.removeprefix("req:cat:")
    draft = _draft(context)
    draft.category = category
    if category == SCREENED_CATEGORY:
        return await _ask_safety(update, tr)
    return await _ask_story(update, tr)


async def answer_safety(update: Update, context: HelplineContext) -> int:
    """Safe: offers the screen. Not safe: numbers, Danger now, quick exit, or go on briefly."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await strip_buttons(update)
    tr = await translator_for(update, context)
    answer = query.data.removeprefix("req:safe:")
    if answer == "yes":
        return await _ask_screen_choice(update, tr)
    if answer == "brief":
        return await _ask_story(update, tr)
    markup = with_quick_exit(
        [
            [_button(tr("menu.sos"), MENU_SOS)],
            [_button(tr("request.continue_briefly"), "req:safe:brief")],
            [_button(tr("request.cancel"), CANCEL)],
        ],
        tr,
    )
    await reply(
        update, tr("request.not_safe", numbers=emergency_numbers(context.services, tr)), markup
    )
    return AWAITING_SAFETY_ANSWER


async def choose_screen(update: Update, context: HelplineContext) -> int:
    """Starts the Lethality Screen at question 1, or skips it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await strip_buttons(update)
    tr = await translator_for(update, context)
    draft = _draft(context)
    if query.data.endswith(":start"):
        draft.screen = {}
        draft.question = 0
        return await _ask_question(update, tr, draft)
    draft.screen = None
    return await _ask_story(update, tr)


async def answer_question(update: Update, context: HelplineContext) -> int:
    """Stores yes / no / skipped for this question; the next one, or the story after the last."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await strip_buttons(update)
    tr = await translator_for(update, context)
    draft = _draft(context)
    if draft.screen is None or draft.question >= len(LETHALITY_QUESTIONS):
        return await _ask_story(update, tr)
    answer = query.data.removeprefix("req:ans:")
    if answer == "stop":
        return await _after_screen(update, context, tr)
    draft.screen[LETHALITY_QUESTIONS[draft.question]] = {"yes": True, "no": False}.get(answer)
    draft.question += 1
    if draft.question < len(LETHALITY_QUESTIONS):
        return await _ask_question(update, tr, draft)
    return await _after_screen(update, context, tr)


async def _after_screen(update: Update, context: HelplineContext, tr: Translator) -> int:
    draft = _draft(context)
    if draft.screen is not None and lethality_is_high(draft.screen):
        # High danger: the numbers now, before anything else is asked.
        await reply(
            update, tr("request.screen_high", numbers=emergency_numbers(context.services, tr))
        )
    return await _ask_story(update, tr)


async def _take_story_part(update: Update, context: HelplineContext, tr: Translator) -> bool:
    """Adds the message to the story; False (and a gentle word) if not text or voice."""
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    if draft.parts >= MAX_STORY_PARTS:
        await reply(update, tr("request.story_full"))
        return True
    if message.voice is not None:
        draft.voices.append(message.voice.file_id)
        return True
    if message.text and message.text.strip():
        draft.texts.append(message.text)
        if has_danger_words(message.text):
            await reply(
                update, tr("request.danger_seen", numbers=emergency_numbers(context.services, tr))
            )
        return True
    await reply(update, tr("request.story_text_or_voice"))
    return False


async def receive_story(update: Update, context: HelplineContext) -> int:
    """Stores the story (text or voice); asks how to answer."""
    tr = await translator_for(update, context)
    if not await _take_story_part(update, context, tr):
        return AWAITING_STORY
    return await _ask_reply_choice(update, tr)


async def add_to_story(update: Update, context: HelplineContext) -> int:
    """More text or voice while the answer channel is asked: added to the story."""
    tr = await translator_for(update, context)
    if not await _take_story_part(update, context, tr):
        return AWAITING_REPLY_CHOICE
    return await _ask_reply_choice(update, tr, "request.story_added")


async def choose_reply(update: Update, context: HelplineContext) -> int:
    """This chat (the default) goes to the summary; a call back asks for a number."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await strip_buttons(update)
    tr = await translator_for(update, context)
    draft = _draft(context)
    if query.data.endswith(":call"):
        draft.reply_by = "call"
        return await _ask_phone(update, tr)
    draft.reply_by = "chat"
    draft.phone = None
    return await _ask_confirmation(update, tr, draft)


async def receive_phone(update: Update, context: HelplineContext) -> int:
    """Stores the call-back number if it looks like one; shows the summary."""
    tr = await translator_for(update, context)
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 10:
        await reply(update, tr("request.bad_phone"), with_quick_exit([_nav(tr)], tr))
        return AWAITING_PHONE
    draft = _draft(context)
    draft.phone = text
    return await _ask_confirmation(update, tr, draft)


def _wrong_input_at(
    step: int, messages: filters.BaseFilter
) -> BaseHandler[Update, HelplineContext, int]:
    async def wrong_input(update: Update, context: HelplineContext) -> int:
        """Anything else at a step that waits for a button: says so, changes nothing."""
        tr = await translator_for(update, context)
        await reply(update, tr("request.use_buttons"))
        return step

    return MessageHandler(messages, wrong_input)


async def go_back(update: Update, context: HelplineContext, step: int) -> int:
    """Back from `step`: the previous step is asked again and what it collected is dropped."""
    await answer_button(update)
    await strip_buttons(update)
    tr = await translator_for(update, context)
    draft = _draft(context)
    screened = draft.category == SCREENED_CATEGORY
    if step in (AWAITING_CATEGORY, AWAITING_SAFETY_ANSWER) or (
        step == AWAITING_STORY and not screened
    ):
        return await _ask_category(update, tr)
    if step == AWAITING_SCREEN_CHOICE:
        return await _ask_safety(update, tr)
    if step == AWAITING_SCREEN_ANSWER and draft.screen is not None and draft.question > 0:
        draft.question -= 1
        draft.screen.pop(LETHALITY_QUESTIONS[draft.question], None)
        return await _ask_question(update, tr, draft)
    if step in (AWAITING_SCREEN_ANSWER, AWAITING_STORY):
        # From the story of a violence request the screen is offered again from the start.
        draft.screen = None
        draft.question = 0
        return await _ask_screen_choice(update, tr)
    if step == AWAITING_REPLY_CHOICE:
        draft.texts.clear()
        draft.voices.clear()
        return await _ask_story(update, tr)
    # From the phone or the summary: how to answer.
    return await _ask_reply_choice(update, tr)


def _back_from(step: int) -> BaseHandler[Update, HelplineContext, int]:
    async def back(update: Update, context: HelplineContext) -> int:
        return await go_back(update, context, step)

    return CallbackQueryHandler(back, pattern=f"^{BACK}$")


# ------------------------------------------------------------------------------ confirm


async def confirm(update: Update, context: HelplineContext) -> int:
    """Send: stores the case with its card and alerts, then tells the user the code."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await query.answer()
    await strip_buttons(update)
    services = context.services
    user = await services.users.get(update.effective_user.id)
    draft = _draft(context)
    if user is None or not user.has_consented or not draft.category:
        _drop_draft(context)
        tr = await translator_for(update, context)
        await reply(update, tr("consent.required"))
        return END
    tr = services.tr(user.language)
    refusal = await _refusal(services, user, tr)
    if refusal is not None:
        _drop_draft(context)
        await reply(update, refusal)
        return END
    try:
        opened = await casework.open_case(
            services,
            user_id=user.user_id,
            language=user.language,
            category=draft.category,
            story_texts=draft.texts,
            story_voice=draft.voices,
            screen=draft.screen,
            reply_by=draft.reply_by,
            callback_phone=draft.phone,
            sos=False,
        )
    except casework.DailyLimitReached:
        _drop_draft(context)
        await reply(update, tr("request.daily_limit", numbers=emergency_numbers(services, tr)))
        return END
    _drop_draft(context)
    await _tell_opened(update, services, tr, opened)
    return END


async def _tell_opened(
    update: Update, services: Services, tr: Translator, opened: casework.OpenedCase
) -> None:
    case = opened.case
    if case.urgent:
        # The numbers are the first thing an urgent user sees.
        await casework.tell_user(
            services,
            case,
            [emergency_numbers(services, tr), _urgent_status(tr, case, opened.on_duty)],
        )
        return
    key = "request.opened_call" if case.reply_by == "call" else "request.opened"
    await reply(update, tr(key, code=case.code))


def _urgent_status(tr: Translator, case: Case, on_duty: list[int]) -> str:
    if on_duty or case.taken_at is not None:
        return tr("request.alerted", code=case.code)
    return tr("request.nobody_on_duty", code=case.code)


# ---------------------------------------------------------------------------------- sos

# How long /sos waits for the numbers sent directly before it goes on to open the case:
# a rate-limited Telegram (429) may hold a send for minutes, and the alert must not wait.
# Numbers not sent by then go with the status through the outbox (retried, in order).
NUMBERS_WAIT = 3.0


async def consent_and_sos(update: Update, context: HelplineContext) -> int:
    """The one-tap consent under /sos: stores the language and the consent, then alerts."""
    services = context.services
    telegram_user = update.effective_user
    assert telegram_user is not None
    now = services.clock.now()
    if await services.users.get(telegram_user.id) is None:
        await services.users.set_language(
            telegram_user.id, language_hint(services, telegram_user), now
        )
    await services.users.give_consent(telegram_user.id, now)
    return await sos(update, context)


async def sos(update: Update, context: HelplineContext) -> int:
    """One tap: the numbers at once, sent directly; then an urgent case (or the open case
    turns urgent) and who was alerted, with the quick exit on the last message."""
    await answer_button(update)
    _drop_draft(context)
    services = context.services
    telegram_user = update.effective_user
    assert telegram_user is not None
    try:
        user = await services.users.get(telegram_user.id)
    except Exception:
        # Even with the database gone, the numbers go out (and the user is told the truth).
        logger.exception("/sos could not read the user")
        tr = services.tr(language_hint(services, telegram_user))
        await reply(
            update,
            f"{emergency_numbers(services, tr)}\n\n{tr('sos.failed')}",
            with_quick_exit([], tr),
        )
        return END
    tr = services.tr(user.language) if user else services.tr(language_hint(services, telegram_user))
    quick_exit = with_quick_exit([], tr)
    numbers = emergency_numbers(services, tr)
    # The numbers confirm nothing, so they wait for nothing: not the rota, not the database.
    # If Telegram fails them now, or holds them back, they go with the status through the
    # outbox (retried), and the case and the alerts do not wait for them.
    try:
        async with asyncio.timeout(NUMBERS_WAIT):
            await reply(update, numbers, quick_exit)
        still_to_send: list[str] = []
    except (TelegramError, TimeoutError) as error:
        logger.warning("the emergency numbers could not be sent directly: %s", type(error).__name__)
        still_to_send = [numbers]
    # The pressed message loses its buttons only now: the quick exit is on the screen.
    await strip_buttons(update)
    if user is None or not user.has_consented:
        # Nothing may be stored without consent, but the numbers are always given, and
        # consent is one tap away: someone in danger must not walk through /start first.
        one_tap = with_quick_exit([[_button(tr("sos.consent_and_alert"), SOS_CONSENT)]], tr)
        await reply(update, "\n\n".join([*still_to_send, tr("sos.no_consent")]), one_tap)
        return END
    if await services.cases.is_user_blocked(user.user_id):
        if still_to_send:
            await reply(update, numbers, quick_exit)
        return END
    open_case = await services.cases.open_case_of(user.user_id)
    if open_case is not None:
        on_duty = await _sos_on_open_case(services, open_case)
        status = _urgent_status(tr, open_case, on_duty)
        await casework.tell_user(services, open_case, [*still_to_send, status], quick_exit)
        return END
    try:
        opened = await casework.open_case(
            services,
            user_id=user.user_id,
            language=user.language,
            category=UNKNOWN_CATEGORY,
            story_texts=[],
            story_voice=[],
            screen=None,
            reply_by="chat",
            callback_phone=None,
            sos=True,
        )
    except casework.DailyLimitReached:
        text = tr("request.daily_limit_sos")
        await reply(update, "\n\n".join([*still_to_send, text]), quick_exit)
        return END
    except Exception:
        # The user has the numbers; they are told to use them, and the error is logged.
        logger.exception("an urgent case could not be opened")
        await reply(update, "\n\n".join([*still_to_send, tr("sos.failed")]), quick_exit)
        return END
    status = _urgent_status(tr, opened.case, opened.on_duty)
    await casework.tell_user(
        services,
        opened.case,
        [*still_to_send, status + "\n\n" + tr("sos.write_if_you_can")],
        quick_exit,
    )
    return END


async def _sos_on_open_case(services: Services, case: Case) -> list[int]:
    if not case.urgent:
        changed = await casework.make_urgent(services, case, [UrgencyReason.SOS_BUTTON])
        if changed is not None:
            return changed[1]
    # A double tap (the status is only shown again) alerts nobody a second time.
    await casework.sos_again(services, case)
    return await casework.on_duty_now(services)


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, Any]]:
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    # Text or voice; anything else at the story step gets a gentle word.
    any_message = private & new_messages & ~filters.COMMAND
    text = private & new_messages & filters.TEXT & ~filters.COMMAND
    button_steps: dict[int, list[BaseHandler[Update, HelplineContext, Any]]] = {
        AWAITING_CATEGORY: [
            CallbackQueryHandler(choose_category, pattern=rf"^req:cat:({'|'.join(CATEGORIES)})$")
        ],
        AWAITING_SAFETY_ANSWER: [
            CallbackQueryHandler(answer_safety, pattern=r"^req:safe:(yes|no|brief)$")
        ],
        AWAITING_SCREEN_CHOICE: [
            CallbackQueryHandler(choose_screen, pattern=r"^req:screen:(start|skip)$")
        ],
        AWAITING_SCREEN_ANSWER: [
            CallbackQueryHandler(answer_question, pattern=r"^req:ans:(yes|no|skip|stop)$")
        ],
        AWAITING_STORY: [MessageHandler(any_message, receive_story)],
        AWAITING_REPLY_CHOICE: [
            CallbackQueryHandler(choose_reply, pattern=r"^req:reply:(chat|call)$"),
            MessageHandler(any_message, add_to_story),
        ],
        AWAITING_PHONE: [MessageHandler(text, receive_phone)],
        AWAITING_CONFIRMATION: [CallbackQueryHandler(confirm, pattern=f"^{SEND}$")],
    }
    states: dict[object, list[BaseHandler[Update, HelplineContext, Any]]] = {}
    for state, handlers in button_steps.items():
        states[state] = [*handlers, _back_from(state), _wrong_input_at(state, any_message)]
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
                # The quick exit (handlers/safety.py) already wiped the chat: just end.
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


__all__ = ["Draft", "build_handlers"]
