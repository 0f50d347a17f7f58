"""What happens when a message about a case is delivered or fails: through the service."""

from __future__ import annotations

from tests.bot.cases.helpers import open_case
from tests.conftest import HarnessFactory


async def test_a_card_delivered_after_the_case_was_taken_loses_its_button(
    start_bot: HarnessFactory,
) -> None:
    bot = await start_bot({"timing": {"retry_base": "200ms"}})
    user = bot.user()
    await bot.onboard(user, "ru")
    bot.emulator.fail_next("sendMessage", count=1, status=500)  # the card is late
    # Opened directly: the card is the only message, so it is the one that fails.
    opened = await open_case(bot, user)
    case = opened.case
    assert case.card_message_id is None
    await bot.services.cases.staff_actions.take(case, bot.staff.id, "Saule")
    card = await bot.group.wait_for_bot_message(
        lambda m: "✋ Алған: Saule" in (m.text or ""), include_edits=True, timeout=10
    )
    assert bot.tr("kk", "card.take") not in [text for text, _ in card.buttons]
