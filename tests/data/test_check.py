import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.data.check import check_new
from assistant.data.rows import Row, write_rows
from assistant.errors import DataError


def _setup(tmp_path: Path, new_rows: list[Row]) -> tuple[Path, Path, Path]:
    raw, ev = tmp_path / "raw", tmp_path / "eval"
    raw.mkdir()
    ev.mkdir()
    write_rows(
        raw / "old.jsonl",
        [
            Row("where is my refund for order 4411, it has been ten days", (), "en", "handwritten:x"),
            Row("tum bahut pyaari ho, number do na", ("flirtation", "contact_request"), "hi-Latn", "handwritten:x"),
        ],
    )
    write_rows(ev / "probe.jsonl", [Row("my parcel went to the wrong address again", (), "en", "probe")])
    (ev / "crosslingual.jsonl").write_text(
        json.dumps(
            {
                "id": "x1",
                "labels": [],
                "en": "can I change my plan",
                "hi": "प्लान बदल सकते हैं?",
                "hi-Latn": "plan badal sakte hai?",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    new = tmp_path / "new.jsonl"
    write_rows(new, new_rows)
    return new, raw, ev


def test_flags_near_copies_of_earlier_rows_held_out_rows_and_each_other(tmp_path: Path):
    new, raw, ev = _setup(
        tmp_path,
        [
            Row("a calm question about the electricity meter reading", (), "en", "handwritten:round6"),
            Row("where is my refund for order 4411?? it has been ten days", (), "en", "handwritten:round6"),
            Row("my parcel went to the wrong address again!", (), "en", "handwritten:round6"),
            Row("gas cylinder booking shows pending since monday", (), "en", "handwritten:round6"),
            Row("gas cylinder booking shows pending since monday!!", ("anger",), "en", "handwritten:round6"),
            Row("plan badal sakte hai kya?", (), "hi-Latn", "handwritten:round6"),
        ],
    )
    found = {f.line: f for f in check_new(new, raw, ev)}
    assert set(found) == {2, 3, 5, 6}
    assert found[2].where == "raw/old.jsonl" and "refund" in found[2].nearest
    assert found[3].where == "eval/probe.jsonl" and found[3].nearest == ""  # held-out text is never shown
    assert found[5].where == "line 4"
    assert found[6].where == "eval/crosslingual.jsonl" and found[6].nearest == ""


def test_ignored_earlier_rows_are_not_compared_but_held_out_rows_still_are(tmp_path: Path):
    new, raw, ev = _setup(
        tmp_path,
        [
            Row("where is my refund for order 4411?? it has been ten days", (), "en", "handwritten:round6"),
            Row("my parcel went to the wrong address again!", (), "en", "handwritten:round6"),
        ],
    )
    ignore = {"where is my refund for order 4411, it has been ten days"}
    assert [f.line for f in check_new(new, raw, ev, ignore=ignore)] == [2]


def test_a_file_inside_raw_is_not_compared_with_itself(tmp_path: Path):
    new, raw, ev = _setup(tmp_path, [Row("a quiet note about a late train refund", (), "en", "handwritten:round6")])
    moved = raw / "new.jsonl"
    new.rename(moved)
    assert check_new(moved, raw, ev) == []


def test_cli_exit_status_and_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    new, raw, ev = _setup(tmp_path, [Row("where is my refund for order 4411, it has been ten days!", (), "en", "s")])
    assert main(["data", "check", str(new), "--raw", str(raw), "--eval", str(ev)]) == 1
    assert "1 too close" in capsys.readouterr().out
    assert main(["data", "check", str(new), "--raw", str(raw), "--eval", str(ev), "--against", "0.99"]) == 0
    new.write_text('{"text": "ok", "labels": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(DataError, match="new.jsonl:1"):  # no lang
        check_new(new, raw, ev)
    assert main(["data", "check", str(tmp_path / "missing.jsonl"), "--raw", str(raw)]) == 2


def test_a_raw_row_that_sits_in_dev_or_test_is_not_shown(tmp_path: Path):
    new, raw, ev = _setup(
        tmp_path, [Row("where is my refund for order 4411?? it has been ten days", (), "en", "handwritten:round6")]
    )
    (found,) = check_new(new, raw, ev)
    assert "refund" in found.nearest  # a training row may be shown ...
    write_rows(tmp_path / "test.jsonl", [Row("where is my refund for order 4411, it has been ten days", (), "en", "x")])
    (found,) = check_new(new, raw, ev)
    assert found.where == "raw/old.jsonl" and found.nearest == ""  # ... a test row never
