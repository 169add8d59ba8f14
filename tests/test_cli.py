import io
import json
import re
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.labels import LABELS


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_classify_keeps_order_and_keys(tiny_env: Path, monkeypatch, capsys):
    lines = [{"text": "you are so cute dear", "id": 1}, {"text": "where is my order", "meta": {"x": [1]}}]
    code, out, err = run(monkeypatch, capsys, ["classify"], "".join(json.dumps(x) + "\n" for x in lines))
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["text"] for r in rows] == [x["text"] for x in lines]
    assert rows[0]["id"] == 1 and rows[1]["meta"] == {"x": [1]}
    for r in rows:
        assert list(r["scores"]) == list(LABELS)
        assert all(0.0 <= v <= 1.0 for v in r["scores"].values())
        assert set(r["labels"]) <= set(LABELS)
        assert r["labels"] == [lb for lb in LABELS if lb in r["labels"]]  # contract order


def test_classify_reports_bad_lines_with_numbers_and_exits_1(tiny_env: Path, monkeypatch, capsys):
    stdin = "\n".join(
        [
            '{"text": "hello"}',
            "not json",
            '{"no_text": 1}',
            '{"text": 42}',
            "[1, 2]",
            "",
            '{"text": "मेरा ऑर्डर कहाँ है", "id": "last"}',
        ]
    )
    code, out, err = run(monkeypatch, capsys, ["classify"], stdin + "\n")
    assert code == 1
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r.get("id") for r in rows] == [None, "last"]
    assert "line 2: not JSON" in err
    assert 'line 3: no "text" key' in err
    assert 'line 4: "text" must be a string, got int' in err
    assert "line 5: expected a JSON object, got list" in err
    assert "line 6: empty line" in err


def test_classify_threshold_decides_labels(tiny_env: Path, monkeypatch, capsys):
    from assistant.model.classifier import ArtifactConfig

    thresholds = ArtifactConfig.load(tiny_env).thresholds
    code, out, _ = run(monkeypatch, capsys, ["classify"], '{"text": "you idiot, stupid useless"}\n')
    row = json.loads(out)
    assert code == 0
    assert row["labels"] == [lb for lb in LABELS if row["scores"][lb] >= round(thresholds[lb], 4) - 1e-4]


def test_missing_model_is_a_clear_error(tiny_env: Path, tmp_path: Path, monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, ["classify", "--model", str(tmp_path)], '{"text": "hi"}\n')
    assert code == 2 and out == ""
    assert "no model config.json found" in err and str(tmp_path) in err


def test_evaluate_prints_model_and_baselines_side_by_side(tiny_env: Path, toy_data: Path, monkeypatch, capsys):
    code, out, err = run(
        monkeypatch, capsys, ["evaluate", "--data", str(toy_data / "test.jsonl"), "--train-data", str(toy_data)]
    )
    assert code == 0, err
    for word in ("fine-tuned", "tfidf+logreg", "keywords", "macro-F1", "P/R/F1", "hi-Latn", "all"):
        assert word in out


