"""The bot's own profile: getMe, commands, name and descriptions."""

from __future__ import annotations

import json
from typing import Any

from sandbox.limits import bad_request
from sandbox.state import EmulatorState, Params


class ProfileArea(EmulatorState):
    """What the bot says about itself."""

    async def _true(self, params: Params) -> bool:
        return True

    async def _get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _command_key(params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        cleaned = []
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not 1 <= len(name) <= 32:
                raise bad_request("BOT_COMMAND_INVALID")
            if not all(c.isascii() and (c.islower() or c.isdigit() or c == "_") for c in name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.commands[self._command_key(params)] = cleaned
        return True

    async def _get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return self.commands.get(self._command_key(params), [])

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    async def _set_my_name(self, params: Params) -> bool:
        name = str(params.get("name") or "")
        if len(name) > 64:
            raise bad_request("BOT_TITLE_INVALID")
        self.bot_names[str(params.get("language_code") or "")] = name
        return True

    async def _set_my_description(self, params: Params) -> bool:
        text = str(params.get("description") or params.get("short_description") or "")
        if len(text) > 512:
            raise bad_request("BOT_DESCRIPTION_INVALID")
        self.bot_descriptions[str(params.get("language_code") or "")] = text
        return True
