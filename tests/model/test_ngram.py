import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.data.rows import label_matrix
from assistant.errors import ArtifactError
from assistant.labels import LABELS
from assistant.model.classifier import CONFIG_FILE, load_classifier
from assistant.model.ngram import NGRAM_FILE, NgramModel, blend, bridged, covered
from tests.tiny import toy_rows


@pytest.fixture(scope="module")
def ngram() -> NgramModel:
    rows = toy_rows() * 2
    return NgramModel.fit([r.text for r in rows], label_matrix(rows))


def test_learns_spelling_cues_and_survives_a_round_trip(ngram: NgramModel, tmp_path: Path):
    texts = ["you idiot stupid", "where is my order", "aap bahut pyaari ho"]
    s = ngram.scores(texts)
    assert s.shape == (3, len(LABELS)) and ((s > 0) & (s < 1)).all()
    assert s[0, LABELS.index("insult")] > 0.5 > s[1, LABELS.index("insult")]
    ngram.save(tmp_path)
    again = NgramModel.load(tmp_path / NGRAM_FILE, len(LABELS))
    assert np.array_equal(again.logits(texts), ngram.logits(texts))  # what was tuned is what ships


def test_per_message_logits_are_sklearns(ngram: NgramModel):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from assistant.model.ngram import VECTORIZER

    vec = TfidfVectorizer(**VECTORIZER, vocabulary=ngram.vocabulary)
    vec.idf_ = ngram.idf.astype(np.float64)
    texts = ["You  are SO cute dear!!", "मेरा ऑर्डर कहाँ है", "zzz", "", "insta and number do 😍"]
    expected = vec.transform(texts) @ ngram.coef.T + ngram.intercept
    assert np.allclose(ngram.logits(texts), expected, atol=1e-5)  # incl. no known n-gram at all


def test_a_label_with_one_class_gets_a_constant_answer():
    rows = toy_rows()
    y = label_matrix(rows)
    y[:, 0] = False
    s = NgramModel.fit([r.text for r in rows], y).scores(["you are so cute dear"])
    assert s[0, 0] < 1e-3


def test_broken_or_mismatched_files_are_clear(ngram: NgramModel, tmp_path: Path):
    (tmp_path / NGRAM_FILE).write_bytes(b"garbage")
    with pytest.raises(ArtifactError, match="unreadable"):
        NgramModel.load(tmp_path / NGRAM_FILE, len(LABELS))
    ngram.save(tmp_path)
    with pytest.raises(ArtifactError, match="expected"):
        NgramModel.load(tmp_path / NGRAM_FILE, len(LABELS) + 1)


def test_the_bridge_lets_hinglish_evidence_reach_devanagari(tmp_path: Path):
    insult = [[lb == "insult" for lb in LABELS]]
    texts = ["tum bewakoof ho", "bewakoof log", "ekdam bewakoof insaan", "order kab aayega", "refund kab milega"]
    texts += ["paisa wapas karo", "mera order kahan hai", "thanks for the help"]
    y = np.array(insult * 3 + [[False] * len(LABELS)] * 5)
    plain, bridge = NgramModel.fit(texts, y), NgramModel.fit(texts, y, bridge=True)
    devanagari = ["तुम बेवकूफ़ हो"]  # never seen in Devanagari
    j = LABELS.index("insult")
    assert bridge.scores(devanagari)[0, j] > 0.5 > plain.scores(devanagari)[0, j]
    bridge.save(tmp_path)
    again = NgramModel.load(tmp_path / NGRAM_FILE, len(LABELS))
    assert again.bridge and np.array_equal(again.logits(devanagari), bridge.logits(devanagari))
    assert bridged("where is my order") == "where is my order"
    assert bridged("मेरा ऑर्डर") == bridged("मेरा ऑर्डर") != "मेरा ऑर्डर"  # one fixed spelling


def test_a_file_from_before_the_bridge_loads_without_it(ngram: NgramModel, tmp_path: Path):
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    ngram.save(tmp_path)
    with safe_open(str(tmp_path / NGRAM_FILE), "np") as f:
        meta = {k: v for k, v in (f.metadata() or {}).items() if k != "bridge"}
    save_file(load_file(str(tmp_path / NGRAM_FILE)), str(tmp_path / NGRAM_FILE), metadata=meta)
    assert not NgramModel.load(tmp_path / NGRAM_FILE, len(LABELS)).bridge
    save_file(load_file(str(tmp_path / NGRAM_FILE)), str(tmp_path / NGRAM_FILE), metadata=meta | {"bridge": '"yes"'})
    with pytest.raises(ArtifactError, match="expected true or false"):
        NgramModel.load(tmp_path / NGRAM_FILE, len(LABELS))


def test_blend_is_a_vote_of_log_odds_only_on_covered_scripts():
    texts = ["where is my order", "मेरा ऑर्डर कहाँ है", "mera order kab aayega", "என் ஆர்டர் எங்கே", "طلبي أين"]
    mask = covered(texts)
    assert mask.tolist() == [True, True, True, False, False]
    enc = np.full((5, 2), 0.5, dtype=np.float32)
    logits = np.full((5, 2), 2.0, dtype=np.float32)
    out = blend(enc, logits, 0.5, mask)
    assert np.allclose(out[:3], 1 / (1 + np.exp(-1.0)))  # logit 0 and 2, half each
    assert np.array_equal(out[3:], enc[3:])  # the encoder alone where the n-grams know nothing
    assert np.allclose(blend(enc, logits, 0.0, mask), enc)


def test_an_artifact_with_a_blend_loads_it_and_needs_its_file(
    tmp_path: Path, tiny_model: Path, tiny_cache: Path, tiny_base_file: Path, ngram: NgramModel
):
    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    (model / NGRAM_FILE).unlink(missing_ok=True)
    cfg = json.loads((model / CONFIG_FILE).read_text())
    cfg["ngram_weight"] = 0.5
    (model / CONFIG_FILE).write_text(json.dumps(cfg))
    with pytest.raises(ArtifactError, match=f"no {NGRAM_FILE}"):
        load_classifier(model, tiny_cache, base_file=tiny_base_file)
    ngram.save(model)
    clf = load_classifier(model, tiny_cache, base_file=tiny_base_file)
    texts = ["you idiot stupid", "என் ஆர்டர் எங்கே"]
    blended = clf.scores(texts)
    clf.ngram = None
    alone = clf.scores(texts)
    assert not np.allclose(blended[0], alone[0]) and np.allclose(blended[1], alone[1])
    cfg["ngram_weight"] = 1.5
    (model / CONFIG_FILE).write_text(json.dumps(cfg))
    with pytest.raises(ArtifactError, match="ngram_weight must be in"):
        load_classifier(model, tiny_cache, base_file=tiny_base_file)
