"""Feedback: one neutral question with three answers and an optional line of text, after
a closed case and after an appointment marked "came" (`ask` takes what it is about).

Never asked of a person who chose discreet reminders or used the quick exit in the last
week: on a shared phone a "how was it?" may say too much. Anonymous: the answer is stored
without any id (storage/feedback.py). Reusable by any feature: it needs an open write and
the person's id and language, nothing of cases.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import Clock
from bot.domain.language import Language
from bot.i18n import Texts, Translator
from bot.reports.figures import FEEDBACK_ANSWERS, FeedbackFact
from storage.appointments import Appointment
from storage.feedback import FeedbackRepository, FeedbackStore
from storage.unit_of_work import Transaction
from storage.users import language_of

FEEDBACK_PREFIX: Final = "fb:"
SKIP_COMMENT: Final = "fb:skip"
ANSWER_PATTERN: Final = rf"^{FEEDBACK_PREFIX}[A-Za-z0-9_-]{{16,32}}:({'|'.join(FEEDBACK_ANSWERS)})$"
# Outbox purpose of the question (nothing hangs on its delivery).
FEEDBACK_ASK: Final = "feedback_ask"
# How long a quick exit keeps the question away; also how long a question may be answered.
QUIET_AFTER_EXIT: Final = timedelta(days=7)
MAX_COMMENT: Final = 500


def answer_keyboard(tr: Translator, token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr(f"feedback.answer.{answer}"),
                    callback_data=f"{FEEDBACK_PREFIX}{token}:{answer}",
                )
                for answer in FEEDBACK_ANSWERS
            ]
        ]
    )


class FeedbackService:
    def __init__(
        self,
        *,
        repository: FeedbackRepository,
        texts: Texts,
        clock: Clock,
        tz: ZoneInfo,
        quiet_after_exit: timedelta = QUIET_AFTER_EXIT,
    ) -> None:
        # The centre's privacy.hold_after_exit: the same period that holds staff messages.
        self._quiet_after_exit = quiet_after_exit
        self._repository = repository
        self._texts = texts
        self._clock = clock
        self._tz = tz

    async def ask_after_visit(self, tx: Transaction, appointment: Appointment) -> None:
        """The question after an appointment marked "came" (its own rules decide)."""
        if appointment.user_id is None:  # forgotten meanwhile: no one to ask
            return
        language = await language_of(tx.connection, appointment.user_id)
        if language is not None:
            await self.ask(tx, user_id=appointment.user_id, language=language, about="appointment")

    async def ask(self, tx: Transaction, *, user_id: int, language: Language, about: str) -> bool:
        """Inside the caller's write: the question, unless she must not be asked."""
        store = FeedbackStore.of(tx)
        if await store.used_quick_exit_since(user_id, tx.now - self._quiet_after_exit):
            return False
        if await store.chose_discreet_reminders(user_id):
            return False
        token = secrets.token_urlsafe(16)
        await store.ask(token=token, user_id=user_id, about=about, now=tx.now)
        tr = self._texts.for_language(language)
        await tx.outbox.add(
            chat_id=user_id,
            method="sendMessage",
            params={
                "text": tr("feedback.question"),
                "parse_mode": "HTML",
                "reply_markup": answer_keyboard(tr, token).to_dict(),
            },
            purpose=FEEDBACK_ASK,
        )
        return True

    def _day(self, now: datetime) -> datetime:
        """The local day's start: answers keep the day only, never the moment."""
        local = now.astimezone(self._tz)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    async def answer(self, tx: Transaction, *, token: str, user_id: int, answer: str) -> str | None:
        """What the question was about, or None if it is not hers or answered already."""
        return await FeedbackStore.of(tx).answer(
            token=token, user_id=user_id, answer=answer, day=self._day(tx.now)
        )

    async def add_comment(self, tx: Transaction, *, about: str, text: str) -> None:
        await FeedbackStore.of(tx).add_comment(
            about=about, body=text.strip()[:MAX_COMMENT], day=self._day(tx.now)
        )

    async def note_quick_exit(self, user_id: int) -> None:
        await self._repository.note_quick_exit(user_id, self._clock.now())

    async def facts(self, start: datetime, end: datetime) -> list[FeedbackFact]:
        stored = await self._repository.answers(start, end)
        return [FeedbackFact(s.given_on, s.about, s.answer) for s in stored]

    async def purge(self, now: datetime, retention: timedelta) -> int:
        return await self._repository.purge(
            asked_before=now - QUIET_AFTER_EXIT, comments_before=now - retention
        )
