"""Is this case urgent? Words of danger, the Lethality Screen, and the verdict.

Pure functions: no I/O, no Telegram. A case is urgent when the user pressed
"Danger now" (or sent ``/sos``), when anything they wrote contains words of
danger in Russian or Kazakh, or when their Lethality Screen answers are high.

How text is read
================

People type fast, badly, on shared phones and on keyboards without Kazakh
letters. Before matching, every word is reduced to a *skeleton*:

* NFKC, lower case; diacritics dropped (``ё`` -> ``е``, ``й`` -> ``и``,
  ``ö`` -> ``o``); ``ъ`` -> ``ь``.
* Kazakh letters folded to their Russian-keyboard stand-ins, which is what people
  type when the layout lacks them: ``ә``->``а``, ``ғ``->``г``, ``қ``->``к``,
  ``ң``->``н``, ``ө``->``о``, ``ұ``/``ү``->``у``, ``һ``->``х``, ``і``->``и``.
* A word written wholly in Latin letters is transliterated (Russian chat
  translit and Kazakh Latin: ``ub'yu``, ``zadushu``, ``oltiremin``,
  ``pyshaq``, ``jatyr``; ``j`` is ``ж`` as in Kazakh Latin, an apostrophe is the
  soft sign). A word that mixes scripts is read as Cyrillic with Latin
  look-alikes (``нoж`` with a Latin ``o``, ``өлтiремiн`` with a Latin ``i``).
* A letter repeated three or more times counts once (``убьюююю``); doubled
  letters stay (they are real in Russian and Kazakh spelling).
* Punctuation separates words; hyphenated words become two words.

``ы`` stays distinct from ``и`` (folding it would turn ``был`` "was" into
``бил`` "beat"), and the soft sign stays (``бьет`` "beats" without it is the
Kazakh ``бет`` "face"); patterns allow ``[ыи]`` where Kazakh typists alternate.
Patterns are regular expressions over the skeleton with word boundaries and
explicit endings, so ``нож`` matches ``ножом``/``ножик`` but not ``ножницы``
or ``ножки``.

Decisions on ambiguity
======================

The principle: a helpline would rather over-alert. A false alert costs the
on-duty psychologist a minute (they can downgrade the case); a missed one can
cost a life. So exclusions are only added where they are cheap, local (the
neighbouring words) and safe (the excluded context is hard to read as a threat):

* Idioms that are excluded: ``убить время`` (kill time), ``убить двух зайцев``,
  killing insects; ``душат слёзы``/``кашель``/``смех``, ``жаба душит``
  (idioms of choking); ``бьёт ключом``/``по карману``/``тревогу``; ``зарежу
  барана`` and other livestock (slaughter is everyday life in a village); toy,
  water, glue and foam "pistols"; ``уақытты өлтіру`` (kill time, a calque).
* Kitchen knives: a knife word next to a *recipe* verb in the polite imperative
  (``нарежьте``/``почистите``; ``пышақпен туралаңыз``/``кесіңіз``) is not a
  weapon. Nothing else about kitchens is excluded: "он взял кухонный нож" is a
  classic threat and must alert.
* Hyperbole that still alerts: ``убил бы за чашку кофе`` - "убил бы за ..."
  cannot be told from "убил бы за измену" without understanding; staff
  downgrade it.
* Known false positives we accept: ``пистолет-пулемёт в игре`` (games are
  not parsed), ``у него нет ружья`` (a weapon named at all is worth a look).
* Negation is honoured sparingly. Only "не"/"уже не"/"больше не"/"перестал"
  directly before a *beating* verb (``не бьёт, но ...`` is a common hedge in a first
  message) and before the verb in a child-danger phrase (``детей не трогает``).
  A ``не`` before a threat is ignored: "сказал, что не убьёт, если я вернусь" is
  a threat, and ``не хочу жить`` is itself a signal. Kazakh negation is a verb
  suffix (``өлтірмейді``), so negated Kazakh forms are simply different words
  that the patterns leave out (but ``өлтірмек`` "intends to kill" is kept).
* Self-directed forms are suicide, not a threat to others: ``убью себя``,
  ``өзімді өлтіремін`` give SUICIDE only. Setting oneself on fire gives both
  SUICIDE and FIRE.
* Suicide: words naming a method or a plan (hanging, veins, all the pills,
  vinegar, jumping from a roof or bridge, drowning, fire) are matched, not only
  the word "suicide" - they predict risk better. A single pill ("выпила
  таблетку"), "отравилась" (food poisoning) and "порезала руку" (an accident)
  are not matched; "все таблетки", "отравлюсь", "режу руки" are.
* BEATING_NOW means ongoing violence: present tense ("бьёт", "избивает",
  "ұрып жатыр"), "только что/опять/сейчас ... ударил", and someone breaking
  the door in. A past beating alone ("избил вчера") is not urgent by itself:
  the case still reaches staff in the ordinary queue, and an urgent queue that
  holds every case is no queue. Beating or threatening a *child* is always
  CHILD_DANGER, past or present.
* CONFINEMENT also covers bride kidnapping (``алып қашты``) and hiding behind a
  locked door (``заперлась в ванной``): both mean someone is trapped now.
* SEXUAL_VIOLENCE is the act (``изнасиловал``, ``насилует``, ``домогается``,
  ``зорлады``), urgent whatever its date: medical care and evidence are time-bound.
  The general words ``насилие`` and ``зорлық-зомбылық`` (violence) do not match:
  they name the helpline's whole subject. Against a child it is CHILD_DANGER too.

``DangerSignal.matched`` is the user's own text of the matched words (as typed,
not the skeleton), so a staff card can show what triggered the alert.

Lethality Screen
================

The Maryland Lethality Assessment Program screen: 11 yes/no questions; high
danger on a yes to any of the first three, or on four or more yes among the
other eight. A skipped question (``None`` or absent) counts as neither yes nor
no: skipping can never raise the verdict, and never lowers it below what the
answered questions show.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

__all__ = [
    "LETHALITY_PRIMARY",
    "LETHALITY_QUESTIONS",
    "LETHALITY_SECONDARY",
    "LETHALITY_SECONDARY_THRESHOLD",
    "DangerKind",
    "DangerSignal",
    "UrgencyReason",
    "assess_urgency",
    "find_danger_signals",
    "has_danger_words",
    "lethality_is_high",
    "lethality_yes_count",
    "normalise",
]


class DangerKind(enum.StrEnum):
    KILL_THREAT = enum.auto()
    WEAPON = enum.auto()
    STRANGLING = enum.auto()
    BEATING_NOW = enum.auto()
    SUICIDE = enum.auto()
    CHILD_DANGER = enum.auto()
    CONFINEMENT = enum.auto()
    FIRE = enum.auto()
    SEXUAL_VIOLENCE = enum.auto()


@dataclass(frozen=True)
class DangerSignal:
    kind: DangerKind
    matched: str


class UrgencyReason(enum.StrEnum):
    SOS_BUTTON = enum.auto()
    DANGER_WORDS = enum.auto()
    LETHALITY_SCREEN = enum.auto()


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# A word: letters and digits, possibly joined by apostrophes (translit soft sign).
_TOKEN: Final = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]+)*")
_APOSTROPHES: Final = "'’ʼ`"
_LATIN_VOWELS: Final = frozenset("aeiouy")
_CYRILLIC_VOWELS: Final = frozenset("аеиоуыэюяё")

# Kazakh letters to what a Russian keyboard offers instead; also й/ё/ъ which the
# diacritic stripping usually handles, listed for text that skipped it.
_CYRILLIC_FOLD: Final = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "й": "и",
        "ё": "е",
        "ъ": "ь",
        "є": "е",
    }
)

# Latin letters that stand in for Cyrillic ones inside a Cyrillic word.
_HOMOGLYPHS: Final = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "i": "и",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
        "y": "у",
    }
)

# Transliteration of a wholly Latin word; longest spellings first.
_DIGRAPHS: Final = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
)
_LATIN: Final = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "ж",  # Kazakh Latin: jatyr = жатыр
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "к",  # Kazakh Latin: pyshaq = пышақ
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "в",
    "x": "х",  # chat Russian uses x for х
    "z": "з",
    "ы": "ы",  # from Kazakh Latin ı, mapped earlier
}
_IOTATED: Final = {"a": "я", "u": "ю", "o": "е", "e": "е"}
# Only yu/yo take a soft sign after a consonant: ubyu = убью and byot = бьёт, but
# menya = меня and tebya = тебя (a wrong soft sign elsewhere is harmless).
_SOFTENED: Final = frozenset("uo")


def _transliterate(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        c = word[i]
        if c in _APOSTROPHES:
            out.append("ь")
            i += 1
            continue
        for latin, cyrillic in _DIGRAPHS:
            if word.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            if c == "y":
                nxt = word[i + 1] if i + 1 < len(word) else ""
                prev = out[-1] if out else ""
                if nxt in _IOTATED:
                    consonant = bool(prev) and prev not in _CYRILLIC_VOWELS and prev != "ь"
                    soft = consonant and nxt in _SOFTENED
                    out.append(("ь" if soft else "") + _IOTATED[nxt])
                    i += 2
                    continue
                # After a vowel y is й (soboy); elsewhere ы (myltyq, jatyr).
                out.append("и" if prev in _CYRILLIC_VOWELS else "ы")
            else:
                out.append(_LATIN.get(c, c))
            i += 1
    return "".join(out)


def _is_latin(c: str) -> bool:
    return "a" <= c <= "z"


def _is_cyrillic(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


def _skeleton_word(word: str) -> str:
    w = unicodedata.normalize("NFKC", word).casefold()
    # Kazakh Latin letters whose diacritic carries a different sound.
    w = w.replace("ş", "sh").replace("ç", "ch").replace("ı", "ы")
    w = "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c))
    has_latin = any(_is_latin(c) for c in w)
    if has_latin and any(_is_cyrillic(c) and c != "ы" for c in w):
        w = w.translate(_HOMOGLYPHS)
    elif has_latin:
        w = _transliterate(w)
    for apostrophe in _APOSTROPHES:
        w = w.replace(apostrophe, "ь")
    w = w.translate(_CYRILLIC_FOLD)
    return re.sub(r"(.)\1{2,}", r"\1", w)


@dataclass(frozen=True)
class _Skeleton:
    text: str
    # For each word: start and end in the skeleton, start and end in the original.
    spans: tuple[tuple[int, int, int, int], ...]

    def original(self, source: str, start: int, end: int) -> str:
        """The user's own text of the words covering skeleton[start:end]."""
        covered = [s for s in self.spans if s[1] > start and s[0] < end]
        return source[covered[0][2] : covered[-1][3]]


