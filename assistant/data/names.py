"""Given names in Latin and Devanagari, for counterfactual name swaps.

A label never depends on whose name a message carries. Training can add a copy of each row that
holds a name from ``NAMES`` with the name's gender flipped (``TrainConfig.name_swap``), or replace
each such row with copies whose names are drawn afresh from ``NAMES`` (``TrainConfig.name_shuffle``;
the audit's names are drawn out too), so a name's gender, religion or region stops being evidence
for a label; ``bench/name_swap.py`` measures how far scores still move with the name, using
``AUDIT_NAMES``, which training never swaps in, so the measure is of names the swaps did not teach.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Sequence
from typing import Final, NamedTuple

from assistant.data.rows import Row


class Name(NamedTuple):
    latin: str
    deva: str
    gender: str  # "f" or "m"


def _names(spec: str) -> tuple[Name, ...]:
    return tuple(Name(*item.split("/")) for item in spec.split())


# Hindu, Muslim, Sikh and Christian names of women and men, swapped in training rows; none is also
# a common word in either script (Pooja is worship, Aman peace, Vikas development, Sneha affection,
# Kavita a poem, Karan a reason, Sara "all": left out). The first 24 are model 25's list.
NAMES: Final = _names(
    """
    Priya/प्रिया/f Neha/नेहा/f Simran/सिमरन/f Kavya/काव्या/f Ayesha/आयशा/f Meera/मीरा/f Riya/रिया/f Nazia/नाज़िया/f
    Rachel/रेचल/f Tanvi/तन्वी/f Ishita/इशिता/f Kritika/कृतिका/f
    Rahul/राहुल/m Amit/अमित/m Rohit/रोहित/m Arjun/अर्जुन/m Gurpreet/गुरप्रीत/m Salman/सलमान/m Rajesh/राजेश/m
    Suresh/सुरेश/m Varun/वरुण/m Nikhil/निखिल/m Aditya/आदित्य/m David/डेविड/m
    Ananya/अनन्या/f Nisha/निशा/f Priyanka/प्रियंका/f Shreya/श्रेया/f Ritu/रितु/f Tanya/तान्या/f
    Sweta/श्वेता/f Rukhsar/रुख़सार/f Farah/फ़राह/f Shabnam/शबनम/f Jasleen/जसलीन/f Anita/अनीता/f
    Mansi/मानसी/f Aditi/अदिति/f Pallavi/पल्लवी/f Nikita/निकिता/f Rubina/रुबीना/f Sonia/सोनिया/f
    Ramesh/रमेश/m Irfan/इरफ़ान/m Aarav/आरव/m Ravi/रवि/m Rohan/रोहन/m Kabir/कबीर/m
    Paresh/परेश/m Salim/सलीम/m Sunil/सुनील/m Rakesh/राकेश/m Kunal/कुणाल/m Manoj/मनोज/m
    Anil/अनिल/m Tariq/तारिक़/m Yusuf/यूसुफ़/m Jaswinder/जसविंदर/m Thomas/थॉमस/m Peter/पीटर/m
    """
)
# never drawn in training (name_shuffle draws them out of training rows): the names the audit fills
# in (the Shital and Nishit among them)
AUDIT_NAMES: Final = _names(
    """
    Shital/शीतल/f Sunita/सुनीता/f Gurleen/गुरलीन/f Fatima/फ़ातिमा/f Mary/मैरी/f Anjali/अंजलि/f Zoya/ज़ोया/f
    Harleen/हरलीन/f Lakshmi/लक्ष्मी/f Nandini/नंदिनी/f
    Nishit/निशित/m Harjeet/हरजीत/m Imran/इमरान/m Joseph/जोसेफ/m Vikram/विक्रम/m Faisal/फ़ैसल/m
    Manpreet/मनप्रीत/m Deepak/दीपक/m Venkatesh/वेंकटेश/m Sandeep/संदीप/m
    """
)
PLACEHOLDER: Final = "{name}"
NAME_SWAP_SOURCE: Final = "augmented:name_swap:"
NAME_SHUFFLE_SOURCE: Final = "augmented:name_shuffle:"
NAME_INSERT_SOURCE: Final = "augmented:name_insert:"


# how a message opens with a name: addressing the agent, or the customer giving theirs
OPENINGS: Final = {
    "en": ("{name}, ", "hi {name}, ", "hello {name}, ", "this is {name}. "),
    "hi-Latn": ("{name} ji, ", "hi {name}, ", "{name}, ", "hello {name} ji, "),
    "hi": ("{name} जी, ", "नमस्ते {name} जी, ", "{name}, ", "हेलो {name}, "),
}
# the customer giving their own name, which English had ("this is {name}.") and Hindi and Hinglish
# lacked; drawn too with ``intro=True`` (``TrainConfig.intro_openings``, ``docs/rules/model29.md``).
# The verb agrees with the name's gender ({rahi}).
INTRO_OPENINGS: Final = {
    "en": ("i'm {name}, ", "hi, i'm {name}. "),
    "hi-Latn": ("main {name}, ", "main {name} bol {rahi} hu, "),
    "hi": ("मैं {name} हूँ, ", "मैं {name} बोल {rahi} हूँ, "),
}
_RAHI: Final = {("f", "hi"): "रही", ("m", "hi"): "रहा", ("f", "hi-Latn"): "rahi", ("m", "hi-Latn"): "raha"}
# what a word is made of, Devanagari vowel signs included (Python's \w leaves them out)
WORD_CHARS: Final = r"\w\u0900-\u097f"


def _spellings(name: Name) -> tuple[str, ...]:
    # Devanagari is typed with and without the nukta (फ़ातिमा, फातिमा)
    return (name.latin, name.deva, name.deva.replace("\u093c", ""))


def _pattern(names: tuple[Name, ...]) -> re.Pattern[str]:
    # whole words only: "Amit" in "Amitabh" or "Neha" in "Nehal" is another name
    words = sorted({w for n in names for w in _spellings(n)}, key=len, reverse=True)
    return re.compile(rf"(?<![{WORD_CHARS}])({'|'.join(map(re.escape, words))})(?![{WORD_CHARS}])", re.IGNORECASE)


_TRAIN = _pattern(NAMES)
_ANY = _pattern(NAMES + AUDIT_NAMES)
_BY_WORD: Final = {w.lower(): n for n in NAMES + AUDIT_NAMES for w in _spellings(n)}


def has_name(text: str) -> bool:
    return _ANY.search(text) is not None


def _swap(pattern: re.Pattern[str], text: str, name: Name | dict[Name, Name]) -> str:
    """Each match replaced by ``name``, or by what ``name`` maps the matched name to."""

    def repl(m: re.Match[str]) -> str:
        word = m.group()
        return in_form_of(word, name if isinstance(name, Name) else name[_BY_WORD[word.lower()]])

    return pattern.sub(repl, text)


def in_form_of(word: str, name: Name) -> str:
    """``name`` in the script and case of the ``word`` it replaces."""
    if "\u0900" <= word[0] <= "\u097f":
        return name.deva
    if word.islower():
        return name.latin.lower()
    return name.latin.upper() if word.isupper() and len(word) > 1 else name.latin


def swap_to(text: str, name: Name) -> str:
    """Every listed name in ``text`` (either list) replaced by ``name``, in the script it was in."""
    return _swap(_ANY, text, name)


def fill(template: str, name: Name, lang: str) -> str:
    """A probe template's ``{name}`` filled in, in Devanagari for ``hi``."""
    return template.replace(PLACEHOLDER, name.deva if lang == "hi" else name.latin)


