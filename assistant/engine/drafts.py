"""Personal contact details in an agent's draft: phone numbers, emails, social handles (regex, no model).

Agents may share the company's contacts (``settings.work_contacts``: compared after normalising
digits and case), so only other contacts are reported. Order ids, amounts, dates, PIN codes and OTPs
are digits too: a number counts as a phone only by its shape (an Indian mobile, a ``+``/``00``
international number) or, for other lengths, when phone words surround it, and never when an
order/tracking/amount word introduces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

ContactKind = Literal["phone", "email", "handle"]


@dataclass(frozen=True)
class ContactMatch:
    kind: ContactKind
    text: str
    start: int
    end: int


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_DEV = "\u0900-\u097f"

# --- emails ----------------------------------------------------------------------------------------

_EMAIL = re.compile(  # repeats are bounded so a pathological draft stays linear
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,6}\.[A-Za-z]{2,24}\b"
)
_SPELLED_EMAIL = re.compile(
    r"(?<![\w.-])[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
    r"(?:\s*(?:\[at\]|\(at\)|\{at\})\s*|\s+at\s+the\s+rate\s+(?:of\s+)?)[A-Za-z0-9-]+"
    r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+|\.)\s*(?:co\.in|com|in|net|org|co)\b"
    r"|(?<![\w.-])[A-Za-z0-9][A-Za-z0-9._-]{0,63}\s+at\s+[A-Za-z0-9-]+\s+dot\s+(?:com|in|net|org|co)\b",
    re.IGNORECASE,
)

# --- social handles --------------------------------------------------------------------------------

_SOCIAL_URL = re.compile(
    r"(?<![\w.@/])(?:https?://)?(?:www\.|m\.|mobile\.)?"
    r"(?:instagram\.com|instagr\.am|facebook\.com|fb\.com|fb\.me|twitter\.com|x\.com|t\.me|telegram\.me|"
    r"wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|snapchat\.com|linkedin\.com|tiktok\.com|discord\.gg|"
    r"youtube\.com|threads\.net)/[^\s<>\"']+",
    re.IGNORECASE,
)
_AT_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
_PLATFORM = (
    r"(?:insta(?:gram)?|ig|snap(?:chat)?|telegram|tg|fb|facebook|twitter|linkedin|tiktok|discord|skype|"
    r"wechat|इंस्टा(?:ग्राम)?|स्नैपचैट|स्नैप|फ़?फेसबुक|टेलीग्राम|ट्विटर)"
)
_WORD_FILLER = rf"(?:id|handle|username|user\s?name|is|account|acc|profile|pe|par|on|me|पर|पे|आईडी)(?![\w{_DEV}])"
_INTRO = re.compile(r"(?<![a-z])(?:id|handle|username|user\s?name|is)(?![a-z])|[:=\-]|आईडी", re.IGNORECASE)
_HANDLE_PHRASE = re.compile(
    rf"(?<![\w{_DEV}]){_PLATFORM}(?![\w{_DEV}])((?:\s*(?:{_WORD_FILLER}|[:=,\-]))*)\s*@?"
    rf"([A-Za-z0-9_][A-Za-z0-9_.]{{1,29}})(\s+(?:hai|h|है)(?![\w{_DEV}]))?",
    re.IGNORECASE,
)
_NOT_A_HANDLE: Final[frozenset[str]] = _words(
    """a an and or the with for to of in on at by from is are was it this that these those there here not no
    yes please pls plz share shared sharing send follow message msg dm add check page profile account handle id
    link our official your you my me i we us they them customers customer anyone someone private personal
    confidential secret closed locked deleted deactivated only also either because but so if sorry thanks
    karo kar karna karenge kijiye kare do de dena dedo pe par mein hai hain nahi nahin bhi toh kya ka ki ke se
    aur ya na abhi bhejo aap aapka aapki apna apni mera meri hum company team support sir mam madam ji"""
)

# --- phone numbers ---------------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+@/=.])(?:(?:\+|00)\s?)?(?:\(\+?\d{1,4}\)[ \-]?)?"
    r"\d{1,15}(?:(?: - |[ \-.]|[ \-]?\(\d{1,5}\)[ \-]?)\d{1,15}){0,7}(?![\w@])"
)
_PHONE_WORDS = (
    r"(?:\b(?:call|calls|calling|phone|mobile|mob|cell|number|numbr|nmbr|num|no\.?|contact|whatsapp|whats\s?app|wa|"
    r"text|sms|msg|message|ping|reach|dial|ring|landline)\b|"
    rf"(?<![{_DEV}])(?:नंबर|नम्बर|फ़ोन|फोन|मोबाइल|व्हाट्सएप|व्हाट्सऐप|कॉल|संपर्क)(?![{_DEV}]))"
)
_ID_WORDS = (
    r"(?:\b(?:order|orders|tracking|track|awb|ticket|reference|ref|invoice|bill|txn|transaction|account|acct|a/c|"
    r"utr|pnr|booking|consignment|complaint|case|policy|imei|serial|otp|pin|pincode|pin\s?code|zip|request|sr|"
    r"refund|amount|rs|inr|usd|id|customer\s?id|aadhaar|aadhar|pan|gst|gstin)\b(?:\s*(?:no\.?|number|num|#|id))?|"
    r"[₹$€£]|"
    rf"(?<![{_DEV}])(?:ऑर्डर|आर्डर|टिकट|रुपये|रुपए|रु\.?|खाता)(?![{_DEV}]))"
)
_PHONE_BEFORE = re.compile(_PHONE_WORDS + r"[^\n]{0,30}$", re.IGNORECASE)
_PHONE_AFTER = re.compile(r"^[^\n]{0,20}?" + _PHONE_WORDS, re.IGNORECASE)
_ID_BEFORE = re.compile(_ID_WORDS + r"[\s:#.\-]*(?:is\s+|hai\s+|है\s+)?[\s:#.\-]*$", re.IGNORECASE)
_ID_AFTER = re.compile(
    r"^\s*(?:is|was|hai|है)?\s*(?:your|the|aapka|आपका)?\s*"
    r"(?:order|tracking|awb|ticket|reference|ref|invoice|booking|transaction|complaint|otp|pin)\b",
    re.IGNORECASE,
)
_TOLL_FREE = ("1800", "1860")
_YOUR = (
    r"\b(?:your|yours|aapka|aapki|aapke|apka|apki|apke|tumhara|tumhari)\b|"
    rf"(?<![{_DEV}])(?:आपका|आपकी|आपके|तुम्हारा|तुम्हारी)(?![{_DEV}])"
)
_MY = r"\b(?:my|mine|me|mera|meri|mere|mujhe)\b|" + rf"(?<![{_DEV}])(?:मेरा|मेरी|मेरे|मुझे)(?![{_DEV}])"
_YOURS_BEFORE = re.compile(rf"(?:{_YOUR})(?:(?!{_MY})[^\n]){{0,30}}$", re.IGNORECASE)
_YOURS_AFTER = re.compile(rf"^\s*(?:is|was|hai|है|,)?\s*(?:{_YOUR})", re.IGNORECASE)


def _customers_own(text: str, start: int, end: int) -> bool:
    """The agent repeating the customer's contact ("is your number 98765 43210?") shares nothing of theirs."""
    return bool(_YOURS_BEFORE.search(text[max(0, start - 40) : start]) or _YOURS_AFTER.match(text[end : end + 20]))


