"""The anonymous relay, both ways: the user's messages to the staff group in batches,
and a staff answer to the user as "Psychologist:", never with a name.

One batch at a time per case: a flood becomes a few long messages instead of dozens,
and the staff group's queue (20 messages a minute) stays free for alerts. A batch goes
only once the case's previous one is delivered, which on a quiet group takes a few tens of
milliseconds: a burst (18 messages in 0.6 s) would still go as 18 relays and fill the
group's minute, holding back another woman's /sos card. So a batch that would follow the
previous one within ``burst_gap`` seconds waits until the gap has passed, and the rest of
the burst goes with it as one relay. The gap is real time, not the centre's clock: it is
about Telegram's transport, as the outbox's backoff is. A batch that failed for good (or
was lost, or whose timer died with a restart) is handed on again by
`resume_stalled_relays`, which the tick runs.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.cases.outgoing import (
    RELAY,
    SEND_METHOD,
    STAFF_ANSWER,
    TO_USER,
    Write,
    html,
    placement,
    to_staff,
    to_user,
    user_language,
)
from bot.cases.safety_notices import SafetyNotices, safe_again_keyboard
from bot.cases.staff_actions import StaffActions
from bot.cases.staff_side import StaffSides
from bot.clock import Clock
from bot.delivery import Delivery
from bot.domain.case_rules import FloodWindow, MessageKind
from bot.domain.message_text import caption_for, pack_texts
from bot.i18n import Texts
from storage.audit import record
from storage.cases import Case, CaseMessage, CaseMessageStore, CaseRepository, CaseStore
from storage.unit_of_work import Transaction
from storage.users import UserRepository

# "Passed on" is said at most this often, so a conversation is not doubled by receipts.
ACKNOWLEDGE_EVERY = timedelta(minutes=10)
# A batch this many seconds after the case's previous one is a burst: it waits out the gap.
BURST_GAP = 1.0
# Receipt records of people who went quiet this long are dropped.
_FORGET_RECEIPTS_AFTER = timedelta(hours=1)

Receipt = Literal["slow_down", "passed_on"]

logger = logging.getLogger(__name__)


class Relay:
    def __init__(
        self,
        *,
        write: Write,
        records: CaseRepository,
        sides: StaffSides,
        users: UserRepository,
        texts: Texts,
        clock: Clock,
        staff_actions: StaffActions,
        notices: SafetyNotices,
    ) -> None:
        self._notices = notices
        self._write = write
        self._records = records
        self._sides = sides
        self._users = users
        self._texts = texts
        self._clock = clock
        # Outbox row of a staff answer's last part -> the staff member's message, to mark it
        # delivered or not. Kept in memory: after a restart the mark goes under the card.
        self.answers_on_their_way: dict[int, int] = {}
        self._staff_actions = staff_actions
        self._flood = FloodWindow()
        # When each user was last told "passed on": once in a while, not after every message.
        self._acknowledged: dict[int, datetime] = {}
        # When each case's last batch was handed to the outbox (the event loop's time;
        # memory only: after a restart the first batch simply goes at once), and the
        # timers of bursts waiting out the gap.
        self.burst_gap = BURST_GAP
        self._last_batch: dict[int, float] = {}
        self._bursts: dict[int, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._delivery: Delivery | None = None

    def register(self, delivery: Delivery) -> None:
        """Delivery is told of a burst waiting out its gap: it is not idle meanwhile."""
        self._delivery = delivery

    async def add_user_message(
        self, case: Case, kind: MessageKind, body: str | None, file_id: str | None
    ) -> None:
        """Stores one message of the user and relays it (in a batch if a batch is on its way)."""
        now = self._clock.now()
        async with self._write() as tx:
            await CaseMessageStore.of(tx).add(
                case_id=case.id, author="user", kind=kind, body=body, file_id=file_id, now=now
            )
            if case.user_unreachable and case.user_id is not None:
                await CaseStore.of(tx).mark_reachable(case.user_id)
            await self.relay_pending(tx, case)

    def receipt(self, user_id: int, now: datetime) -> Receipt | None:
        """What to tell a user whose message was stored: slow down (a flood, once per
        window), passed on (once in a while), or nothing."""
        if self._flood.hit(user_id, now):
            return "slow_down"
        last = self._acknowledged.get(user_id)
        if last is None or now - last >= ACKNOWLEDGE_EVERY:
            self._acknowledged[user_id] = now
            return "passed_on"
        return None

    async def relay_pending(self, tx: Transaction, case: Case, *, forced: bool = False) -> None:
        """Hands the user's waiting messages to the outbox, unless a batch is still on its way
        or (unless ``forced``) the case's previous batch left less than the gap ago."""
        messages = CaseMessageStore.of(tx)
        if await messages.has_pending_relay(case.id):
            return
        waiting = await messages.unrelayed_user_messages(case.id)
        if not waiting:
            return
        loop = asyncio.get_running_loop()
        last = self._last_batch.get(case.id)
        if not forced and last is not None and loop.time() - last < self.burst_gap:
            if case.id not in self._bursts:
                self._bursts[case.id] = loop.call_later(
                    last + self.burst_gap - loop.time(), self._burst_over, case.id
                )
                if self._delivery is not None:
                    self._delivery.expect(_burst_key(case.id))
            return
        self._last_batch[case.id] = loop.time()
        self._burst_done(case.id)
        # As it is now, inside this write: a take or a hand-over since the caller read it
        # changes which groups may see her words.
        case = await CaseStore.of(tx).get(case.id) or case
        sides = self._sides.of(case)
        label = self._sides.tr("relay.label", code=case.code)
        if case.not_safe_to_talk:
            label += "\n" + self._sides.tr("safety_notice.not_safe")
        index = 0
        while index < len(waiting):
            message = waiting[index]
            if message.kind == "text":
                run: list[CaseMessage] = []
                while index < len(waiting) and waiting[index].kind == "text":
                    run.append(waiting[index])
                    index += 1
                relay_id = 0
                for side in sides:
                    place = placement(case, reply_to_card=True, home=side is sides[0])
                    for text in pack_texts(label, [m.body or "" for m in run]):
                        relay_id = await to_staff(
                            tx.outbox, side.chat_id, case, html(text, **place), RELAY
                        )
                await messages.set_relay([m.id for m in run], relay_id)
                continue
            caption, rest = caption_for(label, message.body)
            for side in sides:
                place = placement(case, reply_to_card=True, home=side is sides[0])
                relay_id = await to_staff(
                    tx.outbox,
                    side.chat_id,
                    case,
                    {
                        message.kind: message.file_id,
                        "caption": caption,
                        "parse_mode": "HTML",
                        **place,
                    },
                    RELAY,
                    SEND_METHOD[message.kind],
                )
                for text in rest:
                    relay_id = await to_staff(
                        tx.outbox, side.chat_id, case, html(text, **place), RELAY
                    )
            await messages.set_relay([message.id], relay_id)
            index += 1

    def _burst_over(self, case_id: int) -> None:
        task = asyncio.get_running_loop().create_task(self._relay_burst(case_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _relay_burst(self, case_id: int) -> None:
        try:
            case = await self._records.get(case_id)
            if case is not None:
                async with self._write() as tx:
                    await self.relay_pending(tx, case, forced=True)
        except Exception:
            # The tick hands it on (resume_stalled_relays); nothing is lost.
            logger.exception("a burst's relay failed")
        finally:
            # Handed on, or on its way behind a batch in flight (whose delivery hands it
            # on), or nothing left: the burst no longer waits.
            self._burst_done(case_id)

    def _burst_done(self, case_id: int) -> None:
        timer = self._bursts.pop(case_id, None)
        if timer is not None:
            timer.cancel()
            if self._delivery is not None:
                self._delivery.arrived(_burst_key(case_id))

    def stop(self) -> None:
        """The timers of bursts still waiting (the tick hands them on after a restart)."""
        for case_id in list(self._bursts):
            self._burst_done(case_id)
        for task in self._tasks:
            task.cancel()

    async def relay_staff_message(
        self,
        case: Case,
        *,
        staff_id: int,
        staff_name: str,
        chat_id: int,
        message_id: int,
        kind: MessageKind,
        body: str | None,
        file_id: str | None,
    ) -> None:
        """A staff answer goes to the user as "Psychologist:", never with a name."""
        assert case.user_id is not None
        if case.taken_at is None:
            # Answering is taking: the escalation chain stops at the first reply too.
            await self._staff_actions.take(
                case, staff_id, staff_name, action="take", chat_id=chat_id
            )
        language = await user_language(self._users, case)
        tr = self._texts.for_language(language)
        label = tr("conversation.staff_label")
        now = self._clock.now()
        async with self._write() as tx:
            messages = CaseMessageStore.of(tx)
            await messages.add(
                case_id=case.id,
                author="staff",
                staff_id=staff_id,
                kind=kind,
                body=body,
                file_id=file_id,
                now=now,
            )
            await messages.link_staff_message(chat_id, message_id, case.id, "staff")
            await record(
                tx.connection, at=now, actor_id=staff_id, action="reply", subject=case.code
            )
            parts: list[tuple[dict[str, Any], str]] = []
            if kind == "text":
                parts = [(html(text), "sendMessage") for text in pack_texts(label, [body or ""])]
            else:
                caption, rest = caption_for(label, body)
                media = {kind: file_id, "caption": caption, "parse_mode": "HTML"}
                parts = [
                    (media, SEND_METHOD[kind]),
                    *((html(text), "sendMessage") for text in rest),
                ]
            case = await CaseStore.of(tx).get(case.id) or case
            if case.not_safe_to_talk:
                # Her way to say it is safe again: on the answer itself, discreetly worded.
                parts[-1][0]["reply_markup"] = safe_again_keyboard(tr).to_dict()
            await self._notices.after_staff_reply(tx, case)
            for number, (params, method) in enumerate(parts, start=1):
                # The last part tells staff the answer arrived (or plainly that it did not).
                last = number == len(parts)
                outbox_id = await to_user(
                    tx.outbox, case, params, method, STAFF_ANSWER if last else TO_USER
                )
            self.answers_on_their_way[outbox_id] = message_id

    async def resume_stalled_relays(self) -> None:
        """Due work: relays whose batch failed for good (or was lost) are handed on again."""
        now = self._clock.now()
        # The in-memory flood and receipt records of people who went quiet are dropped.
        self._flood.forget_idle(now)
        for user_id in [
            u for u, at in self._acknowledged.items() if now - at > _FORGET_RECEIPTS_AFTER
        ]:
            del self._acknowledged[user_id]
        moment = asyncio.get_running_loop().time()
        self._last_batch = {
            c: at for c, at in self._last_batch.items() if moment - at < self.burst_gap
        }
        for case_id in await self._records.cases_with_stalled_relays():
            case = await self._records.get(case_id)
            if case is None:
                continue
            async with self._write() as tx:
                await self.relay_pending(tx, case, forced=True)


def _burst_key(case_id: int) -> tuple[str, int]:
    return ("relay burst", case_id)