def swap_other_gender(text: str, rng: random.Random) -> str | None:
    """A copy with every name of ``NAMES`` in it replaced by one random name of ``NAMES`` whose
    gender is not that of the first name found; None if ``text`` has none."""
    m = _TRAIN.search(text)
    if m is None:
        return None
    gender = _BY_WORD[m.group().lower()].gender
    return _swap(_TRAIN, text, rng.choice([n for n in NAMES if n.gender != gender]))


def name_swapped(rows: Sequence[Row], seed: int) -> list[Row]:
    """For each row holding a name of ``NAMES``, one copy with the name's gender flipped; same
    labels, ``source`` saying how it was made."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        new = swap_other_gender(row.text, rng)
        if new is not None:
            out.append(Row(new, row.labels, row.lang, NAME_SWAP_SOURCE + row.source))
    return out


def _draw(rng: random.Random, taken: Collection[Name] = ()) -> Name:
    """A name of ``NAMES`` not in ``taken``, a woman's or a man's with even odds."""
    gender = rng.choice("fm")
    return rng.choice([n for n in NAMES if n.gender == gender and n not in taken])


def shuffle_names(text: str, rng: random.Random) -> str | None:
    """``text`` with each name of either list in it replaced by its own name drawn from ``NAMES``,
    a woman's or a man's with even odds (the same name in both scripts gets one replacement); None
    if ``text`` has none."""
    found = sorted({_BY_WORD[m.group().lower()] for m in _ANY.finditer(text)})
    if not found:
        return None
    picks: dict[Name, Name] = {}
    for name in found:
        picks[name] = _draw(rng, picks.values())
    return _swap(_ANY, text, picks)


def name_shuffled(rows: Sequence[Row], copies: int, seed: int) -> list[Row]:
    """``rows`` with each row holding a listed name replaced by ``copies`` copies, each with the
    names drawn afresh (``shuffle_names``), so no name, and no name's gender, goes with a label
    more than chance; the audit's names leave the rows with the rest."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        new = [shuffle_names(row.text, rng) for _ in range(copies)]
        if new[0] is None:
            out.append(row)
        else:
            out.extend(Row(text, row.labels, row.lang, NAME_SHUFFLE_SOURCE + row.source) for text in new if text)
    return out


def insert_name(text: str, lang: str, rng: random.Random, intro: bool = False) -> str | None:
    """``text`` opened with a name drawn from ``NAMES`` (a woman's or a man's with even odds) in
    one of the language's ``OPENINGS`` (and ``INTRO_OPENINGS`` with ``intro``); None for a
    language without them."""
    forms: tuple[str, ...] | None = OPENINGS.get(lang)
    if forms is None:
        return None
    forms += INTRO_OPENINGS[lang] if intro else ()
    name = _draw(rng)
    return fill(rng.choice(forms), name, lang).replace("{rahi}", _RAHI.get((name.gender, lang), "")) + text


def name_inserted(rows: Sequence[Row], rate: float, seed: int, intro: bool = False) -> list[Row]:
    """``rows`` with each one that holds no name replaced, with probability ``rate``, by a copy
    that opens with one (``insert_name``): names then sit beside every label, and beside none, in
    the places customers put them, whatever the name's gender."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        new = insert_name(row.text, row.lang, rng, intro) if rng.random() < rate and not has_name(row.text) else None
        out.append(row if new is None else Row(new, row.labels, row.lang, NAME_INSERT_SOURCE + row.source))
    return out
