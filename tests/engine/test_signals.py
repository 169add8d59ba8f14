from __future__ import annotations

import pytest

from assistant.engine.signals import (
    exclaiming,
    first_decline,
    heat,
    is_decline,
    persistent_advances,
    rising_anger,
    shouting,
)
from assistant.engine.state import SignalHit, Turn
from tests.engine.chat import Chat, scores_for

# --- cues and heat ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "WHERE IS MY REFUND",
        "HOW IS MY CARD BLOCKED AGAIN. I AM STANDING AT THE BILLING COUNTER",
        "FIX KARO ISSE ABHI. app khulte hi crash ho raha hai",
        "This is the FIFTH time. FIFTH.",
        "REFUND NOW",
    ],
)
def test_shouting(text: str) -> None:
    assert shouting(text)


@pytest.mark.parametrize(
    "text",
    [
        "where is my refund",
        "i have NOTHING",  # one loud word is emphasis, not shouting
        "Please share the OTP and EMI details for my UPI payment",  # acronyms
        "मेरा ऑर्डर कहाँ है",
        "I",
        "",
    ],
)
def test_not_shouting(text: str) -> None:
    assert not shouting(text)


@pytest.mark.parametrize("text", ["refund now!!", "where is it??", "seriously?!", "done. done! gone!", "ok 😡"])
def test_exclaiming(text: str) -> None:
    assert exclaiming(text)


@pytest.mark.parametrize("text", ["thanks!", "where is my order?", "कब तक आएगा?", ""])
def test_not_exclaiming(text: str) -> None:
    assert not exclaiming(text)


def turn(text: str, *labels: str, scores: dict[str, float] | None = None) -> Turn:
    return Chat().customer(text, *labels, scores=scores)


def test_heat_orders_messages_by_labels_then_cues() -> None:
    assert heat(turn("where is my order")) == 0
    assert heat(turn("hello?? anyone there??")) == 1  # cues, but the model says not angry
    near = scores_for(()) | {"anger": 0.35}
    assert heat(turn("this is getting long", scores=near)) == 1  # just under a threshold
    assert heat(turn("this is unacceptable", "anger")) == 2
    assert heat(turn("you are useless", "anger", "insult")) == 3
    assert heat(turn("YOU ARE USELESS!!!", "anger", "insult")) == 5
    # the same saturated anger score, different heat: cues separate what the score cannot
    assert turn("x", "anger").scores["anger"] == turn("X!!", "anger").scores["anger"]


# --- rising_anger ---------------------------------------------------------------------------------


def run_anger(chat: Chat, window: int = 4) -> list[SignalHit | None]:
    """The signal after each customer turn, carrying the previous hit like the engine does."""
    hits: list[SignalHit | None] = []
    previous = None
    for i in range(1, len(chat.customer_turns) + 1):
        previous = rising_anger(chat.customer_turns[:i], window, previous)
        hits.append(previous)
    return hits


def test_calm_then_sustained_anger_is_a_trend_with_evidence() -> None:
    chat = Chat()
    chat.customer("hi, my order 4411 hasn't arrived")
    chat.customer("it was due on monday, can you check?")
    chat.customer("this is ridiculous, I've waited a week", "anger")
    chat.customer("I want my money back today or I'm going to consumer court", "anger")
    hits = run_anger(chat)
    assert hits[:3] == [None, None, None]  # one heated message is not a trend
    assert hits[3] is not None
    assert hits[3].evidence == ["c2", "c3", "c4"]  # the calmer baseline and the messages that rose
    assert hits[3].labels == ["anger"]


def test_single_heated_message_is_not_a_trend() -> None:
    chat = Chat()
    chat.customer("hello")
    chat.customer("where is my parcel")
    chat.customer("any update?")
    chat.customer("WHERE IS MY PARCEL YOU USELESS PEOPLE!!!", "anger", "insult")
    assert run_anger(chat) == [None, None, None, None]


def test_outburst_that_calms_down_is_not_a_trend() -> None:
    chat = Chat()
    chat.customer("my card got blocked")
    chat.customer("THIS IS THE THIRD TIME!!! Fix it NOW", "anger")
    chat.agent("I'm sorry about that, I've unblocked it now.")
    chat.customer("ok it works now, thanks a lot")
    assert run_anger(chat) == [None, None, None]


