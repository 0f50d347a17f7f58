"""A repeated "Danger now" on a case someone took: words that fit, not "press I take it"."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import STAFF_ID, Harness
from tests.handlers.case_helpers import code_in, plain, settle

STAFF = "kk"


async def test_sos_again_on_a_taken_case_tells_who_took_it_in_fitting_words(
    bot: Harness,
) -> None:
    await bot.duty.send("/start")
    await bot.staff.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    code = code_in(status.text or "")
    case = await bot.services.cases.by_code(code)
    assert case is not None
    await bot.services.cases.staff_actions.take(case, STAFF_ID, "Saule")
    await settle(bot)
    bot.advance(timedelta(seconds=31))
    await user.send("/sos")
    yours = plain(bot.tr(STAFF, "duty_alert.sos_again_yours", code=code))
    taken = plain(bot.tr(STAFF, "duty_alert.sos_again_taken", code=code, name="Saule"))
    to_taker = await bot.staff.wait_for_bot_message(lambda m: code in (m.text or ""))
    assert (to_taker.text or "") == yours
    to_duty = await bot.duty.wait_for_bot_message(lambda m: taken in (m.text or ""))
    press_take = plain(bot.tr(STAFF, "card.take"))
    assert press_take not in (to_duty.text or "") and press_take not in (to_taker.text or "")
    again = plain(bot.tr(STAFF, "card.sos_again"))
    repost = await bot.group.wait_for_bot_message(lambda m: again in (m.text or ""))
    assert code in (repost.text or "") and repost.buttons == []
    await settle(bot)
    assert again in (bot.group.message(repost.message_id).text or "")
    assert "Saule" in (bot.group.message(repost.message_id).text or "")


async def test_a_repost_taken_later_keeps_its_reason_and_says_who_took_it(bot: Harness) -> None:
    """Danger pressed again on a case nobody took yet: its repost offers the button; once
    someone takes the case there, the repost still says why it was posted."""
    await bot.duty.send("/start")
    await bot.staff.send("/start")
    user = bot.user()
    await bot.onboard(user, "ru")
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: "Дежурный психолог" in (m.text or ""))
    code = code_in(status.text or "")
    await settle(bot)
    bot.advance(timedelta(seconds=31))
    await user.send("/sos")
    again = plain(bot.tr(STAFF, "card.sos_again"))
    repost = await bot.group.wait_for_bot_message(lambda m: again in (m.text or ""))
    assert code in (repost.text or "") and repost.buttons
    await settle(bot)
    await bot.staff.press(bot.tr(STAFF, "card.take"), chat=bot.group, message_id=repost.message_id)
    await bot.handled()
    edited = bot.group.message(repost.message_id)
    assert (edited.text or "").startswith(again)
    assert "Saule" in (edited.text or "")
    assert plain(bot.tr(STAFF, "card.realert_done")) not in (edited.text or "")
    assert bot.tr(STAFF, "card.take") not in [text for text, _ in edited.buttons]
