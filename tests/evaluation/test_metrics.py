import numpy as np
import pytest

from assistant.evaluation.metrics import score, score_by_lang, tune_thresholds, wilson_interval


def test_scores_precision_recall_and_false_flags():
    y = np.zeros((4, 6), dtype=bool)
    y[0, 0] = y[1, 0] = True  # two flirtation rows, two label-free rows
    p = np.zeros((4, 6), dtype=bool)
    p[0, 0] = True  # one hit
    p[2, 4] = True  # a false flag on a label-free row
    s = score(y, p)
    assert s.per_label["flirtation"].precision == 1.0
    assert s.per_label["flirtation"].recall == 0.5
    assert abs(s.macro_f1 - 2 / 3) < 1e-9  # only labels with positives are averaged
    assert s.false_flag_rate == 0.5 and s.label_free_rows == 2


def test_by_language_puts_main_languages_first():
    y = np.zeros((3, 6), dtype=bool)
    out = score_by_lang(y, y, ["fr", "hi-Latn", "en"])
    assert list(out) == ["en", "hi-Latn", "fr", "all"]


def test_threshold_tuning_prefers_higher_on_ties():
    y = np.array([[True], [False], [True], [False]])
    s = np.array([[0.9], [0.2], [0.8], [0.3]])
    t = tune_thresholds(y, s)
    assert 0.3 < t[0] <= 0.8


def test_false_flag_cap_raises_the_noisiest_label_first():
    from assistant.evaluation.metrics import cap_false_flags

    y = np.zeros((30, 6), dtype=bool)
    y[0, 0] = True
    s = np.zeros((30, 6))
    s[0, 0] = 0.9
    s[1:9, 1] = 0.6  # eight label-free rows over a 0.5 threshold on date_request
    t = cap_false_flags(y, s, np.full(6, 0.5), max_rate=0.2)
    assert t[1] > 0.6 and t[0] == 0.5


def test_wilson_interval_matches_known_values_and_stays_in_range():
    lo, hi = wilson_interval(107, 120)  # 89.2%: the goal's first set, one item from 90%
    assert (round(lo, 3), round(hi, 3)) == (0.823, 0.936)
    assert wilson_interval(0, 180)[0] == 0.0 and 0.02 < wilson_interval(0, 180)[1] < 0.022
    assert wilson_interval(50, 50)[1] == 1.0
    with pytest.raises(ValueError, match="n >= 1"):
        wilson_interval(0, 0)
