"""Where else to get help: the [[referrals]] of the config as a villager or a case sees them.

Pure functions over the typed config: which referrals a person sees (her centre's, or all)
and how one reads in her language. The texts are the centre's own, so they are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import REFERRAL_KINDS, Referral
from bot.i18n import Translator, escape


def referrals_for(referrals: Sequence[Referral], center_id: str | None) -> list[Referral]:
    """Those of the centre (a referral naming no centre is everyone's); all without one."""
    if center_id is None:
        return list(referrals)
    return [r for r in referrals if not r.centers or center_id in r.centers]


def render_referral(tr: Translator, referral: Referral) -> str:
    """One referral as HTML: name, phone, then address and hours when given."""
    language = tr.language
    lines = [
        f"<b>{escape(referral.name.get(language))}</b>",
        tr("referral.phone", phone=referral.phone),
    ]
    if referral.address is not None:
        lines.append(tr("referral.address", address=referral.address.get(language)))
    if referral.hours is not None:
        lines.append(tr("referral.hours", hours=referral.hours.get(language)))
    return "\n".join(lines)


def render_directory(tr: Translator, referrals: Sequence[Referral]) -> str:
    """Every referral, grouped by kind in the config's order of kinds."""
    if not referrals:
        return tr("referral.none")
    blocks = [tr("referral.title")]
    for kind in REFERRAL_KINDS:
        of_kind = [r for r in referrals if r.kind == kind]
        if of_kind:
            entries = "\n\n".join(render_referral(tr, r) for r in of_kind)
            blocks.append(f"{tr(f'referral.kind.{kind}')}\n{entries}")
    return "\n\n".join(blocks)


def button_label(tr: Translator, referral: Referral) -> str:
    """A staff button: the kind and the name, in the staff group's language (plain text)."""
    return f"{tr(f'referral.kind_short.{referral.kind}')}: {referral.name.get(tr.language)}"