def _skeletonise(text: str) -> _Skeleton:
    parts: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        word = _skeleton_word(m.group())
        if not word:
            continue
        if parts:
            pos += 1  # the joining space
        parts.append(word)
        spans.append((pos, pos + len(word), m.start(), m.end()))
        pos += len(word)
    return _Skeleton(" ".join(parts), tuple(spans))


def normalise(text: str) -> str:
    """The skeleton the patterns are matched against (exposed for debugging)."""
    return _skeletonise(text).text


# --------------------------------------------------------------------------
# Patterns (written in skeleton form: no ё/й/ъ, Kazakh letters folded)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    kind: DangerKind
    pattern: re.Pattern[str]
    # The match is dropped when this matches the skeleton just before it (it is
    # anchored at the end) or right after it (anchored at the match end).
    unless_before: re.Pattern[str] | None
    unless_after: re.Pattern[str] | None


def _rule(
    kind: DangerKind,
    *patterns: str,
    unless_before: str | None = None,
    unless_after: str | None = None,
) -> _Rule:
    return _Rule(
        kind,
        re.compile("|".join(rf"\b(?:{p})\b" for p in patterns)),
        re.compile(rf"(?:{unless_before})\Z") if unless_before else None,
        re.compile(unless_after) if unless_after else None,
    )


