"""Devanagari Hindi -> the Latin-script Hindi (Hinglish) customers actually type.

Not a scholarly transliteration: no diacritics, the inherent vowel dropped where speakers
drop it (``करना`` -> ``karna``, not ``karanaa``), English loanwords written back in English
(``ऑर्डर`` -> ``order``), and the spelling picked at random among the variants people use
(``नहीं`` -> ``nahi``/``nhi``/``nahin``), so that one Hindi row teaches the Hinglish side too.
"""

from __future__ import annotations

import random
import re
import unicodedata

_ROMAN = (
    "k", "kh", "g", "gh", "n", "ch", "chh", "j", "jh", "n", "t", "th", "d", "dh", "n", "t", "th",
    "d", "dh", "n", "p", "ph", "b", "bh", "m", "y", "r", "l", "v", "sh", "sh", "s", "h",
)  # fmt: skip
_CONSONANTS = dict(zip("कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह", _ROMAN, strict=True))
# A base letter followed by the combining nukta (words are NFD-normalized first, so the precomposed
# letters U+0958-U+095F arrive in this form too).
_NUKTA = {"क": "q", "ख": "kh", "ग": "g", "ज": "z", "फ": "f", "ड": "r", "ढ": "rh"}
_VOWELS = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ee", "उ": "u", "ऊ": "oo", "ऋ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e",
}  # fmt: skip
_MATRAS = {
    "ा": "aa", "ि": "i", "ी": "ee", "ु": "u", "ू": "oo", "ृ": "ri",
    "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o", "ॅ": "e",
}  # fmt: skip
_VIRAMA, _NUKTA_SIGN = "्", "़"
_NASAL = {"ं", "ँ"}
_OTHER = {"ः": "h", "\u200c": "", "\u200d": ""}
_DIGITS = {chr(0x0966 + i): str(i) for i in range(10)}

# Words whose everyday Hinglish spelling the rules would not reach; variants as people type them.
_WORDS: dict[str, tuple[str, ...]] = {
    "है": ("hai", "h", "he"), "हैं": ("hain", "hai", "h"), "नहीं": ("nahi", "nhi", "nahin"),
    "में": ("me", "mein", "mai"), "मैं": ("main", "mai", "me"), "हूँ": ("hu", "hoon", "hun"),
    "हूं": ("hu", "hoon"), "क्या": ("kya", "kyaa"), "क्यों": ("kyu", "kyon", "kyun"),
    "मुझे": ("mujhe", "muje"), "बहुत": ("bahut", "bhot", "bohot"), "ठीक": ("theek", "thik"),
    "अच्छा": ("accha", "acha", "achha"), "अच्छी": ("acchi", "achhi"), "अच्छे": ("acche", "achhe"),
    "और": ("aur", "or"), "यह": ("yeh", "ye"), "वह": ("woh", "wo", "vo"), "वो": ("wo", "vo"),
    "कृपया": ("kripya", "plz", "please"), "धन्यवाद": ("dhanyavaad", "thanks", "thank you"),
    "शुक्रिया": ("shukriya",), "माँ": ("maa", "mummy"), "मैंने": ("maine", "mene"),
    "कुछ": ("kuch", "kuchh"), "लिए": ("liye", "lie"),
    "रहा": ("raha", "rha"), "रही": ("rahi", "rhi"), "रहे": ("rahe", "rhe"), "कर": ("kar", "kr"),
    "करो": ("karo", "kro"), "करें": ("karein", "karen", "kare"), "दें": ("dein", "de"),
    "हाँ": ("haan", "ha"), "हां": ("haan", "ha"), "पर": ("par", "pe"), "सकते": ("sakte", "skte"),
    "तुम्हारा": ("tumhara", "tmhara"), "तुम्हारी": ("tumhari", "tmhari"),
    "तुम्हारे": ("tumhare", "tmhare"), "क्योंकि": ("kyunki", "kyuki", "kyonki"),
}  # fmt: skip
# English words Hindi typists write in Devanagari; Hinglish typists write them in English.
_LOANWORDS: dict[str, str] = {
    "ऑर्डर": "order", "डिलीवरी": "delivery", "रिफंड": "refund", "नंबर": "number",
    "कस्टमर": "customer", "सपोर्ट": "support", "प्लीज़": "please", "प्लीज": "please",
    "सॉरी": "sorry", "थैंक्स": "thanks", "फ़ोन": "phone", "फोन": "phone", "ऐप": "app",
    "पेमेंट": "payment", "अकाउंट": "account", "मैनेजर": "manager", "कंपनी": "company",
    "टिकट": "ticket", "मैसेज": "message", "गिफ्ट": "gift", "गिफ़्ट": "gift", "डेट": "date",
    "कॉफ़ी": "coffee", "कॉफी": "coffee", "डिनर": "dinner", "व्हाट्सएप": "whatsapp",
    "इंस्टा": "insta", "ईमेल": "email", "कॉल": "call", "बिल": "bill", "चार्ज": "charge",
    "प्रॉब्लम": "problem", "सर्विस": "service", "मैडम": "madam", "सर": "sir", "ऑफिस": "office",
    "ऑफ़िस": "office", "मोबाइल": "mobile", "बुकिंग": "booking", "कार्ड": "card", "बैंक": "bank",
    "चैट": "chat", "होटल": "hotel", "आईडी": "id", "फॉर्म": "form", "प्लान": "plan",
    "कनेक्शन": "connection", "फ्री": "free", "फोटो": "photo", "ऑनलाइन": "online",
    "एजेंट": "agent", "पर्सनल": "personal", "टाइम": "time", "बुक": "book", "मिनट": "minute",
    "केयर": "care", "लिंक": "link", "कूपन": "coupon", "पार्सल": "parcel", "कूरियर": "courier",
    "रिचार्ज": "recharge", "वाउचर": "voucher", "अपडेट": "update", "पासवर्ड": "password",
    "ओटीपी": "otp", "बॉस": "boss", "सुपरवाइज़र": "supervisor", "सुपरवाइजर": "supervisor",
    "लोकेशन": "location", "एड्रेस": "address", "प्रोफाइल": "profile", "चॉकलेट": "chocolate",
}  # fmt: skip
_DEVANAGARI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097f\u200c\u200d]+")


