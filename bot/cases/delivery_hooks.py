"""What happens when a message about a case is delivered or fails for good.

Delivered: the group message is linked to its case (so a staff reply finds its way
back); a delivered relay lets the next batch go; a card that arrives after the case was
taken loses its button; a staff answer that reached her gets a 👌 reaction. Failed: a
deleted forum topic is recreated and the message retried there; a relay Telegram refuses
for good, a user who blocked the bot, and a staff member who cannot get direct messages
are each reported to staff.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.cases.cards import alert_duty, edit_cards, taken_line
from bot.cases.outgoing import (
    ANSWER_MARK,
    ANSWER_TO_USER,
    CARD_PURPOSES,
    DUTY_ALERT,
    GROUP_KINDS,
    NOTICE,
    RELAY,
    STAFF_ANSWER,
    TO_USER,
    Write,
    html,
    placement,
    to_staff,
)
from bot.cases.relay import Relay
from bot.cases.staff_side import StaffSide, StaffSides
from bot.delivery import Delivery
from bot.domain import rota
from storage.cases import Case, CaseMessageStore, CaseRepository, CaseStore
from storage.outbox import OutboxItem, OutboxRepository
from storage.unit_of_work import OutboxWriter

logger = logging.getLogger(__name__)

# "It arrived" on a staff answer: an emoji Telegram allows bots to react with.
DELIVERED_REACTION = {"type": "emoji", "emoji": "👌"}
_CENTRES_KEPT = 1_000


class CaseDeliveryHooks:
    def __init__(
        self,
        *,
        write: Write,
        records: CaseRepository,
        sides: StaffSides,
        relay: Relay,
        outbox: OutboxRepository,
    ) -> None:
        self._write = write
        self._records = records
        self._sides = sides
        self._relay = relay
        self._outbox = outbox
        # (case id, staff id): the "cannot DM them" notice was posted already.
        self._dm_failures: set[tuple[int, int]] = set()
        # Case -> its centre, for the urgent lane's turns (bounded: a storm's cases at most).
        self._centres: OrderedDict[int, str | None] = OrderedDict()

    def register(self, delivery: Delivery) -> None:
        for purpose in GROUP_KINDS:
            delivery.on_delivered[purpose] = self.delivered_to_group
            delivery.on_failed[purpose] = self.group_failed
        delivery.on_failed[TO_USER] = self.user_unreachable
        delivery.on_failed[ANSWER_TO_USER] = self.user_unreachable
        delivery.on_delivered[STAFF_ANSWER] = self.answer_delivered
        delivery.on_failed[STAFF_ANSWER] = self.answer_failed
        delivery.on_failed[ANSWER_MARK] = self.mark_refused
        delivery.on_failed[DUTY_ALERT] = self.cannot_dm
        # A storm's alerts to one person go as few messages, each case seen within seconds.
        delivery.merging.add(DUTY_ALERT)
        delivery.share_of = self.centre_of

    async def centre_of(self, item: OutboxItem) -> str | None:
        """The centre an urgent message about a case is for: centres take turns. A case
        handed over meanwhile may count for its old centre a while; that is only fairness."""
        if item.ref is None or not item.purpose.startswith("case_"):
            return None
        if item.ref not in self._centres:
            case = await self._records.get(item.ref)
            self._centres[item.ref] = case.center_id if case is not None else None
            if len(self._centres) > _CENTRES_KEPT:
                self._centres.popitem(last=False)
        return self._centres[item.ref]

    async def delivered_to_group(self, item: OutboxItem, message_id: int | None) -> None:
        if message_id is None or item.ref is None:
            return
        # The link commits on its own, first thing: a staff reply to this message must
        # find its case even if what follows fails.
        async with self._write() as tx:
            messages = CaseMessageStore.of(tx)
            kind = GROUP_KINDS[item.purpose]
            await messages.link_staff_message(item.chat_id, message_id, item.ref, kind)
            if kind == "card":
                linked = await CaseStore.of(tx).get(item.ref)
                if linked is not None and self._sides.home(linked).chat_id == item.chat_id:
                    await messages.set_card(item.ref, message_id)
        if item.purpose != RELAY and item.purpose not in CARD_PURPOSES:
            return
        case = await self._records.get(item.ref)
        if case is None:
            return
        if item.purpose == RELAY:
            async with self._write() as tx:
                await self._relay.relay_pending(tx, case)
        elif case.taken_at is not None and case.taken_by_name and "reply_markup" in item.params:
            # Taken while this card was still on its way: it must not offer the button.
            side = self._side_of(item.chat_id, case)
            line = taken_line(side.tr, case.taken_by_name, case.taken_at, side.tz)
            async with self._write() as tx:
                await edit_cards(side, tx, case, line, buttons=side in self._sides.of(case))

    async def group_failed(self, item: OutboxItem, error: TelegramError) -> bool:
        """A deleted forum topic: make a new one for the case and send there. A relay that
        Telegram refuses for good (a file it no longer has ...) is not lost in silence:
        staff are told that a message of the case could not be passed on."""
        if item.ref is None:
            return False
        if "thread not found" not in error.message.lower():
            if item.purpose == RELAY:
                case = await self._records.get(item.ref)
                if case is not None:
                    await self._notice(case, "staff.relay_failed")
            return False
        case = await self._records.get(item.ref)
        if case is None:
            return False
        side = self._side_of(item.chat_id, case)
        async with side.topic_lock:
            case = await self._records.get(item.ref)
            if case is None:
                return False
            topic_id = case.topic_id
            if topic_id is None or topic_id == item.params.get("message_thread_id"):
                topic_id = await side.create_topic(case.code)
                if topic_id is None:
                    return False
                async with self._write() as tx:
                    await CaseStore.of(tx).set_topic(case.id, topic_id)
        params = {k: v for k, v in item.params.items() if k != "chat_id"}
        params["message_thread_id"] = topic_id
        params.pop("reply_parameters", None)
        await self._outbox.update_params(item.id, item.chat_id, params)
        logger.info("recreated a deleted forum topic for a case")
        return True

    async def user_unreachable(self, item: OutboxItem, error: TelegramError) -> bool:
        """403 from the user (blocked the bot, deleted the account): staff are told once."""
        if not isinstance(error, Forbidden) or item.ref is None:
            return False
        case = await self._records.get(item.ref)
        if case is None:
            return False
        async with self._write() as tx:
            if await CaseStore.of(tx).mark_unreachable(case.id):
                text = self._sides.tr("staff.unreachable", code=case.code)
                await self._notice_in(tx.outbox, case, text)
        return False

    async def answer_delivered(self, item: OutboxItem, message_id: int | None) -> None:
        """A staff answer reached the user: a reaction on the staff member's own message,
        not a new message (the group's 20 messages a minute are for alerts and her words)."""
        staff_message_id = self._relay.answers_on_their_way.pop(item.id, None)
        if item.ref is None:
            return
        case = await self._records.get(item.ref)
        if case is None:
            return
        side = self._sides.home(case)
        if staff_message_id is None:
            # Queued before a restart: the case's newest answer is the one that arrived.
            staff_message_id = await self._records.latest_staff_answer(side.chat_id, case.id)
            if staff_message_id is None:
                return
        async with self._write() as tx:
            await tx.outbox.add(
                chat_id=side.chat_id,
                method="setMessageReaction",
                params={"message_id": staff_message_id, "reaction": [DELIVERED_REACTION]},
                purpose=ANSWER_MARK,
                ref=case.id,
                priority=1 if case.urgent else 0,
            )

    async def mark_refused(self, item: OutboxItem, error: TelegramError) -> bool:
        """The group allows no such reaction (its admins chose others), or the answer was
        deleted: "✓ delivered" is said as a message under it instead, once."""
        if item.ref is None:
            return False
        case = await self._records.get(item.ref)
        message_id = item.params.get("message_id")
        if case is None or not isinstance(message_id, int):
            return False
        await self._post_mark(case, message_id, "staff.answer_delivered")
        return False

    async def answer_failed(self, item: OutboxItem, error: TelegramError) -> bool:
        """A staff answer Telegram refused for good: said plainly, under that message."""
        await self.user_unreachable(item, error)
        await self._mark_answer(item, "staff.answer_not_delivered")
        return False

    async def _mark_answer(self, item: OutboxItem, key: str) -> None:
        staff_message_id = self._relay.answers_on_their_way.pop(item.id, None)
        if item.ref is None:
            return
        case = await self._records.get(item.ref)
        if case is None:
            return
        await self._post_mark(case, staff_message_id, key)

    async def _post_mark(self, case: Case, staff_message_id: int | None, key: str) -> None:
        """A mark as a message under the staff member's answer (under the card if unknown)."""
        if staff_message_id is None:
            # Queued before a restart: the mark goes under the card (or in the topic).
            where = placement(case, reply_to_card=True)
        else:
            where = {
                "reply_parameters": {
                    "message_id": staff_message_id,
                    "allow_sending_without_reply": True,
                }
            }
            if case.topic_id is not None:
                where["message_thread_id"] = case.topic_id
        # Answers come only from the case's own centre's group.
        side = self._sides.home(case)
        text = side.tr(key, code=case.code)
        async with self._write() as tx:
            await to_staff(
                tx.outbox,
                side.chat_id,
                case,
                html(text, disable_notification=True, **where),
                NOTICE,
            )

    async def cannot_dm(self, item: OutboxItem, error: TelegramError) -> bool:
        """Telegram refuses a direct message to a staff member for good (never started the
        bot, blocked it, no such chat): the group is told at once, naming that colleague and
        what to do, and the alert moves on to the next people (backups) now, not after
        `escalate_after`."""
        reason = _refused_for_good(error)
        if reason is None or item.ref is None:
            return False
        key = (item.ref, item.chat_id)
        if key in self._dm_failures:
            return False
        self._dm_failures.add(key)
        case = await self._records.get(item.ref)
        if case is None:
            return False
        logger.error("an urgent direct message to a staff member was refused: %s", reason)
        on_duty = {side.center_id: await side.on_duty_now() for side in self._sides.of(case)}
        name = await self._name_for(case, item.chat_id, on_duty)
        tr = self._sides.tr
        text = tr(f"staff.dm_failed{reason}", code=case.code, name=name, id=str(item.chat_id))
        targets = self._next_targets(case, item.chat_id, on_duty)
        if targets:
            names = [await self._name_for(case, user_id, on_duty) for user_id in targets]
            text += " " + tr("staff.alert_moved_on", names=", ".join(names))
        async with self._write() as tx:
            await self._notice_in(tx.outbox, case, text)
            if targets:
                await alert_duty(self._sides.home(case), tx.outbox, case, targets)
        return False

    def _next_targets(
        self, case: Case, unreachable: int, on_duty: dict[str, list[int]]
    ) -> list[int]:
        """The backups of the case's centre (of every centre while it has none) and whoever
        is on duty there besides the unreachable one, not alerted yet; nobody for a case
        taken or closed meanwhile."""
        if not case.is_open or case.taken_at is not None:
            return []
        targets: list[int] = []
        for side in self._sides.of(case):
            people = on_duty.get(side.center_id, [])
            alerted = set(people) if case.escalation_step == 0 else set()
            for user_id in rota.escalation_targets(step=1, on_duty=people, backups=side.backup_ids):
                if (
                    user_id != unreachable
                    and user_id not in alerted
                    and user_id not in targets
                    and (case.id, user_id) not in self._dm_failures
                ):
                    targets.append(user_id)
        return targets

    async def _name_for(self, case: Case, user_id: int, on_duty: dict[str, list[int]]) -> str:
        """A staff member's name as the group of their own centre knows it."""
        sides = self._sides.of(case)
        side = next(
            (
                side
                for side in sides
                if user_id in on_duty.get(side.center_id, []) or user_id in side.backup_ids
            ),
            sides[0],
        )
        return await side.name_of(user_id)

    async def _notice(self, case: Case, key: str, **params: str) -> None:
        async with self._write() as tx:
            await self._notice_in(tx.outbox, case, self._sides.tr(key, code=case.code, **params))

    async def _notice_in(self, outbox: OutboxWriter, case: Case, text: str) -> None:
        sides = self._sides.of(case)
        for side in sides:
            place = placement(case, reply_to_card=True, home=side is sides[0])
            await to_staff(outbox, side.chat_id, case, html(text, **place), NOTICE)

    def _side_of(self, chat_id: int, case: Case) -> StaffSide:
        return self._sides.of_chat(chat_id) or self._sides.home(case)


def _refused_for_good(error: TelegramError) -> str | None:
    """The text-key suffix for a refusal that no retry mends, or None: "" for a person who
    never started the bot or blocked it, "_no_chat" for an id Telegram does not know."""
    if isinstance(error, Forbidden):
        return ""
    message = error.message.lower()
    if isinstance(error, BadRequest) and ("chat not found" in message or "peer_id" in message):
        return "_no_chat"
    return None
