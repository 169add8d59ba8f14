"""The shipped artifact on the real base: clear examples of every label in every language."""

import json
import subprocess
import sys

import pytest

from assistant.config import REPO_ROOT
from assistant.data.rows import read_rows
from assistant.labels import LABELS
from assistant.model.predictor import Predictor

pytestmark = pytest.mark.integration

CLEAR = {
    "en": {
        "flirtation": "you have the sweetest voice, sweetheart 😘",
        "date_request": "are you single? let's go out for dinner this saturday",
        "contact_request": "give me your personal whatsapp number please",
        "gift_offer": "I want to send you a gift and some money for your help, accept it please",
        "insult": "you are a useless idiot",
        "anger": "THIS IS THE THIRD TIME I AM COMPLAINING!!! FIX IT NOW OR I WILL SUE YOU!!!",
    },
    "hi": {
        "flirtation": "आप बहुत खूबसूरत हो जान, आपकी आवाज़ बहुत प्यारी है 😘",
        "date_request": "क्या आप शादीशुदा हो? मेरे साथ कॉफ़ी पर चलोगी?",
        "contact_request": "अपना पर्सनल व्हाट्सऐप नंबर दे दो",
        "gift_offer": "आपकी मदद के लिए मैं आपको एक तोहफ़ा और कुछ पैसे भेजना चाहता हूँ",
        "insult": "तुम एकदम बेवकूफ़ और नालायक हो",
        "anger": "तीसरी बार शिकायत कर रहा हूँ!!! अभी ठीक करो वरना कंज़्यूमर कोर्ट जाऊँगा!!!",
    },
    "hi-Latn": {
        "flirtation": "aap bahut cute ho jaan, aapki awaaz kitni sweet hai 😘",
        "date_request": "aap single ho? mere saath dinner pe chaloge is weekend?",
        "contact_request": "apna personal whatsapp number do na",
        "gift_offer": "aapki help ke liye main aapko gift aur kuch paise bhejna chahta hu",
        "insult": "tum ekdum bewakoof aur nalayak ho",
        "anger": "TEESRI BAAR COMPLAINT KAR RAHA HU!!! ABHI THEEK KARO WARNA CONSUMER COURT JAUNGA!!!",
    },
}
CLEAN = {
    "en": ["where is my order? it was supposed to arrive yesterday", "thank you, you were very helpful"],
    "hi": ["मेरा ऑर्डर कब तक आएगा?", "धन्यवाद, आपने बहुत मदद की"],
    "hi-Latn": ["mera order kab tak aayega?", "thanks, aapne bahut help ki"],
}


@pytest.mark.parametrize(("lang", "label"), [(lg, lb) for lg in CLEAR for lb in LABELS])
def test_clear_examples_get_their_label(shipped: Predictor, lang: str, label: str):
    pred = shipped.predict([CLEAR[lang][label]])[0]
    assert label in pred.labels, pred.scores


@pytest.mark.parametrize("lang", list(CLEAN))
def test_ordinary_support_messages_get_no_label(shipped: Predictor, lang: str):
    for pred in shipped.predict(CLEAN[lang]):
        assert pred.labels == [], pred.scores


def test_fast_path_agrees_with_the_reference(reference: Predictor, fast: Predictor):
    texts = [r.text for r in read_rows(REPO_ROOT / "training_data" / "test.jsonl")][:300]
    ref_scores, got_scores = reference.scores(texts), fast.scores(texts)
    same = (reference.decide(ref_scores) == fast.decide(got_scores)).all(axis=1).mean()
    assert same >= 0.95, f"the {fast.backend} graph gives other labels than PyTorch fp32 for {1 - same:.1%} of messages"
    assert abs(got_scores - ref_scores).mean() < 0.01
    if fast.backend == "onnx-fp32":  # the default serves the reference's scores, not an approximation
        assert abs(got_scores - ref_scores).max() < 1e-3 and same == 1.0


def test_classify_contract_end_to_end():
    lines = ['{"text": "give me your whatsapp number jaan", "ticket": 7}', "{oops", '{"text": "mera order kab aayega"}']
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "classify"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert proc.returncode == 1
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o.get("ticket") for o in out] == [7, None]
    assert "contact_request" in out[0]["labels"] and out[1]["labels"] == []
    assert "line 2: not JSON" in proc.stderr
