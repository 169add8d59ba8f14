from pathlib import Path

import pytest

from assistant.data.rows import label_matrix, read_rows
from assistant.errors import DataError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "rows.jsonl"
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_rows_and_orders_labels_by_the_contract(tmp_path: Path):
    rows = read_rows(
        write(tmp_path, '{"text": "hi", "labels": ["anger", "flirtation"], "lang": "en", "source": "x"}\n\n')
    )
    assert rows[0].labels == ("flirtation", "anger")
    assert label_matrix(rows).tolist() == [[True, False, False, False, False, True]]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        ('["a"]', "expected a JSON object"),
        ('{"labels": [], "lang": "en"}', "'text' must be a non-empty string"),
        ('{"text": "x", "labels": ["rude"], "lang": "en"}', "unknown labels \\['rude'\\]"),
        ('{"text": "x", "labels": "anger", "lang": "en"}', "'labels' must be a list"),
        ('{"text": "x", "labels": []}', "'lang' must be"),
    ],
)
def test_bad_rows_name_the_line(tmp_path: Path, line: str, message: str):
    good = '{"text": "ok", "labels": [], "lang": "en"}\n'
    with pytest.raises(DataError, match=f"rows.jsonl:2: {message}"):
        read_rows(write(tmp_path, good + line + "\n"))


def test_read_parallel_names_the_bad_line(tmp_path):
    import json

    from assistant.data.rows import read_parallel

    good = {"id": "x1", "labels": ["insult"], "en": "you fool", "hi": "मूर्ख", "hi-Latn": "murkh"}
    path = tmp_path / "crosslingual.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "hi": None}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"crosslingual.jsonl:3: expected an object with a text under each of"):
        read_parallel(path)
    path.write_text(json.dumps({**good, "labels": ["rude"]}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r":1: unknown labels \['rude'\]"):
        read_parallel(path)
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    assert read_parallel(path) == [good]
