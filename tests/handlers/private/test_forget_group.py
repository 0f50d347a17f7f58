"""/forget takes everything of hers from the staff group: the card, her words, the staff's
answers and notes, the bot's notices and pickers; the case keeps only anonymous counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.codes import CODE_RE
from sandbox import SimMessage, SimUser
from tests.conftest import Harness, HarnessFactory
from tests.handlers.case_helpers import code_in, plain, request_case, settle
from tests.handlers.private.test_forget import file_mentions

QUICK = {
    "quick_replies": [
        {"id": "hello", "text": {"kk": "Сәлеметсіз бе, тыңдап отырмын", "ru": "Здравствуйте"}}
    ]
}
STORY = {"kk": "Күйеуім пышақпен қорқытады", "ru": "Муж угрожает ножом"}
LATER = {"kk": "ол паспортымды алып қойды", "ru": "он забрал мой паспорт"}
ANSWER = "Мы рядом, держитесь"
NOTE = "// Нож, алкоголь. Участковый утром."
NOTE_COMMAND = "/note Соседка знает про побои"


async def _a_worked_case(bot: Harness, user: SimUser, language: str) -> tuple[str, SimMessage]:
    """Her case with everything a working day leaves in the group; its code and card."""
    await bot.onboard(user, language)
    code = await request_case(bot, user, language, story=STORY[language])
    card = await bot.group.wait_for_bot_message(
        lambda m: code in (m.text or "") and bool(m.buttons)
    )
    await settle(bot)
    await user.send(LATER[language])
    await bot.group.wait_for_bot_message(lambda m: LATER[language] in m.content)
    await bot.staff.send_in(bot.group, ANSWER, reply_to=card.message_id)
    await user.wait_for_bot_message(lambda m: ANSWER in m.content)
    await bot.staff.send_in(bot.group, NOTE, reply_to=card.message_id)
    await bot.duty.send_in(bot.group, NOTE_COMMAND, reply_to=card.message_id)
    await bot.staff.press(
        bot.tr("kk", "card.quick_reply"), chat=bot.group, message_id=card.message_id
    )
    await bot.group.wait_for_bot_message(lambda m: "hello" in [t for t, _ in m.buttons])
    await bot.handled()
    await settle(bot)
    return code, card


async def _forget(bot: Harness, user: SimUser, language: str) -> None:
    await user.send("/forget")
    await user.wait_for_bot_message(lambda m: bool(m.buttons))
    await user.press(bot.tr(language, "forget.yes"))
    done = plain(bot.tr(language, "forget.done"))[:20]
    await user.wait_for_bot_message(lambda m: done in m.content)
    await settle(bot)


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_forget_deletes_every_message_of_her_case_from_the_group(
    start_bot: HarnessFactory, language: str
) -> None:
    bot = await start_bot(QUICK)
    user = bot.user(language_code=language)
    code, card = await _a_worked_case(bot, user, language)
    before = bot.group.messages()
    staff_own = [m for m in before if not m.from_bot]
    assert len(staff_own) == 3  # her answer, the note, the /note
    assert len(before) >= 8  # and the card, her words, the marks, the picker ...

    await _forget(bot, user, language)

    # Nothing of the case is left but one line saying it was erased, by its code.
    left = bot.group.messages()
    assert [m.text for m in left] == [plain(bot.tr("kk", "staff.user_forgot", code=code))]
    assert all(m.deleted for m in bot.group.messages(include_deleted=True) if m not in left)
    # The card was first made code-free: it said nothing of her even before it went.
    assert card.deleted and code not in (card.text or "") and not card.buttons
    deletions = bot.emulator.requests_for("deleteMessages")
    assert {m.message_id for m in before} <= {i for r in deletions for i in r.params["message_ids"]}

    case = await bot.services.cases.by_code(code)
    assert case is not None and case.category == "crisis" and case.user_id is None
    assert case.card_message_id is None and case.story is None
    assert await bot.services.cases.staff_tools.notes(case.id) == []
    assert await bot.services.cases.staff_message_link(bot.group.id, card.message_id) is None
    await bot.services.db.checkpoint()
    secrets = (str(user.id), STORY[language], LATER[language], ANSWER, "Нож", "Соседка")
    leftovers = file_mentions(bot.settings.storage.path, *secrets)
    assert leftovers == [], "\n".join(leftovers)


async def test_forget_deletes_her_forum_topic_whole(start_bot: HarnessFactory) -> None:
    bot = await start_bot(forum=True)
    user = bot.user()
    await bot.onboard(user, "ru")
    code = await request_case(bot, user, "ru", story=STORY["ru"])
    await settle(bot)
    topic = bot.group.topic(code)
    answer = await bot.staff.send_in(bot.group, ANSWER, thread_id=topic.id)
    await user.wait_for_bot_message(lambda m: ANSWER in m.content)
    # Staff talk in her topic (a reply to a colleague's answer is never relayed, and never
    # linked to the case) goes with the topic.
    await bot.duty.send_in(
        bot.group, "согласна, спросить про детей", reply_to=answer.message_id, thread_id=topic.id
    )
    await bot.handled()
    await settle(bot)

    await _forget(bot, user, "ru")

    assert bot.group.topics[0].deleted
    assert bot.group.messages(topic.id) == []
    assert code_in(bot.group.messages()[-1].text or "") == code


async def test_forget_clears_every_group_that_heard_her(start_bot: HarnessFactory) -> None:
    """An early /sos every centre heard, and its line in the region group: all go."""
    bot = await start_bot(two_centers=True)
    assert bot.second_group is not None and bot.region_group is not None
    user = bot.user()
    await bot.onboard(user, "ru")  # no centre chosen yet
    await user.send("/sos")
    status = await user.wait_for_bot_message(lambda m: CODE_RE.search(m.content) is not None)
    code = code_in(status.text or "")
    for _ in range(2):  # untaken: the last re-alert reaches the region group
        bot.advance(timedelta(seconds=31))
        await bot.run_due_work()
    await bot.region_group.wait_for_bot_message(lambda m: code in m.content)
    await settle(bot)
    groups = (bot.group, bot.second_group, bot.region_group)
    assert all(any(code in m.content for m in g.messages()) for g in groups)

    await _forget(bot, user, "ru")

    notice = plain(bot.tr("kk", "staff.user_forgot", code=code))
    for group in groups:
        assert [m.text for m in group.messages() if code in m.content] in ([], [notice])
        assert not [m for m in group.bot_messages() if m.buttons]
    assert not [m for m in bot.region_group.messages() if code in m.content]
