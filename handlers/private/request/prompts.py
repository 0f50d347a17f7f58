"""The request flow's questions: each asks, shows its buttons and returns what it awaits."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.domain.case_rules import CATEGORIES
from bot.domain.request_draft import RequestDraft
from bot.domain.someone_else import is_about_other
from bot.domain.triage import LETHALITY_QUESTIONS
from bot.i18n import Safe, Translator
from handlers.common import reply, with_quick_exit
from handlers.private.request.states import SEND, Awaiting, button, nav


async def ask_category(update: Update, tr: Translator) -> Awaiting:
    rows = [[button(tr(f"category.{c}"), f"req:cat:{c}")] for c in CATEGORIES]
    await reply(update, tr("request.ask_category"), with_quick_exit([*rows, nav(tr, False)], tr))
    return Awaiting.CATEGORY


async def ask_safety(update: Update, tr: Translator) -> Awaiting:
    markup = with_quick_exit(
        [
            [
                button(tr("request.safe_yes"), "req:safe:yes"),
                button(tr("request.safe_no"), "req:safe:no"),
            ],
            nav(tr),
        ],
        tr,
    )
    await reply(update, tr("request.ask_safe"), markup)
    return Awaiting.SAFETY_ANSWER


async def ask_screen_choice(update: Update, tr: Translator, here: bool = False) -> Awaiting:
    """The offer of the risk questions; `here`: in the pressed message (Back from question 1)."""
    markup = with_quick_exit(
        [
            [button(tr("request.screen_start"), "req:screen:start")],
            [button(tr("request.screen_skip"), "req:screen:skip")],
            nav(tr),
        ],
        tr,
    )
    text = tr("request.screen_offer", count=len(LETHALITY_QUESTIONS))
    await (in_place(update, text, markup) if here else reply(update, text, markup))
    return Awaiting.SCREEN_CHOICE


async def in_place(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Changes the pressed message into `text`: the eleven risk questions are one message
    that changes, so the chat stays short (and a quick exit has less to delete). A message
    that cannot be edited (too old, deleted) gets a new one instead."""
    query = update.callback_query
    if query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except TelegramError:
            pass
    await reply(update, text, markup)


async def ask_question(update: Update, tr: Translator, draft: RequestDraft) -> Awaiting:
    """The question in the pressed message (the offer, or the question before it)."""
    question = LETHALITY_QUESTIONS[draft.question]
    markup = with_quick_exit(
        [
            [button(tr("request.yes"), "req:ans:yes"), button(tr("request.no"), "req:ans:no")],
            [button(tr("request.skip_question"), "req:ans:skip")],
            [button(tr("request.stop_screen"), "req:ans:stop")],
            nav(tr),
        ],
        tr,
    )
    text = tr(
        "request.question",
        number=draft.question + 1,
        total=len(LETHALITY_QUESTIONS),
        question=Safe(tr(f"screen.{question}")),
    )
    await in_place(update, text, markup)
    return Awaiting.SCREEN_ANSWER


async def close_screen(update: Update, tr: Translator) -> None:
    """The question message, answered or stopped, says so and keeps no buttons."""
    with contextlib.suppress(TelegramError):
        await in_place(update, tr("request.screen_done"), None)


async def ask_story(update: Update, tr: Translator) -> Awaiting:
    await reply(update, tr("request.ask_story"), with_quick_exit([nav(tr)], tr))
    return Awaiting.STORY


async def ask_reply_choice(
    update: Update,
    tr: Translator,
    draft: RequestDraft,
    key: str = "request.ask_reply",
    *,
    before: str | None = None,
) -> Awaiting:
    """This chat or a call back; only this chat when she said it is not safe to talk.
    `before`: said first, in the same message (the numbers, when danger came up)."""
    rows = [[button(tr("request.reply_chat"), "req:reply:chat")]]
    text = tr(key) if before is None else f"{before}\n\n{tr(key)}"
    if draft.not_safe:
        text += "\n\n" + tr("request.reply_not_safe")
    else:
        rows.append([button(tr("request.reply_call"), "req:reply:call")])
    await reply(update, text, with_quick_exit([*rows, nav(tr)], tr))
    return Awaiting.REPLY_CHOICE


async def ask_phone(update: Update, tr: Translator) -> Awaiting:
    await reply(update, tr("request.ask_phone"), with_quick_exit([nav(tr)], tr))
    return Awaiting.PHONE


def summary(tr: Translator, draft: RequestDraft) -> str:
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
    if draft.screen is not None and not is_about_other(draft.screen):
        answered = sum(1 for value in draft.screen.values() if value is not None)
        lines.append(tr.plural("request.summary_screen", answered))
    if draft.reply_by == "call" and draft.phone:
        lines.append(tr("request.summary_call", phone=draft.phone))
    else:
        lines.append(tr("request.summary_chat"))
    lines.append(tr("request.summary_question"))
    return "\n".join(lines)


async def ask_confirmation(update: Update, tr: Translator, draft: RequestDraft) -> Awaiting:
    markup = with_quick_exit([[button(tr("request.send"), SEND)], nav(tr)], tr)
    await reply(update, summary(tr, draft), markup)
    return Awaiting.CONFIRMATION
