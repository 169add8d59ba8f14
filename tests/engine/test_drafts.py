from __future__ import annotations

import pytest

from assistant.engine.drafts import AllowList, contact_keys, find_personal_contacts

WORK = ["+91 22 6600 1234", "support@acme.in", "@AcmeCares", "wa.me/912266001234", "*@acme.com"]


def found(text: str, work: list[str] | None = None) -> list[tuple[str, str]]:
    return [(c.kind, c.text) for c in find_personal_contacts(text, WORK if work is None else work)]


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        # English
        ("Sure, call me on 98765 43210 after 7", [("phone", "98765 43210")]),
        ("my personal number is 9876543210", [("phone", "9876543210")]),
        ("You can reach me at +91-98765-43210 anytime", [("phone", "+91-98765-43210")]),
        ("ping me on +91 98765 43210 :)", [("phone", "+91 98765 43210")]),
        ("my number: 098765 43210", [("phone", "098765 43210")]),
        ("text me 0091 98765 43210", [("phone", "0091 98765 43210")]),
        ("(+91) 98765-43210 is my cell", [("phone", "(+91) 98765-43210")]),
        ("I'm in the US next month, +1 (415) 555-2671", [("phone", "+1 (415) 555-2671")]),
        ("my UK number is +44 20 7946 0958", [("phone", "+44 20 7946 0958")]),
        ("call my landline 022 2345 6789 in the evening", [("phone", "022 2345 6789")]),
        ("mail me at priya.sharma92@gmail.com", [("email", "priya.sharma92@gmail.com")]),
        ("it's rahul_k@yahoo.co.in", [("email", "rahul_k@yahoo.co.in")]),
        ("write to priya [at] gmail [dot] com", [("email", "priya [at] gmail [dot] com")]),
        ("priya at the rate gmail dot com", [("email", "priya at the rate gmail dot com")]),
        ("follow me @priya.writes", [("handle", "@priya.writes")]),
        ("my insta is priya_22", [("handle", "priya_22")]),
        ("my instagram: priya.sharma", [("handle", "priya.sharma")]),
        ("add me on snapchat, username is rahulk", [("handle", "rahulk")]),
        ("here you go: instagram.com/priya.sharma", [("handle", "instagram.com/priya.sharma")]),
        ("https://www.facebook.com/rahul.k.1990", [("handle", "https://www.facebook.com/rahul.k.1990")]),
        ("message me on wa.me/919876543210.", [("phone", "wa.me/919876543210")]),
        ("t.me/priya_s", [("handle", "t.me/priya_s")]),
        # Hinglish
        ("mera number 9876543210 hai, shaam ko call karna", [("phone", "9876543210")]),
        ("98765 43210 pe whatsapp kar do", [("phone", "98765 43210")]),
        ("mera insta id priya_22 hai", [("handle", "priya_22")]),
        ("insta pe priyasharma hai, add kar lo", [("handle", "priyasharma")]),
        ("meri email priya.s@outlook.com hai", [("email", "priya.s@outlook.com")]),
        # Hindi
        ("मेरा नंबर 98765 43210 है", [("phone", "98765 43210")]),
        ("मेरा नंबर ९८७६५४३२१० है", [("phone", "९८७६५४३२१०")]),
        ("मेरा इंस्टा priya_22 है", [("handle", "priya_22")]),
        ("मेरी ईमेल priya92@gmail.com है", [("email", "priya92@gmail.com")]),
        # several at once, in order
        (
            "call 9876543210 or mail priya92@gmail.com, insta @priya22",
            [("phone", "9876543210"), ("email", "priya92@gmail.com"), ("handle", "@priya22")],
        ),
        # "your" earlier in the sentence does not hide the agent's own number
        ("your order is late, sorry; my number is 98765 43210", [("phone", "98765 43210")]),
        ("aapka kaam ho jayega, mera number 9876543210 hai", [("phone", "9876543210")]),
        ("call me on 9876543210 for your refund", [("phone", "9876543210")]),
        # a personal number next to an allowed work one
        ("office: +91 22 6600 1234, personal: 98765 43210", [("phone", "98765 43210")]),
    ],
)
def test_personal_contacts_are_found(draft: str, expected: list[tuple[str, str]]) -> None:
    assert found(draft) == expected


