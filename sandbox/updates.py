"""Updates and polling: the queue of updates, ``allowed_updates`` and ``getUpdates``."""

from __future__ import annotations

from typing import Any

from sandbox.models import ApiError
from sandbox.state import EmulatorState, Params, PollWaiter

#: Telegram leaves these out unless a bot asks for them explicitly.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdatesArea(EmulatorState):
    """Queues what users do as updates and hands them to the bot by long polling."""

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self._updates)

    def _update_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates is None:
            return kind not in OPT_IN_UPDATES
        return kind in self._allowed_updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if self._update_allowed(update):
            self._updates.append(update)
        self._touch()

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) if allowed else None
        if isinstance(offset, int):
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if self._poll is not None:
            # Like Telegram, the newer request wins and the older one is told so.
            self._poll.terminated = True
        poll = self._poll = PollWaiter()
        self._touch()

        def ready() -> bool | None:
            self._updates = [u for u in self._updates if self._update_allowed(u)]
            return True if (self._updates or poll.terminated or self._closing) else None

        try:
            await self._wait_for(ready, timeout)
        finally:
            if self._poll is poll:
                self._poll = None
        if poll.terminated:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._updates[:limit]