def test_trend_ends_at_the_first_calm_message() -> None:
    chat = Chat()
    chat.customer("hi, the app crashes on login")
    chat.customer("still crashing, this is so annoying", "anger")
    chat.customer("I have an EMI due TODAY and your app is DEAD!!", "anger")
    chat.customer("ok, it worked after the update, thank you")
    hits = run_anger(chat)
    assert hits[2] is not None and hits[3] is None


def test_steady_saturated_anger_is_not_rising() -> None:
    chat = Chat()
    for text in ["this is unacceptable", "I am very upset", "you people never deliver", "I want a refund"]:
        chat.customer(text, "anger")  # all at score 0.99: nothing rises
    assert run_anger(chat) == [None] * 4


def test_escalation_within_saturated_anger_is_rising() -> None:
    chat = Chat()
    chat.customer("this is unacceptable", "anger")
    chat.customer("I am very upset with this service", "anger")
    chat.customer("you idiots charged me twice", "anger", "insult")  # an insult appears
    chat.customer("YOU ARE ALL USELESS CLOWNS!!!", "anger", "insult")  # and shouting
    assert all(t.scores["anger"] == 0.99 for t in chat.customer_turns)
    hits = run_anger(chat)
    assert hits[2] is None  # the insult alone, once, is one message
    assert hits[3] is not None
    assert hits[3].evidence == ["c2", "c3", "c4"]
    assert hits[3].labels == ["insult", "anger"]


def test_fluctuating_anger_is_not_rising() -> None:
    chat = Chat()
    chat.customer("this is bad", "anger")
    chat.customer("you clowns", "anger", "insult")
    chat.customer("still waiting", "anger")
    chat.customer("you clowns", "anger", "insult")
    assert run_anger(chat) == [None] * 4


def test_the_trend_stays_active_while_the_customer_stays_angry() -> None:
    chat = Chat()
    chat.customer("hello, my refund is pending")
    chat.customer("it has been two weeks, this is not ok", "anger")
    chat.customer("I am fed up with you people", "anger")
    for text in ["still nothing", "why is nobody answering", "I am posting this on twitter", "unbelievable"]:
        chat.customer(text, "anger")
    hits = run_anger(chat)
    assert hits[0] is None and hits[1] is None
    assert all(h is not None for h in hits[2:])
    last = hits[-1]
    assert last is not None and last.evidence == ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]


def test_window_limits_how_far_back_calm_counts() -> None:
    chat = Chat()
    chat.customer("hi")
    for text in ["not happy", "really not happy", "still not happy", "angry now"]:
        chat.customer(text, "anger")
    turns = chat.customer_turns
    assert rising_anger(turns, window=5) is not None
    assert rising_anger(turns, window=4) is None  # the calm "hi" is outside the window
    assert rising_anger(turns[:3], window=2) is not None  # a window under 3 still compares with one earlier message


def test_hindi_and_hinglish_anger_rises_by_labels() -> None:
    chat = Chat()
    chat.customer("मेरा रिचार्ज अभी तक नहीं हुआ")
    chat.customer("दो घंटे हो गए, ये क्या मज़ाक है", "anger")
    chat.customer("bhai kitni baar bolu, paise wapas karo abhi", "anger")
    hits = run_anger(chat, window=4)
    assert hits[2] is not None and hits[2].evidence == ["c1", "c2", "c3"]


