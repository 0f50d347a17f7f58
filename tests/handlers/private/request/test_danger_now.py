""" "Danger now" (/sos) end to end: the numbers first, the urgent case, the alerts."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.domain.codes import CODE_RE
from handlers.private.request import danger_now
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import (
    assert_no_user_identity,
    code_in,
    plain,
    request_case,
    settle,
)

# The staff group reads the default language of the test config.
STAFF = "kk"


def _case_rows(bot: Harness) -> list[tuple[str, str, int, str]]:
    with sqlite3.connect(bot.settings.storage.path) as db:
        return db.execute("SELECT code, category, urgent, urgent_reasons FROM cases").fetchall()


async def test_sos_from_the_main_menu_alerts_the_group_and_the_duty_psychologist(
    bot: Harness,
) -> None:
    await bot.duty.send("/start")
    user = bot.user("Gulnara", "ru")
    await bot.onboard(user, "ru")
    await user.press("🆘 Опасность сейчас")
    numbers = await user.wait_for_bot_message()
    assert numbers.text is not None and numbers.text.index("102") >= 0
    status = await user.wait_for_bot_message()
    assert "Дежурный психолог получил сигнал" in (status.text or "")
    code = code_in(status.text or "")
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert "ШҰҒЫЛ" in (card.text or "") and "Қазір қауіп бар" in (card.text or "")
    assert any(data == "case:take:1" for _, data in card.buttons)
    dm = await bot.duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert "Шұғыл өтініш" in (dm.text or "")
    await settle(bot)
    assert_no_user_identity(bot, user)


async def test_sos_at_night_says_nobody_is_on_duty_and_reaches_the_backup(
    bot: Harness,
) -> None:
    await bot.backup.send("/start")
    bot.advance(timedelta(hours=12))  # Wednesday 22:00: the rota ends at 18:00
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    status = await user.wait_for_bot_message()
    assert "никто не дежурит" in (status.text or "") and "111" in (status.text or "")
    code = code_in(status.text or "")
    await bot.backup.wait_for_bot_message(lambda m: code in (m.text or ""))


async def test_sos_without_consent_gives_numbers_and_stores_nothing(bot: Harness) -> None:
    user = bot.user()
    await user.send("/sos")
    numbers = await user.wait_for_bot_message()
    assert "112" in (numbers.text or "")
    await user.wait_for_bot_message(lambda m: "/start" in (m.text or ""))
    assert _case_rows(bot) == []
    assert await bot.services.users.get(user.id) is None


async def test_sos_before_consent_is_one_tap_from_the_alert(bot: Harness) -> None:
    """Someone in danger who never pressed /start: numbers, then one tap consents and alerts."""
    await bot.duty.send("/start")
    user = bot.user("Madina", "kk")
    await user.send("/sos")
    offer = await user.wait_for_bot_message(lambda m: len(m.buttons) > 1)
    assert [data for _, data in offer.buttons] == ["sos:consent", "menu:exit"]
    await user.press(bot.tr("kk", "sos.consent_and_alert"))
    status = await user.wait_for_bot_message(lambda m: code_in_or_none(m.text or "") is not None)
    code = code_in(status.text or "")
    await bot.group.wait_for_bot_message(
        lambda m: code in (m.text or "") and "ШҰҒЫЛ" in (m.text or "")
    )
    await bot.duty.wait_for_bot_message(lambda m: code in (m.text or ""))
    stored = await bot.services.users.get(user.id)
    assert stored is not None and stored.has_consented and stored.language == "kk"
    await settle(bot)
    assert_no_user_identity(bot, user)


async def test_sos_on_an_open_case_turns_it_urgent(bot: Harness) -> None:
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    status = await user.wait_for_bot_message()
    assert code in (status.text or "")
    alert = await bot.group.wait_for_bot_message(lambda m: "шұғыл болды" in (m.text or ""))
    assert code in (alert.text or "")
    assert _case_rows(bot) == [(code, "crisis", 1, "sos_button")]


async def test_sos_gives_the_numbers_first_even_when_the_case_cannot_be_stored(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses the new case (a full disk): the numbers still come, first."""
    from storage.cases import CaseStore

    async def disk_full(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    user = bot.user()
    await bot.onboard(user, "ru")
    before = len(user.bot_messages())
    monkeypatch.setattr(CaseStore, "insert", disk_full)
    await user.send("/sos")
    failed = plain(bot.tr("ru", "sos.failed"))[:30]
    await user.wait_for_bot_message(lambda m: failed in (m.text or ""))
    after = user.bot_messages()[before:]
    assert "112" in (after[0].text or "") and "102" in (after[0].text or "")
    assert _case_rows(bot) == []
    # The quick exit stays on screen.
    assert "menu:exit" in [data for _, data in user.bot_messages()[-1].buttons]


async def test_sos_gives_the_numbers_even_when_the_database_cannot_be_read(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even the user's language cannot be read: the numbers still come, with the truth."""
    user = bot.user("Asel", "kk")
    await bot.onboard(user, "kk")

    async def unreadable(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database disk image is malformed")

    monkeypatch.setattr(bot.services.users, "get", unreadable)
    await user.send("/sos")
    answer = await user.wait_for_bot_message(lambda m: "112" in (m.text or ""))
    assert plain(bot.tr("kk", "sos.failed"))[:30] in (answer.text or "")
    assert "menu:exit" in [data for _, data in answer.buttons]


async def test_sos_numbers_come_before_anything_else_and_the_quick_exit_stays(
    bot: Harness,
) -> None:
    await bot.duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    before = len(user.bot_messages())
    await user.press("🆘 Опасность сейчас")
    await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    await settle(bot)
    after = user.bot_messages()[before:]
    assert "112" in (after[0].text or "")
    last = user.bot_messages()[-1]
    assert "Дежурный психолог" in (last.text or "")
    assert (bot.tr("ru", "menu.exit"), "menu:exit") in last.buttons
    # The same on an open case that turns urgent.
    await user.send("/sos")
    await user.wait_for_bot_message(
        lambda m: m.message_id > last.message_id and "112" in (m.text or "")
    )
    await settle(bot)
    assert (bot.tr("ru", "menu.exit"), "menu:exit") in user.bot_messages()[-1].buttons


async def test_sos_numbers_that_telegram_refused_once_come_with_the_status(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"timing": {"retry_base": "200ms"}})
    user = bot.user()
    await bot.onboard(user, "ru")
    bot.emulator.fail_next("sendMessage", count=1, status=500)  # the direct numbers
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "112" in (m.text or ""), timeout=10)
    await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""), timeout=10)
    assert len(_case_rows(bot)) == 1


