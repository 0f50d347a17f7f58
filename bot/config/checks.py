"""What only the whole config can tell: ids that repeat or name nothing, staff sides mixed up.

These run on the parsed TOML itself, beside pydantic's checks of each table, so that a
config with a typo in one service still hears at once that another names no centre.
A value of the wrong type is skipped here: pydantic reports it.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator, Mapping
from typing import Any

from bot.config.problems import Problem
from bot.config.settings import Settings


def _tables(root: Mapping[str, Any], section: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    items = root.get(section, [])
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield f"{section}[{index}]", item


def _group(value: Any) -> int | None:
    is_group = isinstance(value, int) and not isinstance(value, bool) and value < 0
    return value if is_group else None


def _unique_ids(root: Mapping[str, Any], section: str, noun: str) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for prefix, item in _tables(root, section):
        item_id = item.get("id")
        if not isinstance(item_id, str):
            continue
        if item_id in seen:
            problems.append(Problem(f"{prefix}.id", f'"{item_id}" is used by another {noun}'))
        seen.add(item_id)
    return problems


def _center_ids(root: Mapping[str, Any]) -> list[str]:
    ids = (item.get("id") for _, item in _tables(root, "centers"))
    return list(dict.fromkeys(i for i in ids if isinstance(i, str)))


def _unknown_center(center: str, known: list[str]) -> str:
    return f'no centre with id "{center}" (known: {", ".join(known) or "none are configured"})'


def _center_references(root: Mapping[str, Any], known: list[str]) -> list[Problem]:
    problems = []
    for section in ("services", "duty"):
        for prefix, item in _tables(root, section):
            center = item.get("center")
            if isinstance(center, str) and center and center not in known:
                problems.append(Problem(f"{prefix}.center", _unknown_center(center, known)))
    for prefix, item in _tables(root, "referrals"):
        centers = item.get("centers")
        if isinstance(centers, list):
            for center in centers:
                if isinstance(center, str) and center not in known:
                    problems.append(Problem(f"{prefix}.centers", _unknown_center(center, known)))
    if len(known) > 1:
        for prefix, item in _tables(root, "duty"):
            if not item.get("center"):
                problems.append(
                    Problem(
                        f"{prefix}.center",
                        "missing; with several centres every duty entry names its centre "
                        f"(one of {', '.join(known)})",
                    )
                )
    return problems


def _staff_groups(root: Mapping[str, Any]) -> list[Problem]:
    """Each centre needs a staff group of its own; the top-level one serves one centre."""
    telegram = root.get("telegram")
    telegram = telegram if isinstance(telegram, dict) else {}
    top_level = _group(telegram.get("staff_chat_id"))
    centers = list(_tables(root, "centers"))
    own = [(prefix, item, _group(item.get("staff_chat_id"))) for prefix, item in centers]
    # Nobody gave any group: today's single-group config with the key forgotten.
    if "staff_chat_id" in telegram and top_level is None:
        return []  # a malformed value, reported by the type check
    if top_level is None and not any("staff_chat_id" in item for _, item, _ in own):
        expected = "the staff group's chat id (a negative number)"
        return [Problem("telegram.staff_chat_id", f"missing; expected {expected}")]
    problems = []
    owners: dict[int, str] = {}
    for prefix, item, group in own:
        if "staff_chat_id" in item and group is None:
            continue  # malformed, reported by the type check
        name = f'centre "{item.get("id")}"'
        resolved = group if group is not None else top_level
        if resolved is None:
            problems.append(
                Problem(
                    f"{prefix}.staff_chat_id",
                    f"missing; {name} has no staff group and there is no "
                    "telegram.staff_chat_id to fall back on",
                )
            )
            continue
        if resolved in owners:
            via = "" if group is not None else " (through telegram.staff_chat_id)"
            problems.append(
                Problem(
                    f"{prefix}.staff_chat_id",
                    f"{name} shares its staff group {resolved}{via} with {owners[resolved]}; "
                    "each centre needs a group of its own, or cases would mix",
                )
            )
            continue
        owners[resolved] = name
    region = _group(telegram.get("region_chat_id"))
    if region is not None and (region in owners or region == top_level):
        problems.append(
            Problem(
                "telegram.region_chat_id",
                f"{region} is also a staff group; the region group must be a group of its own",
            )
        )
    return problems


def cross_problems(root: Mapping[str, Any]) -> list[Problem]:
    known = _center_ids(root)
    return [
        *_unique_ids(root, "centers", "centre"),
        *_unique_ids(root, "services", "service"),
        *_unique_ids(root, "quick_replies", "quick reply"),
        *_center_references(root, known),
        *_staff_groups(root),
    ]


# The made-up group ids of config.example.toml (tests/bot/config/test_checks.py keeps them
# in step): a config naming only these is still the example, fine for the sandbox.
EXAMPLE_GROUP_IDS = frozenset({-1001234567890, -1001234567891, -1001234567899})


def real_staff_groups(settings: Settings) -> list[int]:
    """The staff and region groups the config names that are not the example's: a config
    made for a real centre."""
    groups = [side.staff_chat_id for side in settings.staff_sides]
    groups += [settings.telegram.staff_chat_id]
    if settings.telegram.region_chat_id is not None:
        groups.append(settings.telegram.region_chat_id)
    return [g for g in dict.fromkeys(groups) if g and g not in EXAMPLE_GROUP_IDS]


def config_warnings(settings: Settings) -> list[Problem]:
    """Valid but probably not meant: the bot runs, and check-config says so."""
    warnings = []
    if not settings.services:
        warnings.append(
            Problem("services", "none are configured; booking will have nothing to offer")
        )
    elif len(settings.centers) > 1:
        for index, center in enumerate(settings.centers):
            if not any(s.center == center.id for s in settings.services):
                warnings.append(
                    Problem(
                        f"centers[{index}]",
                        f'centre "{center.id}" has no services; nothing can be booked there',
                    )
                )
    warnings += _privacy_warnings(settings)
    if settings.telegram.webhook_url and not settings.telegram.webhook_secret:
        warnings.append(
            Problem(
                "telegram.webhook_secret",
                "empty while webhook_url is set; anyone who finds the URL can send updates",
            )
        )
    return warnings


def _privacy_warnings(settings: Settings) -> list[Problem]:
    privacy = settings.privacy
    warnings = []
    if not settings.telegram.uses_sandbox and not privacy.data_keys:
        warnings.append(
            Problem(
                "privacy.insecure_plaintext_with_token",
                "real people's texts are stored UNENCRYPTED; make a data key with "
                "`helpline-bot new-key` and remove this key",
            )
        )
    key_file = privacy.data_key_file
    if key_file is not None:
        try:
            mode = stat.S_IMODE(key_file.stat().st_mode)
        except OSError:
            mode = 0  # unreadable: the loader has said so
        if mode & 0o077:
            warnings.append(
                Problem(
                    "privacy.data_key_file",
                    f"{key_file} may be read by others (mode {mode:04o}); chmod 600 {key_file}",
                )
            )
    return warnings
