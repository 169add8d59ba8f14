from assistant.evaluation.baselines import KeywordBaseline, TfidfBaseline
from assistant.labels import LABELS
from tests.tiny import toy_rows


def test_keyword_baseline_learns_marker_words():
    rows = toy_rows() * 4
    kb = KeywordBaseline(min_count=4, min_precision=0.8).fit(rows)
    assert "idiot" in kb.keywords["insult"]
    pred = kb.predict(["you idiot", "where is my order"])
    assert pred[0, LABELS.index("insult")] and not pred[1].any()


def test_tfidf_baseline_fits_and_predicts_the_training_rows():
    rows = toy_rows() * 3
    tb = TfidfBaseline().fit(rows, toy_rows())
    pred = tb.predict([r.text for r in toy_rows()])
    assert pred.shape == (len(toy_rows()), len(LABELS))
    assert pred[8, LABELS.index("insult")]