_ANY = r"(?:\w+ )"  # one arbitrary word and its space
_NEG = r"\bне |\bуже не |\bбольше не |\bперестал\w* "
# Kazakh verb stems take the negative suffix -ма/-ме; -мак/-мек (intention) is not it.
_KK_POS = r"(?!м[еа](?!к))"
_SELF_KK = r"\bоз(?:имди|инди|ин|ине|име|и) "
_TOY = r"\b(?:игрушечн|водян|клеев|монтажн|паяльн|оиыншык)\w* "
_LIVESTOCK = (
    r" (?:\w+ )?(?:барана|баранов|овцу|овец|козу|коз|козла|курицу|кур|петуха|быка|"
    r"корову|теленка|ягненка|скот\w*)\b"
)

_CHILD = (
    r"(?:ребен\w*|детеи|дети|детям|детьми|дочь|дочк\w*|дочер\w*|доченьк\w*|"
    r"сын|сына|сыну|сыном|сыночк\w*|малыш\w*|"
    r"бала|баланы|балага|балада|балам\w*|балалар\w*|балан|"
    r"к[ыи]з[ыи]м\w*|ул[ыи]м\w*|немерем\w*)"
)
_CHILD_HARM = (
    r"(?<!\bне )(?:бь(?:ет|ют)|бил[аи]?|избива\w*|избил\w*|удар\w*|убь?(?:ет|ют|ю)|убить|"
    r"убил\w*|душ(?:ит|ил\w*)|задуш\w*|угрожа\w*|насил\w*|изнасил\w*|домога\w*|"
    r"приста(?:ет|вал\w*)|трога(?:ет|л\w*)|обжег\w*|покалеч\w*|"
    rf"урад[ыи]|ур[ыи]п|сог[ыи]п|согад[ыи]|сабап|сабаид[ыи]|олт[иы]р{_KK_POS}\w*|"
    r"зорла\w*|кинаид[ыи]|тепк[ыи]ле\w*)"
)

