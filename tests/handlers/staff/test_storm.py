"""Staff under a storm (issue 17): a staff group whose minute is full holds no update of
that group behind a handler's send, over the emulator with Telegram's limits on."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from bot.rate_limits import SendingRateLimiter
from tests.conftest import DUTY_ID, STAFF_CHAT_ID, Harness, HarnessFactory, _in_flight
from tests.handlers.case_helpers import code_in, request_case

GROUP_PER_MINUTE = 3
CROWD = 6
BURST = 8
LIMITS = {"limits": {"telegram_per_second": 30, "telegram_group_per_minute": GROUP_PER_MINUTE}}


def _limiter(bot: Harness) -> SendingRateLimiter:
    assert bot.application is not None
    limiter = bot.application.bot.rate_limiter
    assert isinstance(limiter, SendingRateLimiter)
    return limiter


async def _fill_the_groups_minute(bot: Harness) -> None:
    assert bot.application is not None
    for n in range(_limiter(bot).room(STAFF_CHAT_ID) or 0):
        await bot.application.bot.send_message(STAFF_CHAT_ID, f"notice {n}")
    assert _limiter(bot).room(STAFF_CHAT_ID) == 0


async def _handlers_done(bot: Harness) -> None:
    """Every update sent so far handled (the outbox may still hold their messages)."""
    await bot.emulator.wait_until(lambda: not bot.emulator.pending_updates(), timeout=30)
    assert bot.application is not None
    async with asyncio.timeout(30):
        # PTB offers no event for "every update handled"; the sleep only yields.
        while not bot.application.update_queue.empty() or _in_flight(bot.application):  # noqa: ASYNC110
            await asyncio.sleep(0.005)


def _next_minute(bot: Harness) -> None:
    """Telegram's sliding minute and the bot's both move on (no waiting for time to pass)."""
    bot.emulator.advance_time(61.0)
    _limiter(bot)._clock = lambda: time.monotonic() + 61.0
    _limiter(bot)._pump()


async def test_a_take_behind_a_command_waiting_for_the_full_group_is_answered_at_once(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(LIMITS)
    await bot.duty.send("/start")
    await bot.handled()
    bot.emulator.enforce_rate_limits(global_per_second=30, group_per_minute=GROUP_PER_MINUTE)
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    told = await user.wait_for_bot_message(lambda m: "получил сигнал" in (m.text or ""))
    code = code_in(told.text or "")
    card = await bot.group.wait_for_bot_message(lambda m: code in m.content and bool(m.buttons))
    await bot.handled()
    await _fill_the_groups_minute(bot)

    # /onduty's answer waits for the group's next slot, a minute away ...
    await bot.staff.send_in(bot.group, "/onduty")
    await bot.emulator.wait_until(lambda: _limiter(bot)._schedule.waiting() == 1)
    # ... and "I take it" pressed behind it is answered and stored meanwhile.
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.staff.press_data(f"case:take:{case.id}", message_id=card.message_id, chat=bot.group)
    await bot.emulator.wait_until(
        lambda: any(a.user_id == bot.staff.id for a in bot.emulator.callback_answers)
    )
    answer = next(a for a in bot.emulator.callback_answers if a.user_id == bot.staff.id)
    assert answer.text == bot.tr("kk", "staff.you_took", code=code)
    taken = await bot.services.cases.by_code(code)
    assert taken is not None and taken.taken_by == bot.staff.id
    on_duty = bot.tr("kk", "staff.on_duty", names="Dilnaz", backups="Bolat")
    assert not [m for m in bot.group.bot_messages() if m.text == on_duty]

    # The group's edits and the /onduty answer follow as its window allows, in order.
    _next_minute(bot)
    said = await bot.group.wait_for_bot_message(lambda m: m.text == on_duty)
    assert said.message_id > card.message_id
    await bot.handled()
    assert not [r for r in bot.emulator.requests if r.status == 429]


async def test_alerts_waiting_for_one_person_merge_into_one_direct_message(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot()
    await bot.duty.send("/start")
    await bot.handled()
    dms_before = len(bot.duty.bot_messages())
    # The outbox holds its messages while the crowd presses /sos: as a storm's alerts wait
    # for their turn behind the villagers' own answers.
    await bot.services.delivery.stop()
    people = [bot.user(f"Crowd{n}") for n in range(CROWD)]
    for person in people:
        await bot.onboard(person, "ru")
    for person in people:
        await person.send("/sos")
    await _handlers_done(bot)
    codes = []
    for person in people:
        case = await bot.services.cases.open_case_of(person.id)
        assert case is not None
        codes.append(case.code)
    assert len(await bot.services.outbox.lane(DUTY_ID, 1)) == CROWD
    bot.services.delivery.start()
    await bot.handled()
    # One message tells the on-duty psychologist of every case, in the order they came.
    dms = bot.duty.bot_messages()[dms_before:]
    assert len(dms) == 1
    text = dms[0].text or ""
    assert sorted(codes, key=text.index) == codes
    assert text.count(bot.tr("kk", "duty_alert.group")) == CROWD
    assert not await bot.services.outbox.lane(DUTY_ID, 1)


async def test_a_villagers_burst_folds_into_one_relay(start_bot: HarnessFactory) -> None:
    bot = await start_bot()
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await bot.handled()
    # The gap outlasts the test: the tick hands the burst on (its timer would, a second on).
    bot.services.cases.relay.burst_gap = 600.0
    before = len(bot.group.bot_messages())
    burst = [f"сообщение номер {n}" for n in range(BURST)]
    for text in burst:
        await user.send(text)
    await _handlers_done(bot)
    await bot.group.wait_for_bot_message(lambda m: burst[0] in (m.text or ""))
    # Delivery knows a batch is still to come.
    idle = asyncio.create_task(bot.services.delivery.wait_idle())
    await asyncio.sleep(0)
    assert not idle.done()
    relays = bot.group.bot_messages()[before:]
    # The first goes at once (a conversation is live); the rest wait out the gap ...
    assert len(relays) == 1 and burst[0] in (relays[0].text or "")
    assert all(text not in (relays[0].text or "") for text in burst[1:])
    bot.advance(timedelta(seconds=10))
    await bot.run_due_work()
    await bot.handled()
    assert idle.done()
    # ... and go as one relay, in order: two messages for the whole burst, not one each.
    relays = [m for m in bot.group.bot_messages()[before:] if code in (m.text or "")]
    assert len(relays) == 2
    text = relays[1].text or ""
    assert sorted(burst[1:], key=text.index) == burst[1:]
