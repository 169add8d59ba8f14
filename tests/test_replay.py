from __future__ import annotations

import io
import json
from pathlib import Path

from assistant.cli_replay import replay
from assistant.config import Settings
from assistant.labels import LABELS
from assistant.model.classifier import Prediction

KEYWORDS = {
    "cute": "flirtation",
    "coffee": "date_request",
    "number": "contact_request",
    "gift": "gift_offer",
    "idiot": "insult",
    "angry": "anger",
}


class FakeClassifier:
    """Labels by keyword, scores saturated like the real head; records each call."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def predict(self, texts: list[str]) -> list[Prediction]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            labels = [lb for kw, lb in KEYWORDS.items() if kw in text.lower()]
            scores = {lb: (0.99 if lb in labels else 0.01) for lb in LABELS}
            out.append(Prediction(scores=scores, labels=[lb for lb in LABELS if lb in labels]))
        return out


def run(lines: list[str], settings: Settings | None = None) -> tuple[int, list[dict], str, FakeClassifier]:
    clf = FakeClassifier()
    out, err = io.StringIO(), io.StringIO()
    code = replay(io.StringIO("".join(x + "\n" for x in lines)), clf.predict, settings or Settings(), out, err)
    return code, [json.loads(x) for x in out.getvalue().splitlines()], err.getvalue(), clf


def conv(cid: object, *turns: tuple[str, str]) -> str:
    return json.dumps({"id": cid, "turns": [{"role": r, "text": t} for r, t in turns]}, ensure_ascii=False)


def test_replay_reports_labels_signals_and_nudges_per_turn() -> None:
    line = conv(
        "c-1",
        ("customer", "hi, my order is late"),
        ("agent", "Let me check."),
        ("customer", "you are cute, what's your number?"),
        ("agent", "I'm sorry, I can't share my personal number."),
        ("customer", "come on, just your number"),
    )
    code, rows, err, clf = run([line])
    assert code == 0 and err == ""
    assert rows == [
        {
            "id": "c-1",
            "turns": [
                {"index": 0, "labels": [], "signals": [], "nudges": []},
                {"index": 1, "labels": [], "signals": [], "nudges": []},
                {
                    "index": 2,
                    "labels": ["flirtation", "contact_request"],
                    "signals": [],
                    "nudges": ["stay_neutral", "keep_your_hours"],
                },
                {"index": 3, "labels": [], "signals": [], "nudges": []},
                # keep_your_hours was pushed 2 s earlier: the cooldown runs on turn time
                {
                    "index": 4,
                    "labels": ["contact_request"],
                    "signals": ["persistent_advances"],
                    "nudges": ["involve_supervisor"],
                },
            ],
        }
    ]
    # all customer turns of a conversation in one classifier call
    assert clf.calls == [["hi, my order is late", "you are cute, what's your number?", "come on, just your number"]]


def test_replay_rising_anger_and_signal_on_agent_turns() -> None:
    line = conv(
        7,
        ("customer", "where is my refund"),
        ("customer", "I am angry now"),
        ("customer", "VERY ANGRY, you idiot!!!"),
        ("agent", "I understand, let me call you."),
    )
    code, rows, _, _ = run([line])
    assert code == 0
    turns = rows[0]["turns"]
    assert rows[0]["id"] == 7
    assert [t["signals"] for t in turns] == [[], [], ["rising_anger"], ["rising_anger"]]
    assert turns[2]["nudges"] == ["de_escalate", "do_not_respond_in_kind"]  # anger's guideline: cooldown
    assert turns[1]["nudges"] == ["calm_down_before_replying"]


def test_cooldown_setting_is_used_by_turn_time() -> None:
    line = conv("x", ("customer", "cute"), ("customer", "so cute"), ("customer", "really cute"))
    _, rows, _, _ = run([line], Settings(cooldown_seconds=2, advances_repeat=10))
    assert [t["nudges"] for t in rows[0]["turns"]] == [["stay_neutral"], [], ["stay_neutral"]]


def test_threshold_overrides_apply() -> None:
    line = conv("x", ("customer", "a gift for you"))
    _, rows, _, _ = run([line], Settings(thresholds={"gift_offer": 0.999}))
    assert rows[0]["turns"][0] == {"index": 0, "labels": [], "signals": [], "nudges": []}


def test_bad_lines_are_reported_and_skipped_with_exit_1() -> None:
    lines = [
        conv("ok-1", ("customer", "hello")),
        "not json",
        "[1, 2]",
        json.dumps({"turns": []}),
        json.dumps({"id": "a"}),
        json.dumps({"id": "a", "turns": {}}),
        json.dumps({"id": "a", "turns": [{"role": "bot", "text": "hi"}]}),
        json.dumps({"id": "a", "turns": [{"role": "customer", "text": 5}]}),
        json.dumps({"id": "a", "turns": [{"role": "customer"}]}),
        json.dumps({"id": "a", "turns": ["hi"]}),
        json.dumps({"id": None, "turns": []}),
        "",
        conv("ok-2", ("agent", "Hello! How can I help?")),
    ]
    code, rows, err, clf = run(lines)
    assert code == 1
    assert [r["id"] for r in rows] == ["ok-1", "ok-2"]
    assert rows[1]["turns"] == [{"index": 0, "labels": [], "signals": [], "nudges": []}]
    assert clf.calls == [["hello"]]  # no customer turn: no classifier call
    expected = [
        "line 2: not JSON",
        "line 3: expected a JSON object, got list",
        'line 4: no "id" key',
        'line 5: no "turns" key',
        'line 6: "turns" must be a list, got dict',
        'line 7: turn 0: "role" must be "customer" or "agent", got "bot"',
        'line 8: turn 0: "text" must be a string, got int',
        'line 9: turn 0: no "text" key',
        "line 10: turn 0: expected a JSON object, got str",
        'line 11: "id" must be a string or an integer, got NoneType',
        "line 12: empty line",
    ]
    err_lines = err.splitlines()
    assert len(err_lines) == len(expected)
    for got, want in zip(err_lines, expected, strict=True):
        assert got.startswith(want), (got, want)


def test_empty_input_and_empty_conversation() -> None:
    assert run([])[:2] == (0, [])
    code, rows, _, clf = run([json.dumps({"id": "e", "turns": []})])
    assert (code, rows, clf.calls) == (0, [{"id": "e", "turns": []}], [])


def test_replay_with_the_tiny_model(tiny_env: Path) -> None:
    from assistant.model.classifier import classifier_from_settings

    settings = Settings()
    clf = classifier_from_settings(settings)
    lines = [
        conv(
            "t1",
            ("customer", "you are so cute dear"),
            ("agent", "Thanks! How can I help?"),
            ("customer", "मेरा ऑर्डर कहाँ है"),
        ),
        conv("t2", ("customer", "you idiot, stupid useless")),
    ]
    out, err = io.StringIO(), io.StringIO()
    code = replay(io.StringIO("\n".join(lines) + "\n"), clf.predict, settings, out, err)
    assert code == 0, err.getvalue()
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2"]
    assert [t["index"] for t in rows[0]["turns"]] == [0, 1, 2]
    for row in rows:
        for t in row["turns"]:
            assert set(t) == {"index", "labels", "signals", "nudges"}
            assert set(t["labels"]) <= set(LABELS)
    assert rows[0]["turns"][1]["labels"] == []
