"""What the sandbox makes of a config: the settings it runs with, every staff group and
the people in them.

A region config names a group per centre (`[[centers]] staff_chat_id`) and a region group
(`telegram.region_chat_id`). The sandbox creates each of them with the people the config
puts there, so a Saryagash /sos finds Saryagash's group as it would on Telegram (with only
the top-level group, the bot's card was refused: "chat not found"). The terminal chat and
the page both build their world from this one plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.config import Settings
from sandbox.emulator import SimGroup, SimUser, TelegramEmulator

T = TypeVar("T")

# The psychologist the sandbox plays when the config names nobody on duty.
DEFAULT_STAFF_ID = 333333333


def replace_settings(settings_part: T, **changes: Any) -> T:
    """A copy with some fields changed, for frozen dataclasses and pydantic models alike."""
    if dataclasses.is_dataclass(settings_part) and not isinstance(settings_part, type):
        return dataclasses.replace(settings_part, **changes)
    copied: T = settings_part.model_copy(update=changes)  # type: ignore[attr-defined]
    return copied


def _with_id(ids: Iterable[int], user_id: int) -> Any:
    """``ids`` plus ``user_id``, in the same kind of collection the config holds."""
    values = list(ids)
    if user_id not in values:
        values.append(user_id)
    return type(ids)(values)  # type: ignore[call-arg]


def configured_user_ids(settings: Settings) -> list[int]:
    """Every user id the config names: duty shifts, backups and admins (top-level and each
    centre's own), each once."""
    ids = [shift.user_id for shift in settings.duty]
    ids += [*settings.urgent.backup_ids, *sorted(settings.telegram.admin_ids)]
    for side in settings.staff_sides:
        ids += [*side.backup_ids, *sorted(side.admin_ids)]
    return list(dict.fromkeys(ids))


def sandbox_staff_id(settings: Settings) -> int:
    return settings.duty[0].user_id if settings.duty else DEFAULT_STAFF_ID


def sandbox_settings(
    settings: Settings, base_url: str, keep_database: bool, temp: Path
) -> Settings:
    """The config as the sandbox runs it: on the emulator, and with the terminal's
    psychologist among the admins so that /audit, /health and the CSV can be tried."""
    telegram = replace_settings(
        settings.telegram,
        base_url=base_url,
        admin_ids=_with_id(settings.telegram.admin_ids, sandbox_staff_id(settings)),
    )
    storage = (
        settings.storage
        if keep_database
        else replace_settings(settings.storage, path=temp / "sandbox.sqlite3")
    )
    # A short long-poll keeps Ctrl-C snappy; the emulator answers at once anyway.
    timing = replace_settings(
        settings.timing, poll_timeout=min(settings.timing.poll_timeout, timedelta(seconds=1))
    )
    return replace_settings(settings, telegram=telegram, storage=storage, timing=timing)


@dataclass(frozen=True)
class GroupPlan:
    """One group the config names: its chat id, a title for the page, who sits in it."""

    chat_id: int
    title: str
    member_ids: tuple[int, ...]
    region: bool = False


def group_plans(settings: Settings) -> list[GroupPlan]:
    """Every configured group, the top-level (first centre's) one first, each once."""
    sides = settings.staff_sides
    names: dict[int, list[str]] = {}
    members: dict[int, list[int]] = {}
    for side in sides:
        # The centre's id, not its long name: short enough for a switcher, and what the
        # trainer wrote in the config.
        names.setdefault(side.staff_chat_id, []).append(side.center_id)
        members.setdefault(side.staff_chat_id, []).extend(
            [*(s.user_id for s in side.duty), *side.backup_ids, *sorted(side.admin_ids)]
        )
    top = settings.telegram.staff_chat_id
    if top not in members:
        # The top-level group exists even when no centre falls back on it: code that knows
        # no centre yet writes there.
        everyone = [*(s.user_id for s in settings.duty), *settings.urgent.backup_ids]
        members[top] = [*everyone, *sorted(settings.telegram.admin_ids)]
    several = len(members) > 1
    plans = {
        chat_id: GroupPlan(
            chat_id,
            f"Staff · {', '.join(names[chat_id])}"
            if several and chat_id in names
            else "Staff (sandbox)",
            tuple(dict.fromkeys(ids)),
        )
        for chat_id, ids in sorted(members.items(), key=lambda item: item[0] != top)
    }
    region = settings.telegram.region_chat_id
    if region is not None and region not in plans:
        admins = [*sorted(settings.telegram.admin_ids)]
        for side in sides:
            admins += sorted(side.admin_ids)
        plans[region] = GroupPlan(region, "Region (sandbox)", tuple(dict.fromkeys(admins)), True)
    return list(plans.values())


def role_names(settings: Settings) -> dict[int, str]:
    """A name for each configured person by what the config makes them, and of which
    centre in a region ("Psychologist · saryagash", "Admin"), for the page's "playing as"."""
    several = len(settings.staff_sides) > 1
    names: dict[int, str] = {}
    for side in settings.staff_sides:
        suffix = f" · {side.center_id}" if several else ""
        roles = [
            *(("Psychologist", shift.user_id) for shift in side.duty),
            *(("Backup", user_id) for user_id in side.backup_ids),
            *(("Admin", user_id) for user_id in sorted(side.admin_ids)),
        ]
        for role, user_id in roles:
            names.setdefault(user_id, f"{role}{suffix}")
    for role, ids in (
        ("Psychologist", [shift.user_id for shift in settings.duty]),
        ("Backup", list(settings.urgent.backup_ids)),
        ("Admin", sorted(settings.telegram.admin_ids)),
    ):
        for user_id in ids:
            names.setdefault(user_id, role)
    # Two people with one role and centre are told apart by a number.
    counts: dict[str, int] = {}
    for user_id, name in names.items():
        counts[name] = counts.get(name, 0) + 1
        if counts[name] > 1:
            names[user_id] = f"{name} {counts[name]}"
    return names


def create_staff_groups(
    emulator: TelegramEmulator,
    settings: Settings,
    people: dict[int, SimUser],
    *,
    everywhere: SimUser | None = None,
) -> list[SimGroup]:
    """Creates every configured group with its members (admins of it, so admin tools can be
    tried), taking users from ``people``; ``everywhere`` (the terminal's one psychologist)
    sits in every group."""
    groups = []
    for plan in group_plans(settings):
        group = emulator.create_group(chat_id=plan.chat_id, title=plan.title)
        if everywhere is not None:
            group.add_member(everywhere, status="administrator")
        for user_id in plan.member_ids:
            member = people.get(user_id)
            if member is not None and member is not everywhere:
                group.add_member(member, status="administrator")
        groups.append(group)
    return groups
