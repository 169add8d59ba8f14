from __future__ import annotations

from dataclasses import asdict

import pytest

from assistant.config import Settings
from assistant.engine import ConversationEngine, EngineConfig, Turn, apply_thresholds
from assistant.guidelines import TEXTS
from tests.engine.chat import Chat, scores_for


def feed(engine: ConversationEngine, chat: Chat) -> list:
    return [engine.add(t) for t in chat.turns]


def guidelines(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.guideline for n in result.nudges]


def test_each_label_pushes_its_guideline_with_its_score_and_message() -> None:
    engine = ConversationEngine(EngineConfig())
    chat = Chat()
    turn = chat.customer("you sound so cute, can I buy you a coffee?", "flirtation", "date_request", "gift_offer")
    result = engine.customer_turn(turn)
    assert result.labels == ["flirtation", "date_request", "gift_offer"]
    assert guidelines(result) == ["stay_neutral", "make_the_rule", "decline_gifts"]
    first = result.nudges[0]
    assert first.trigger == "flirtation" and first.labels == ["flirtation"]
    assert first.scores == {"flirtation": 0.99}
    assert first.evidence == ["c1"] and first.severity == "warning"
    assert first.title == TEXTS["stay_neutral"]["en"].title
    assert first.advice == TEXTS["stay_neutral"]["en"].advice
    assert result.alerts == [] and result.signals == []


def test_labels_are_kept_in_contract_order_and_unknown_ones_dropped() -> None:
    engine = ConversationEngine()
    turn = Chat().customer("?", "anger", "made_up", "insult")
    result = engine.customer_turn(turn)
    assert result.labels == ["insult", "anger"]
    assert guidelines(result) == ["do_not_respond_in_kind", "calm_down_before_replying"]
    assert [a.trigger for a in result.alerts] == ["insult"]  # supervisors hear about insults


def test_hindi_agent_gets_hindi_advice() -> None:
    engine = ConversationEngine(EngineConfig(), language="hi")
    result = engine.customer_turn(Chat().customer("apna whatsapp number do na", "contact_request"))
    nudge = result.nudges[0]
    assert nudge.guideline == "keep_your_hours"
    assert nudge.title == TEXTS["keep_your_hours"]["hi"].title
    assert any("\u0900" <= ch <= "\u097f" for ch in nudge.advice)
    assert ConversationEngine(language="hi-Latn").language == "en"  # no Hinglish text: English


def test_calm_messages_push_nothing() -> None:
    engine = ConversationEngine()
    chat = Chat()
    chat.customer("hi, where is my order 5567?")
    chat.agent("Let me check.")
    chat.customer("thanks, you were very helpful")
    assert all(r.nudges == [] and r.signals == [] and r.alerts == [] for r in feed(engine, chat))


# --- cooldown -------------------------------------------------------------------------------------


def test_cooldown_is_per_guideline_and_by_turn_time() -> None:
    engine = ConversationEngine(EngineConfig(cooldown_seconds=300, advances_repeat=20))  # no persistence here
    chat = Chat()
    chat.customer("you are so sweet", "flirtation")
    chat.customer("really, so sweet", "flirtation", after=60)  # within 5 minutes: suppressed
    chat.customer("can I send you chocolates?", "gift_offer", after=60)  # another guideline: pushed
    chat.customer("sweetheart, reply na", "flirtation", after=180)  # 300 s after the first: pushed again
    chat.customer("still sweet", "flirtation", after=299)  # 299 s after the last push: suppressed
    results = feed(engine, chat)
    assert [guidelines(r) for r in results] == [
        ["stay_neutral"],
        [],
        ["decline_gifts"],
        ["stay_neutral"],
        [],
    ]
    assert results[1].labels == ["flirtation"]  # labels are reported even when the nudge is held back


def test_zero_cooldown_nudges_every_time() -> None:
    engine = ConversationEngine(EngineConfig(cooldown_seconds=0))
    chat = Chat(gap=0)
    for _ in range(3):
        chat.customer("idiot", "insult")
    assert [guidelines(r) for r in feed(engine, chat)] == [["do_not_respond_in_kind"]] * 3


