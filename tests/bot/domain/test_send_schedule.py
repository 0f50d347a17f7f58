"""The send schedule, driven by a simulated clock: which send goes when."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from bot.domain.send_schedule import ORDINARY_AT_ONCE, Priority, SendSchedule, Ticket, Window

ORDINARY, U = Priority.ORDINARY, Priority.URGENT
GROUP, ALICE, BOB = -100, 1, 2


@dataclass(frozen=True)
class Send:
    at: float
    chat: int | None
    priority: Priority = ORDINARY
    # Telegram answers 429 with this retry_after to the first attempt of this send.
    too_many: float | None = None


@dataclass(frozen=True)
class Sent:
    index: int
    started: float
    answered: float
    order: int


def simulate(
    schedule: SendSchedule, sends: list[Send], latency: float = 0.01, until: float = 600.0
) -> list[Sent]:
    """Submits each send at its time, starts what the schedule lets out, answers each
    request ``latency`` later; returns the successful attempts in the order they were let out."""
    now = 0.0
    pending = sorted(range(len(sends)), key=lambda i: sends[i].at)
    index_of: dict[Ticket, int] = {}
    flying: list[tuple[float, Ticket, float]] = []
    let_out: dict[Ticket, int] = {}
    turns = itertools.count()
    answered_429: set[int] = set()
    done: list[Sent] = []
    while now <= until:
        while pending and sends[pending[0]].at <= now:
            i = pending.pop(0)
            index_of[schedule.submit(sends[i].chat, sends[i].priority, now)] = i
        for end, ticket, started in [f for f in flying if f[0] <= now]:
            flying.remove((end, ticket, started))
            i = index_of[ticket]
            too_many = sends[i].too_many
            if too_many is not None and i not in answered_429:
                answered_429.add(i)
                schedule.finish(ticket, now, retry_after=too_many)
            else:
                schedule.finish(ticket, now)
                done.append(Sent(i, started, end, let_out[ticket]))
        for ticket in schedule.admit(now):
            let_out[ticket] = next(turns)
            flying.append((now + latency, ticket, now))
        times = [f[0] for f in flying]
        if pending:
            times.append(sends[pending[0]].at)
        change = schedule.next_change(now)
        if change is not None:
            times.append(change)
        if not times:
            break
        now = min(times)
    done.sort(key=lambda sent: sent.order)
    return done


def most_in_any_window(moments: list[float], seconds: float) -> int:
    moments = sorted(moments)
    return max(sum(1 for other in moments if start <= other < start + seconds) for start in moments)


def schedule(overall: int = 5, group: int = 3) -> SendSchedule:
    return SendSchedule(Window(overall, 1.0), Window(group, 60.0), starving_after=10.0)


def test_a_lone_send_goes_at_once() -> None:
    sent = simulate(schedule(), [Send(3.25, ALICE)])
    assert [(s.index, s.started) for s in sent] == [(0, 3.25)]


def test_a_burst_of_40_never_puts_more_than_the_limit_in_a_sliding_second() -> None:
    limit = 29
    sent = simulate(
        SendSchedule(Window(limit, 1.0), Window(20, 60.0)),
        [Send(0.0, n) for n in range(40)],
    )
    assert len(sent) == 40
    # A few go at once, the rest one every 1/29 s (a slot frees every 34 ms for an urgent
    # send, not all at once a second later); the 30th once the first has left the second.
    starts = [s.started for s in sent]
    assert starts[:ORDINARY_AT_ONCE] == [0.0] * ORDINARY_AT_ONCE
    gaps = [b - a for a, b in itertools.pairwise(starts[ORDINARY_AT_ONCE - 1 : limit])]
    assert all(gap == pytest.approx(1.0 / limit) for gap in gaps)
    assert starts[limit] >= 1.0
    assert 40 / (starts[-1] - starts[0]) > 0.9 * limit  # the burst's rate stays at the limit
    # Telegram counts each somewhere between start and answer: either way, never too many.
    assert most_in_any_window([s.started for s in sent], 1.0) <= limit
    assert most_in_any_window([s.answered for s in sent], 1.0) <= limit


@pytest.mark.parametrize(
    ("sends", "expected"),
    [
        # Sends to one group: the 21st waits until the first answer is a minute old.
        ([Send(0.0, GROUP)] * 3 + [Send(5.0, GROUP)], [0.0, 0.0, 0.0, 60.01]),
        # A private chat meanwhile goes at once.
        ([Send(0.0, GROUP)] * 4 + [Send(1.0, ALICE)], [0.0, 0.0, 0.0, 1.0, 60.01]),
        # Spread sends leave the window one by one: a sliding minute, not a fixed one.
        (
            [Send(0.0, GROUP), Send(20.0, GROUP), Send(40.0, GROUP), Send(41.0, GROUP)],
            [0.0, 20.0, 40.0, 60.01],
        ),
    ],
)
def test_a_group_gets_its_limit_in_any_sliding_minute(
    sends: list[Send], expected: list[float]
) -> None:
    sent = simulate(schedule(group=3), sends)
    assert [round(s.started, 2) for s in sent] == expected


@pytest.mark.parametrize(
    ("sends", "order"),
    [
        # Six ordinary sends queued behind a full second; the urgent one goes first.
        ([Send(0.0, n) for n in range(1, 12)] + [Send(0.5, 99, U)], [*range(5), 11, *range(5, 11)]),
        # Urgent for the group overtakes ordinary sends queued for other chats: they are
        # spaced once a few went, so it goes at once.
        ([Send(0.0, n) for n in range(1, 8)] + [Send(0.1, GROUP, U)], [0, 1, 2, 7, 3, 4, 5, 6]),
        # Within one chat too, urgent goes before what was queued there.
        ([Send(0.0, ALICE)] * 7 + [Send(0.2, ALICE, U)], [0, 1, 2, 7, 3, 4, 5, 6]),
    ],
)
def test_urgent_overtakes_queued_ordinary_sends(sends: list[Send], order: list[int]) -> None:
    sent = simulate(schedule(overall=5), sends)
    assert [s.index for s in sent] == order


def test_a_held_back_urgent_send_does_not_hold_back_an_ordinary_one_for_another_chat() -> None:
    # The group is full: its urgent card waits there, a DM goes at once.
    sends = [Send(0.0, GROUP)] * 3 + [Send(1.0, GROUP, U), Send(2.0, ALICE)]
    sent = simulate(schedule(group=3), sends)
    assert [(s.index, round(s.started, 2)) for s in sent][3:] == [(4, 2.0), (3, 60.01)]


def test_an_ordinary_send_does_not_starve_behind_a_stream_of_urgent_ones() -> None:
    # Ten urgent sends a second arrive for half a minute, twice what may go; the ordinary
    # one, queued behind the first burst, still goes once it has waited ``starving_after``.
    burst = [Send(0.0, 1000 + n, U) for n in range(5)]
    stream = [Send(t / 10, 2000 + t, U) for t in range(1, 300)]
    sent = simulate(schedule(overall=5), [Send(0.005, ALICE), *burst, *stream])
    ordinary = next(s for s in sent if s.index == 0)
    assert 10.0 <= ordinary.started < 12.0
    assert all(s.started <= ordinary.started for s in sent if s.index in range(1, 6))
    assert most_in_any_window([s.answered for s in sent], 1.0) <= 5


@pytest.mark.parametrize(
    ("sends", "expected"),
    [
        # 429 for the group (retry after 30): only the group waits; the DMs go on.
        (
            [Send(0.0, GROUP, too_many=30.0), Send(1.0, ALICE), Send(2.0, GROUP), Send(3.0, BOB)],
            [(1, 1.0), (3, 3.0), (0, 30.01), (2, 30.01)],
        ),
        # 429 for a private chat: that chat waits, the group does not.
        (
            [Send(0.0, ALICE, too_many=5.0), Send(0.5, ALICE), Send(1.0, GROUP)],
            [(2, 1.0), (0, 5.01), (1, 5.01)],
        ),
    ],
)
def test_a_429_holds_back_only_its_chat(
    sends: list[Send], expected: list[tuple[int, float]]
) -> None:
    sent = simulate(schedule(group=20), sends)
    assert [(s.index, round(s.started, 2)) for s in sent] == expected


def test_a_private_chat_window_keeps_its_sends_apart() -> None:
    spaced = SendSchedule(Window(30, 1.0), Window(20, 60.0), private=Window(2, 2.0))
    sent = simulate(spaced, [Send(0.0, ALICE)] * 3 + [Send(0.0, BOB)], latency=0.0)
    assert [(s.index, s.started) for s in sent] == [(0, 0.0), (1, 0.0), (3, 0.0), (2, 2.0)]


def test_a_cancelled_send_leaves_the_queue() -> None:
    plan = schedule(overall=1)
    first = plan.submit(ALICE, ORDINARY, 0.0)
    assert plan.admit(0.0) == [first]
    second, third = plan.submit(BOB, ORDINARY, 0.0), plan.submit(BOB, U, 0.0)
    plan.cancel(third)
    plan.finish(first, 0.1)
    assert plan.admit(1.1) == [second]
    assert plan.waiting() == 0


@pytest.mark.parametrize(
    ("per_period", "period", "margin", "expected"),
    [
        (30.0, 1.0, 1, Window(29, 1.0)),
        (20.0, 60.0, 0, Window(20, 60.0)),
        (1.5, 1.0, 1, Window(1, 1.0)),
        (0.5, 1.0, 0, Window(1, 2.0)),
        (20.7, 60.0, 0, Window(20, 60.0)),
    ],
)
def test_a_window_from_a_configured_rate(
    per_period: float, period: float, margin: int, expected: Window
) -> None:
    assert Window.from_rate(per_period, period, margin) == expected


def test_with_a_transit_a_slot_is_free_again_one_window_after_it_left_not_after_the_answer() -> (
    None
):
    limit, transit, latency = 29, 0.05, 0.3
    sends = [Send(0.0, n) for n in range(60)]
    counted_from_answer = simulate(
        SendSchedule(Window(limit, 1.0), Window(20, 60.0)), sends, latency
    )
    counted_from_leaving = simulate(
        SendSchedule(Window(limit, 1.0), Window(20, 60.0), transit=transit), sends, latency
    )
    # The 30th goes once the first is out of the window: a second after its answer, or
    # a second and the transit after it left; and so on for the burst's second second.
    assert round(counted_from_answer[limit].started, 2) == 1.3
    assert round(counted_from_leaving[limit].started, 2) == 1.05
    assert counted_from_leaving[-1].started < counted_from_answer[-1].started - 0.4
    # Each reaches Telegram within ``transit`` of leaving: never more than the limit in a second.
    for arrival in (0.0, transit):
        moments = [s.started + arrival for s in counted_from_leaving]
        assert most_in_any_window(moments, 1.0) <= limit


def test_with_a_transit_a_fast_answer_still_counts_from_the_answer() -> None:
    plan = SendSchedule(Window(1, 1.0), Window(20, 60.0), transit=0.05)
    first = plan.submit(ALICE, ORDINARY, 0.0)
    assert plan.admit(0.0) == [first]
    plan.finish(first, 0.01)
    second = plan.submit(BOB, ORDINARY, 0.5)
    assert plan.admit(1.0) == []
    assert plan.admit(1.01) == [second]


def test_a_turn_given_back_frees_its_slot_and_room_counts_the_group_window() -> None:
    plan = schedule(overall=5, group=3)
    assert plan.room(GROUP, 0.0) == 3
    tickets = [plan.submit(GROUP, U, 0.0) for _ in range(3)]
    assert plan.admit(0.0) == tickets
    assert plan.room(GROUP, 0.0) == 0
    plan.give_back(tickets[2])
    plan.finish(tickets[0], 0.1)
    assert plan.room(GROUP, 0.1) == 1
    assert plan.room(GROUP, 60.1) == 2
    assert plan.room(ALICE, 0.0) is None


def test_urgent_sends_take_turns_between_centres() -> None:
    """One centre's storm (30 alerts) does not hold back another centre's one alert."""
    schedule = SendSchedule(Window(3, 1.0), Window(20, 60.0))
    storm = [schedule.submit(100 + n, U, 0.0, share="A") for n in range(30)]
    other = schedule.submit(GROUP, U, 0.01, share="B")
    assert schedule.admit(0.01) == [storm[0], other, storm[1]]
    # Within a share the order of submission holds.
    for ticket in (storm[0], other, storm[1]):
        schedule.finish(ticket, 0.02)
    assert schedule.admit(1.1) == storm[2:5]


def test_a_chats_sends_keep_their_order_across_shares() -> None:
    schedule = SendSchedule(Window(10, 1.0), Window(20, 60.0))
    first = schedule.submit(ALICE, U, 0.0, share="A")
    second = schedule.submit(ALICE, U, 0.0, share="B")
    assert schedule.admit(0.0) == [first, second]
    held = SendSchedule(Window(10, 1.0), Window(20, 60.0))
    a1 = held.submit(BOB, U, 0.0, share="A")
    a2 = held.submit(ALICE, U, 0.0, share="A")
    b1 = held.submit(ALICE, U, 0.0, share="B")
    # ALICE's send of share B waits behind her earlier send of share A, which waits its
    # share's turn behind BOB's.
    assert held.admit(0.0) == [a1, a2, b1]
