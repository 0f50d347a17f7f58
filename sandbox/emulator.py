"""A local Telegram Bot API server for tests.

The real python-telegram-bot ``Application`` talks to it over HTTP (``base_url``), while
tests drive simulated users and staff through :class:`SimUser` and :class:`SimGroup`. The
server is deliberately as strict as Telegram: same status codes, error texts and limits, so
that a bug which Telegram would reject in production fails in tests too.

Each Bot API area lives in its own module, as a mixin over the state store
(``sandbox/state.py``); this class puts them together and names the methods it serves:

- ``server``: HTTP, routing, parameter typing, faults and rate limits on the way in
- ``updates`` and ``webhook``: the update queue, getUpdates, and webhook delivery
- ``messages`` and ``edits``: sending, copying, forwarding, editing, deleting, answering
- ``chats``: who may see which chat, getChat*, members, and the JSON of it all
- ``forum``: forum topics; ``files``: media and downloads; ``profile``: getMe, commands
- ``actions``: what simulated people do; ``limits``: errors and limits
"""

from __future__ import annotations

from pathlib import Path

from sandbox.actions import ActionsArea
from sandbox.edits import EditsArea
from sandbox.forum import ForumArea
from sandbox.limits import SEND_METHODS
from sandbox.profile import ProfileArea
from sandbox.server import ServerArea
from sandbox.sim import SimGroup, SimUser
from sandbox.state import MethodHandler

__all__ = ["SEND_METHODS", "SimGroup", "SimUser", "TelegramEmulator"]


class TelegramEmulator(ForumArea, EditsArea, ActionsArea, ServerArea, ProfileArea):
    """The server, the simulated world and the assertions helpers.

    ``wait_for_bot_message`` returns the first bot message (matching ``predicate``) created
    after both the latest simulated action in that chat and the message the previous wait
    returned, so ``await user.send(...)`` followed by a wait never misses a fast reply and
    successive waits walk through the bot's messages one by one.

    With ``state_path`` the emulator keeps its numbering, messages and topics in that file
    across lifetimes (see ``sandbox/persistence.py``).
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "helpline_test_bot",
        bot_id: int | None = None,
        bot_first_name: str = "Helpline",
        can_read_all_group_messages: bool = False,
        *,
        state_path: Path | None = None,
    ) -> None:
        super().__init__(
            token,
            bot_username,
            bot_id,
            bot_first_name,
            can_read_all_group_messages,
            state_path=state_path,
        )
        self._methods = {
            name.lower(): (name, handler) for name, handler in self._handlers().items()
        }

    def _handlers(self) -> dict[str, MethodHandler]:
        return {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyName": self._set_my_name,
            "setMyDescription": self._set_my_description,
            "setMyShortDescription": self._set_my_description,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendVoice": self._send_voice,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "copyMessages": self._copy_messages,
            "forwardMessage": self._forward_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "setMessageReaction": self._set_message_reaction,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getFile": self._get_file,
        }
