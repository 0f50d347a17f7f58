"""The user's side of the anonymous conversation.

A user with an open case who writes (text, voice, a photo or a document) adds to that
case: the message is stored sealed and relayed to the case's card thread or forum
topic, labelled with the code, as the bot's own message (never a forward). Words of
danger in the conversation raise the alarm (bot/cases/alarm.py): the case turns urgent,
and she is answered once. A flood is slowed down, not dropped: everything is stored and
relayed in batches, and the user is asked once to wait.
A user without an open case gets the same answers as outside any flow.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.cases import DangerInConversation, Person
from bot.config import Settings
from bot.context import HelplineContext
from bot.domain.triage import has_danger_words
from handlers.common import emergency_numbers, relayable_content, reply
from handlers.private import fallback
from handlers.private.alarm_answer import alarm_texts, tell


async def to_case(update: Update, context: HelplineContext) -> bool:
    """Adds the message to the user's open case; without one, answers as outside a flow.

    Returns True when the message was stored for the user's open, unblocked case (so a
    caller may say it was passed on), False when it was not (no case, a blocked case, a
    kind of message that cannot be relayed); the user has been answered either way.
    """
    message = update.effective_message
    telegram_user = update.effective_user
    assert message is not None and telegram_user is not None
    services = context.services
    user = await services.users.get(telegram_user.id)
    case = await services.cases.open_case_of(telegram_user.id) if user else None
    if user is None or case is None or not user.has_consented:
        if message.text is not None or message.voice is not None:
            await fallback.text_outside_flow(update, context)
        else:
            await fallback.unsupported_message(update, context)
        return False
    tr = services.tr(user.language)
    if case.blocked:
        await reply(
            update, tr("conversation.not_delivered", numbers=emergency_numbers(services, tr))
        )
        return False
    content = relayable_content(message)
    if content is None:
        await reply(update, tr("conversation.text_or_voice"))
        return False
    kind, body, file_id = content
    now = services.clock.now()
    cases = services.cases
    await cases.add_user_message(case, kind, body, file_id)
    if body and has_danger_words(body):
        person = Person(user.user_id, user.language)
        alarm = await cases.raise_alarm(person, DangerInConversation(body))
        keys = alarm.told(numbers_on_screen=False)
        if keys:
            # One answer: the numbers and who heard it, in one message.
            await tell(update, services, alarm, [alarm_texts(services, tr, keys, alarm.code)])
            return True
    receipt = cases.receipt(telegram_user.id, now)
    if receipt == "slow_down":
        await reply(update, tr("conversation.slow_down"))
    elif receipt == "passed_on":
        await reply(update, tr("conversation.passed_on", code=case.code))
    return True


async def _message(update: Update, context: HelplineContext) -> None:
    await to_case(update, context)


async def edited(update: Update, context: HelplineContext) -> None:
    """An edit cannot change what was relayed: the user is told to send a new message."""
    telegram_user = update.effective_user
    if telegram_user is None:
        return
    services = context.services
    user = await services.users.get(telegram_user.id)
    if user is None or await services.cases.open_case_of(telegram_user.id) is None:
        return
    await reply(update, services.tr(user.language)("conversation.edit_not_passed"))


def build_handlers(settings: Settings) -> list[BaseHandler[Update, HelplineContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND, _message),
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, edited),
    ]
