"""Words for one's partner, for counterfactual partner swaps.

A message about the customer's boyfriend is no more an advance than one about their wife, and
asking whether the agent has a wife is as much one as asking about a boyfriend. In the written
data the words are not balanced: advances ask agents, mostly women, about a boyfriend far more
often than about a wife, so "boyfriend" itself became evidence for ``date_request``, and a gay man
or a woman booking a trip with theirs could get a nudge that a husband booking the same trip
would not. Training can replace each row that names a partner with copies whose partner words are
drawn afresh, a man's or a woman's with even odds (``TrainConfig.partner_shuffle``);
``bench/name_swap.py --partners`` measures how far scores still move with the word.

In Hindi and Hinglish a possessive right before the word agrees with it ("mera boyfriend",
"meri wife", "customer ke husband ki"); a swap across genders turns it too. A verb or pronoun
further on is left as written ("meri wife aa rahi hai" becomes "mere husband aa rahi hai"), as
customers' own typing sometimes is.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Final, NamedTuple

from assistant.data.names import WORD_CHARS
from assistant.data.rows import Row


class Word(NamedTuple):
    text: str
    gender: str  # "f" or "m"
    hinglish: bool = False  # a Hindi word in Latin script: drawn only into hi-Latn rows
    drawn: bool = True  # rare spellings are swapped out but never drawn in


def _words(spec: str, **kind: bool) -> tuple[Word, ...]:
    pairs = (item.split("/") for item in spec.split())
    return tuple(Word(text, gender, **kind) for text, gender in pairs)


# "partner" and "spouse" are left alone: neither has a gender, and "delivery partner" is no one's.
LATIN: Final = (
    _words("boyfriend/m girlfriend/f husband/m wife/f bf/m gf/f hubby/m")
    + _words("pati/m patni/f biwi/f", hinglish=True)
    + _words("fiance/m fiancee/f fiancé/m fiancée/f", drawn=False)
)
DEVANAGARI: Final = _words("बॉयफ्रेंड/m गर्लफ्रेंड/f पति/m पत्नी/f बीवी/f हसबैंड/m वाइफ/f")
PARTNER_SHUFFLE_SOURCE: Final = "augmented:partner_shuffle:"
_BY_WORD: Final = {w.text.lower(): w for w in LATIN + DEVANAGARI}
# possessives that agree with the word after them: stem + a/e (his, masculine) or i (hers)
_STEMS_LATIN = "mer apn usk ter tumhar aapk apk hamar unk isk k"
_STEMS_DEVA = "मेर अपन उसक तेर तुम्हार आपक हमार उनक इसक क"
_POSSESSIVE = rf"(?:(?:{'|'.join(_STEMS_LATIN.split())})[aei]|(?:{'|'.join(_STEMS_DEVA.split())})[ाेी])"
_PATTERN: Final = re.compile(
    rf"(?<![{WORD_CHARS}])(?:(?P<pos>{_POSSESSIVE})(?P<gap>\s+))?"
    rf"(?P<word>{'|'.join(map(re.escape, sorted(_BY_WORD, key=len, reverse=True)))})(?![{WORD_CHARS}])",
    re.IGNORECASE,
)


def has_partner(text: str) -> bool:
    return _PATTERN.search(text) is not None


def partner_words(text: str) -> list[Word]:
    return [_BY_WORD[m.group("word").lower()] for m in _PATTERN.finditer(text)]


def pool(lang: str, word: Word) -> tuple[Word, ...]:
    """What ``word`` may be drawn as in a row of ``lang``: common words of its script, and Hindi
    words in Latin script only in Hinglish."""
    words = DEVANAGARI if word in DEVANAGARI else LATIN
    return tuple(w for w in words if w.drawn and (lang == "hi-Latn" or not w.hinglish))


def _agree(possessive: str, old: Word, new: Word) -> str:
    if old.gender == new.gender:
        return possessive
    stem, end = possessive[:-1], possessive[-1]
    feminine = {"a": "i", "e": "i", "ा": "ी", "े": "ी"}
    masculine = {"i": "e", "ी": "े"}  # "mere" fits both cases (and a husband's respect)
    table = feminine if new.gender == "f" else masculine
    new_end = table.get(end.lower(), end)
    return stem + (new_end.upper() if end.isupper() else new_end)


def _cased(like: str, word: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


def swap_partners(text: str, pick: dict[Word, Word]) -> str:
    """Each partner word of ``text`` replaced by what ``pick`` maps it to (left as is where it maps
    to nothing), with the possessive before it made to agree."""

    def repl(m: re.Match[str]) -> str:
        old = _BY_WORD[m.group("word").lower()]
        new = pick.get(old, old)
        pos = m.group("pos")
        head = _agree(pos, old, new) + m.group("gap") if pos else ""
        return head + _cased(m.group("word"), new.text)

    return _PATTERN.sub(repl, text)


def shuffle_partners(text: str, lang: str, rng: random.Random) -> str | None:
    """``text`` with each partner word replaced by one drawn from its ``pool``, a man's or a
    woman's with even odds (one word, one replacement); None if ``text`` has none."""
    found = sorted(set(partner_words(text)))
    if not found:
        return None
    pick = {}
    for word in found:
        gender = rng.choice("fm")
        pick[word] = rng.choice([w for w in pool(lang, word) if w.gender == gender])
    return swap_partners(text, pick)


def partner_shuffled(rows: Sequence[Row], copies: int, seed: int) -> list[Row]:
    """``rows`` with each row that names a partner replaced by ``copies`` copies, each with its
    partner words drawn afresh (``shuffle_partners``), so no word for a partner, and no partner's
    gender, goes with a label more than chance."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        new = [shuffle_partners(row.text, row.lang, rng) for _ in range(copies)]
        if new[0] is None:
            out.append(row)
        else:
            out.extend(Row(t, row.labels, row.lang, PARTNER_SHUFFLE_SOURCE + row.source) for t in new if t)
    return out


# the four a probe puts in a message's place, in the script of the word they replace
PROBE: Final = ("boyfriend", "girlfriend", "husband", "wife")
_PROBE_WORDS: Final = {
    "latin": tuple(_BY_WORD[w] for w in PROBE),
    "deva": tuple(_BY_WORD[w] for w in ("बॉयफ्रेंड", "गर्लफ्रेंड", "पति", "पत्नी")),
}


def probe_swaps(text: str) -> list[str]:
    """``text`` with every partner word made each of ``PROBE`` in turn (in its own script)."""
    found = set(partner_words(text))
    return [
        swap_partners(text, {w: _PROBE_WORDS["deva" if w in DEVANAGARI else "latin"][k] for w in found})
        for k in range(len(PROBE))
    ]
