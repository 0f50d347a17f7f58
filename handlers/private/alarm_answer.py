"""What she reads after an alarm: the texts of `Alarm.told` (bot/domain/alarm.py), nothing
else. The /sos, the tap under danger words and the conversation relay all answer here."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.cases import NUMBERS, Alarm
from bot.context import Services
from bot.i18n import Translator
from bot.rate_limits import URGENT
from handlers.common import emergency_numbers, reply


def alarm_texts(services: Services, tr: Translator, keys: tuple[str, ...], code: str) -> str:
    """The keys' texts as one message (the emergency numbers where `NUMBERS` stands);
    `code`: her case's code, where there is a case."""
    parts = [emergency_numbers(services, tr) if k == NUMBERS else tr(k, code=code) for k in keys]
    return "\n\n".join(parts)


async def tell(
    update: Update,
    services: Services,
    alarm: Alarm,
    texts: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """With a case, through the outbox (retried and in order, like the alerts themselves);
    without one (nothing stored, or nothing may be), straight back as one message."""
    texts = [text for text in texts if text]
    if not texts:
        return
    if alarm.case is not None:
        await services.cases.tell_user(alarm.case, texts, markup)
        return
    await reply(update, "\n\n".join(texts), markup, rate_limit_args=URGENT)
