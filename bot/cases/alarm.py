"""Raising an alarm: the one place that decides what happens when she says she is in
danger, whatever door it came through (a /sos, the tap under danger words, danger words
in her conversation). The decision is bot/domain/alarm.py; this carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.cases.intake import DailyLimitReached, Intake
from bot.cases.relay import Relay
from bot.clock import Clock
from bot.config import Settings
from bot.domain.alarm import AlarmStatus, AlarmStep, next_step, status_after, what_she_is_told
from bot.domain.case_rules import UNKNOWN_CATEGORY
from bot.domain.language import Language
from bot.domain.triage import UrgencyReason
from storage.cases import Case, CaseRepository
from storage.users import User, UserRepository


@dataclass(frozen=True)
class Person:
    """Who raises the alarm: her chat's user id, the language to store if she has none yet,
    and the centre a poster's link named (hers if she has not chosen one)."""

    user_id: int
    language: Language
    center_hint: str | None = None


@dataclass(frozen=True)
class Sos:
    """/sos or "Danger now". `consents`: pressed under the consent offer (the tap is her
    consent: someone in danger must not walk through /start first)."""

    consents: bool = False


@dataclass(frozen=True)
class DangerText:
    """ "Send to a psychologist now" under danger words; the tap is her consent. `text` is ""
    when a restart or the quick exit forgot it (she still asked for help now)."""

    text: str


@dataclass(frozen=True)
class DangerInConversation:
    """Danger words written into her open case, already stored and relayed there."""

    text: str


Trigger = Sos | DangerText | DangerInConversation


@dataclass(frozen=True)
class Alarm:
    status: AlarmStatus
    # Her case, when there is one to speak of (opened now, or the open one).
    case: Case | None
    # Her language as stored (or as given, before consent).
    language: Language
    # A case opened now without a word from her: she is asked to write if she can.
    asked_nothing: bool = False

    @property
    def code(self) -> str:
        """Her case's code ("" without a case)."""
        return self.case.code if self.case is not None else ""

    def told(self, *, numbers_on_screen: bool) -> tuple[str, ...]:
        """The text keys she reads (bot/domain/alarm.py `what_she_is_told`)."""
        return what_she_is_told(
            self.status, numbers_on_screen=numbers_on_screen, asked_nothing=self.asked_nothing
        )


class Alarms:
    def __init__(
        self,
        *,
        intake: Intake,
        relay: Relay,
        records: CaseRepository,
        users: UserRepository,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self._intake = intake
        self._relay = relay
        self._records = records
        self._users = users
        self._settings = settings
        self._clock = clock

    async def raise_alarm(self, person: Person, trigger: Trigger) -> Alarm:
        user = await self._users.get(person.user_id)
        # The tap under danger words, or under the consent offer, is her consent.
        if isinstance(trigger, DangerText) or (isinstance(trigger, Sos) and trigger.consents):
            user = await self._consent(person, user)
        language = user.language if user is not None else person.language
        consented = user is not None and user.has_consented
        blocked = consented and await self._records.is_user_blocked(person.user_id)
        case = await self._records.open_case_of(person.user_id) if consented else None
        step = next_step(
            consented=consented,
            blocked=blocked,
            open_case_urgent=None if case is None else case.urgent,
            in_conversation=isinstance(trigger, DangerInConversation),
        )
        if step is AlarmStep.ASK_CONSENT:
            return Alarm(AlarmStatus.NO_CONSENT, None, language)
        if step is AlarmStep.REFUSE_BLOCKED:
            return Alarm(AlarmStatus.BLOCKED, None, language)
        if step is AlarmStep.OPEN_CASE:
            return await self._open(person.user_id, language, trigger)
        assert case is not None
        return await self._on_open_case(case, language, trigger, step)

    async def _consent(self, person: Person, user: User | None) -> User:
        now = self._clock.now()
        if user is None:
            await self._users.set_language(person.user_id, person.language, now)
        if user is None or not user.has_consented:
            await self._users.give_consent(person.user_id, now)
        named = person.center_hint
        # Her case goes to the centre her poster named, not to every centre of the region.
        unchosen = user is None or user.center_id is None
        if named is not None and unchosen and self._settings.center(named) is not None:
            await self._users.set_center(person.user_id, named)
        fresh = await self._users.get(person.user_id)
        assert fresh is not None
        return fresh

    async def _open(self, user_id: int, language: Language, trigger: Trigger) -> Alarm:
        text = "" if isinstance(trigger, Sos) else trigger.text
        try:
            opened = await self._intake.open_case(
                user_id=user_id,
                language=language,
                category=UNKNOWN_CATEGORY,
                story_texts=[text] if text else [],
                story_voice=[],
                screen=None,
                reply_by="chat",
                callback_phone=None,
                # Without a word of danger to read, she still asked for help now.
                sos=not text,
            )
        except DailyLimitReached:
            return Alarm(AlarmStatus.DAILY_LIMIT, None, language)
        case = opened.case
        status = status_after(taken=case.taken_at is not None, on_duty=bool(opened.on_duty))
        return Alarm(status, case, language, asked_nothing=isinstance(trigger, Sos))

    async def _on_open_case(
        self, case: Case, language: Language, trigger: Trigger, step: AlarmStep
    ) -> Alarm:
        intake = self._intake
        if step is AlarmStep.NOTHING_MORE:
            return Alarm(AlarmStatus.HEARD_ALREADY, case, language)
        text = "" if isinstance(trigger, Sos) else trigger.text
        if isinstance(trigger, DangerText) and text:
            await self._relay.add_user_message(case, "text", text, None)
        if step is AlarmStep.MAKE_URGENT:
            reasons = [UrgencyReason.DANGER_WORDS if text else UrgencyReason.SOS_BUTTON]
            turned = await intake.make_urgent(case, reasons, text or None)
            if turned is not None:
                return self._told(turned.case, language, bool(turned.on_duty))
            if isinstance(trigger, DangerInConversation):
                # Turned urgent meanwhile by another message: that one answered her.
                return Alarm(AlarmStatus.HEARD_ALREADY, case, language)
        # A double tap alerts nobody a second time. A /sos shows the status again; her
        # words sent right after an alarm are only said to be passed on (she was told the
        # status moments ago).
        alerted = await intake.sos_again(case)
        if not alerted and isinstance(trigger, DangerText) and text:
            return Alarm(AlarmStatus.WORDS_ADDED, case, language)
        fresh = await self._records.get(case.id) or case
        return self._told(fresh, language, bool(await intake.on_duty_now(case.center_id)))

    @staticmethod
    def _told(case: Case, language: Language, on_duty: bool) -> Alarm:
        status = status_after(taken=case.taken_at is not None, on_duty=on_duty)
        return Alarm(status, case, language)
