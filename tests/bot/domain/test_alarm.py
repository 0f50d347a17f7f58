"""The urgent decision's pure rules (bot/domain/alarm.py), by tables."""

from __future__ import annotations

import pytest

from bot.domain.alarm import (
    NUMBERS,
    AlarmStatus,
    AlarmStep,
    next_step,
    status_after,
    what_she_is_told,
)


@pytest.mark.parametrize(
    ("consented", "blocked", "open_case_urgent", "in_conversation", "step"),
    [
        (False, False, None, False, AlarmStep.ASK_CONSENT),
        (False, True, True, False, AlarmStep.ASK_CONSENT),
        (True, True, None, False, AlarmStep.REFUSE_BLOCKED),
        (True, True, False, True, AlarmStep.REFUSE_BLOCKED),
        (True, False, None, False, AlarmStep.OPEN_CASE),
        (True, False, None, True, AlarmStep.OPEN_CASE),
        (True, False, False, False, AlarmStep.MAKE_URGENT),
        (True, False, False, True, AlarmStep.MAKE_URGENT),
        (True, False, True, False, AlarmStep.ALERT_AGAIN),
        (True, False, True, True, AlarmStep.NOTHING_MORE),
    ],
)
def test_next_step(
    consented: bool,
    blocked: bool,
    open_case_urgent: bool | None,
    in_conversation: bool,
    step: AlarmStep,
) -> None:
    assert (
        next_step(
            consented=consented,
            blocked=blocked,
            open_case_urgent=open_case_urgent,
            in_conversation=in_conversation,
        )
        is step
    )


@pytest.mark.parametrize(
    ("taken", "on_duty", "status"),
    [
        (False, True, AlarmStatus.ALERTED),
        (False, False, AlarmStatus.NOBODY_ON_DUTY),
        # At night, a case someone took is not "nobody is there" (issue 17).
        (True, False, AlarmStatus.TAKEN),
        (True, True, AlarmStatus.TAKEN),
    ],
)
def test_status_after(taken: bool, on_duty: bool, status: AlarmStatus) -> None:
    assert status_after(taken=taken, on_duty=on_duty) is status


@pytest.mark.parametrize(
    ("status", "on_screen", "asked_nothing", "keys"),
    [
        (AlarmStatus.ALERTED, False, False, (NUMBERS, "request.alerted")),
        (AlarmStatus.ALERTED, True, False, ("request.alerted",)),
        (
            AlarmStatus.ALERTED,
            False,
            True,
            (NUMBERS, "request.alerted", "sos.write_if_you_can"),
        ),
        (AlarmStatus.TAKEN, True, False, ("request.alerted_taken",)),
        (
            AlarmStatus.NOBODY_ON_DUTY,
            True,
            True,
            ("request.nobody_on_duty", "sos.write_if_you_can"),
        ),
        (AlarmStatus.BLOCKED, False, False, (NUMBERS,)),
        # The numbers are all a blocked person is told, on screen or not.
        (AlarmStatus.BLOCKED, True, False, (NUMBERS,)),
        (AlarmStatus.DAILY_LIMIT, False, True, (NUMBERS, "request.daily_limit_sos")),
        (AlarmStatus.NO_CONSENT, False, True, (NUMBERS, "sos.no_consent")),
        (AlarmStatus.HEARD_ALREADY, False, False, ()),
        (AlarmStatus.WORDS_ADDED, True, False, ("conversation.passed_on",)),
    ],
)
def test_what_she_is_told(
    status: AlarmStatus, on_screen: bool, asked_nothing: bool, keys: tuple[str, ...]
) -> None:
    told = what_she_is_told(status, numbers_on_screen=on_screen, asked_nothing=asked_nothing)
    assert told == keys


def test_every_status_is_told_something_or_deliberately_nothing() -> None:
    for status in AlarmStatus:
        told = what_she_is_told(status, numbers_on_screen=False, asked_nothing=False)
        assert told or status is AlarmStatus.HEARD_ALREADY
