"""A rough language guess for chat messages: ``en``, ``hi`` (Devanagari), ``hi-Latn`` (Hinglish) or ``other``.

Used to tag reviewed messages exported as training rows, and to keep the n-gram blend to the scripts it knows
(``model/ngram.py``). Script shares decide first (letters only: digits,
punctuation and emoji do not count); Latin text is Hinglish when it has Hindi function words that English
does not use ("hai", "nahi", "kya", "mera", "aap", ...), otherwise English.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

Lang = Literal["en", "hi", "hi-Latn", "other"]

DEVANAGARI_SHARE: Final = 0.15  # of the letters; Hindi messages often carry English words ("मेरा refund")
OTHER_SHARE: Final = 0.5  # letters of scripts other than Latin and Devanagari
HINGLISH_SHARE: Final = 0.1  # Hinglish evidence per word needed in long Latin messages

# Romanised Hindi words that are not (common) English words; one is enough in a short message.
STRONG_HINGLISH: Final = frozenset(
    """
    hai hain hei h nahi nahin nhi nai kya kyaa kyu kyun kyon mera meri mere mujhe mujhko tera teri tere tujhe tumhe
    aap aapka aapki aapke aapko aapse aapne apka apki apke apna apni apne tum tumhara tumhari tumhare tumko humko
    hamara hamari uska uski uske bhai bhaiya yaar yar yrr kar karo karna karne karni karke karte karta karti karu
    kru kr kro karunga karungi karwa kiya kiye kijiye karein kaise kaisa kaisi jaise jaisi waise kab jab kahan kaha
    yaha yahan wahan kidhar kitna kitne kitni itna itne itni kaun kis kisi kuch koi kabhi phir pehle pehli baad
    bahut bohot bahot ekdum thoda accha acha achha achcha theek thik sahi galat galti kharab bekaar bakwas ghatiya
    haan ji toh bhi pe liye tak saath paas bina agar hota hoti hote hoga hogi honge hua hui raha rahi rahe rha rhi
    tha thi wala wali wale aur lekin abhi aaj raat subah shaam din baje ghante hafte mahine saal baar jaldi chahiye
    chaiye chahta dena dene deta dedo dijiye dunga gaya gayi gaye gya diya liya lene mila milega milegi milna milte
    aaya aayi aaye aayega aata aao jayega jaunga padega lagta laga bata batao bataiye bola bolo bolu likh likha
    samajh samjha pata dekh dekho dikha chalo chalega rakha bhej bhejo bhejna bhejunga wapas khatam yeh woh wahi
    kyunki sirf bilkul matlab khud alag naya naam kaam paisa paise pyaar pyar pyaari sundar awaaz shaadi dost
    insaan pagal bewakoof kamine dimag jawab taraf khana bahar ghar baat sach ek sakta sakti sakte mai hoon hu hun
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# Hindi words that are also English (or other languages') words or names; they count only next to a strong one.
WEAK_HINGLISH: Final = frozenset(
    """
    ho na to do hi me main mein hum se ka ki ke ko par de le lo ye wo ya sab kal bol mil ab ne aa bas band mat di du
    jo har chal ap sa kam dil sun tab tu log hone lena pura papa mummy chai
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

_WORD = re.compile(r"[a-z]+")


def _script(ch: str) -> str | None:
    code = ord(ch)
    if 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x1CD0 <= code <= 0x1CFF:
        return "deva"
    if not ch.isalpha():
        return None
    return "latin" if unicodedata.name(ch, "").startswith("LATIN") else "other"


def guess_lang(text: str) -> Lang:
    counts = {"deva": 0, "latin": 0, "other": 0}
    for ch in text:
        script = _script(ch)
        if script is not None:
            counts[script] += 1
    letters = sum(counts.values())
    if letters == 0:
        return "other"  # digits, punctuation or emoji only: no language to name
    if counts["deva"] >= DEVANAGARI_SHARE * letters and counts["deva"] >= counts["other"]:
        return "hi"
    if counts["other"] >= OTHER_SHARE * letters:
        return "other"
    return "hi-Latn" if _hinglish(text) else "en"


def _hinglish(text: str) -> bool:
    words = _WORD.findall(unicodedata.normalize("NFKD", text).lower())
    strong = sum(w in STRONG_HINGLISH for w in words)
    if strong == 0:
        return False
    weak = sum(w in WEAK_HINGLISH for w in words)
    return strong + 0.5 * weak >= max(1.0, HINGLISH_SHARE * len(words))