def _national(digits: str) -> str:
    """Drop an Indian trunk/country prefix: 0XXXXXXXXXX or 91XXXXXXXXXX -> XXXXXXXXXX."""
    if len(digits) == 11 and digits[0] == "0":
        return digits[1:]
    if len(digits) == 12 and digits.startswith("91"):
        return digits[2:]
    return digits


def _indian_mobile(digits: str) -> bool:
    national = _national(digits)
    return len(national) == 10 and national[0] in "6789"


def _is_phone(text: str, start: int, end: int) -> bool:
    raw = text[start:end]
    digits = re.sub(r"\D", "", raw)
    international = raw.lstrip("(").startswith(("+", "00"))
    if raw.startswith("00"):
        digits = digits[2:]
    national = _national(digits.removeprefix("91") if international else digits)
    if national.startswith(_TOLL_FREE):
        return False  # company helplines are never personal
    before, after = text[max(0, start - 40) : start], text[end : end + 30]
    if _ID_BEFORE.search(before) or _ID_AFTER.match(after):
        return False  # "order id 9876543210", "Rs 9876543210", "9876543210 is your tracking number"
    if international:
        return 8 <= len(digits) <= 15
    if _indian_mobile(digits):
        return True
    near_words = _PHONE_BEFORE.search(before) is not None or _PHONE_AFTER.match(after) is not None
    return near_words and 8 <= len(digits) <= 12