# --- declines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, I can't share my personal number.",
        "I cannot accept gifts, but thank you.",
        "That's against our policy.",
        "I don't date customers.",
        "No, thank you. Let's keep this professional.",
        "Sorry, that's personal.",
        "I'm only here to help with your order.",
        "I won't be able to do that.",
        "That's kind of you, but let's focus on your order.",
        "Haha, let's get back to your refund.",
        "I'd rather not, thanks.",
        "I'm married, but thank you. Anything else on the booking?",
        "hum personal number share nahi kar sakte",
        "sorry sir, ye allowed nahi hai",
        "company ki policy hai, main gift nahi le sakti",
        "maaf kijiye, yeh mumkin nahi hai",
        "मैं ग्राहकों के साथ डेट पर नहीं जाती",
        "माफ़ कीजिए, मैं अपना नंबर नहीं दे सकती।",
        "कंपनी की नीति के अनुसार यह मना है।",
        "क्षमा करें, यह संभव नहीं।",
    ],
)
def test_decline_lexicon(text: str) -> None:
    assert is_decline(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sorry for the delay! Your order ships today.",
        "I'm sorry to hear that. Let me check your order.",
        "Let me check that for you.",
        "No problem, happy to help!",
        "Your refund of Rs 499 is processed.",
        "aapka refund process ho gaya hai",
        "देरी के लिए माफ़ी, आपका ऑर्डर कल पहुँच जाएगा।",
        "आपका ऑर्डर कल पहुँच जाएगा।",
        "delay ke liye sorry, order kal aa jayega",
    ],
)
def test_not_a_decline(text: str) -> None:
    assert not is_decline(text)


def test_first_decline_needs_an_advance_before_it() -> None:
    chat = Chat()
    chat.customer("can I get a refund?")
    chat.agent("Sorry, I can't refund a used product.")  # a no, but not to an advance
    chat.customer("ok. you sound cute btw", "flirtation")
    chat.agent("Thanks! Anything else about the order?")
    assert first_decline(chat.turns) is None
    chat.agent("I'd rather keep this professional.")
    assert first_decline(chat.turns) == "a3"


# --- persistent_advances --------------------------------------------------------------------------


def test_advance_after_a_decline_persists() -> None:
    chat = Chat()
    chat.customer("hi, my parcel is late")
    chat.customer("btw your voice is so sweet, what's your whatsapp?", "flirtation", "contact_request")
    chat.agent("I'm sorry, I can't share my personal number.")
    assert persistent_advances(chat.turns, 3, first_decline(chat.turns)) is None  # the agent's turn is last
    chat.customer("come on, just your insta then", "contact_request")
    hit = persistent_advances(chat.turns, 3, first_decline(chat.turns))
    assert hit is not None
    assert hit.evidence == ["c2", "a1", "c3"]
    assert hit.labels == ["flirtation", "contact_request"]


def test_hinglish_decline_then_advance_persists() -> None:
    chat = Chat()
    chat.customer("aap bahut cute ho, coffee pe chalo", "flirtation", "date_request")
    chat.agent("sorry sir, hum customers ke saath personal baat nahi kar sakte")
    chat.customer("ek baar mil lo na please", "date_request")
    assert persistent_advances(chat.turns, 3, first_decline(chat.turns)) is not None


def test_repeated_advances_without_decline_persist() -> None:
    chat = Chat()
    chat.customer("you are so sweet", "flirtation")
    chat.agent("Thank you! Let me check your booking.")
    chat.customer("are you single?", "date_request")
    chat.agent("Your booking is confirmed for Friday.")
    assert persistent_advances(chat.turns, 3, first_decline(chat.turns)) is None
    chat.customer("then let me buy you dinner, sweetheart", "flirtation", "gift_offer")
    hit = persistent_advances(chat.turns, 3, first_decline(chat.turns))
    assert hit is not None and hit.evidence == ["c1", "c2", "c3"]
    assert hit.labels == ["flirtation", "date_request", "gift_offer"]
    assert persistent_advances(chat.turns, 4, None) is None  # advances_repeat is the setting


def test_one_advance_without_decline_is_not_persistent() -> None:
    chat = Chat()
    chat.customer("you have a lovely name", "flirtation")
    assert persistent_advances(chat.turns, 3, None) is None
    chat.agent("Thanks! How can I help with your order?")
    chat.customer("the order id is 5567", scores=scores_for(()))
    assert persistent_advances(chat.turns, 3, first_decline(chat.turns)) is None


def test_decline_then_no_more_advances_is_not_persistent() -> None:
    chat = Chat()
    chat.customer("can I have your number?", "contact_request")
    chat.agent("Sorry, I can't share personal contact details.")
    chat.customer("ok fine, where is my order then")
    assert persistent_advances(chat.turns, 3, first_decline(chat.turns)) is None
