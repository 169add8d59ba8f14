"""Label-preserving noise for training rows only (typos, casing, Hinglish spellings, and
Devanagari Hindi rewritten in Latin letters as Hinglish).

Never upper-cases: CAPS is a cue for anger, so shouting must not be invented.
"""

from __future__ import annotations

import random
import re

from assistant.data.rows import Row
from assistant.data.translit import romanize

# Spellings real Hinglish typists use interchangeably.
HINGLISH_VARIANTS: dict[str, tuple[str, ...]] = {
    "hai": ("h", "he", "hei"),
    "nahi": ("nhi", "nai", "nahin", "ni"),
    "kya": ("kia", "kyaa", "kyu"),
    "mujhe": ("muje", "mjhe", "mujhey"),
    "bahut": ("bhot", "bohot", "bhut", "bohat"),
    "kyun": ("kyu", "q", "kyon"),
    "theek": ("thik", "thk", "tik"),
    "accha": ("acha", "achha", "acchha"),
    "aap": ("ap", "aapp"),
    "aapka": ("apka", "aapka"),
    "aapki": ("apki",),
    "main": ("mai", "me", "mein"),
    "karo": ("kro", "kar do"),
    "yaar": ("yar", "yrr"),
    "please": ("pls", "plz", "plzz"),
    "kal": ("kl",),
    "hoon": ("hu", "hun", "hoo"),
    "raha": ("rha",),
    "rahi": ("rhi",),
    "kab": ("kb",),
    "abhi": ("abi", "abhee"),
    "matlab": ("mtlb",),
    "kuch": ("kch", "kuchh"),
    "tum": ("tm",),
    "bhai": ("bhaii", "bro"),
    "thanks": ("thx", "thnx", "thanku"),
}
_WORD = re.compile(r"\w+", re.UNICODE)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2764\ufe0f]+")


def typo(text: str, rng: random.Random) -> str | None:
    words = [m for m in _WORD.finditer(text) if len(m.group()) >= 4 and m.group().isalpha()]
    if not words:
        return None
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 1)
    op = rng.choice(("drop", "swap", "double"))
    if op == "drop":
        new = w[:i] + w[i + 1 :]
    elif op == "swap":
        new = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    else:
        new = w[:i] + w[i] + w[i:]
    return text[: m.start()] + new + text[m.end() :]


def casual(text: str, rng: random.Random) -> str | None:
    new = text.lower().rstrip(".!?")
    if rng.random() < 0.5:
        new = new.replace(",", "").replace("'", "")
    return new if new != text and new.strip() else None


def hinglish(text: str, rng: random.Random) -> str | None:
    words = [m for m in _WORD.finditer(text) if m.group().lower() in HINGLISH_VARIANTS]
    if not words:
        return None
    out, last = [], 0
    for m in words:
        if rng.random() < 0.7:
            out.append(text[last : m.start()] + rng.choice(HINGLISH_VARIANTS[m.group().lower()]))
            last = m.end()
    new = "".join(out) + text[last:]
    return new if new != text else None


def no_emoji(text: str, rng: random.Random) -> str | None:
    new = re.sub(r"\s{2,}", " ", _EMOJI.sub("", text)).strip()
    return new if new and new != text else None


AUGMENTERS = {"typo": typo, "casual": casual, "hinglish": hinglish, "noemoji": no_emoji}
# Share of the augmented Hindi rows that become Hinglish: the same message in the other script
# ties the two together, and Hinglish, which has no standard spelling, is the weakest language.
ROMANIZE_SHARE = 0.7


def augment(rows: list[Row], rate: float, seed: int) -> list[Row]:
    """One noisy copy of about ``rate`` of ``rows``; ``source`` says how it was made."""
    rng = random.Random(seed)
    seen = {r.text for r in rows}
    out = []
    for row in rows:
        if rng.random() >= rate:
            continue
        if row.lang == "hi" and rng.random() < ROMANIZE_SHARE:
            new = romanize(row.text, rng)
            if new and new not in seen:
                seen.add(new)
                out.append(Row(new, row.labels, "hi-Latn", f"augmented:romanized:{row.source}"))
                continue
        kinds = [k for k in AUGMENTERS if k != "hinglish" or row.lang == "hi-Latn"]
        rng.shuffle(kinds)
        for kind in kinds:
            new = AUGMENTERS[kind](row.text, rng)
            if new and new not in seen:
                seen.add(new)
                out.append(Row(new, row.labels, row.lang, f"augmented:{kind}:{row.source}"))
                break
    return out
