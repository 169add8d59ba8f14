import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.data.neighbours import nearest_held_out
from assistant.data.rows import Row, write_rows
from assistant.errors import DataError
from assistant.model.base import load_base


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "eval").mkdir()
    write_rows(tmp_path / "dev.jsonl", [Row("where is my refund for order 4411", (), "en", "x")])
    write_rows(tmp_path / "test.jsonl", [Row("you are so sweet, give me your number", ("flirtation",), "en", "x")])
    item = {"id": "x1", "labels": [], "en": "can I change my plan", "hi": "प्लान बदल सकते हैं?", "hi-Latn": "plan badal"}
    (tmp_path / "eval" / "crosslingual.jsonl").write_text(json.dumps(item) + "\n", encoding="utf-8")
    return tmp_path


def test_a_copied_held_out_row_comes_first_with_its_source(
    tmp_path: Path, data_dir: Path, tiny_cache: Path, tiny_base_file: Path
):
    new = tmp_path / "new.jsonl"
    rows = [
        Row("gas cylinder booking pending since monday", (), "en", "handwritten:round9"),
        Row("you are so sweet, give me your number", ("flirtation",), "en", "handwritten:round9"),
        Row("plan badal", (), "hi", "handwritten:round9"),
    ]
    write_rows(new, rows)
    _, tok, enc = load_base(tiny_cache, tiny_base_file)
    found = nearest_held_out(new, data_dir, tok, enc, top=2)
    assert len(found) == 2
    assert found[0].similarity >= found[1].similarity
    assert {(found[0].line, found[0].where), (found[1].line, found[1].where)} == {
        (2, "test.jsonl"),
        (3, "eval/crosslingual.jsonl"),
    }
    assert all(f.similarity == pytest.approx(1.0, abs=1e-4) for f in found)
    across = nearest_held_out(new, data_dir, tok, enc, other_language_only=True)
    assert all(f.lang != f.held_out_lang for f in across) and len(across) == 3


def test_cli_prints_pairs_and_refuses_a_missing_file(
    tmp_path: Path, data_dir: Path, tiny_env: Path, capsys: pytest.CaptureFixture[str]
):
    new = tmp_path / "new.jsonl"
    write_rows(new, [Row("where is my refund for order 4411", (), "en", "handwritten:round9")])
    assert main(["data", "neighbours", str(new), "--data", str(data_dir), "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "new.jsonl:1: 1.000 [en]" in out and "dev.jsonl [en] 'where is my refund for order 4411'" in out
    with pytest.raises(DataError):
        nearest_held_out(tmp_path / "missing.jsonl", data_dir, None, None)