def test_evaluate_crosslingual_and_fairness_sections(
    tiny_env: Path, toy_data: Path, tmp_path: Path, monkeypatch, capsys
):
    cl = tmp_path / "cl.jsonl"
    item = {
        "id": "x1",
        "labels": [],
        "en": "where is my order",
        "hi": "मेरा ऑर्डर कहाँ है",
        "hi-Latn": "mera order kya hai",
    }
    cl.write_text(json.dumps(item) + "\n")
    cl2 = tmp_path / "cl2.jsonl"
    cl2.write_text(json.dumps(item | {"id": "y1"}) + "\n" + json.dumps(item | {"id": "y2", "en": "refund pls"}) + "\n")
    fair = tmp_path / "fair.jsonl"
    fair.write_text(json.dumps({"text": "thanks Shital", "labels": [], "lang": "en", "topic": "name"}) + "\n")
    fair2 = tmp_path / "fair2.jsonl"
    fair2.write_text(
        json.dumps({"text": "Nishit here, order 4411?", "labels": [], "lang": "en", "topic": "name"}) + "\n"
    )
    args = ["evaluate", "--data", str(toy_data / "test.jsonl"), "--train-data", str(toy_data)]
    code, out, err = run(monkeypatch, capsys, [*args, "--crosslingual", str(cl), "--fairness", str(fair)])
    assert code == 0, err
    assert "same labels in all three languages" in out and "pooled" not in out
    assert "fairness (fair.jsonl, 1 label-free identity mentions)" in out

    code, out, err = run(
        monkeypatch, capsys, [*args, "--crosslingual", str(cl), str(cl2), "--fairness", str(fair), str(fair2)]
    )
    assert code == 0, err
    per_file = [int(n) for n in re.findall(r"same labels in all three languages: \S+ \((\d+)/\d+;", out)]
    assert len(per_file) == 2
    assert f"cross-lingual consistency, 2 files pooled: {sum(per_file) / 3:.1%} ({sum(per_file)}/3; 95% interval" in out
    flagged = [int(n) for n in re.findall(r"identity mentions\): flagged (\d+)", out)]
    assert f"fairness, 2 files pooled: flagged {sum(flagged)} of 2" in out


def test_evaluate_empty_parallel_set_is_a_clear_error(
    tiny_env: Path, toy_data: Path, tmp_path: Path, monkeypatch, capsys
):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    args = ["evaluate", "--data", str(toy_data / "test.jsonl"), "--train-data", str(toy_data), "--crosslingual"]
    code, _, err = run(monkeypatch, capsys, [*args, str(empty)])
    assert code == 2 and "no parallel items" in err and "empty.jsonl" in err


def test_train_rejects_a_bad_config(tiny_env: Path, tmp_path: Path, monkeypatch, capsys):
    cfg = tmp_path / "c.json"
    cfg.write_text('{"epochs": 0}')
    code, _, err = run(monkeypatch, capsys, ["train", "--config", str(cfg), "--out", str(tmp_path / "o")])
    assert code == 2 and "epochs must be >= 1" in err


def test_data_build_bad_row_names_file_and_line(tmp_path: Path, monkeypatch, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "x.jsonl").write_text(
        '{"text": "ok", "labels": [], "lang": "en"}\n{"text": "x", "labels": ["nope"], "lang": "en"}\n'
    )
    code, _, err = run(monkeypatch, capsys, ["data", "build", "--raw", str(raw), "--out", str(tmp_path)])
    assert code == 2 and "x.jsonl:2: unknown labels ['nope']" in err


def test_users_add_prints_a_working_token_once(tiny_env: Path, tmp_path: Path, monkeypatch, capsys):
    from assistant.db import crud
    from assistant.db.session import make_engine, make_sessionmaker

    url = f"sqlite:///{tmp_path / 'u.db'}"
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    code, out, err = run(monkeypatch, capsys, ["users", "add", "asha", "--role", "agent", "--language", "hi"])
    assert code == 0 and "shown only once" in err
    token = out.strip()
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as s:
        user = crud.user_by_token(s, token)
        assert user is not None and user.name == "asha" and user.language == "hi"
    engine.dispose()
    code, _, err = run(monkeypatch, capsys, ["users", "add", "asha", "--role", "agent"])
    assert code == 2 and "exists already" in err
    code, out, _ = run(monkeypatch, capsys, ["users", "list"])
    assert out.split("\t")[:3] == ["asha", "agent", "hi"] and token not in out


def test_replay_command_follows_the_contract(tiny_env: Path, monkeypatch, capsys):
    stdin = json.dumps({"id": "c1", "turns": [{"role": "customer", "text": "hi"}, {"role": "agent", "text": "hello"}]})
    code, out, err = run(monkeypatch, capsys, ["replay"], stdin + "\n{bad\n")
    assert code == 1 and "line 2" in err
    row = json.loads(out)
    assert row["id"] == "c1" and [t["index"] for t in row["turns"]] == [0, 1]
    assert set(row["turns"][0]) == {"index", "labels", "signals", "nudges"}