def code_in_or_none(text: str) -> str | None:
    found = CODE_RE.search(text)
    return found.group() if found else None


async def test_sos_does_not_wait_for_numbers_telegram_holds_back(
    start_bot: HarnessFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 holds the direct numbers (and the user's chat) back: the case is opened and
    the staff alerted before that chat may be written to again, and the numbers still
    reach the user, with the status."""
    monkeypatch.setattr(danger_now, "NUMBERS_WAIT", 0.3)
    bot = await start_bot({"timing": {"retry_base": "200ms"}})
    await bot.duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    before = len(user.bot_messages())
    seen = len(bot.emulator.requests)
    bot.emulator.fail_next("sendMessage", count=1, status=429, retry_after=2)
    await user.send("/sos")
    status = await user.wait_for_bot_message(
        lambda m: "Дежурный психолог" in (m.text or ""), timeout=10
    )
    card = await bot.group.wait_for_bot_message(lambda m: "ШҰҒЫЛ" in (m.text or ""), timeout=3)
    code = code_in(card.text or "")
    await bot.duty.wait_for_bot_message(lambda m: code in (m.text or ""), timeout=3)
    accepted = [
        r.params.get("chat_id")
        for r in bot.emulator.requests[seen:]
        if r.method == "sendMessage" and r.ok
    ]
    # Only the user's chat waited: the alerts went first.
    assert accepted.index(user.id) > max(accepted.index(bot.group.id), accepted.index(bot.duty.id))
    after = user.bot_messages()[before:]
    assert len(after) == 2 and "112" in (after[0].text or "") and after[1] is status
    assert (bot.tr("ru", "menu.exit"), "menu:exit") in status.buttons


async def test_a_double_tap_on_sos_alerts_the_staff_once(bot: Harness) -> None:
    await bot.duty.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    first = await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    code = code_in(first.text or "")
    await user.send("/sos")
    second = await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    assert code in (second.text or "")
    await settle(bot)
    again = plain(bot.tr(STAFF, "card.sos_again"))
    assert not [m for m in bot.group.bot_messages() if again in (m.text or "")]
    assert len([m for m in bot.duty.bot_messages() if code in (m.text or "")]) == 1
    # Half a minute later a new press is a new signal: everyone hears it again.
    bot.advance(timedelta(seconds=31))
    await user.send("/sos")
    await bot.group.wait_for_bot_message(lambda m: again in (m.text or ""))
    await settle(bot)
    assert len([m for m in bot.duty.bot_messages() if code in (m.text or "")]) == 2
    # ...and a double tap right after that one alerts nobody a third time.
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    await settle(bot)
    assert len([m for m in bot.group.bot_messages() if again in (m.text or "")]) == 1


async def test_sos_over_the_daily_limit_leaves_no_empty_forum_topic(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"limits": {"cases_per_day": 1}}, forum=True)
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru")
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.close(case, staff_id=900)
    await user.wait_for_bot_message(lambda m: "закрыто" in (m.text or ""))
    await user.send("/sos")
    await user.wait_for_bot_message(lambda m: "много обращений" in (m.text or ""))
    await settle(bot)
    assert [t.name for t in bot.group.topics] == [code]
    assert len(bot.emulator.requests_for("createForumTopic")) == 1


async def test_a_double_tap_on_the_one_tap_consent_alerts_the_staff_once(bot: Harness) -> None:
    await bot.duty.send("/start")
    user = bot.user("Madina", "kk")
    await user.send("/sos")
    offer = await user.wait_for_bot_message(lambda m: len(m.buttons) > 1)
    await user.press_data("sos:consent", offer.message_id)
    await user.press_data("sos:consent", offer.message_id)
    await user.wait_for_bot_message(lambda m: code_in_or_none(m.text or "") is not None)
    status = await user.wait_for_bot_message(lambda m: code_in_or_none(m.text or "") is not None)
    code = code_in(status.text or "")
    await settle(bot)
    again = plain(bot.tr(STAFF, "card.sos_again"))
    assert not [m for m in bot.group.bot_messages() if again in (m.text or "")]
    assert len([m for m in bot.duty.bot_messages() if code in (m.text or "")]) == 1
