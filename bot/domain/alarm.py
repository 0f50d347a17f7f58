"""The urgent decision: what happens, and what she is told, when she says she is in danger.

Three things raise an alarm (a /sos or "Danger now", the tap that sends a danger text to a
psychologist, danger words inside her open case's conversation); they all go through
`next_step` and `status_after`, and what she reads comes from `what_she_is_told` alone.
bot/cases/alarm.py carries the steps out against the database.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class AlarmStep(StrEnum):
    """What to do with an alarm, from what is known of her before anything is written."""

    ASK_CONSENT = "ask_consent"  # nothing may be stored: the numbers and a one-tap consent
    REFUSE_BLOCKED = "refuse_blocked"  # her cases are not accepted: the numbers only
    MAKE_URGENT = "make_urgent"  # her open case turns urgent and staff are alerted
    ALERT_AGAIN = "alert_again"  # her case is urgent already: its people hear it again
    NOTHING_MORE = "nothing_more"  # danger in the conversation of an urgent case: relayed
    OPEN_CASE = "open_case"  # a new urgent case (the daily limit is checked as it is written)


class AlarmStatus(StrEnum):
    """What she must be told once the alarm was raised."""

    ALERTED = "alerted"  # someone on duty was alerted
    TAKEN = "taken"  # her case is taken: whoever took it heard it, on duty or not
    NOBODY_ON_DUTY = "nobody_on_duty"  # stored, but nobody is on duty now: call 111/112
    BLOCKED = "blocked"
    DAILY_LIMIT = "daily_limit"
    NO_CONSENT = "no_consent"
    HEARD_ALREADY = "heard_already"  # relayed into an urgent case: nothing more to say
    # Her words went into the case whose alarm she raised moments ago (a double tap: nobody
    # is alerted again, and she is not told the same status twice).
    WORDS_ADDED = "words_added"


# Stands for the emergency numbers block among the text keys.
NUMBERS: Final = "emergency.numbers"


def next_step(
    *, consented: bool, blocked: bool, open_case_urgent: bool | None, in_conversation: bool
) -> AlarmStep:
    """`open_case_urgent`: None without an open case. `in_conversation`: the danger was
    written into her open case (already relayed there), not a /sos or a tap."""
    if not consented:
        return AlarmStep.ASK_CONSENT
    if blocked:
        return AlarmStep.REFUSE_BLOCKED
    if open_case_urgent is None:
        return AlarmStep.OPEN_CASE
    if not open_case_urgent:
        return AlarmStep.MAKE_URGENT
    # Words in the thread of an urgent case are one more line the staff read; a /sos or a
    # tap is her asking again, and they hear it (a double tap only once, bot/cases/intake.py).
    return AlarmStep.NOTHING_MORE if in_conversation else AlarmStep.ALERT_AGAIN


def status_after(*, taken: bool, on_duty: bool) -> AlarmStatus:
    """Who heard it: whoever took her case counts, even off duty at night; else the rota."""
    if taken:
        return AlarmStatus.TAKEN
    return AlarmStatus.ALERTED if on_duty else AlarmStatus.NOBODY_ON_DUTY


_STATUS_KEYS: Final[dict[AlarmStatus, tuple[str, ...]]] = {
    AlarmStatus.ALERTED: ("request.alerted",),
    AlarmStatus.TAKEN: ("request.alerted_taken",),
    AlarmStatus.NOBODY_ON_DUTY: ("request.nobody_on_duty",),
    AlarmStatus.BLOCKED: (),
    AlarmStatus.DAILY_LIMIT: ("request.daily_limit_sos",),
    AlarmStatus.NO_CONSENT: ("sos.no_consent",),
    AlarmStatus.HEARD_ALREADY: (),
    AlarmStatus.WORDS_ADDED: ("conversation.passed_on",),
}


def what_she_is_told(
    status: AlarmStatus, *, numbers_on_screen: bool, asked_nothing: bool
) -> tuple[str, ...]:
    """The text keys she reads, in order (`NUMBERS` for the emergency numbers).

    `numbers_on_screen`: the screen she pressed shows the numbers already, so they are not
    repeated, except to a blocked person, for whom they are the whole answer.
    `asked_nothing`: a case was opened without a word from her (a /sos): she is asked to
    write if she can."""
    if status is AlarmStatus.HEARD_ALREADY:
        return ()
    numbers = () if numbers_on_screen and status is not AlarmStatus.BLOCKED else (NUMBERS,)
    keys = _STATUS_KEYS[status]
    reached = status in (AlarmStatus.ALERTED, AlarmStatus.TAKEN, AlarmStatus.NOBODY_ON_DUTY)
    if asked_nothing and reached:
        keys = (*keys, "sos.write_if_you_can")
    return (*numbers, *keys)
