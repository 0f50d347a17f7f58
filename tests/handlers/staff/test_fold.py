"""Many urgent cases at once fold into one staff-group message (issue 9), over the
emulator with Telegram's limits on: the group takes 3 messages a minute here."""

from __future__ import annotations

import asyncio
import time

from bot.cases.fold import FOLD_TAKE_PREFIX
from bot.domain.codes import CODE_RE
from bot.rate_limits import SendingRateLimiter
from sandbox import SimMessage, SimUser
from tests.conftest import STAFF_CHAT_ID, Harness, HarnessFactory
from tests.handlers.case_helpers import assert_no_user_identity, code_in

GROUP_PER_MINUTE = 3
CROWD = 6
LIMITS = {"limits": {"telegram_per_second": 30, "telegram_group_per_minute": GROUP_PER_MINUTE}}


async def _crowd_presses_sos(bot: Harness) -> list[str]:
    """CROWD consented villagers press /sos at once; their case codes."""
    services, now = bot.services, bot.clock.now()
    people: list[SimUser] = [bot.user(f"Crowd{n}") for n in range(CROWD)]
    for person in people:
        person.started = True
        await services.users.set_language(person.id, "ru", now)
        await services.users.give_consent(person.id, now)
    await asyncio.gather(*(person.send("/sos") for person in people))
    codes = []
    for person in people:
        told = await person.wait_for_bot_message(lambda m: CODE_RE.search(m.text or "") is not None)
        codes.append(code_in(told.text or ""))
    assert_no_user_identity(bot, *people)
    return codes


async def _next_minute_sent(bot: Harness, minute: int) -> None:
    before = len(bot.emulator.requests)
    _next_minute(bot, minute)
    await bot.emulator.wait_until(lambda: len(bot.emulator.requests) > before, 20)


def _from_bot(bot: Harness) -> list[SimMessage]:
    return [m for m in bot.group.messages() if m.from_bot]


async def _ids(bot: Harness, codes: list[str]) -> list[int]:
    found = [await bot.services.cases.by_code(code) for code in codes]
    return [case.id for case in found if case is not None]


def _is_list(message: SimMessage) -> bool:
    return any((data or "").startswith(FOLD_TAKE_PREFIX) for _, data in message.buttons)


def _next_minute(bot: Harness, minutes: int) -> None:
    """Telegram's sliding minute and the bot's both move on (no waiting for time to pass)."""
    bot.emulator.advance_time(61.0)
    assert bot.application is not None
    limiter = bot.application.bot.rate_limiter
    assert isinstance(limiter, SendingRateLimiter)
    limiter._clock = lambda: time.monotonic() + 61.0 * minutes


async def test_urgent_cards_behind_a_full_group_fold_into_one_message_and_take_the_right_case(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(LIMITS)
    await bot.duty.send("/start")
    await bot.handled()
    bot.emulator.enforce_rate_limits(global_per_second=30, group_per_minute=GROUP_PER_MINUTE)
    # The group's minute is full (booking notices, say) when the crowd presses /sos.
    assert bot.application is not None
    for n in range(GROUP_PER_MINUTE):
        await bot.application.bot.send_message(STAFF_CHAT_ID, f"notice {n}")
    codes = await _crowd_presses_sos(bot)
    assert not any(_is_list(m) for m in bot.group.messages())
    _next_minute(bot, 1)
    listed = await bot.group.wait_for_bot_message(_is_list, timeout=20)
    await bot.emulator.wait_until(lambda: len(_from_bot(bot)) == 2 * GROUP_PER_MINUTE, 20)
    # With the group's next free slot every waiting case is there, each with its own
    # "I take it"; the minute's other slots carry the first cards.
    assert all(code in (listed.text or "") for code in codes)
    in_list = codes
    # In the order the cases came (their row ids), each button naming its own case.
    assert [data for _, data in listed.buttons] == [
        f"{FOLD_TAKE_PREFIX}{case_id}" for case_id in sorted(await _ids(bot, codes))
    ]
    for text, data in listed.buttons:
        case = await bot.services.cases.get(int((data or "").removeprefix(FOLD_TAKE_PREFIX)))
        assert case is not None and case.code in text
    assert not [r for r in bot.emulator.requests if r.status == 429]

    # "I take it" on the list takes that case and no other.
    data = next(d for text, d in listed.buttons if d and in_list[-1] in text)
    await bot.staff.press_data(data, message_id=listed.message_id, chat=bot.group)
    await bot.emulator.wait_until(
        lambda: any(a.user_id == bot.staff.id for a in bot.emulator.callback_answers)
    )
    taken = await bot.services.cases.by_code(in_list[-1])
    assert taken is not None and taken.taken_by == bot.staff.id
    for code in codes:
        if code != taken.code:
            other = await bot.services.cases.by_code(code)
            assert other is not None and other.taken_at is None

    # A case taken from its card (or by a reply) edits the list too, in the same write.
    first = await bot.services.cases.by_code(in_list[0])
    assert first is not None
    await bot.services.cases.staff_actions.take(first, bot.duty.id, "Dilnaz")

    # As the minutes pass the list says who took it, and every card arrives: the taken
    # case's card without "I take it", saying who took it.
    for minute in range(2, 2 * CROWD):
        if not await bot.services.outbox.lane(STAFF_CHAT_ID, 1):
            break
        await _next_minute_sent(bot, minute)
    await bot.handled()
    labels = [text for text, _ in bot.group.message(listed.message_id).buttons]
    assert bot.tr("kk", "fold.taken", code=taken.code, name="Saule") in labels
    assert bot.tr("kk", "fold.taken", code=first.code, name="Dilnaz") in labels
    cards = [m for m in _from_bot(bot) if not _is_list(m)]
    for code in codes:
        assert any(code in (m.text or "") for m in cards)
    card = next(m for m in cards if taken.code in (m.text or ""))
    assert "Saule" in (card.text or "")
    assert not any((d or "").startswith("case:take:") for _, d in card.buttons)
    assert not [r for r in bot.emulator.requests if r.status == 429]