_PILLS_VERB = r"(?:выпь?ю|выпила|выпил|выпить|напьюсь|наглота\w*|наемся|сьем)"

_RULES: Final = (
    # ---- threats to kill -------------------------------------------------
    _rule(
        DangerKind.KILL_THREAT,
        r"убь?(?:ю|ет|ют|ешь|ем)",
        r"убить",
        unless_after=r" (?:\w+ )?(?:себя|время|времени|двух заицев|комар\w*|мух\w*|таракан\w*)\b",
    ),
    _rule(
        DangerKind.KILL_THREAT,
        r"прибь(?:ю|ет|ют|ешь)",
        r"(?:чуть|едва) не убил\w*",
        r"убил[аи]? бы",
        r"бы (?:\w+ ){0,2}убил[аи]?",
        r"(?:за|при)стрел(?:ю|ит|ят|ишь|ить)",
        r"(?:в живых|живым|живои) не оставл\w*",
        r"не оставл\w* (?:\w+ )?в живых",
        r"тебе не жить",
        r"закопа(?:ю|ет) (?:тебя|вас|меня|нас|ее|живьем)",
        r"тири калд[ыи]рма\w*",
        r"(?:сени|сизди|сендерди) бауызда\w*",
        r"бауызда\w* деп",
    ),
    _rule(
        DangerKind.KILL_THREAT,
        r"зареж(?:у|ет|ут|ешь)",
        r"зарезать",
        unless_after=_LIVESTOCK,
    ),
    _rule(
        DangerKind.KILL_THREAT,
        rf"олт[иы]р{_KK_POS}\w*",
        unless_before=rf"{_SELF_KK}|\bуак[ыи]т\w* ",
    ),
    # ---- weapons ---------------------------------------------------------
    _rule(
        DangerKind.WEAPON,
        # "ножем" is a frequent misspelling of "ножом"; ножницы and ножки stay out.
        r"нож(?:а|у|ом|ем|е|и|еи|ам|ами|ах|ик|ика|иком|ики|ичек|ичком)?",
        unless_before=r"\b(?:нарежьте|порежьте|режьте|почистите|нарезать|нарезаем) (?:\w+ ){0,2}",
        unless_after=r" (?:\w+ ){0,2}(?:нарежьте|порежьте|режьте|почистите|нарезать|нарезаем)\b",
    ),
    _rule(
        DangerKind.WEAPON,
        r"п[ыи][шч][ао][кгх]\w*",  # пышақ, пышағы, пичақ, Uzbek пичоқ
        unless_after=r" (?:\w+ ){0,2}(?:турала|тура|кес|арш)\w*н[ыи]з\b",
    ),
    _rule(
        DangerKind.WEAPON,
        r"пистолет\w*",
        r"ружь?(?:е|я|ю|ем|ями|ях)",
        r"обрез(?:а|ом|у|ы)?",
        r"травмат(?:а|ом|у|ик|ика|иком)?",
        r"м[ыи]лт[ыи][кг]\w*",
        r"тапанша\w*",
        unless_before=_TOY,
    ),
    _rule(
        DangerKind.WEAPON,
        r"топор(?:а|у|ом|е|ы|ик|иком|ика)?",
        r"оружи(?:е|я|ем|ю)",
        r"огнестрел\w*",
        r"(?:тесак|кинжал)\w*",
        r"балта(?:мен|сы|сын|сымен|ны|га|да|лап)?",
        r"кару(?:мен|ы|ын|ды|лы|ымен)?",
    ),
    # ---- strangling ------------------------------------------------------
    _rule(
        DangerKind.STRANGLING,
        r"душ(?:[иы]т|ат|[иы]л|[иы]ла|[иы]ли|[иы]ть|ишь)",  # душит, душыт
        unless_before=r"\b(?:слез\w*|кашель|обида|жаба|смех) ",
        unless_after=r" (?:\w+ )?(?:слез\w*|кашель|смех|обида|жаба)\b",
    ),
    _rule(
        DangerKind.STRANGLING,
        r"(?:за|при)душ(?:у|ит|ат|ил|ила|или|ить|ишь|ен|ена|енная)",
        r"удуш(?:ени|ил|ит)\w*",
        r"(?:с?хват|держ|сдав|сжа|сжим)\w* (?:меня |ее |мне )?за (?:горло|шею)",
        r"сдавил\w* (?:мне |ее )?(?:горло|шею)",
        rf"тунш[ыи]кт[ыи]р{_KK_POS}\w*",
        rf"бу[ыи]нд[ыи]р{_KK_POS}\w*",
        r"тамаг[ыи]\w* (?:\w+ )?к[ыи]с(?:т[ыи]|ад[ыи]|ып)\w*",
    ),
    # ---- beating now -----------------------------------------------------
    _rule(
        DangerKind.BEATING_NOW,
        r"бь(?:ет|ют)",
        r"избива(?:ет|ют|л|ла|ли|ть)",
        r"лом(?:ится|ятся|ает двер\w*)",
        unless_before=_NEG,
        unless_after=r" (?:по карману|рекорд\w*|ключом|в глаза|тревогу|челом)\b",
    ),
    _rule(
        DangerKind.BEATING_NOW,
        r"(?:только что|сеичас|опять|снова) (?:\w+ ){0,2}"
        r"(?:избил[аи]?|ударил[аи]?|бил[аи]?|бь(?:ет|ют))",
        r"(?:ур[ыи]п|сог[ыи]п|сабап|тепк[ыи]леп) жат\w*",
        r"урад[ыи]",
        r"ур[ыи]п сог\w*",
        r"сабаид[ыи]",
        r"тепк[ыи]леид[ыи]",
        r"кол жумса(?:д[ыи]|ид[ыи]|п)",
        unless_before=rf"{_SELF_KK}|{_NEG}",
    ),
    # ---- suicide and self-harm -------------------------------------------
    _rule(
        DangerKind.SUICIDE,
        r"суицид\w*",
        r"самоуби\w*",
        r"поконч\w* (?:с собо\w*|со всем)",
        r"не (?:хочу|хочется|буду) (?:больше )?жить",
        r"жить (?:больше )?не (?:хочу|хочется)",
        r"(?:незачем|нет смысла|не для чего) жить",
        r"(?:хочу|лучше) умереть",
        r"уи(?:ти|ду|дет) из жизни",
        r"сч[её]ты с жизнью",
        r"пове(?:шусь|ситься|силась|сился|шаюсь)",
        r"вешаться",
        r"в петлю",
        r"(?:вскр|порез|пореж|перереж|перерез|реж)\w* (?:себе |мне )?вен\w*",
        r"(?:режу|режет|режусь|режется|порежу) (?:себе |себя )?(?:руки|вены|себя)",
        rf"{_PILLS_VERB} (?:\w+ ){{0,2}}(?:все|всю|пачку|горсть|кучу|много) "
        r"(?:\w+ ){0,2}таблет\w*",
        rf"таблет\w* (?:\w+ ){{0,2}}{_PILLS_VERB} вс\w*",
        r"наглота\w* (?:\w+ ){0,2}таблет\w*",
        r"таблет\w* наглота\w*",
        r"отравлюсь",
        r"(?:хочу|решила|решил) отравиться",
        r"(?:выпь?ю|выпила|выпил|выпить|напьюсь) (?:\w+ )?уксус\w*",
        r"уксус\w* (?:\w+ )?(?:выпь?ю|выпила|выпить)",
        r"(?:прыгну|спрыгну|сброшусь|выпрыгну) "
        r"(?:с (?:\w+ )?(?:крыши|моста|балкона|этажа|обрыва)|из окна)",
        r"(?:брошусь|кинусь|лягу) под (?:поезд|машину|колеса)",
        r"утоп(?:люсь|иться)",
        r"убь?ю себя",
        r"убить себя",
        r"(?:сожгу|подожгу|оболью|облью) себя",
        rf"оз(?:имди|инди|ин|и) (?:\w+ )?олт[иы]р{_KK_POS}\w*",
        r"оз(?:име|ине)(?: ози\w*)? кол жумса\w*",
        r"ас[ыи]л(?:ам[ыи]н|ам|аи[ыи]н|г[ыи]м)",
        r"ас[ыи]л[ыи]п (?:ол|кал|ал)\w*",
        r"омир сург[ыи]м келме\w*",
        r"олг[ыи]м кел(?!ме)\w*",
        r"омирден кет(?:к[ыи]м|ем|еи)\w*",  # not кетті: someone passed away
        r"барл[ыи]к (?:таблетк|дари)\w* (?:\w+ )?иш\w*",
        r"(?:копирден|терезеден|биктен|жардан|каб[ыи]ттан) сек[иы]р\w*",
        r"оз(?:имди|инди|ин) орте\w*",
    ),
    # ---- children --------------------------------------------------------
    _rule(
        DangerKind.CHILD_DANGER,
        rf"{_CHILD} (?:\w+ ){{0,3}}?{_CHILD_HARM}",
        rf"{_CHILD_HARM} (?:\w+ ){{0,3}}?{_CHILD}",
        r"(?:ребен\w*|дет\w*) (?:в )?опасност\w*",
        r"бала\w* кауипт\w*",
    ),
    # ---- confinement, kidnapping -----------------------------------------
    _rule(
        DangerKind.CONFINEMENT,
        r"запер(?:ла|ли|т|та|ты|лась|лись|ся|еть|ет|ешь)?",  # not запершило
        r"запира\w*",
        r"взаперти",
        r"не выпуска\w*",
        rf"закрыл\w* {_ANY}{{0,3}}?на (?:ключ|замок)",
        r"похит(?:ил|ила|или|ить|ит|ят|ят)",  # not похитрее
        r"похищ\w*",
        r"укра(?:л|ли|ла|дет) (?:\w+ )?(?:меня|невест\w*|ребен\w*|дочь|дочку|сына|детеи)",
        r"связал\w* (?:меня|мне|ее|нас|руки)",
        r"держ\w* (?:меня |нас )?(?:силои|взаперти|в подвале|в сарае)",
        r"кама(?:п|ды|д[ыи])",
        r"ал[ыи]п каш\w*",
        r"(?:мени|баламды|балаларды|кызымды|улымды|баланы|кызды) урла\w*",
        r"(?:уиден|далага|сыртка) шыгарма\w*",
        r"(?:мени|колымды|колымд[ыи]) баила\w*",
    ),
    # ---- fire ------------------------------------------------------------
    _rule(
        DangerKind.FIRE,
        r"(?:обл(?:ил|ила|или|ивает|ивал)|облью|обольет|оболью|обольют) "
        r"(?:\w+ ){0,2}?(?:бензин|керосин|солярк)\w*",
        r"(?:бензин|керосин)\w* (?:\w+ )?обл\w*",
        r"подожгу|подожжет|подожгут|поджечь|поджог\w*",
        r"(?:сожгу|сожжет|сожгут|спалю|спалит|спалят) "
        r"(?:тебя|вас|нас|дом|всех|меня|ее|его|детеи|вместе)",
        r"(?:себя|себе) (?:\w+ )?(?:бензином|керосином)",
        rf"орте(?:п|и){_KK_POS}\w*",
        r"(?:маган|устиме|устимнен|бетиме) (?:\w+ )?бензин\w*",
        r"бензин\w* сеп\w*",
    ),
    # ---- sexual violence: the act, never the general word "насилие" / "зорлық" -----
    # Rape is urgent whatever its date: medical care and evidence are time-bound.
    _rule(
        DangerKind.SEXUAL_VIOLENCE,
        r"изн[ао]сил\w*",
        r"насилу(?:ет|ют)",
        r"насиловал\w*",
        r"принужда\w* (?:\w+ )?к (?:сексу|близости|интиму)",
        r"домога(?:ется|лся|ются|лись)",
        # Kazakh: зорлау (to rape) is "зорла-"; зорлық (violence) has no "а" after "л".
        rf"зорла{_KK_POS}\w*",
    ),
)