# --- allow-list ------------------------------------------------------------------------------------


def contact_keys(value: str) -> set[str]:
    """Comparable forms of a contact: ``email:``, ``phone:`` (last 10 digits) and ``handle:`` keys, lower case."""
    v = value.strip().translate(_DEVANAGARI_DIGITS).lower()
    keys = {f"raw:{v}"}
    if _EMAIL.fullmatch(v):
        return keys | {f"email:{v}"}
    path = re.sub(r"^(?:https?://)?(?:www\.|m\.|mobile\.)?", "", v)
    digits = ""
    if re.fullmatch(r"[+\d\s().\-]+", v):
        digits = re.sub(r"\D", "", v)
    elif path.startswith("wa.me/"):
        digits = re.sub(r"\D", "", path.split("?")[0])
    elif path.startswith("api.whatsapp.com/"):
        digits = re.sub(r"\D", "", path)
    if len(digits) >= 7:
        return keys | {f"phone:{digits[-10:]}"}
    name = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1].lstrip("@")
    return keys | ({f"handle:{name}"} if name else set())


@dataclass(frozen=True)
class AllowList:
    """Work contacts agents may share; ``*@company.com`` allows every address at that domain."""

    keys: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def of(cls, contacts: Iterable[str]) -> AllowList:
        keys: set[str] = set()
        domains: set[str] = set()
        for c in contacts:
            c = c.strip()
            if c.startswith("*@"):
                domains.add(c[2:].lower())
            elif c:
                keys |= contact_keys(c)
        return cls(frozenset(keys), frozenset(domains))

    def allows(self, kind: ContactKind, text: str) -> bool:
        if kind == "email" and "@" in text and text.rsplit("@", 1)[1].lower() in self.domains:
            return True
        return bool(contact_keys(text) & self.keys)


# --- the check -------------------------------------------------------------------------------------


def find_personal_contacts(text: str, work_contacts: Iterable[str] | AllowList = ()) -> list[ContactMatch]:
    """Personal phone numbers, emails and social handles in ``text``, in order, as spans of ``text``.

    Allow-listed work contacts are not reported, and their spans are not searched again (the digits
    of an allowed ``wa.me`` link are not a second, personal, number).
    """
    allow = work_contacts if isinstance(work_contacts, AllowList) else AllowList.of(work_contacts)
    norm = text.translate(_DEVANAGARI_DIGITS)  # same length: spans index ``text`` too
    taken: list[tuple[int, int]] = []
    found: list[ContactMatch] = []

    def claim(kind: ContactKind, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        span = text[start:end]
        if not allow.allows(kind, span) and not _customers_own(norm, start, end):
            found.append(ContactMatch(kind, span, start, end))

    for m in _SOCIAL_URL.finditer(norm):
        end = m.start() + len(m.group().rstrip(".,;:!?)]}"))
        is_wa = re.match(r"(?:https?://)?(?:www\.)?(?:wa\.me|api\.whatsapp\.com)", m.group(), re.IGNORECASE)
        claim("phone" if is_wa else "handle", m.start(), end)
    for m in _EMAIL.finditer(norm):
        claim("email", m.start(), m.end())
    for m in _SPELLED_EMAIL.finditer(norm):
        claim("email", m.start(), m.end())
    for m in _AT_HANDLE.finditer(norm):
        name = m.group(1)
        if re.search("[A-Za-z]", name) and not re.fullmatch(r"\d{1,2}(?::\d\d)?\s?(?:am|pm)", name, re.IGNORECASE):
            claim("handle", m.start(), m.end())
    for m in _HANDLE_PHRASE.finditer(norm):
        fillers, name, trailing = m.group(1) or "", m.group(2).rstrip("."), m.group(3)
        if name.lower() in _NOT_A_HANDLE or len(name) < 3:
            continue
        introduced = _INTRO.search(fillers) is not None or trailing is not None
        if re.search(r"[\d_.]", name) or introduced:
            start = m.start(2)
            claim("handle", start, start + len(name))
    for m in _PHONE.finditer(norm):
        if _is_phone(norm, m.start(), m.end()):
            claim("phone", m.start(), m.end())
    found.sort(key=lambda c: c.start)
    return found
