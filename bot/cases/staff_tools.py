"""Staff tools on a case beyond answering: internal notes, prepared answers (quick answers
and referrals) and handing a case to a colleague.

Notes stay in the staff group: stored sealed, audited, never relayed. A prepared answer
goes to the villager as any staff answer does ("Psychologist:", in her language, never
with a name). A handover changes who has the case for staff only: the villager is told
nothing, since for her it is the same "psychologist".

Each tool acts in the staff group it was used in (`side`), which the handler has checked
works the case: a case's tools speak in its centre's group, and "Pass to…" offers that
centre's staff only.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.cases.cards import edit_cards
from bot.cases.outgoing import (
    DUTY_ALERT,
    NOTICE,
    Write,
    html,
    placement,
    to_staff,
    to_user,
    user_language,
)
from bot.cases.staff_actions import StaffActions
from bot.cases.staff_side import StaffSide, StaffSides
from bot.clock import Clock
from bot.domain.language import Language
from bot.i18n import Safe, Texts
from storage.audit import record
from storage.cases import Case, CaseMessageStore, CaseStore
from storage.cases.notes import CaseNote, CaseNoteRepository, CaseNoteStore
from storage.users import UserRepository

# A prepared answer in a given language, as HTML made by the bot (config texts escaped).
PreparedText = Callable[[Language], str]


class StaffTools:
    def __init__(
        self,
        *,
        write: Write,
        sides: StaffSides,
        users: UserRepository,
        texts: Texts,
        clock: Clock,
        staff_actions: StaffActions,
        notes: CaseNoteRepository,
    ) -> None:
        self._notes = notes
        self._write = write
        self._sides = sides
        self._users = users
        self._texts = texts
        self._clock = clock
        self._staff_actions = staff_actions

    async def notes(self, case_id: int) -> list[CaseNote]:
        return await self._notes.notes(case_id)

    async def staff_who_took_cases(self, side: StaffSide) -> list[int]:
        """Everyone who took a case of this side's centre (of any, with one centre)."""
        center_id = side.center_id if self._sides.several else None
        return await self._notes.staff_who_took_cases(center_id)

    async def add_note(
        self, side: StaffSide, case: Case, staff_id: int, text: str, message_id: int
    ) -> None:
        """Stored sealed on the case and audited; the group is told it stays with staff.
        The note's own message in the group is linked to the case: forget-me deletes it."""
        now = self._clock.now()
        async with self._write() as tx:
            await CaseNoteStore.of(tx).add(case_id=case.id, staff_id=staff_id, body=text, now=now)
            await CaseMessageStore.of(tx).link_staff_message(
                side.chat_id, message_id, case.id, "note"
            )
            await record(tx.connection, at=now, actor_id=staff_id, action="note", subject=case.code)
            notice = side.tr("staff_tools.note_saved", code=case.code)
            await to_staff(
                tx.outbox,
                side.chat_id,
                case,
                html(notice, **placement(case, reply_to_card=True)),
                NOTICE,
            )

    async def send_prepared(
        self,
        side: StaffSide,
        case: Case,
        *,
        staff_id: int,
        staff_name: str,
        text_in: PreparedText,
        action: str,
        detail: str,
    ) -> None:
        """A quick answer or a referral: to the villager in her language as a staff answer,
        stored in the conversation, audited; staff see what went, in their language."""
        assert case.user_id is not None
        if case.taken_at is None:
            # As with a typed answer: answering is taking.
            await self._staff_actions.take(case, staff_id, staff_name, chat_id=side.chat_id)
        language = await user_language(self._users, case)
        user_tr = self._texts.for_language(language)
        body = text_in(language)
        now = self._clock.now()
        async with self._write() as tx:
            await CaseMessageStore.of(tx).add(
                case_id=case.id,
                author="staff",
                staff_id=staff_id,
                kind="text",
                body=body,
                file_id=None,
                now=now,
            )
            await record(
                tx.connection,
                at=now,
                actor_id=staff_id,
                action=action,
                subject=case.code,
                detail=detail,
            )
            # The prepared text is the bot's own HTML, short enough for one message.
            label = user_tr("conversation.staff_label")
            await to_user(tx.outbox, case, html(f"{label}\n{body}"))
            shown = side.tr(
                "staff_tools.prepared_sent", code=case.code, text=Safe(text_in(side.tr.language))
            )
            await to_staff(
                tx.outbox,
                side.chat_id,
                case,
                html(shown, **placement(case, reply_to_card=True)),
                NOTICE,
            )

    async def hand_over(
        self, side: StaffSide, case: Case, *, from_id: int, to_id: int, to_name: str
    ) -> bool:
        """The colleague has the case now: cards say so, they get the direct message,
        the villager is told nothing. False if the case is closed or was never taken."""
        now = self._clock.now()
        async with self._write() as tx:
            before = await CaseStore.of(tx).get(case.id)
            if not await CaseNoteStore.of(tx).hand_over(case.id, to_id, to_name):
                return False
            handed = await CaseStore.of(tx).get(case.id)
            assert before is not None and handed is not None
            await record(
                tx.connection,
                at=now,
                actor_id=from_id,
                action="hand_over",
                subject=case.code,
                detail=str(to_id),
            )
            # Said as a pass, from whom to whom and when: the colleague did not take it.
            footer = side.tr(
                "staff_tools.passed",
                from_name=before.taken_by_name or "?",
                to_name=to_name,
                time=now.astimezone(side.tz).strftime("%H:%M"),
            )
            await edit_cards(side, tx, handed, footer)
            notice = side.tr("staff_tools.handed_over", code=case.code, name=to_name)
            await to_staff(
                tx.outbox,
                side.chat_id,
                handed,
                html(notice, **placement(handed, reply_to_card=True)),
                NOTICE,
            )
            dm = side.tr(
                "staff_tools.handed_to_you",
                code=case.code,
                category=side.tr(f"category.{case.category}"),
                group=side.tr("duty_alert.group"),
            )
            await tx.outbox.add(
                chat_id=to_id,
                method="sendMessage",
                params=html(dm),
                purpose=DUTY_ALERT,
                ref=case.id,
            )
        return True
