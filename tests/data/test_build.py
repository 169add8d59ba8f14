import random
from pathlib import Path

import pytest

from assistant.data.augment import augment, hinglish
from assistant.data.build import (
    STATS_END,
    STATS_START,
    TRAIN_ONLY,
    assign_split,
    build,
    group_near_duplicates,
    stats_markdown,
    write_stats,
)
from assistant.data.rows import Row, read_rows, write_rows
from assistant.data.translit import romanize


def row(text: str, lang: str = "en", labels: tuple[str, ...] = ()) -> Row:
    return Row(text, labels, lang, "handwritten:test")


def test_near_duplicates_share_a_group_and_languages_never_mix():
    rows = [
        row("where is my order, it was due yesterday"),
        row("where is my order?? it was due yesterday"),
        row("can I get a refund for the blue shirt"),
        row("where is my order, it was due yesterday", lang="hi-Latn"),
    ]
    g = group_near_duplicates(rows)
    assert g[0] == g[1]
    assert g[2] != g[0]
    assert g[3] != g[0]


def test_build_keeps_frames_in_one_split_and_augments_train_only(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [row(f"message number {i} about topic {'abcdefghij'[i % 10] * (i % 7 + 1)} {i * 7919}") for i in range(300)]
    rows += [row("ur voice is so sweet dear, whatsapp number milega?", "hi-Latn", ("contact_request", "flirtation"))]
    rows += [row("ur voice is so sweet dear, whatsapp number milega??", "hi-Latn", ("contact_request", "flirtation"))]
    write_rows(raw / "a.jsonl", rows)
    write_rows(raw / "b.jsonl", rows[:5])  # exact duplicates across files are dropped
    result = build(raw, tmp_path, seed=1, augment_rate=0.5)
    assert result["rows"] == len(rows)
    splits = {s: read_rows(tmp_path / f"{s}.jsonl") for s in ("train", "dev", "test")}
    assert all(splits.values())
    where = {r.text: s for s, rs in splits.items() for r in rs if not r.source.startswith("augmented:")}
    assert where[rows[-1].text] == where[rows[-2].text]
    assert not any(r.source.startswith("augmented:") for s in ("dev", "test") for r in splits[s])
    assert any(r.source.startswith("augmented:") for r in splits["train"])
    readme = tmp_path / "README.md"
    readme.write_text("# card\n\nhand-written intro\n")
    write_stats(readme, stats_markdown(result))
    write_stats(readme, stats_markdown(result))  # idempotent: replaces its own block
    text = readme.read_text()
    assert text.count(STATS_START) == 1 and text.count(STATS_END) == 1 and "hand-written intro" in text


def test_augmentation_marks_source_and_never_shouts():
    rows = [row("Please help me with my refund, it is late"), row("mujhe refund nahi mila kya hai ye", "hi-Latn")]
    out = augment(rows * 1, rate=1.0, seed=3)
    assert out and all(r.source.startswith("augmented:") for r in out)
    for r in out:
        assert sum(c.isupper() for c in r.text) <= sum(c.isupper() for c in "Please help me with my refund")
    assert hinglish("mujhe refund nahi mila", random.Random(0)) != "mujhe refund nahi mila"


@pytest.mark.parametrize("source", TRAIN_ONLY)
def test_train_only_rows_and_their_near_duplicates_stay_in_train(tmp_path: Path, source: str):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [row(f"message number {i} about topic {'abcdefghij'[i % 10] * (i % 7 + 1)} {i * 7919}") for i in range(200)]
    parallel = [Row(f"unique parallel sentence {i} {'xyz' * i}", (), "en", source) for i in range(20)]
    twin = row("unique parallel sentence 3 xyzxyzxyz!")  # a near-duplicate of a parallel row
    write_rows(raw / "a.jsonl", [*rows, *parallel, twin])
    build(raw, tmp_path, seed=1, augment_rate=0.0)
    train = {r.text for r in read_rows(tmp_path / "train.jsonl")}
    assert all(p.text in train for p in parallel) and twin.text in train


def test_hindi_rows_are_romanized_into_hinglish_with_their_labels(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("assistant.data.augment.ROMANIZE_SHARE", 1.0)
    out = augment([row("कॉफ़ी पे चलोगी मेरे साथ?", "hi", ("date_request",))], rate=1.0, seed=0)
    assert [(r.lang, r.labels, r.source) for r in out] == [
        ("hi-Latn", ("date_request",), "augmented:romanized:handwritten:test")
    ]
    assert out[0].text.startswith("coffee pe chalogi")


def test_augmented_copies_never_land_on_a_dev_or_test_frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("assistant.data.augment.ROMANIZE_SHARE", 1.0)
    hindi = next(t for i in range(500) if assign_split(t := f"आपका ऑर्डर {i} कल तक पहुँच जाएगा", 1) == "train")
    hinglish_twin = next(
        t for i in range(1, 500) if assign_split(t := f"{romanize(hindi, random.Random(0))}{'!' * i}", 1) != "train"
    )
    raw = tmp_path / "raw"
    raw.mkdir()
    filler = [row(f"message number {i} about topic {'abcdefghij'[i % 10] * (i % 7 + 1)} {i * 7919}") for i in range(50)]
    write_rows(raw / "a.jsonl", [*filler, row(hindi, "hi"), row(hinglish_twin, "hi-Latn")])
    result = build(raw, tmp_path, seed=1, augment_rate=1.0)
    train = read_rows(tmp_path / "train.jsonl")
    assert hindi in {r.text for r in train}
    assert not [r for r in train if r.source.startswith("augmented:romanized")]
    assert result["augmented_dropped"] == 1
