"""Conversation signals: ``rising_anger`` and ``persistent_advances`` (pure functions over turns).

Classifier scores saturate near 1.0 once a message is clearly angry, so a growing score cannot show a
trend. ``heat`` therefore ranks a customer message by the model's labels plus plain escalation cues
(insults, shouting in CAPS, ``!!!``/``???``, angry emoji), and ``rising_anger`` compares the latest
messages with earlier ones in the window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from assistant.engine.state import SignalHit, Turn
from assistant.labels import LABELS

ADVANCE_LABELS: Final[tuple[str, ...]] = ("flirtation", "date_request", "contact_request", "gift_offer")
HOSTILE_LABELS: Final[tuple[str, ...]] = ("insult", "anger")

MIN_WINDOW: Final = 3
"""A trend needs an earlier message to compare with the latest two."""
HOSTILE: Final = 2
"""``heat`` from which the model calls the message angry or insulting."""
IRRITATION_SCORE: Final = 0.3
"""An unlabelled message scoring this much anger/insult is not quite calm (heat 1)."""

# --- escalation cues -------------------------------------------------------------------------------

_LATIN_WORD = re.compile(r"[A-Za-z]+")
ACRONYMS: Final[frozenset[str]] = frozenset(
    str.split(
        "OTP EMI COD UPI KYC PNR GST ATM SIM DTH IMEI IFSC NEFT RTGS IMPS PAN SBI HDFC ICICI RBI CEO USB LED LCD "
        "AWB ETA ASAP FAQ APP URL SMS MMS PIN NRI CIBIL EPF PF GPS WIFI DSL AC TV ID OK PM AM IRCTC UIDAI LPG "
        "CNG PDF HR IT ISP CCTV NPS CVV MRP"
    )
)
_BURST = re.compile("[!?]{2,}|[\U0001f620\U0001f621\U0001f92c\U0001f47f\U0001f4a2\U0001f595]")


def shouting(text: str) -> bool:
    """Latin text in CAPS: two shouted words, or mostly capitals (acronyms like OTP or EMI don't count)."""
    words = [w for w in _LATIN_WORD.findall(text) if w not in ACRONYMS]
    caps = [w for w in words if len(w) >= 2 and w.isupper()]
    if sum(1 for w in caps if len(w) >= 3) >= 2:
        return True
    letters = sum(len(w) for w in words)
    upper = sum(len(w) for w in caps)
    return letters >= 4 and upper >= 3 and upper / letters >= 0.6


def exclaiming(text: str) -> bool:
    """``!!``, ``??``, ``?!``, several ``!`` or an angry emoji."""
    return text.count("!") >= 2 or _BURST.search(text) is not None


def heat(turn: Turn) -> int:
    """0 calm, 1 irritated (cues or a near-threshold score, not labelled), 2+ angry or insulting:
    2 + insult + shouting + exclaiming, so an insult or louder message ranks above plain anger."""
    cues = int(shouting(turn.text)) + int(exclaiming(turn.text))
    if not any(lb in turn.labels for lb in HOSTILE_LABELS):
        near = max(turn.scores.get(lb, 0.0) for lb in HOSTILE_LABELS) >= IRRITATION_SCORE
        return 1 if cues or near else 0
    return HOSTILE + int("insult" in turn.labels) + cues


def _labels_in(turns: Iterable[Turn], wanted: Sequence[str]) -> list[str]:
    seen = {lb for t in turns for lb in t.labels}
    return [lb for lb in LABELS if lb in wanted and lb in seen]


def _merge(first: list[str], more: Iterable[str]) -> list[str]:
    out = list(first)
    out.extend(x for x in more if x not in out)
    return out


def rising_anger(customer_turns: Sequence[Turn], window: int, previous: SignalHit | None = None) -> SignalHit | None:
    """Is the customer's anger rising at their latest message?

    A trend starts when, among the last ``max(window, 3)`` customer messages, the latest two are both
    angry/insulting (heat >= 2) and an earlier one was calmer (lower heat) than both of them: calm then
    angry, or angry then insulting/shouting twice in a row. One heated message, steady or fluctuating
    anger, or an outburst followed by a calm message is not a trend. Once started (``previous``) it stays
    active while the customer stays angry and ends at their first message without anger or insult.
    Evidence: the last calmer message before the rise and every message since.
    """
    if not customer_turns:
        return None
    recent = list(customer_turns[-max(window, MIN_WINDOW) :])
    heats = [heat(t) for t in recent]
    if heats[-1] < HOSTILE:
        return None
    start: int | None = None
    if len(recent) >= MIN_WINDOW and heats[-2] >= HOSTILE:
        earlier, low = heats[:-2], min(heats[-2:])
        if min(earlier) < low:
            start = max(i for i, h in enumerate(earlier) if h < low)
    if start is None and previous is None:
        return None
    ids = [t.message_id for t in recent[start:]] if start is not None else [recent[-1].message_id]
    evidence = _merge(previous.evidence, ids) if previous else ids
    by_id = {t.message_id: t for t in customer_turns}
    return SignalHit("rising_anger", evidence, _labels_in((by_id[i] for i in evidence if i in by_id), HOSTILE_LABELS))


# --- declines and advances ---------------------------------------------------------------------------

_DEV = "\u0900-\u097f"


def _devanagari(*words: str) -> str:
    """Devanagari words with their own boundaries (``\\b`` splits words at vowel signs)."""
    return rf"(?<![{_DEV}])(?:{'|'.join(words)})(?![{_DEV}])"


_DECLINE = re.compile(
    "|".join(
        [
            r"\b(?:can ?not|can'?t|can’t|won'?t|won’t|will not|wouldn'?t|shouldn'?t|unable to|not able to)\b",
            r"\bnot (?:allowed|permitted|possible|appropriate|comfortable|available|interested)\b",
            r"\b(?:polic(?:y|ies)|against (?:the |our |company )?(?:rules|guidelines))\b",
            r"\b(?:do(?:es)?n'?t|do(?:es)?n’t|do(?:es)? not|never) (?:share|give|date|go out|meet|accept|take)\b",
            r"\b(?:declin\w*|refus\w*|inappropriate|unprofessional|strictly professional|no,? thanks?)\b",
            r"\bkeep (?:this|it|things|our (?:chat|conversation)) professional\b",
            r"\bonly (?:here )?(?:to|for) (?:help|assist|support)",
            r"\b(?:let'?s|let us|let me) (?:keep|focus|stick|get back|come back)\b|\bback to your\b",
            r"\b(?:i'?ll|i will|i'd|i would) (?:pass|rather not)\b",
            r"\bi(?:'m| am) (?:married|engaged|in a relationship|seeing someone|not single)\b",
            r"^\s*no\s*[,.!]",
            # Hinglish
            r"\b(?:nahi+n?|nahee|nhi|mana|manaa|niyam|mumkin nahi)\b",
            # Hindi
            _devanagari("नहीं", "नही", "मना", "मनाही", "नीति", "पॉलिसी", "नियम", "असमर्थ"),
        ]
    ),
    re.IGNORECASE | re.MULTILINE,
)
_APOLOGY = re.compile(
    r"\b(?:sorry|apologi[sz]e|maaf\w*|kshama)\b|" + _devanagari("माफ़?(?:ी|ि)?", "क्षमा", "खेद"),
    re.IGNORECASE,
)
_SERVICE = re.compile(
    r"\b(?:delay\w*|wait\w*|inconvenience|trouble|late|confusion|hear|der|deri|intezaar|intazar|asuvidha|"
    r"pareshani|takleef)\b|" + _devanagari("देर", "देरी", "इंतज़ार", "इंतजार", "असुविधा", "परेशानी", "तकलीफ़?"),
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?।\n]+")


def is_decline(text: str) -> bool:
    """Does an agent reply say no? A refusal word in English, Hindi or Hinglish ("can't", "policy",
    "nahi", "नहीं", ...), or an apology that is not about a delay or inconvenience ("Sorry, that's personal")."""
    if _DECLINE.search(text):
        return True
    return any(_APOLOGY.search(s) and not _SERVICE.search(s) for s in _SENTENCE.findall(text))


def advances(turn: Turn) -> list[str]:
    return [lb for lb in ADVANCE_LABELS if lb in turn.labels]


def first_decline(turns: Sequence[Turn]) -> str | None:
    """The message id of the first agent turn that declines, after an advance."""
    advanced = False
    for t in turns:
        if t.role == "customer":
            advanced = advanced or bool(advances(t))
        elif advanced and is_decline(t.text):
            return t.message_id
    return None


def persistent_advances(turns: Sequence[Turn], repeat: int, decline_message_id: str | None) -> SignalHit | None:
    """Do advances persist at the latest (customer) turn?

    Active when that message carries an advance (flirtation, date_request, contact_request, gift_offer)
    and either the agent already declined an earlier advance (``decline_message_id``, see ``first_decline``),
    or at least ``repeat`` customer messages of the conversation carried advances. Evidence: the advance
    messages and the decline, in conversation order.
    """
    if not turns or turns[-1].role != "customer" or not advances(turns[-1]):
        return None
    ids = [t.message_id for t in turns]
    if decline_message_id is not None and decline_message_id not in ids:
        decline_message_id = None
    advance_turns = [t for t in turns if t.role == "customer" and advances(t)]
    if decline_message_id is None and len(advance_turns) < repeat:
        return None
    drivers = {t.message_id for t in advance_turns} | ({decline_message_id} if decline_message_id else set())
    evidence = [i for i in ids if i in drivers]
    return SignalHit("persistent_advances", evidence, _labels_in(advance_turns, ADVANCE_LABELS))
