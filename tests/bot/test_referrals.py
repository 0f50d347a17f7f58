"""Which referrals a villager sees, and how one reads: pure functions, by table."""

from __future__ import annotations

import pytest

from bot.config import Localized, Referral, ReferralKind
from bot.i18n import Texts
from bot.referrals import referrals_for, render_directory, render_referral


def _referral(name: str, kind: ReferralKind = "other", centers: tuple[str, ...] = ()) -> Referral:
    return Referral(
        kind=kind, name=Localized(name, name), phone="+7 700 000 00 00", centers=centers
    )


EVERYONE = _referral("everyone")
SAIRAM = _referral("sairam", centers=("sairam",))
BOTH = _referral("both", centers=("sairam", "saryagash"))
SARYAGASH = _referral("saryagash", centers=("saryagash",))
ALL = (EVERYONE, SAIRAM, BOTH, SARYAGASH)


@pytest.mark.parametrize(
    ("center", "expected"),
    [
        (None, ["everyone", "sairam", "both", "saryagash"]),
        ("sairam", ["everyone", "sairam", "both"]),
        ("saryagash", ["everyone", "both", "saryagash"]),
        ("elsewhere", ["everyone"]),
    ],
)
def test_a_villager_sees_her_centres_referrals_and_everyones(
    center: str | None, expected: list[str]
) -> None:
    assert [r.name.ru for r in referrals_for(ALL, center)] == expected


def test_centre_texts_are_escaped() -> None:
    tr = Texts.load().for_language("ru")
    text = render_referral(tr, _referral("<b>Кризисный</b> & центр"))
    assert "&lt;b&gt;Кризисный&lt;/b&gt; &amp; центр" in text


def test_the_directory_groups_by_kind_in_the_kinds_order() -> None:
    tr = Texts.load().for_language("kk")
    text = render_directory(
        tr, [_referral("Заң", "legal_aid"), _referral("Полиция бөлімі", "police")]
    )
    assert text.index("Полиция бөлімі") < text.index("Заң")
    assert tr("referral.kind.legal_aid") in text and tr("referral.kind.hospital") not in text