def find_danger_signals(text: str) -> list[DangerSignal]:
    """Words of danger in ``text``, in order of appearance, each (kind, words) once."""
    skeleton = _skeletonise(text)
    found: list[tuple[int, int, int, DangerSignal]] = []
    for order, rule in enumerate(_RULES):
        for m in rule.pattern.finditer(skeleton.text):
            # Exclusions look at a few words around the match only: local context.
            before = skeleton.text[max(0, m.start() - 60) : m.start()]
            if rule.unless_before is not None and rule.unless_before.search(before):
                continue
            if rule.unless_after is not None and rule.unless_after.match(skeleton.text, m.end()):
                continue
            words = skeleton.original(text, m.start(), m.end())
            found.append((m.start(), m.end(), order, DangerSignal(rule.kind, words)))
    # Earliest first; at the same start the longest (most telling) match first.
    found.sort(key=lambda item: (item[0], -item[1], item[2]))
    signals: list[DangerSignal] = []
    taken: list[tuple[int, int, DangerKind]] = []
    for start, end, _, signal in found:
        # "сейчас бьёт" and "бьёт" are one signal, not two: a match overlapping
        # an accepted one of the same kind adds nothing.
        if any(k == signal.kind and s < end and start < e for s, e, k in taken):
            continue
        taken.append((start, end, signal.kind))
        if signal not in signals:
            signals.append(signal)
    return signals


