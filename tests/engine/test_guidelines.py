from __future__ import annotations

import re

import pytest

from assistant.config import REPO_ROOT
from assistant.engine.state import Nudge
from assistant.guidelines import (
    DEFAULT_SEVERITY,
    DRAFT_TRIGGER_GUIDELINE,
    GUIDELINES,
    SIGNALS,
    TEXTS,
    TRIGGER_GUIDELINE,
    guideline_for,
    render_nudge,
    severity_for,
    text_for,
)
from assistant.labels import LABELS

TAXONOMY = REPO_ROOT.parent / "shared" / "TAXONOMY.md"


def taxonomy_guidelines() -> dict[str, tuple[str, str]]:
    """trigger -> (guideline, advice) from the guideline table of TAXONOMY.md."""
    if not TAXONOMY.is_file():
        pytest.skip("shared/TAXONOMY.md is not next to this checkout")
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (.+?) \|$", TAXONOMY.read_text(), re.MULTILINE)
    return {trigger: (guideline, advice) for trigger, guideline, advice in rows}


def test_every_label_and_signal_has_one_guideline_and_all_eight_are_used() -> None:
    assert set(TRIGGER_GUIDELINE) == set(LABELS) | set(SIGNALS)
    assert sorted(TRIGGER_GUIDELINE.values()) == sorted(GUIDELINES)
    assert set(DRAFT_TRIGGER_GUIDELINE.values()) == {"keep_your_hours", "calm_down_before_replying"}


def test_mapping_and_english_advice_match_the_taxonomy() -> None:
    table = taxonomy_guidelines()
    assert {t: g for t, (g, _) in table.items()} == TRIGGER_GUIDELINE
    for trigger, (guideline, advice) in table.items():
        assert TEXTS[guideline]["en"].advice == advice, trigger


@pytest.mark.parametrize("guideline", GUIDELINES)
def test_every_guideline_reads_in_english_and_hindi(guideline: str) -> None:
    en, hi = text_for(guideline, "en"), text_for(guideline, "hi")
    assert en.title and en.advice and hi.title and hi.advice
    assert re.search("[\u0900-\u097f]", hi.title) and re.search("[\u0900-\u097f]", hi.advice)
    assert not re.search("[\u0900-\u097f]", en.title + en.advice)
    assert len(en.title) <= 30 and len(hi.title) <= 30  # a short title
    assert text_for(guideline, "ta") == en and text_for(guideline, None) == en


def test_severity_defaults() -> None:
    for label in LABELS:
        assert severity_for(label) == "warning"
    assert severity_for("rising_anger") == severity_for("persistent_advances") == "critical"
    assert severity_for("personal_contact") == "critical"
    assert set(DEFAULT_SEVERITY.values()) <= {"info", "warning", "critical"}


def test_unknown_trigger_or_guideline_is_an_error() -> None:
    with pytest.raises(ValueError, match="no guideline"):
        guideline_for("spam")
    with pytest.raises(ValueError, match="unknown guideline"):
        text_for("be_nice")
    assert guideline_for("insult") == "do_not_respond_in_kind"
    assert guideline_for("insult", draft=True) == "calm_down_before_replying"


def test_render_nudge_switches_language_and_keeps_the_rest() -> None:
    en = text_for("decline_gifts", "en")
    nudge = Nudge(
        "decline_gifts", "gift_offer", ["gift_offer"], {"gift_offer": 0.9}, "warning", ["m7"], en.title, en.advice
    )
    hi = render_nudge(nudge, "hi")
    assert (hi.title, hi.advice) == (TEXTS["decline_gifts"]["hi"].title, TEXTS["decline_gifts"]["hi"].advice)
    assert (hi.guideline, hi.trigger, hi.labels, hi.scores, hi.severity, hi.evidence) == (
        nudge.guideline,
        nudge.trigger,
        nudge.labels,
        nudge.scores,
        nudge.severity,
        nudge.evidence,
    )
    assert render_nudge(hi, "en") == nudge
    assert nudge.title == en.title  # the original is not changed
