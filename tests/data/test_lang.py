from __future__ import annotations

import pytest

from assistant.data.lang import guess_lang


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Where is my refund? It has been two weeks.", "en"),
        ("hi, can you help me with my order", "en"),  # "hi" and "me" are English too
        ("I will do it in the morning, ok?", "en"),
        ("Ich möchte mein Geld zurück", "en"),  # other Latin-script languages: no better guess
        ("मेरा ऑर्डर कब आएगा?", "hi"),
        ("मेरा refund कब आएगा", "hi"),
        ("आप बहुत अच्छे हो, thank you so much for the help", "hi"),
        ("aap bahut cute ho, apna whatsapp number do na", "hi-Latn"),
        ("mera order kab aayega", "hi-Latn"),
        ("kya bakwas service hai", "hi-Latn"),
        ("Where is my refund bhai", "hi-Latn"),
        ("yaar tum kitne sweet ho", "hi-Latn"),
        ("NAHI CHAHIYE MUJHE YE", "hi-Latn"),
        ("Main kal aapko call karunga", "hi-Latn"),
        ("Мне нужна помощь с заказом", "other"),
        ("我的订单在哪里", "other"),
        ("أين طلبي", "other"),
        ("😡😡😡 !!!", "other"),
        ("12345", "other"),
        ("", "other"),
    ],
)
def test_guess_lang(text: str, lang: str) -> None:
    assert guess_lang(text) == lang


def test_one_hindi_word_in_a_long_english_message_stays_english() -> None:
    text = (
        "I have been waiting for my refund for three weeks now and nobody from your support team has "
        "answered any of my emails, this is really not acceptable, bhai"
    )
    assert guess_lang(text) == "en"