def _units(word: str) -> list[list[str]]:
    """[onset, vowel, nasal] per syllable; vowel "a" is the inherent one, "" after a virama."""
    units: list[list[str]] = []
    base = ""
    for ch in word:
        if ch in _CONSONANTS:
            units.append([_CONSONANTS[ch], "a*", ""])
            base = ch
        elif ch == _NUKTA_SIGN and units:
            units[-1][0] = _NUKTA.get(base, units[-1][0])
        elif ch in _VOWELS:
            units.append(["", _VOWELS[ch], ""])
        elif ch in _MATRAS and units:
            units[-1][1] = _MATRAS[ch]
        elif ch == _VIRAMA and units:
            units[-1][1] = ""
        elif ch in _NASAL and units:
            units[-1][2] = "n"
        elif ch in _DIGITS:
            units.append([_DIGITS[ch], "", ""])
        elif ch in _OTHER:
            units.append([_OTHER[ch], "", ""])
    return units


def _drop_schwas(units: list[list[str]]) -> None:
    """Hindi drops the inherent vowel word-finally and in V C _ C V (``करना`` -> ``karna``)."""
    if len(units) > 1 and units[-1][1] == "a*" and not units[-1][2]:
        units[-1][1] = ""
    for i in range(len(units) - 2, 0, -1):
        prev, cur, nxt = units[i - 1], units[i], units[i + 1]
        if cur[1] == "a*" and not cur[2] and prev[1] and nxt[0] and nxt[1]:
            cur[1] = ""


def romanize_word(word: str, rng: random.Random) -> str:
    word = unicodedata.normalize("NFD", word)  # one spelling of each nukta letter, as in the tables
    if word in _LOANWORDS:
        return _LOANWORDS[word]
    if word in _WORDS:
        return rng.choice(_WORDS[word])
    units = _units(word)
    _drop_schwas(units)
    out = []
    for i, (onset, vowel, nasal) in enumerate(units):
        if onset == "v" and rng.random() < 0.5:
            onset = "w"
        vowel = vowel.replace("*", "")
        last = i == len(units) - 1
        if vowel in ("ee", "oo") and (last or rng.random() < 0.5):
            vowel = {"ee": "i", "oo": "u"}[vowel]  # people write "bhi", "tu", "kisi"
        if vowel == "aa" and last:
            vowel = "a"  # "mera", "raha", not "meraa"
        out.append(onset + vowel + nasal)
    return "".join(out).replace("chchh", "cch")


def romanize(text: str, rng: random.Random) -> str | None:
    """``text`` with every Devanagari word in Latin letters; None if it had none."""
    if not _DEVANAGARI_WORD.search(text):
        return None
    new = _DEVANAGARI_WORD.sub(lambda m: romanize_word(m.group(), rng), text)
    new = new.replace("\u0964", ".").replace("\u0965", ".")  # danda
    return re.sub(r"\s+([.?!,])", r"\1", new)