def has_danger_words(text: str) -> bool:
    return bool(find_danger_signals(text))


# --------------------------------------------------------------------------
# Lethality Screen
# --------------------------------------------------------------------------

# Stable ids in the screen's order; texts live in the catalogues as screen.<id>.
LETHALITY_QUESTIONS: Final[tuple[str, ...]] = (
    "weapon",  # 1. used a weapon against you or threatened you with one
    "threat_to_kill",  # 2. threatened to kill you or your children
    "might_kill",  # 3. do you think they might try to kill you
    "gun",  # 4. has a gun or can get one easily
    "strangle",  # 5. ever tried to choke (strangle) you
    "jealous_control",  # 6. violently/constantly jealous or controls daily life
    "separated",  # 7. you left or separated after living together/marriage
    "unemployed",  # 8. unemployed
    "suicide_attempt",  # 9. ever tried to kill themselves
    "child_not_his",  # 10. a child they know is not theirs
    "stalking",  # 11. follows, spies, leaves threatening messages
)
# One yes here is high danger on its own.
LETHALITY_PRIMARY: Final[tuple[str, ...]] = LETHALITY_QUESTIONS[:3]
LETHALITY_SECONDARY: Final[tuple[str, ...]] = LETHALITY_QUESTIONS[3:]
LETHALITY_SECONDARY_THRESHOLD: Final = 4


