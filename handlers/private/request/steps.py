"""The request flow's steps between the category and the summary: the risk screen for
violence requests, the story, how to answer, the call-back number, and Back."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import HelplineContext
from bot.domain.case_rules import SCREENED_CATEGORY
from bot.domain.someone_else import ABOUT_OTHER_CATEGORY
from bot.domain.triage import LETHALITY_QUESTIONS, has_danger_words, lethality_is_high
from bot.i18n import Translator
from handlers.common import (
    MENU_SOS,
    answer_button,
    emergency_numbers,
    reply,
    strip_buttons,
    translator_for,
    with_quick_exit,
)
from handlers.private.request.prompts import (
    ask_category,
    ask_confirmation,
    ask_phone,
    ask_question,
    ask_reply_choice,
    ask_safety,
    ask_screen_choice,
    ask_story,
    close_screen,
)
from handlers.private.request.someone_else import ask_other_in_danger
from handlers.private.request.states import BACK, CANCEL, Awaiting, button, draft_of, nav

MAX_STORY_PARTS = 20
_PHONE = re.compile(r"^\+?[\d\s()\-]{10,20}$")


async def _pressed(update: Update, context: HelplineContext) -> tuple[str, Translator]:
    """Answers the press, removes the pressed message's buttons; the data and the texts."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await strip_buttons(update)
    return query.data, await translator_for(update, context)


async def choose_category(update: Update, context: HelplineContext) -> Awaiting:
    """Stores the category; violence goes to "safe to talk?", the rest to the story."""
    data, tr = await _pressed(update, context)
    category = data.removeprefix("req:cat:")
    draft_of(context).category = category
    draft_of(context).not_safe = False  # asked again for violence; Back may change it
    if category == SCREENED_CATEGORY:
        return await ask_safety(update, tr)
    if category == ABOUT_OTHER_CATEGORY:
        # Questions about the other person; the writer's own risk screen is not asked.
        draft_of(context).screen = {}
        return await ask_other_in_danger(update, tr)
    return await ask_story(update, tr)


async def answer_safety(update: Update, context: HelplineContext) -> Awaiting:
    """Safe: offers the screen. Not safe: numbers, Danger now, quick exit, or go on briefly."""
    data, tr = await _pressed(update, context)
    answer = data.removeprefix("req:safe:")
    draft_of(context).not_safe = answer != "yes"
    if answer == "yes":
        return await ask_screen_choice(update, tr)
    if answer == "brief":
        return await ask_story(update, tr)
    markup = with_quick_exit(
        [
            [button(tr("menu.sos"), MENU_SOS)],
            [button(tr("request.continue_briefly"), "req:safe:brief")],
            [button(tr("request.cancel"), CANCEL)],
        ],
        tr,
    )
    numbers = emergency_numbers(context.services, tr)
    draft_of(context).numbers_shown = True
    await reply(update, tr("request.not_safe", numbers=numbers), markup)
    return Awaiting.SAFETY_ANSWER


