"""Chats and members: finding a chat as the bot may see it, getChat*, member updates,
and the JSON shape of chats, members and messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.limits import bad_request, forbidden
from sandbox.models import SimMessage
from sandbox.state import ChatState, Params, compact
from sandbox.updates import UpdatesArea

if TYPE_CHECKING:
    from sandbox.sim import SimUser


class ChatsArea(UpdatesArea):
    """Who may see and write which chat, and how chats look on the wire."""

    # ---- finding a chat

    def _resolve_chat(self, chat_id: Any) -> ChatState:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for candidate in self._chats.values():
                if candidate.username and candidate.username.lower() == chat_id[1:].lower():
                    return candidate
            raise bad_request("chat not found")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private" and not self._users[chat.id].started:
            # The bot has never seen this user: to Telegram the chat doesn't exist for it.
            raise bad_request("chat not found")
        return chat

    def _check_bot_can_write(self, chat: ChatState) -> None:
        if chat.type == "private":
            user = self._users[chat.id]
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            return
        if chat.bot_status == "kicked":
            raise forbidden("bot was kicked from the supergroup chat")
        if chat.bot_status == "left":
            raise forbidden("bot is not a member of the supergroup chat")

    def _chat_for_sending(self, chat_id: Any) -> ChatState:
        if isinstance(chat_id, int) and chat_id in self._users:
            user = self._users[chat_id]
            if not user.started:
                if user.blocked:
                    raise forbidden("bot was blocked by the user")
                raise forbidden("bot can't initiate conversation with a user")
        chat = self._resolve_chat(chat_id)
        self._check_bot_can_write(chat)
        return chat

    def _resolve_thread(self, chat: ChatState, thread_id: int | None) -> int | None:
        if thread_id is None:
            return None
        if chat.is_forum:
            topic = chat.topics.get(thread_id)
            if topic is None or topic.deleted:
                raise bad_request("message thread not found")
            return thread_id
        target = chat.messages.get(thread_id)
        if chat.type == "private" or target is None or target.deleted:
            raise bad_request("message thread not found")
        return thread_id

    def _message_for_bot(self, chat: ChatState, message_id: Any, missing: str) -> SimMessage:
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    # ---- getChat, getChatMember, getChatAdministrators

    async def _get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._resolve_chat(params["chat_id"])
        if chat.type != "private" and chat.bot_status in ("left", "kicked"):
            raise forbidden("bot is not a member of the supergroup chat")
        return {
            **self._chat_dict(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._resolve_chat(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot_id:
            status: str = "member" if chat.type == "private" else chat.bot_status
            return self._member_dict(chat, self.bot_user(), status)
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            if chat.id != user_id:
                raise bad_request("user not found")
            return self._member_dict(chat, user.to_api(), "member")
        return self._member_dict(chat, user.to_api(), chat.members.get(user_id, "left"))

    async def _get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self._resolve_chat(params["chat_id"])
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = [
            self._member_dict(chat, self._users[uid].to_api(), status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(self._member_dict(chat, self.bot_user(), "administrator"))
        return admins

    # ---- membership changes, as updates

    def _chat_member_update(self, user: SimUser, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.bot_user()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self._enqueue(
            "my_chat_member",
            {
                "chat": self._chat_dict(self._chats[user.id]),
                "from": user.to_api(),
                "date": int(self.now()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def _group_member_update(self, chat: ChatState, user: SimUser, old: str, new: str) -> None:
        self._enqueue(
            "chat_member",
            {
                "chat": self._chat_dict(chat),
                "from": user.to_api(),
                "date": int(self.now()),
                "old_chat_member": self._member_dict(chat, user.to_api(), old),
                "new_chat_member": self._member_dict(chat, user.to_api(), new),
            },
        )

    def _bot_member_update(self, chat: ChatState, old: str, new: str) -> None:
        owner = next((uid for uid, s in chat.members.items() if s == "creator"), None)
        actor = self._users[owner].to_api() if owner is not None else self.bot_user()
        self._enqueue(
            "my_chat_member",
            {
                "chat": self._chat_dict(chat),
                "from": actor,
                "date": int(self.now()),
                "old_chat_member": self._member_dict(chat, self.bot_user(), old),
                "new_chat_member": self._member_dict(chat, self.bot_user(), new),
            },
        )

    # ---- serialisation

    def _chat_dict(self, chat: ChatState) -> dict[str, Any]:
        if chat.type == "private":
            user = self._users[chat.id]
            return compact(
                {
                    "id": chat.id,
                    "type": "private",
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "username": user.username,
                }
            )
        data: dict[str, Any] = {"id": chat.id, "type": "supergroup", "title": chat.title}
        if chat.username:
            data["username"] = chat.username
        if chat.is_forum:
            data["is_forum"] = True
        return data

    def _sender_dict(self, message: SimMessage) -> dict[str, Any]:
        return self.bot_user() if message.from_bot else self._users[message.sender_id].to_api()

    def _message_dict(self, message: SimMessage, nested: bool = True) -> dict[str, Any]:
        chat = self._chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._sender_dict(message),
            "chat": self._chat_dict(chat),
            "date": message.date,
        }
        if message.thread_id is not None:
            data["message_thread_id"] = message.thread_id
            if chat.is_forum:
                data["is_topic_message"] = True
        reply_id = message.reply_to_message_id
        if (
            reply_id is None
            and chat.is_forum
            and message.thread_id not in (None, message.message_id)
        ):
            # In forum topics Telegram presents plain messages as replies to the topic's
            # creation message; bots that read reply_to_message must cope with that.
            reply_id = message.thread_id
        if nested and reply_id is not None and reply_id in chat.messages:
            data["reply_to_message"] = self._message_dict(chat.messages[reply_id], nested=False)
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.media is not None:
            if message.kind == "photo":
                data["photo"] = message.media["photo"]
            else:
                data[message.kind] = message.media
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.service is not None:
            data.update(message.service)
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        return data

    def _member_dict(self, chat: ChatState, user: dict[str, Any], status: str) -> dict[str, Any]:
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = {
                name: True
                for name in (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_pin_messages",
                )
            }
            if chat.is_forum:
                rights["can_manage_topics"] = True
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_promote_members": False,
                **rights,
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        if status == "restricted":
            return {
                "status": "restricted",
                "user": user,
                "is_member": True,
                "until_date": 0,
                **{
                    name: False
                    for name in (
                        "can_send_messages",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_manage_topics",
                        # Bot API 9.x: PTB 22 cannot read a restricted member without these.
                        "can_edit_tag",
                        "can_react_to_messages",
                    )
                },
            }
        return {"status": status, "user": user}