def test_cooldown_applies_to_signals_too() -> None:
    engine = ConversationEngine(EngineConfig(cooldown_seconds=300, advances_repeat=2))
    chat = Chat()
    chat.customer("you're cute", "flirtation")
    chat.customer("give me your number", "contact_request")
    chat.customer("or your insta", "contact_request")
    results = feed(engine, chat)
    assert results[1].signals == results[2].signals == ["persistent_advances"]
    assert "involve_supervisor" in guidelines(results[1])
    assert "involve_supervisor" not in guidelines(results[2])
    assert results[2].alerts == []  # and no second supervisor alert within the cooldown


# --- signals through the engine -------------------------------------------------------------------


def test_rising_anger_nudges_de_escalate_first_and_alerts() -> None:
    engine = ConversationEngine()
    chat = Chat()
    chat.customer("my refund hasn't come")
    chat.agent("Let me check.")
    chat.customer("it's been 3 weeks, this is a joke", "anger")
    chat.agent("I understand, I'm checking with the team.")
    chat.customer("you people are THIEVES, give my MONEY back!!!", "anger", "insult")
    results = feed(engine, chat)
    assert results[2].signals == []  # one heated message
    last = results[4]
    assert last.signals == ["rising_anger"]
    assert guidelines(last) == ["de_escalate", "do_not_respond_in_kind"]  # anger's guideline is in cooldown
    rising = last.nudges[0]
    assert rising.severity == "critical" and rising.trigger == "rising_anger"
    assert rising.evidence == ["c1", "c2", "c3"]
    assert rising.labels == ["insult", "anger"] and rising.scores == {"insult": 0.99, "anger": 0.99}
    assert [a.trigger for a in last.alerts] == ["rising_anger", "insult"]


def test_signals_are_reported_on_agent_turns_while_active() -> None:
    engine = ConversationEngine()
    chat = Chat()
    chat.customer("hello")
    chat.customer("this is taking forever", "anger")
    chat.customer("I'm done waiting!!", "anger")
    chat.agent("I'm so sorry, let me call you right now.")
    chat.customer("ok, the call helped, thanks")
    chat.agent("Glad to help!")
    assert [r.signals for r in feed(engine, chat)] == [[], [], ["rising_anger"], ["rising_anger"], [], []]


def test_persistent_advances_after_a_hindi_decline() -> None:
    engine = ConversationEngine(language="hi")
    chat = Chat()
    chat.customer("आप बहुत सुंदर हो, कल कॉफ़ी पर चलोगी?", "flirtation", "date_request")
    chat.agent("मैं ग्राहकों के साथ डेट पर नहीं जाती। आपके ऑर्डर में और क्या मदद करूँ?")
    chat.customer("एक बार मिल लो ना", "date_request")
    results = feed(engine, chat)
    assert engine.state.declined and engine.state.decline_message_id == "a1"
    last = results[2]
    assert last.signals == ["persistent_advances"]
    assert guidelines(last) == ["involve_supervisor"]  # make_the_rule was pushed 2 s ago: cooldown
    assert last.nudges[0].evidence == ["c1", "a1", "c2"]
    assert last.nudges[0].title == TEXTS["involve_supervisor"]["hi"].title
    assert [a.guideline for a in last.alerts] == ["involve_supervisor"]


def test_one_advance_is_not_persistent() -> None:
    engine = ConversationEngine()
    chat = Chat()
    chat.customer("what do you do after work?", "date_request")
    chat.agent("I'm here to help with your booking! What's the PNR?")
    chat.customer("PNR 4521789630")
    assert all(r.signals == [] for r in feed(engine, chat))
    assert all(a == [] for a in (r.alerts for r in feed(ConversationEngine(), chat)))


def test_role_mismatch_is_refused() -> None:
    engine = ConversationEngine()
    chat = Chat()
    with pytest.raises(ValueError, match="customer_turn"):
        engine.customer_turn(chat.agent("hi"))
    with pytest.raises(ValueError, match="agent_turn"):
        engine.agent_turn(chat.customer("hi"))


# --- rebuilding -----------------------------------------------------------------------------------