async def _pressed_in_place(update: Update, context: HelplineContext) -> tuple[str, Translator]:
    """Answers the press and keeps the message: the screen changes it in place."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    return query.data, await translator_for(update, context)


async def choose_screen(update: Update, context: HelplineContext) -> Awaiting:
    """Starts the Lethality Screen at question 1 (in the offer's message), or skips it."""
    data, tr = await _pressed_in_place(update, context)
    draft = draft_of(context)
    if not data.endswith(":start"):
        await strip_buttons(update)
    if data.endswith(":start"):
        draft.screen = {}
        draft.question = 0
        return await ask_question(update, tr, draft)
    draft.screen = None
    return await ask_story(update, tr)


async def answer_question(update: Update, context: HelplineContext) -> Awaiting:
    """Stores yes / no / skipped for this question; the next one, or the story after the last."""
    data, tr = await _pressed_in_place(update, context)
    draft = draft_of(context)
    if draft.screen is None or draft.question >= len(LETHALITY_QUESTIONS):
        await strip_buttons(update)
        return await ask_story(update, tr)
    answer = data.removeprefix("req:ans:")
    if answer == "stop":
        return await _after_screen(update, context, tr)
    draft.screen[LETHALITY_QUESTIONS[draft.question]] = {"yes": True, "no": False}.get(answer)
    draft.question += 1
    if draft.question < len(LETHALITY_QUESTIONS):
        return await ask_question(update, tr, draft)
    return await _after_screen(update, context, tr)


async def _after_screen(update: Update, context: HelplineContext, tr: Translator) -> Awaiting:
    await close_screen(update, tr)
    draft = draft_of(context)
    if draft.screen is not None and lethality_is_high(draft.screen):
        # High danger: the numbers now, before anything else is asked.
        numbers = emergency_numbers(context.services, tr)
        draft.numbers_shown = True
        await reply(update, tr("request.screen_high", numbers=numbers))
    return await ask_story(update, tr)


async def _take_story_part(
    update: Update, context: HelplineContext, tr: Translator
) -> tuple[bool, str | None]:
    """Adds the message to the story; False (and a gentle word) if not text or voice.
    The second value: the numbers to put before the next question when danger came up
    here (one answer to her message, not two)."""
    message = update.effective_message
    assert message is not None
    draft = draft_of(context)
    if draft.parts >= MAX_STORY_PARTS:
        await reply(update, tr("request.story_full"))
        return True, None
    if message.voice is not None:
        draft.voices.append(message.voice.file_id)
        return True, None
    if message.text and message.text.strip():
        draft.texts.append(message.text)
        if has_danger_words(message.text) and not draft.numbers_shown:
            draft.numbers_shown = True
            numbers = emergency_numbers(context.services, tr)
            return True, tr("request.danger_seen", numbers=numbers)
        return True, None
    await reply(update, tr("request.story_text_or_voice"))
    return False, None


async def receive_story(update: Update, context: HelplineContext) -> Awaiting:
    """Stores the story (text or voice); asks how to answer."""
    tr = await translator_for(update, context)
    taken, danger = await _take_story_part(update, context, tr)
    if not taken:
        return Awaiting.STORY
    return await ask_reply_choice(update, tr, draft_of(context), before=danger)


async def add_to_story(update: Update, context: HelplineContext) -> Awaiting:
    """More text or voice while the answer channel is asked: added to the story."""
    tr = await translator_for(update, context)
    taken, danger = await _take_story_part(update, context, tr)
    if not taken:
        return Awaiting.REPLY_CHOICE
    return await ask_reply_choice(
        update, tr, draft_of(context), "request.story_added", before=danger
    )


async def choose_reply(update: Update, context: HelplineContext) -> Awaiting:
    """This chat (the default) goes to the summary; a call back asks for a number."""
    data, tr = await _pressed(update, context)
    draft = draft_of(context)
    # Not safe to talk: no call-back, even from an old button.
    if data.endswith(":call") and not draft.not_safe:
        draft.reply_by = "call"
        return await ask_phone(update, tr)
    draft.reply_by = "chat"
    draft.phone = None
    return await ask_confirmation(update, tr, draft)


async def receive_phone(update: Update, context: HelplineContext) -> Awaiting:
    """Stores the call-back number if it looks like one; shows the summary."""
    tr = await translator_for(update, context)
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    if not looks_like_phone(text):
        await reply(update, tr("request.bad_phone"), with_quick_exit([nav(tr)], tr))
        return Awaiting.PHONE
    draft = draft_of(context)
    draft.phone = text
    return await ask_confirmation(update, tr, draft)


async def phone_by_voice(update: Update, context: HelplineContext) -> Awaiting:
    """A voice message where the number is asked: the way on without writing (an answer
    in this chat, by voice messages), with Back, Cancel and the quick exit."""
    tr = await translator_for(update, context)
    await reply(update, tr("request.phone_by_voice"), with_quick_exit([nav(tr)], tr))
    return Awaiting.PHONE


def looks_like_phone(text: str) -> bool:
    """Ten or more digits, with the usual spaces, brackets, dashes and a leading plus."""
    return bool(_PHONE.match(text)) and sum(c.isdigit() for c in text) >= 10


def wrong_input_at(
    step: Awaiting, messages: filters.BaseFilter
) -> BaseHandler[Update, HelplineContext, Awaiting]:
    async def wrong_input(update: Update, context: HelplineContext) -> Awaiting:
        """Anything else at a step that waits for a button: says so, changes nothing."""
        tr = await translator_for(update, context)
        await reply(update, tr("request.use_buttons"))
        return step

    return MessageHandler(messages, wrong_input)


async def go_back(update: Update, context: HelplineContext, step: Awaiting) -> Awaiting:
    """Back from `step`: the previous step is asked again and what it collected is dropped."""
    await answer_button(update)
    tr = await translator_for(update, context)
    draft = draft_of(context)
    if step == Awaiting.SCREEN_ANSWER and draft.screen is not None:
        # The previous question, or the offer before the first, in the same message.
        if draft.question == 0:
            draft.screen = None
            return await ask_screen_choice(update, tr, here=True)
        draft.question -= 1
        draft.screen.pop(LETHALITY_QUESTIONS[draft.question], None)
        return await ask_question(update, tr, draft)
    await strip_buttons(update)
    screened = draft.category == SCREENED_CATEGORY
    about_other = draft.category == ABOUT_OTHER_CATEGORY
    if step == Awaiting.OTHER_CHILD or (step == Awaiting.STORY and about_other):
        draft.screen = {}
        return await ask_other_in_danger(update, tr)
    if step in (Awaiting.CATEGORY, Awaiting.SAFETY_ANSWER, Awaiting.OTHER_DANGER) or (
        step == Awaiting.STORY and not screened
    ):
        return await ask_category(update, tr)
    if step == Awaiting.SCREEN_CHOICE:
        return await ask_safety(update, tr)
    if step in (Awaiting.SCREEN_ANSWER, Awaiting.STORY):
        # From the story of a violence request the screen is offered again from the start.
        draft.screen = None
        draft.question = 0
        return await ask_screen_choice(update, tr)
    if step == Awaiting.REPLY_CHOICE:
        draft.texts.clear()
        draft.voices.clear()
        return await ask_story(update, tr)
    # From the phone or the summary: how to answer.
    return await ask_reply_choice(update, tr, draft)


def back_from(step: Awaiting) -> BaseHandler[Update, HelplineContext, Awaiting]:
    async def back(update: Update, context: HelplineContext) -> Awaiting:
        return await go_back(update, context, step)

    return CallbackQueryHandler(back, pattern=f"^{BACK}$")
