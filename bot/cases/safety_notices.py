"""What staff are told of her safety, under the case's card: she left in a hurry, their
message is held (and until when), she said it is not safe to talk, she chose her hours.

The notices carry the case's code and times only, never who she is. Whether a message
is held is the one rule's answer (bot/contact_safety.py), asked here to tell staff, and
again by delivery when the message is about to go.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.outgoing import NOTICE, STAFF_ANSWER, TO_USER, html, placement, to_staff
from bot.cases.staff_side import StaffSides
from bot.contact_safety import ContactSafetyService, describe_hours
from bot.domain.contact_safety import Because, Kind, SafeHours
from bot.i18n import Translator
from storage.cases import Case, CaseStore
from storage.unit_of_work import Transaction

# A held message's "until" is said with its date.
_MOMENT = "%d.%m %H:%M"
# Her button "it is safe to talk now" (handlers/private/contact_safety.py).
SAFE_AGAIN = "safety:talk"


def safe_again_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr("safe_talk.button"), callback_data=SAFE_AGAIN)]]
    )


class SafetyNotices:
    def __init__(self, *, sides: StaffSides, safety: ContactSafetyService) -> None:
        self._sides = sides
        self._safety = safety
        # Whatever staff write or cause waits for her safety; the bot's answers to her
        # own /sos and requests (ANSWER_TO_USER) do not.
        safety.kinds[TO_USER] = Kind.STAFF
        safety.kinds[STAFF_ANSWER] = Kind.STAFF
        safety.left_hooks.append(self.she_left)
        safety.hours_hooks.append(self.hours_chosen)

    async def she_left(self, tx: Transaction, user_id: int, at: datetime) -> None:
        """The quick exit, told at once under her open case's card."""
        case = await CaseStore.of(tx).open_case_of(user_id)
        if case is None:
            return
        time = at.astimezone(self._sides.tz).strftime("%H:%M")
        await self._notice(tx, case, self._sides.tr("safety_notice.left", time=time))

    async def case_opened(self, tx: Transaction, case: Case) -> None:
        """Right under a new card: the hours she chose before, if any."""
        if case.user_id is None:
            return
        safety = await self._safety.state_in(tx, case.user_id)
        if safety.safe_hours is not None:
            await self.hours_chosen(tx, case.user_id, safety.safe_hours, case)

    async def after_staff_reply(self, tx: Transaction, case: Case) -> None:
        """Inside the reply's write: not safe to talk (every time), held (and until when)."""
        assert case.user_id is not None
        tr = self._sides.tr
        lines = []
        if case.not_safe_to_talk:
            lines.append(tr("safety_notice.not_safe"))
        hold = await self._safety.hold_of(tx, case.user_id, Kind.STAFF)
        if hold is not None:
            until = hold.until.astimezone(self._sides.tz).strftime(_MOMENT)
            if hold.because is Because.LEFT:
                safety = await self._safety.state_in(tx, case.user_id)
                assert safety.left_at is not None
                left = safety.left_at.astimezone(self._sides.tz).strftime("%H:%M")
                lines.append(tr("safety_notice.held_left", time=left, until=until))
            else:
                safety = await self._safety.state_in(tx, case.user_id)
                assert safety.safe_hours is not None
                hours = describe_hours(tr, safety.safe_hours)
                lines.append(tr("safety_notice.held_hours", hours=hours, until=until))
        if lines:
            await self._notice(tx, case, "\n".join(lines))

    async def safe_again(self, tx: Transaction, user_id: int) -> bool:
        """She says it is safe to talk now: her cases stop warning; staff are told."""
        store = CaseStore.of(tx)
        if not await store.safe_to_talk_again(user_id):
            return False
        case = await store.open_case_of(user_id)
        if case is not None:
            await self._notice(tx, case, self._sides.tr("safety_notice.safe_again"))
        return True

    async def hours_chosen(
        self, tx: Transaction, user_id: int, hours: SafeHours | None, case: Case | None = None
    ) -> None:
        case = case or await CaseStore.of(tx).open_case_of(user_id)
        if case is None:
            return
        tr = self._sides.tr
        if hours is None:
            text = tr("safety_notice.hours_any")
        else:
            text = tr("safety_notice.hours", hours=describe_hours(tr, hours))
        await self._notice(tx, case, text)

    async def _notice(self, tx: Transaction, case: Case, text: str) -> None:
        sides = self._sides.of(case)
        for side in sides:
            place = placement(case, reply_to_card=True, home=side is sides[0])
            label = side.tr("relay.label", code=case.code)
            await to_staff(tx.outbox, side.chat_id, case, html(f"{label}\n{text}", **place), NOTICE)
