import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from assistant.cli import main
from assistant.errors import ArtifactError, DataError
from assistant.model.classifier import CONFIG_FILE, WEIGHTS_FILE, ArtifactConfig, load_classifier
from assistant.training.config import TrainConfig
from assistant.training.soup import check_ingredients, soup
from assistant.training.train import train

QUICK = {"epochs": 1, "batch_size": 8, "threads": 1, "max_length": 32, "train_layers": 1, "precision": "fp32"}


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory, tiny_cache: Path, tiny_base_file: Path, toy_data: Path):
    """Two quick runs of one recipe with different seeds, their heads started from one init."""
    out = tmp_path_factory.mktemp("seeds")
    for seed in (1, 2):
        cfg = TrainConfig.from_json({**QUICK, "seed": seed, "init_seed": 1})
        train(cfg, toy_data, out / str(seed), tiny_cache, base_file=tiny_base_file, log=lambda _: None)
    return [out / "1", out / "2"]


def test_soup_stores_the_mean_of_its_ingredients(
    tmp_path: Path, seeds: list[Path], tiny_cache: Path, tiny_base_file: Path, toy_data: Path
):
    logs: list[str] = []
    art = soup(seeds, toy_data, tmp_path / "soup", tiny_cache, base_file=tiny_base_file, log=logs.append)
    a, b = (load_file(str(d / WEIGHTS_FILE)) for d in seeds)
    got = load_file(str(tmp_path / "soup" / WEIGHTS_FILE))
    assert set(got) == set(a)
    assert any(not torch.equal(a[k], b[k]) for k in a)  # the seeds really differ
    for k in got:
        mean = (a[k].float() + b[k].float()) / 2
        assert got[k].dtype == a[k].dtype  # encoder layers fp16, head fp32, as train stores them
        assert torch.allclose(got[k].float(), mean, atol=1e-3), k
    assert [(s["seed"], s["init_seed"]) for s in art.metrics["soup_of"]] == [(1, 1), (2, 1)]
    assert "dev" in art.metrics and "test" in art.metrics
    assert any("averaged 2 runs" in line for line in logs)
    loaded = load_classifier(tmp_path / "soup", tiny_cache, base_file=tiny_base_file)
    assert loaded.config.thresholds == art.thresholds  # a complete artifact, usable as --model


def test_soup_refuses_runs_of_other_recipes(
    tmp_path: Path, seeds: list[Path], tiny_cache: Path, tiny_base_file: Path, toy_data: Path
):
    other = tmp_path / "other"
    shutil.copytree(seeds[1], other)
    raw = json.loads((other / CONFIG_FILE).read_text())
    raw["train_config"]["lr"] = 1e-4
    (other / CONFIG_FILE).write_text(json.dumps(raw))
    with pytest.raises(ArtifactError, match=r"differs .* in \['lr'\]; only the seed may differ"):
        soup([seeds[0], other], toy_data, tmp_path / "s", tiny_cache, base_file=tiny_base_file)
    raw["train_config"]["lr"] = ArtifactConfig.load(seeds[0]).train_config["lr"]
    raw["training_data_sha256"] = "0" * 64
    (other / CONFIG_FILE).write_text(json.dumps(raw))
    with pytest.raises(ArtifactError, match="training_data_sha256 differs"):
        soup([seeds[0], other], toy_data, tmp_path / "s", tiny_cache, base_file=tiny_base_file)
    raw["training_data_sha256"] = ArtifactConfig.load(seeds[0]).training_data_sha256
    del raw["train_config"]["pair_weight"]  # a model trained before the option existed: it was off
    raw["train_config"]["init_seed"] = None  # None: its head's init came from its seed...
    raw["train_config"]["seed"] = 1  # ...which is the other's init seed
    (other / CONFIG_FILE).write_text(json.dumps(raw))
    assert len(check_ingredients([seeds[0], other])) == 2
    raw["train_config"]["seed"] = 3  # a head started elsewhere: averaging it blurs the model (README)
    (other / CONFIG_FILE).write_text(json.dumps(raw))
    with pytest.raises(ArtifactError, match=r"in \['init_seed'\].*same init_seed"):
        check_ingredients([seeds[0], other])
    assert len(check_ingredients([seeds[0], other], same_init=False)) == 2
    with pytest.raises(ArtifactError, match="at least two models"):
        soup(seeds[:1], toy_data, tmp_path / "s", tiny_cache, base_file=tiny_base_file)
    assert not (tmp_path / "s").exists()


def test_soup_never_overwrites_an_ingredient_and_checks_the_data(
    tmp_path: Path, seeds: list[Path], tiny_cache: Path, tiny_base_file: Path, toy_data: Path
):
    before = (seeds[0] / WEIGHTS_FILE).read_bytes()
    with pytest.raises(ArtifactError, match="overwrite one of its ingredients"):
        soup(seeds, toy_data, seeds[0], tiny_cache, base_file=tiny_base_file)
    assert (seeds[0] / WEIGHTS_FILE).read_bytes() == before
    other = tmp_path / "data"
    shutil.copytree(toy_data, other)
    (other / "dev.jsonl").write_text((other / "dev.jsonl").read_text() * 2)
    with pytest.raises(DataError, match="not the data this model was trained on"):
        soup(seeds, other, tmp_path / "s", tiny_cache, base_file=tiny_base_file)


def test_soup_command_reports_a_bad_ingredient(tmp_path: Path, seeds: list[Path], tiny_env: Path, capsys):
    assert main(["soup", str(seeds[0]), str(tmp_path / "missing"), "--out", str(tmp_path / "s")]) != 0
    assert "no model config.json found" in capsys.readouterr().err
