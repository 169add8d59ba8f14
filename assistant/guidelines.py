"""The guidelines of ``shared/TAXONOMY.md``: which one each trigger calls for, its severity and its words.

Kept free of engine imports so the service, the pages and the engine can all read it; the advice
follows the TAXONOMY guideline column, in English and Hindi (Devanagari), the agents' two languages.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from assistant.engine.state import Nudge

Severity = Literal["info", "warning", "critical"]
Language = Literal["en", "hi"]

SEVERITY_ORDER: Final[tuple[Severity, ...]] = ("critical", "warning", "info")
"""Most urgent first: nudges at one turn are listed in this order."""

LANGUAGES: Final[tuple[str, ...]] = ("en", "hi")
DEFAULT_LANGUAGE: Final = "en"

SIGNALS: Final[tuple[str, ...]] = ("rising_anger", "persistent_advances")
"""Conversation signals, in the order their nudges are listed."""

PERSONAL_CONTACT: Final = "personal_contact"
"""Draft-check trigger: the agent's draft shares a personal phone, email or social handle."""

GUIDELINES: Final[tuple[str, ...]] = (
    "stay_neutral",
    "make_the_rule",
    "keep_your_hours",
    "decline_gifts",
    "do_not_respond_in_kind",
    "calm_down_before_replying",
    "de_escalate",
    "involve_supervisor",
)

TRIGGER_GUIDELINE: Final[dict[str, str]] = {
    "flirtation": "stay_neutral",
    "date_request": "make_the_rule",
    "contact_request": "keep_your_hours",
    "gift_offer": "decline_gifts",
    "insult": "do_not_respond_in_kind",
    "anger": "calm_down_before_replying",
    "rising_anger": "de_escalate",
    "persistent_advances": "involve_supervisor",
}
"""Customer-message labels and conversation signals -> guideline (one each, as in TAXONOMY.md)."""

DRAFT_TRIGGER_GUIDELINE: Final[dict[str, str]] = {
    PERSONAL_CONTACT: "keep_your_hours",
    "insult": "calm_down_before_replying",
    "anger": "calm_down_before_replying",
}
"""The agent's own draft: sharing a personal contact, or a heated/insulting tone."""

DEFAULT_SEVERITY: Final[dict[str, Severity]] = {
    "flirtation": "warning",
    "date_request": "warning",
    "contact_request": "warning",
    "gift_offer": "warning",
    "insult": "warning",
    "anger": "warning",
    "rising_anger": "critical",
    "persistent_advances": "critical",
    PERSONAL_CONTACT: "critical",  # about to break the policy, not just a risk
}

ALERT_TRIGGERS: Final[frozenset[str]] = frozenset({"rising_anger", "persistent_advances", "insult"})
"""Triggers whose nudges are also sent to supervisors."""


@dataclass(frozen=True)
class GuidelineText:
    title: str
    advice: str


