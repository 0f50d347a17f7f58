"""Forum topics."""

import pytest
from telegram import (
    Bot,
    Update,
)
from telegram.error import BadRequest

from sandbox import TelegramEmulator
from tests.sandbox.helpers import STAFF_ID


async def test_forum_topics(emu: TelegramEmulator, bot: Bot) -> None:
    plain = emu.create_group(-1002, title="Plain")
    with pytest.raises(BadRequest, match=r"^The chat is not a forum$"):
        await bot.create_forum_topic(plain.id, "Case 1")
    forum = emu.create_group(STAFF_ID, title="Cases", is_forum=True)
    volunteer = emu.create_user(first_name="Dana", username="dana")
    forum.add_member(volunteer)
    topic = await bot.create_forum_topic(STAFF_ID, "Case 1")
    assert forum.topic("Case 1").id == topic.message_thread_id
    await bot.send_message(STAFF_ID, "new case", message_thread_id=topic.message_thread_id)
    assert [m.text for m in forum.bot_messages(thread_id=topic.message_thread_id)] == ["new case"]
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(STAFF_ID, "x", message_thread_id=777)

    answer = await volunteer.send_in(forum, "on it", thread_id=topic.message_thread_id)
    update = Update.de_json(emu.pending_updates()[-1], bot)
    assert update.message is not None and update.message.is_topic_message
    assert update.message.message_thread_id == topic.message_thread_id
    # Telegram shows a plain topic message as a reply to the topic's creation message.
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.forum_topic_created is not None
    assert answer.reply_to_message_id is None

    await bot.edit_forum_topic(STAFF_ID, topic.message_thread_id, name="Case 1 (done)")
    await bot.close_forum_topic(STAFF_ID, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"^Topic_not_modified$"):
        await bot.close_forum_topic(STAFF_ID, topic.message_thread_id)
    await bot.delete_forum_topic(STAFF_ID, topic.message_thread_id)
    assert forum.topics[0].deleted and forum.messages() == []
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(STAFF_ID, "x", message_thread_id=topic.message_thread_id)
