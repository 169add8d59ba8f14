import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.data.names import AUDIT_NAMES, NAMES
from assistant.errors import DataError
from assistant.model.classifier import ArtifactConfig
from assistant.model.name_average import GIVEN, SURNAMES, expand, known_names, variants


def test_a_message_without_a_known_name_is_scored_as_it_is():
    assert variants("where is my order, it is 5 days late") == ["where is my order, it is 5 days late"]
    assert variants("") == [""]


def test_every_known_name_is_replaced_in_its_script_and_case():
    out = variants("hello main Gurleen, order ka status batao")
    assert out == [f"hello main {g.latin}, order ka status batao" for g in GIVEN]
    assert variants("shital here")[1] == f"{GIVEN[1].latin.lower()} here"
    assert variants("NISHIT HERE")[0] == f"{GIVEN[0].latin.upper()} HERE"
    assert variants("मैं शीतल बोल रही हूँ") == [f"मैं {g.deva} बोल रही हूँ" for g in GIVEN]
    assert variants("फातिमा जी")[0] == f"{GIVEN[0].deva} जी"  # typed without the nukta


def test_two_names_stay_two_and_surnames_get_surnames():
    out = variants("Rahul, please ask Neha to call me")
    assert len(out) == len(GIVEN)
    for k, text in enumerate(out):
        first, second = GIVEN[k].latin, GIVEN[(k + 1) % len(GIVEN)].latin
        assert text == f"{first}, please ask {second} to call me"
    out = variants("Mr Verma, my name is Imran Qureshi")
    assert out[0] == f"Mr {SURNAMES[0].latin}, my name is {GIVEN[0].latin} {SURNAMES[1].latin}"


def test_whole_words_only_and_words_that_are_also_names_are_not_known():
    assert variants("Rahulbhai called") == ["Rahulbhai called"]  # a name inside a longer word is left alone
    known = known_names()
    # words before names: shy (sharma jaana), beautiful (soni, linda), a religion, deities at festivals
    others = ("sharma", "शर्मा", "soni", "linda", "jain", "जैन", "ganesh", "krishna", "कृष्ण", "saraswati")
    for word in (
        "sundar",
        "pooja",
        "prem",
        "pyaar",
        "anand",
        "khushi",
        "sapna",
        "pari",
        "jaan",
        "honey",
        "will",
        "das",
        *others,
    ):
        assert word not in known, word
    for name in NAMES + AUDIT_NAMES:  # the training and audit lists are known, whatever the file says
        assert name.latin.lower() in known and name.deva in known


def test_replacements_are_balanced():
    assert [g.gender for g in GIVEN] == ["f", "m", "f", "m"]
    assert len(SURNAMES) == len(GIVEN)


def test_expanded_scores_fold_back_to_their_message():
    ex = expand(["no name here", "hi Priya", "bye"])
    assert len(ex.texts) == 2 + len(GIVEN)
    scores = np.arange(len(ex.texts), dtype=np.float32)[:, None].repeat(2, axis=1)
    avg = ex.average(scores)
    assert avg.shape == (3, 2) and avg[0, 0] == 0 and avg[2, 0] == len(ex.texts) - 1
    assert avg[1, 0] == pytest.approx(np.mean(range(1, 1 + len(GIVEN))))
    off = expand(["hi Priya"], on=False)
    assert off.texts == ["hi Priya"]


@pytest.mark.parametrize(
    "line, problem",
    [
        ("Rahul\tराहुल", "expected"),  # no kind
        ("Rahul\tराहुल\tx", "expected"),  # unknown kind
        ("Rahul Kumar\tराहुल\tm", "expected"),  # two words in one spelling
        ("Rahul,\tराहुल\tm", "expected"),  # an empty spelling
        ("Rahool,PRIYA\tराहुल\tm", "'priya' is on line 1 too"),  # a spelling of two names
    ],
)
def test_a_broken_names_file_names_its_line(tmp_path: Path, line: str, problem: str):
    bad = tmp_path / "names.tsv"
    bad.write_text(f"Priya\tप्रिया\tf\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"names.tsv:2: {problem}"):
        known_names(bad)


def test_a_precomposed_nukta_is_the_same_name():
    precomposed = "\u095b\u094b\u092f\u093e"  # ज़ोया typed with U+095B
    assert variants(f"{precomposed} जी")[0] == f"{GIVEN[0].deva} जी"


def _copy(tiny_model: Path, folder: Path, name_average: bool) -> Path:
    shutil.copytree(tiny_model, folder)
    cfg = ArtifactConfig.load(folder)
    cfg.name_average = name_average
    cfg.save(folder)
    return folder


def test_averaging_makes_the_score_blind_to_the_name(
    tiny_model: Path, tiny_cache: Path, tiny_base_file: Path, tmp_path: Path
):
    from assistant.model.classifier import load_classifier

    assert ArtifactConfig.load(tiny_model).name_average  # what training writes by default
    texts = ["hi Shital, are you still there?", "hi Nishit, are you still there?", "where is my order"]
    plain = load_classifier(_copy(tiny_model, tmp_path / "off", False), tiny_cache, base_file=tiny_base_file)
    assert not np.allclose(plain.scores(texts[:1]), plain.scores(texts[1:2]))  # the random model sees names
    clf = load_classifier(_copy(tiny_model, tmp_path / "on", True), tiny_cache, base_file=tiny_base_file)
    s = clf.scores(texts)
    assert np.allclose(s[0], s[1], atol=1e-6)
    assert np.allclose(s[0], plain.scores(variants(texts[0])).mean(axis=0), atol=1e-6)
    assert np.allclose(s[2], plain.scores(texts[2:]), atol=1e-6)  # a message without a name: unchanged


def test_tuning_ignores_averaging_and_measuring_uses_it(tiny_model: Path, tiny_cache: Path, tiny_base_file: Path):
    from assistant.data.rows import Row
    from assistant.model.classifier import load_classifier
    from assistant.training.config import TrainConfig
    from assistant.training.train import tune_and_measure
    from tests.tiny import toy_rows

    rows = toy_rows()
    names = ["Shital", "Nishit"] * (len(rows) // 2 + 1)
    dev = [Row(f"{n}, {r.text}", r.labels, r.lang, r.source) for r, n in zip(rows, names, strict=False)]
    chosen = {}
    for on in (True, False):
        clf = load_classifier(tiny_model, tiny_cache, base_file=tiny_base_file)
        config = TrainConfig(name_average=on, ngram_weights=(0.0,))
        metrics = tune_and_measure(clf, config, rows, dev, {"test": dev}, log=lambda _: None)
        assert clf.config.name_average is on
        chosen[on] = (clf.config.thresholds, metrics)
    assert chosen[True][0] == chosen[False][0]  # tuned on the model's own scores either way
    assert chosen[True][1] != chosen[False][1]  # measured the way the artifact will score