def _checked(answers: Mapping[str, bool | None]) -> Mapping[str, bool | None]:
    unknown = sorted(set(answers) - set(LETHALITY_QUESTIONS))
    if unknown:
        raise ValueError(f"unknown Lethality Screen question ids: {', '.join(unknown)}")
    for qid, answer in answers.items():
        # A stray "yes" string would otherwise silently count as skipped.
        if answer is not None and not isinstance(answer, bool):
            raise ValueError(f"answer to {qid!r} must be True, False or None")
    return answers


def lethality_yes_count(
    answers: Mapping[str, bool | None], questions: Iterable[str] = LETHALITY_QUESTIONS
) -> int:
    """How many of ``questions`` were answered yes (skipped ones are not counted)."""
    checked = _checked(answers)
    return sum(1 for qid in questions if checked.get(qid) is True)


def lethality_is_high(answers: Mapping[str, bool | None]) -> bool:
    """High danger: yes to any of Q1-Q3, or yes to 4+ of Q4-Q11. Skipped = None/absent."""
    if lethality_yes_count(answers, LETHALITY_PRIMARY) > 0:
        return True
    return lethality_yes_count(answers, LETHALITY_SECONDARY) >= LETHALITY_SECONDARY_THRESHOLD


# --------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------


def assess_urgency(
    *, sos: bool, texts: Iterable[str], screen: Mapping[str, bool | None] | None
) -> list[UrgencyReason]:
    """Why the case is urgent, in a fixed order; an empty list means not urgent."""
    reasons: list[UrgencyReason] = []
    if sos:
        reasons.append(UrgencyReason.SOS_BUTTON)
    if any(has_danger_words(t) for t in texts):
        reasons.append(UrgencyReason.DANGER_WORDS)
    if screen is not None and lethality_is_high(screen):
        reasons.append(UrgencyReason.LETHALITY_SCREEN)
    return reasons
