"""Many urgent cases at once fold into one staff-group message.

Telegram lets a bot post 20 messages a minute into a group. When 30 people press "Danger
now" within seconds, cards beyond the 20th would wait a minute each. The outbox
(``bot/delivery.py``) then sends, with the group's next free slot, one message that lists
every urgent card still waiting: each case's code, topic and why it is urgent, and an
"I take it" button per case. The cards themselves still go, in their order, as the
window allows; they stay the case's home (the reply target, what a take or a close edits).

The list holds no user text and nothing about the person: what forget-me erases is on
the cards, not here. Its buttons carry a case's row id only (``fold:take:<id>``); a press
takes that case exactly as the card's button does, and the list then shows who took it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.outgoing import CARD, Write, html
from bot.cases.staff_side import StaffSides
from bot.delivery import Delivery, Folding
from bot.domain.triage import UrgencyReason
from bot.i18n import Safe
from storage.cases import Case, CaseRepository, CaseStore
from storage.unit_of_work import Transaction

FOLD_TAKE_PREFIX = "fold:take:"
# The outbox purpose of a list's refreshed buttons.
FOLD_EDIT = "case_fold_edit"
# Lists kept up to date after a take or a close (older ones update when pressed).
KEPT_LISTS = 100


class CardFolding:
    def __init__(self, *, write: Write, records: CaseRepository, sides: StaffSides) -> None:
        self._write = write
        self._records = records
        self._sides = sides
        # The lists sent lately, by (group, message id): the cases each names, in order.
        self._lists: OrderedDict[tuple[int, int], list[int]] = OrderedDict()

    def register(self, delivery: Delivery) -> None:
        delivery.folding = Folding(CARD, self.combine, combined=self.sent)

    def sent(self, chat_id: int, message: dict[str, Any]) -> None:
        """A list went out: remembered with the cases its buttons name (those it listed)."""
        data = message.get("reply_markup")
        markup = InlineKeyboardMarkup.de_json(data, None) if isinstance(data, dict) else None
        self.remember(chat_id, int(message["message_id"]), case_ids_in(markup))

    def remember(self, chat_id: int, message_id: int, case_ids: list[int]) -> None:
        """A list now in a group: a take or a close of one of its cases edits it too."""
        self._lists[(chat_id, message_id)] = case_ids
        self._lists.move_to_end((chat_id, message_id))
        while len(self._lists) > KEPT_LISTS:
            self._lists.popitem(last=False)

    async def case_changed(self, tx: Transaction, case: Case) -> None:
        """Inside the take's or close's write: every list naming the case says so."""
        for (chat_id, message_id), case_ids in list(self._lists.items()):
            if case.id in case_ids:
                await self._edit(tx, chat_id, message_id, case_ids)

    async def combine(self, case_ids: list[int]) -> dict[str, Any] | None:
        """The list of these waiting cases (the outbox folds each group's own cards), or
        None if none is still waiting for someone."""
        found = [await self._records.get(case_id) for case_id in case_ids]
        cases = [case for case in found if case is not None and _untaken(case)]
        if not cases:
            return None
        tr = self._sides.tr
        lines = [tr("fold.title", count=len(cases))]
        for case in cases:
            lines.append(
                tr(
                    "fold.line",
                    code=case.code,
                    category=tr(f"category.{case.category}"),
                    reasons=Safe("; ".join(_reasons(tr, case))),
                )
            )
        return html("\n".join(lines), self.keyboard(cases))

    def keyboard(self, cases: list[Case]) -> InlineKeyboardMarkup:
        """One row per case: its "I take it", or who took it (pressing then says so)."""
        tr = self._sides.tr
        rows = []
        for case in cases:
            if not case.is_open:
                label = tr("fold.closed", code=case.code)
            elif case.taken_at is not None:
                label = tr("fold.taken", code=case.code, name=case.taken_by_name or "?")
            else:
                label = tr("fold.take", code=case.code)
            rows.append([InlineKeyboardButton(label, callback_data=f"{FOLD_TAKE_PREFIX}{case.id}")])
        return InlineKeyboardMarkup(rows)

    async def refresh(self, chat_id: int, message_id: int, case_ids: list[int]) -> None:
        """After a press on a list: its buttons say who took which case (sent urgently)."""
        async with self._write() as tx:
            await self._edit(tx, chat_id, message_id, case_ids)

    async def _edit(self, tx: Transaction, chat_id: int, message_id: int, ids: list[int]) -> None:
        store = CaseStore.of(tx)
        found = [await store.get(case_id) for case_id in ids]
        cases = [case for case in found if case is not None]
        if not cases:
            return
        await tx.outbox.add(
            chat_id=chat_id,
            method="editMessageReplyMarkup",
            params={"message_id": message_id, "reply_markup": self.keyboard(cases).to_dict()},
            purpose=FOLD_EDIT,
            ref=cases[0].id,
            priority=1,
        )


def case_ids_in(markup: InlineKeyboardMarkup | None) -> list[int]:
    """The cases a list's buttons are about, in their order."""
    if markup is None:
        return []
    ids = []
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and data.startswith(FOLD_TAKE_PREFIX):
                ids.append(int(data.removeprefix(FOLD_TAKE_PREFIX)))
    return ids


def _untaken(case: Case) -> bool:
    return case.is_open and case.taken_at is None


def _reasons(tr: Any, case: Case) -> list[str]:
    # The card's reasons without the danger words themselves: the list holds no user text.
    texts = []
    for reason in case.urgent_reasons:
        if reason == UrgencyReason.DANGER_WORDS:
            texts.append(tr("card.reason.danger_words_later"))
        elif reason in (UrgencyReason.SOS_BUTTON, UrgencyReason.LETHALITY_SCREEN):
            texts.append(tr(f"card.reason.{reason}"))
    return texts