@pytest.mark.parametrize(
    "draft",
    [
        # order ids, tracking, amounts, dates, PIN codes, OTPs, helplines
        "Your order id is 9876543210, it ships tomorrow.",
        "Order #8123456789 has been delivered.",
        "Tracking number 7845123690 (Delhivery).",
        "AWB 7845123690 is with the courier",
        "7845123690 is your tracking number",
        "Refund of Rs 1,299 will reach you in 5-7 days.",
        "₹9876543210 seems wrong, let me check",
        "I have refunded ₹2,499.00 on 12-05-2024.",
        "Your delivery is scheduled for 2024-05-12 between 10:30 and 12:30.",
        "We deliver to PIN 400001 and 560034.",
        "Please don't share your OTP 482913 with anyone.",
        "The OTP is 4829.",
        "Your ticket 12345678 is open.",
        "Invoice no. 98765432101 is attached.",
        "Please call our helpline 1800-123-4567 (toll free).",
        "Call +91 1800 209 1234 for support",
        "IMEI 356938035643809 is registered",
        "Your Aadhaar 1234 5678 9012 is linked",
        # allowed work contacts, in other spellings
        "Call our office on 022-6600 1234, 10am to 6pm.",
        "You can also email SUPPORT@ACME.IN",
        "Write to priya.s@acme.com for the invoice",
        "Follow @acmecares for updates",
        "WhatsApp us at wa.me/912266001234",
        "our instagram.com/AcmeCares page has the offers",
        # words that are not handles or emails
        "I can't share my Instagram with customers.",
        "Please follow our official Instagram page for offers.",
        "Sorry, I don't use Instagram.",
        "mera insta id nahi de sakti, sorry",
        "my insta is private",
        "You can visit us at acme.com/help",
        "See you at 5pm",
        "Let's meet at @5pm",
        "aapka order kal tak aa jayega, order id 40512378 hai",
        "I don't use snapchat, sorry",
        # the customer's own contact, repeated back to confirm it
        "Is your registered number 98765 43210?",
        "We will call you back on your mobile +91 98765 43210 within 2 hours.",
        "Is 9876543210 your WhatsApp number?",
        "I've sent the invoice to your email priya92@gmail.com",
        "aapka registered number 9876543210 hai na?",
        "क्या आपका नंबर 98765 43210 है?",
        "आपका ऑर्डर 9876543210 कल पहुँचेगा",
        "आपका रिफ़ंड ₹ 1500 आ जाएगा",
        "",
    ],
)
def test_not_personal_contacts(draft: str) -> None:
    assert found(draft) == []


def test_spans_point_into_the_original_text() -> None:
    text = "मेरा नंबर ९८७६५४३२१० है और मेल priya92@gmail.com"
    for c in find_personal_contacts(text):
        assert text[c.start : c.end] == c.text


def test_without_allow_list_work_contacts_are_flagged_too() -> None:
    assert found("Call our office on 022-6600 1234", work=[]) == [("phone", "022-6600 1234")]
    assert found("Our office is at 022-6600 1234", work=[]) == []  # a landline needs phone words nearby
    assert found("email support@acme.in", work=[]) == [("email", "support@acme.in")]


def test_contact_keys_normalise_digits_and_case() -> None:
    assert "phone:9876543210" in contact_keys("+91 98765-43210")
    assert "phone:9876543210" in contact_keys("098765 43210")
    assert "phone:9876543210" in contact_keys("https://wa.me/919876543210?text=hi")
    assert "email:support@acme.in" in contact_keys(" Support@Acme.IN ")
    assert "handle:acmecares" in contact_keys("@AcmeCares")
    assert "handle:acmecares" in contact_keys("https://instagram.com/AcmeCares/")
    allow = AllowList.of(["*@acme.com", "", "9876543210"])
    assert allow.allows("email", "Priya@ACME.com")
    assert allow.allows("phone", "+91 98765 43210")
    assert not allow.allows("email", "priya@gmail.com")
