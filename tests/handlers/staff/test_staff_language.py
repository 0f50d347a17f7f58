"""`telegram.staff_language` sets the staff group's language on its own: a centre whose
villagers read Kazakh first may run its staff side in Russian."""

from __future__ import annotations

from datetime import date

from tests.conftest import HarnessFactory
from tests.handlers.booking_steps import book, slot
from tests.handlers.case_helpers import code_in, plain


async def test_russian_staff_side_and_kazakh_villager_side(start_bot: HarnessFactory) -> None:
    bot = await start_bot(
        {"general": {"default_language": "kk"}, "telegram": {"staff_language": "ru"}}
    )
    await bot.duty.send("/start")
    # No language hint from Telegram: the villager side speaks the default, Kazakh.
    user = bot.user("Madina", language_code="")
    await user.send("/sos")
    numbers = await user.wait_for_bot_message()
    assert plain(bot.tr("kk", "emergency.title")) in (numbers.text or "")
    await user.wait_for_bot_message(lambda m: bool(m.buttons) and len(m.buttons) > 1)
    await user.press(bot.tr("kk", "sos.consent_and_alert"))
    status = await user.wait_for_bot_message(lambda m: "-" in (m.text or ""))
    code = code_in(status.text or "")
    assert plain(bot.tr("kk", "request.alerted", code=code)) in (status.text or "")
    card = await bot.group.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert plain(bot.tr("ru", "card.reason.sos_button")) in (card.text or "")
    assert bot.tr("ru", "card.take") in [text for text, _ in card.buttons]
    await bot.staff.send_in(bot.group, "/help")
    help_text = await bot.group.wait_for_bot_message(lambda m: "/onduty" in (m.text or ""))
    assert "Как работать с обращениями" in (help_text.text or "")
    await bot.staff.send_in(bot.group, "/unblock XYZ")
    await bot.group.wait_for_bot_message(
        lambda m: plain(bot.tr("ru", "staff.no_such_case", code="XYZ")) in (m.text or "")
    )


async def test_booking_notices_and_the_agenda_follow_the_staff_language(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot(
        {"general": {"default_language": "kk"}, "telegram": {"staff_language": "ru"}}
    )
    user = bot.user("Madina", language_code="kk")
    await bot.onboard(user, "kk")
    code = await book(bot, user, start=slot(date(2026, 12, 3), 10, 30), language="kk")
    notice = await bot.group.wait_for_bot_message(lambda m: code in m.content)
    assert notice.content.startswith("🆕 Новая запись")
    await bot.staff.send_in(bot.group, "/agenda завтра")
    agenda = await bot.group.wait_for_bot_message(lambda m: m.content.startswith("📋"))
    assert "четверг, 3 декабря" in agenda.content and code in agenda.content