TEXTS: Final[dict[str, dict[str, GuidelineText]]] = {
    "stay_neutral": {
        "en": GuidelineText(
            "Stay neutral",
            "Draw your line: keep small talk to neutral topics (weather, sports, industry news, world affairs) "
            "and steer back to the issue; let your supervisor know.",
        ),
        "hi": GuidelineText(
            "तटस्थ रहें",
            "अपनी सीमा तय करें: बातचीत को तटस्थ विषयों (मौसम, खेल, उद्योग की ख़बरें, दुनिया की घटनाएँ) तक रखें "
            "और बात को वापस समस्या पर लाएँ; अपने सुपरवाइज़र को बताएँ।",
        ),
    },
    "make_the_rule": {
        "en": GuidelineText(
            "Make it the rule",
            "Politely say that you have a personal policy never to date customers.",
        ),
        "hi": GuidelineText(
            "इसे नियम बताएँ",
            "विनम्रता से कहें कि ग्राहकों के साथ कभी डेट पर न जाना आपका निजी नियम है।",
        ),
    },
    "keep_your_hours": {
        "en": GuidelineText(
            "Keep your hours",
            "Never give a personal number; share only the work number and the hours you are available for the company.",
        ),
        "hi": GuidelineText(
            "काम के समय तक सीमित रहें",
            "अपना निजी नंबर कभी न दें; केवल काम का नंबर और वे घंटे बताएँ जब आप कंपनी के लिए उपलब्ध हैं।",
        ),
    },
    "decline_gifts": {
        "en": GuidelineText(
            "Decline gifts",
            "Thank the customer, explain that you can't accept gifts, and offer to share it with the team, "
            "since helping customers is a team effort.",
        ),
        "hi": GuidelineText(
            "उपहार विनम्रता से मना करें",
            "ग्राहक को धन्यवाद दें, बताएँ कि आप उपहार स्वीकार नहीं कर सकते, और इसे टीम के साथ बाँटने की बात कहें, "
            "क्योंकि ग्राहकों की मदद पूरी टीम मिलकर करती है।",
        ),
    },
    "do_not_respond_in_kind": {
        "en": GuidelineText(
            "Don't respond in kind",
            "Stay calm and don't mirror the tone; calmly say you are unhappy with the tone and that you are "
            "trying to solve their problem; be firm but never cross the language line.",
        ),
        "hi": GuidelineText(
            "उसी लहजे में जवाब न दें",
            "शांत रहें और उनके लहजे की नकल न करें; शांति से कहें कि आपको यह लहजा ठीक नहीं लगा और आप उनकी "
            "समस्या सुलझाने की कोशिश कर रहे हैं; दृढ़ रहें, पर भाषा की मर्यादा कभी न लाँघें।",
        ),
    },
    "calm_down_before_replying": {
        "en": GuidelineText(
            "Calm down before replying",
            "Take a moment before you reply (tell them you'll be right back if you need a few minutes); let them "
            "finish, acknowledge the problem, don't argue about fault, own the fix and give a time you will get back.",
        ),
        "hi": GuidelineText(
            "जवाब देने से पहले शांत हो जाएँ",
            "जवाब देने से पहले एक पल रुकें (कुछ मिनट चाहिए तो बता दें कि आप अभी लौटते हैं); उन्हें अपनी बात पूरी "
            "करने दें, समस्या को स्वीकार करें, गलती किसकी है इस पर बहस न करें, समाधान की ज़िम्मेदारी लें और बताएँ कि "
            "आप कब तक जवाब देंगे।",
        ),
    },
    "de_escalate": {
        "en": GuidelineText(
            "De-escalate",
            "The customer is getting angrier: offer a phone call, bring in whoever can fix the problem, and let "
            "your supervisor know.",
        ),
        "hi": GuidelineText(
            "तनाव कम करें",
            "ग्राहक का गुस्सा बढ़ रहा है: फ़ोन कॉल की पेशकश करें, जो समस्या सुलझा सके उसे शामिल करें, और अपने सुपरवाइज़र को बताएँ।",
        ),
    },
    "involve_supervisor": {
        "en": GuidelineText(
            "Involve your supervisor",
            "Stay kind and professional, but the customer keeps going after a clear no: involve your supervisor now.",
        ),
        "hi": GuidelineText(
            "सुपरवाइज़र को शामिल करें",
            "विनम्र और पेशेवर रहें, लेकिन साफ़ मना करने के बाद भी ग्राहक नहीं रुक रहा: अभी अपने सुपरवाइज़र को शामिल करें।",
        ),
    },
}


def guideline_for(trigger: str, *, draft: bool = False) -> str:
    """The guideline a customer-message trigger (or, with ``draft``, a draft-check trigger) calls for."""
    table = DRAFT_TRIGGER_GUIDELINE if draft else TRIGGER_GUIDELINE
    try:
        return table[trigger]
    except KeyError:
        raise ValueError(f"no guideline for trigger {trigger!r}; expected one of {sorted(table)}") from None


def severity_for(trigger: str) -> Severity:
    return DEFAULT_SEVERITY.get(trigger, "warning")


def language_or_default(language: str | None) -> str:
    """Agents choose ``en`` or ``hi``; anything else (``hi-Latn``, unset) reads the English text."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def text_for(guideline: str, language: str | None = DEFAULT_LANGUAGE) -> GuidelineText:
    """Title and advice of ``guideline`` in ``language`` (English when the language has no text)."""
    try:
        texts = TEXTS[guideline]
    except KeyError:
        raise ValueError(f"unknown guideline {guideline!r}; expected one of {list(GUIDELINES)}") from None
    return texts[language_or_default(language)]


def render_nudge(nudge: Nudge, language: str | None) -> Nudge:
    """A copy of ``nudge`` with title and advice in ``language``: a stored nudge shown to a reader
    (agent or supervisor) whose language differs from the one it was made in."""
    text = text_for(nudge.guideline, language)
    return dataclasses.replace(nudge, title=text.title, advice=text.advice)
