"""What staff do to a case: take it, close it, block or unblock its person; and duty.

Each action is one write with its audit record and the messages that report it; the
user is told "a psychologist" took or closed their case, never a staff name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from bot.cases.cards import (
    alert_duty,
    closed_footer,
    edit_all_cards,
    edit_cards,
    post_cards,
    taken_line,
)
from bot.cases.outgoing import (
    NOTICE,
    TOPIC_CLOSE,
    Write,
    html,
    placement,
    to_staff,
    to_user,
    user_language,
)
from bot.cases.staff_side import StaffSides
from bot.clock import Clock
from bot.config.sections import UrgentSettings
from bot.domain import rota
from bot.domain.case_rules import next_escalation
from bot.domain.language import Language
from bot.i18n import Texts
from storage.audit import record
from storage.cases import Case, CaseStore, DutyStore
from storage.unit_of_work import Transaction
from storage.users import UserRepository

TakeOutcome = Literal["taken", "already", "closed"]
# Runs inside the closing write for a case whose person is still known (the feedback
# question, bot/feedback.py): whatever it adds commits with the close.
ClosedHook = Callable[[Transaction, Case, Language], Awaitable[object]]
# Runs inside the write of a take or a close, once the cards are edited (a list of urgent
# cases naming it, bot/cases/fold.py).
ChangedHook = Callable[[Transaction, Case], Awaitable[object]]


class StaffActions:
    def __init__(
        self,
        *,
        write: Write,
        sides: StaffSides,
        users: UserRepository,
        texts: Texts,
        clock: Clock,
        urgent: UrgentSettings | None = None,
    ) -> None:
        self._urgent = urgent or UrgentSettings()
        self._write = write
        self._sides = sides
        self._users = users
        self._texts = texts
        self._clock = clock
        self.closed_hooks: list[ClosedHook] = []
        self.changed_hooks: list[ChangedHook] = []

    async def take(
        self,
        case: Case,
        staff_id: int,
        staff_name: str,
        *,
        action: str = "take",
        chat_id: int | None = None,
    ) -> TakeOutcome:
        """The first "I take it" wins: the chain stops, every card says who, the user is told.

        A case every centre heard (no centre yet) becomes the case of the centre whose
        group (`chat_id`) took it; the other groups' cards say who took it."""
        if not case.is_open:
            return "closed"
        language = await user_language(self._users, case)
        now = self._clock.now()
        async with self._write() as tx:
            store = CaseStore.of(tx)
            if not await store.claim(case.id, staff_id, staff_name, now):
                return "already"
            taker = self._sides.of_chat(chat_id) if chat_id is not None else None
            heard_by_all = case.center_id is None and self._sides.several
            if heard_by_all and taker is not None:
                await store.claim_for_center(case.id, taker.center_id, taker.chat_id)
            taken = await store.get(case.id)
            assert taken is not None
            await record(tx.connection, at=now, actor_id=staff_id, action=action, subject=case.code)
            footer = taken_line(self._sides.tr, staff_name, now, self._sides.tz)
            await edit_all_cards(self._sides, tx, taken, footer, heard=heard_by_all)
            for changed in self.changed_hooks:
                await changed(tx, taken)
            if taken.user_id is not None:
                user_tr = self._texts.for_language(language)
                # A call back was asked for: the user waits for a call, not a message here.
                key = (
                    "conversation.taken_call" if taken.reply_by == "call" else "conversation.taken"
                )
                text = user_tr(key, code=taken.code)
                await to_user(tx.outbox, taken, html(text))
        return "taken"

    async def close(self, case: Case, staff_id: int, staff_name: str | None = None) -> bool:
        """Closes the case: every card says so, the staff group and the user are told."""
        if staff_name is None:
            staff_name = await self._sides.home(case).name_of(staff_id)
        language = await user_language(self._users, case)
        now = self._clock.now()
        side = self._sides.home(case)
        async with self._write() as tx:
            store = CaseStore.of(tx)
            if not await store.close(case.id, now):
                return False
            closed = await store.get(case.id)
            assert closed is not None
            await record(
                tx.connection, at=now, actor_id=staff_id, action="close", subject=case.code
            )
            # The cards lose their buttons and say who closed the case, and when.
            await edit_cards(side, tx, closed, closed_footer(side, closed, staff_name, now))
            for changed in self.changed_hooks:
                await changed(tx, closed)
            notice = side.tr("staff.closed", code=case.code)
            await to_staff(
                tx.outbox,
                side.chat_id,
                closed,
                html(notice, **placement(closed, reply_to_card=True)),
                NOTICE,
            )
            if closed.topic_id is not None:
                await to_staff(
                    tx.outbox,
                    side.chat_id,
                    closed,
                    {"message_thread_id": closed.topic_id},
                    TOPIC_CLOSE,
                    "closeForumTopic",
                )
            if closed.user_id is not None:
                user_tr = self._texts.for_language(language)
                text = user_tr("conversation.closed", code=case.code)
                await to_user(tx.outbox, closed, html(text))
                for hook in self.closed_hooks:
                    await hook(tx, closed, language)
        return True

    async def set_blocked(self, case: Case, staff_id: int, blocked: bool) -> None:
        now = self._clock.now()
        side = self._sides.home(case)
        async with self._write() as tx:
            await CaseStore.of(tx).set_blocked(case.id, blocked)
            await record(
                tx.connection,
                at=now,
                actor_id=staff_id,
                action="block" if blocked else "unblock",
                subject=case.code,
            )
            notice = side.tr("staff.blocked" if blocked else "staff.unblocked", code=case.code)
            await to_staff(
                tx.outbox,
                side.chat_id,
                case,
                html(notice, **placement(case, reply_to_card=True)),
                NOTICE,
            )

    async def set_duty(
        self, staff_id: int, name: str, *, on: bool, center_id: str | None = None
    ) -> bool:
        """/duty takes the shift now (at the centre of the group it was taken in), /duty off
        hands it back; False if there was none."""
        now = self._clock.now()
        async with self._write() as tx:
            duty = DutyStore.of(tx)
            if on:
                await duty.take(staff_id, name, now, center_id or None)
                had = True
            else:
                had = await duty.hand_back(staff_id)
            await record(
                tx.connection, at=now, actor_id=staff_id, action="duty_on" if on else "duty_off"
            )
        return had

    async def hand_over(self, case: Case, staff_id: int, center_id: str) -> bool:
        """The case moves to another centre: the old group's cards say where it went, the
        new group gets the card and answers from now on, the user keeps her code and is
        told which centre answers now. False if it was closed or there already."""
        target = self._sides.of_center(center_id)
        if target is None:
            return False
        old_sides = self._sides.of(case)
        language = await user_language(self._users, case)
        now = self._clock.now()
        new_name = self._sides.center_name(center_id)
        on_duty = await target.on_duty_now() if case.urgent else []
        first_realert = next_escalation(
            step=0,
            now=now,
            escalate_after=self._urgent.escalate_after,
            max_escalations=self._urgent.max_escalations,
        )
        async with self._write() as tx:
            store = CaseStore.of(tx)
            if not await store.hand_over(case.id, center_id, first_realert):
                return False
            moved = await store.get(case.id)
            assert moved is not None
            await record(
                tx.connection,
                at=now,
                actor_id=staff_id,
                action="hand_over",
                subject=case.code,
                detail=f"{case.center_id or '-'} -> {center_id}",
            )
            footer = self._sides.tr("staff.handed_over", center=new_name)
            for side in old_sides:
                # The old cards keep no button: the case is worked elsewhere now.
                await edit_cards(side, tx, case, footer, buttons=False)
            await post_cards(self._sides, tx.outbox, moved)
            if moved.urgent:
                # The new centre's rota hears of an urgent case as if it had just come in.
                targets = rota.escalation_targets(
                    step=0, on_duty=on_duty, backups=target.backup_ids
                )
                await alert_duty(target, tx.outbox, moved, targets)
            if moved.user_id is not None:
                user_tr = self._texts.for_language(language)
                centre = self._sides.center_name_in(center_id, language)
                text = user_tr("conversation.handed_over", code=moved.code, center=centre)
                await to_user(tx.outbox, moved, html(text))
        return True