def test_from_turns_rebuilds_signals_decline_and_cooldown() -> None:
    chat = Chat()
    chat.customer("you are cute", "flirtation")
    chat.agent("Sorry, I can't chat about that.")
    chat.customer("just one coffee?", "date_request", "flirtation")
    chat.customer("ok but you're really cute", "flirtation")
    live = ConversationEngine()
    feed(live, chat)
    rebuilt = ConversationEngine.from_turns(chat.turns)
    assert rebuilt.state.decline_message_id == live.state.decline_message_id == "a1"
    assert rebuilt.state.last_nudge_at == live.state.last_nudge_at
    assert rebuilt.signals == live.signals == ["persistent_advances"]
    nxt = chat.customer("give me your number", "contact_request", after=10)
    assert asdict(rebuilt.customer_turn(nxt)) == asdict(live.customer_turn(nxt))


def test_engine_reads_the_real_settings() -> None:
    settings = Settings(cooldown_seconds=0, rising_anger_window=3, advances_repeat=2, work_contacts=["9876543210"])
    engine = ConversationEngine(settings)
    assert engine.check_draft("call me on 98765 43210") == []
    chat = Chat()
    chat.customer("you're sweet", "flirtation")
    chat.customer("be my valentine", "date_request")
    assert feed(engine, chat)[1].signals == ["persistent_advances"]


# --- drafts ---------------------------------------------------------------------------------------


def test_draft_with_personal_number_gets_keep_your_hours_with_the_span() -> None:
    engine = ConversationEngine(EngineConfig(work_contacts=["+91 22 6600 1234"]))
    nudges = engine.check_draft("Sure! my number is 98765 43210, office is 022 6600 1234", {}, [])
    assert len(nudges) == 1
    n = nudges[0]
    assert n.guideline == "keep_your_hours" and n.trigger == "personal_contact"
    assert n.evidence == ["98765 43210"] and n.severity == "critical"
    # drafts are not cooldown-limited: the agent hears it every time
    assert engine.check_draft("my number is 98765 43210")[0].guideline == "keep_your_hours"
    assert engine.state.last_nudge_at == {}


def test_draft_with_only_work_contacts_is_fine() -> None:
    engine = ConversationEngine(EngineConfig(work_contacts=["+91 22 6600 1234", "care@acme.in"]))
    assert engine.check_draft("Call 022-6600 1234 (10am-6pm) or write to CARE@acme.in", {}, []) == []


def test_heated_draft_gets_calm_down() -> None:
    engine = ConversationEngine(language="hi")
    scores = scores_for(("anger", "insult"))
    nudges = engine.check_draft("tum log pagal ho kya", scores, ["anger", "insult"])
    assert [n.guideline for n in nudges] == ["calm_down_before_replying"]
    assert nudges[0].trigger == "insult" and nudges[0].labels == ["insult", "anger"]
    assert nudges[0].scores == {"insult": 0.99, "anger": 0.99}
    assert nudges[0].title == TEXTS["calm_down_before_replying"]["hi"].title


def test_heated_draft_with_a_number_gets_both() -> None:
    engine = ConversationEngine()
    nudges = engine.check_draft("STOP messaging me, call 9876543210 if you must", {"anger": 0.9}, ["anger"])
    assert [n.guideline for n in nudges] == ["keep_your_hours", "calm_down_before_replying"]


def test_polite_draft_gets_nothing() -> None:
    engine = ConversationEngine()
    draft = "Your order 40512378 will arrive by 12-05-2024; refund of Rs 1,299 is on its way."
    assert engine.check_draft(draft, scores_for(()), []) == []


# --- thresholds -----------------------------------------------------------------------------------


def test_apply_thresholds_overrides_only_the_named_labels() -> None:
    scores = {"flirtation": 0.45, "anger": 0.62, "insult": 0.1}
    assert apply_thresholds(scores, ["anger"], {}) == ["anger"]
    assert apply_thresholds(scores, ["anger"], {"flirtation": 0.4}) == ["flirtation", "anger"]
    assert apply_thresholds(scores, ["anger"], {"anger": 0.7}) == []
    assert apply_thresholds({}, ["gift_offer"], {"gift_offer": 0.9}) == ["gift_offer"]  # no score: keep


def test_turn_defaults_are_empty() -> None:
    t = Turn(role="agent", text="hi", at=Chat().at, message_id="1")
    assert t.labels == [] and t.scores == {}
