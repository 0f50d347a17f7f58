"""Forum topics: creating, renaming, closing, reopening and deleting topics."""

from __future__ import annotations

from typing import Any

from sandbox.limits import bad_request
from sandbox.messages import MessagesArea
from sandbox.models import ForumTopic
from sandbox.state import ChatState, Params, compact

FORUM_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


class ForumArea(MessagesArea):
    """Topics of a forum supergroup; a topic's id is the id of its creation message."""

    def _forum(self, params: Params) -> ChatState:
        chat = self._resolve_chat(params["chat_id"])
        self._check_bot_can_write(chat)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if chat.bot_status not in ("administrator", "creator"):
            raise bad_request("not enough rights to manage topics")
        return chat

    def _topic(self, chat: ChatState, params: Params) -> ForumTopic:
        topic = chat.topics.get(params["message_thread_id"])
        if topic is None or topic.deleted:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    async def _create_forum_topic(self, params: Params) -> dict[str, Any]:
        chat = self._forum(params)
        name = str(params["name"])
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_INVALID")
        color = params.get("icon_color", FORUM_ICON_COLORS[0])
        if color not in FORUM_ICON_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")
        thread_id = chat.next_message_id
        topic = ForumTopic(thread_id, name, color, params.get("icon_custom_emoji_id") or None)
        chat.topics[thread_id] = topic
        root = self._bot_message(chat, params, "service", thread_id=thread_id)
        root.service = {"forum_topic_created": compact({"name": name, "icon_color": color})}
        return topic.to_api()

    async def _edit_forum_topic(self, params: Params) -> bool:
        topic = self._topic(self._forum(params), params)
        name = params.get("name")
        emoji = params.get("icon_custom_emoji_id")
        if name is not None and not 1 <= len(str(name)) <= 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        if (name is None or name == topic.name) and (
            emoji is None or emoji == topic.icon_custom_emoji_id
        ):
            raise bad_request("TOPIC_NOT_MODIFIED")
        if name is not None:
            topic.name = str(name)
        if emoji is not None:
            topic.icon_custom_emoji_id = str(emoji) or None
        return True

    async def _close_forum_topic(self, params: Params) -> bool:
        topic = self._topic(self._forum(params), params)
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    async def _reopen_forum_topic(self, params: Params) -> bool:
        topic = self._topic(self._forum(params), params)
        if not topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    async def _delete_forum_topic(self, params: Params) -> bool:
        chat = self._forum(params)
        topic = self._topic(chat, params)
        topic.deleted = True
        for message in chat.messages.values():
            if message.thread_id == topic.message_thread_id:
                message.deleted = True
        return True
