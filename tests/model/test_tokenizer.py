from pathlib import Path

from assistant.model.base import cache_folder
from assistant.model.tokenizer import E5Tokenizer


def test_normalization_table_and_prefix(tiny_cache: Path):
    tok = E5Tokenizer.load(cache_folder(tiny_cache))
    assert tok.normalize("hi\tthere  \u200bＡ ") == "hi there A"
    pieces = tok.tokenize("hello dear")
    assert pieces[0] == "<s>" and pieces[-1] == "</s>"
    assert "".join(pieces[1:-1]).replace("\u2581", " ").strip() == "query: hello dear"


def test_batch_pads_to_longest_and_truncation_keeps_the_end_token(tiny_cache: Path):
    tok = E5Tokenizer.load(cache_folder(tiny_cache))
    enc = tok(["hi", "hello dear " * 50], max_length=16)
    ids, mask = enc["input_ids"], enc["attention_mask"]
    assert ids.shape == (2, 16)
    assert ids[1, -1].item() == tok.tokenizer.token_to_id("</s>")
    assert mask[0].sum() < 16 and (ids[0][mask[0] == 0] == tok.pad_id).all()
    short = tok(["hi", "hello"], max_length=64)["input_ids"]
    assert short.shape[1] < 64  # dynamic padding, not padded to max_length
