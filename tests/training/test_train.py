from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from assistant.errors import DataError
from assistant.model.classifier import WEIGHTS_FILE, ArtifactConfig
from assistant.training.config import TrainConfig
from assistant.training.train import param_groups, train


def test_training_is_seeded(tmp_path: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path):
    cfg = TrainConfig(epochs=1, batch_size=8, threads=1, max_length=32, train_layers=1)
    logs: list[str] = []
    train(cfg, toy_data, tmp_path / "a", tiny_cache, base_file=tiny_base_file, log=logs.append)
    train(cfg, toy_data, tmp_path / "b", tiny_cache, base_file=tiny_base_file, log=lambda _: None)
    a, b = load_file(str(tmp_path / "a" / WEIGHTS_FILE)), load_file(str(tmp_path / "b" / WEIGHTS_FILE))
    assert set(a) == set(b) and all((a[k] == b[k]).all() for k in a)
    assert not any(".layer.0." in k for k in a)  # train_layers=1: only the top layer is stored
    assert any("epoch 1/1" in line for line in logs)
    art = ArtifactConfig.load(tmp_path / "a")
    assert art.train_config["train_layers"] == 1 and art.metrics["training_minutes"] >= 0


def test_tiny_model_learns_the_toy_cues(tiny_model: Path):
    art = ArtifactConfig.load(tiny_model)
    assert art.metrics["dev"]["all"]["macro_f1"] > 0.5  # far above chance on rows it was trained on


def test_missing_splits_say_how_to_build_them(tmp_path: Path, tiny_cache: Path, tiny_base_file: Path):
    with pytest.raises(DataError, match="assistant data build"):
        train(TrainConfig(epochs=1), tmp_path, tmp_path / "out", tiny_cache, base_file=tiny_base_file)


def test_retune_changes_only_thresholds_and_checks_the_data(
    tmp_path: Path, tiny_model: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path, monkeypatch
):
    import shutil

    from assistant.training.train import retune

    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    before = (model / WEIGHTS_FILE).read_bytes()
    trained = ArtifactConfig.load(model).metrics
    art = retune(model, toy_data, tiny_cache, {"min_threshold": 0.9}, base_file=tiny_base_file, log=lambda _: None)
    assert all(t >= 0.9 for t in art.thresholds.values())
    for key in ("training_minutes", "training_precision"):  # facts of the training run, kept
        assert art.metrics[key] == trained[key]
    assert ArtifactConfig.load(model).train_config["min_threshold"] == 0.9
    assert (model / WEIGHTS_FILE).read_bytes() == before
    other = tmp_path / "other"
    shutil.copytree(toy_data, other)
    (other / "dev.jsonl").write_text((other / "dev.jsonl").read_text() + (other / "dev.jsonl").read_text())
    with pytest.raises(DataError, match="not the data this model was trained on"):
        retune(model, other, tiny_cache, {}, base_file=tiny_base_file, log=lambda _: None)


def test_retune_chooses_the_ngram_blend_from_the_grid(
    tmp_path: Path, tiny_model: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path
):
    import shutil

    from assistant.model.classifier import load_classifier
    from assistant.model.ngram import NGRAM_FILE
    from assistant.training.train import retune

    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    logs: list[str] = []
    art = retune(model, toy_data, tiny_cache, {"ngram_weights": [0.4]}, base_file=tiny_base_file, log=logs.append)
    assert art.ngram_weight == 0.4 and (model / NGRAM_FILE).is_file()
    assert any("n-gram blend weight 0.40: dev macro-F1" in line for line in logs)
    loaded = load_classifier(model, tiny_cache, base_file=tiny_base_file).ngram
    assert loaded is not None and not loaded.bridge
    bridge = {"ngram_weights": [0.4], "ngram_bridge": True}
    art = retune(model, toy_data, tiny_cache, bridge, base_file=tiny_base_file, log=lambda _: None)
    loaded = load_classifier(model, tiny_cache, base_file=tiny_base_file).ngram
    assert art.train_config["ngram_bridge"] and loaded is not None and loaded.bridge  # the artifact says so
    art = retune(model, toy_data, tiny_cache, {"ngram_weights": [0.0]}, base_file=tiny_base_file, log=lambda _: None)
    assert art.ngram_weight == 0.0 and not (model / NGRAM_FILE).exists()  # no stale file left behind
    assert load_classifier(model, tiny_cache, base_file=tiny_base_file).ngram is None


def test_weight_average_follows_the_weights_and_replaces_them():
    import torch

    from assistant.training.train import WeightAverage

    p = torch.nn.Parameter(torch.zeros(3))
    avg = WeightAverage([p], decay=0.9)
    with torch.no_grad():
        p.fill_(1.0)
    avg.update(step=1000)  # ramp over: decay 0.9, so the average moves a tenth of the way
    assert torch.allclose(avg.shadow[0], torch.full((3,), 0.1))
    avg.copy_to_model()
    assert torch.allclose(p.detach(), torch.full((3,), 0.1))


def test_training_with_a_weight_average_ships_different_weights(
    tmp_path: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path
):
    cfg = TrainConfig(epochs=1, batch_size=8, threads=1, max_length=32, train_layers=1, ema_decay=0.0)
    logs: list[str] = []
    train(cfg, toy_data, tmp_path / "a", tiny_cache, base_file=tiny_base_file, log=lambda _: None)
    averaged = TrainConfig.from_json({**cfg.to_json(), "ema_decay": 0.99})
    train(averaged, toy_data, tmp_path / "b", tiny_cache, base_file=tiny_base_file, log=logs.append)
    a, b = load_file(str(tmp_path / "a" / WEIGHTS_FILE)), load_file(str(tmp_path / "b" / WEIGHTS_FILE))
    assert set(a) == set(b) and any(not (a[k] == b[k]).all() for k in a)
    assert any("moving average" in line for line in logs)
    assert ArtifactConfig.load(tmp_path / "b").train_config["ema_decay"] == 0.99


def test_layer_decay_gives_lower_layers_smaller_learning_rates(tiny_cache: Path, tiny_base_file: Path):
    from assistant.model.base import load_base
    from assistant.model.classifier import MessageClassifier

    _, _, encoder = load_base(tiny_cache, tiny_base_file)
    model = MessageClassifier(encoder, 6)
    n = int(encoder.config.num_hidden_layers)
    for name, p in model.named_parameters():
        p.requires_grad = name.startswith(("head.", "encoder.encoder.layer."))
    flat = param_groups(model, TrainConfig(lr=1e-4, head_lr=1e-3), n)
    assert [g["lr"] for g in flat] == [1e-3, 1e-4]
    decayed = param_groups(model, TrainConfig(lr=1e-4, head_lr=1e-3, layer_decay=0.5), n)
    assert [g["lr"] for g in decayed] == [1e-3] + [1e-4 * 0.5 ** (n - 1 - i) for i in range(n)]
    top = next(p for name, p in model.named_parameters() if name.startswith(f"encoder.encoder.layer.{n - 1}."))
    assert any(p is top for p in decayed[1 + n - 1]["params"])
    assert sum(len(g["params"]) for g in flat) == sum(len(g["params"]) for g in decayed)
    assert all(g["weight_decay"] == 0.0 for g in decayed[:1]) and all(g["weight_decay"] > 0 for g in decayed[1:])


def test_bf16_training_runs_and_is_recorded(tmp_path: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path):
    cfg = TrainConfig(epochs=1, batch_size=8, threads=1, max_length=32, train_layers=1, precision="bf16")
    logs: list[str] = []
    artifact = train(cfg, toy_data, tmp_path / "m", tiny_cache, base_file=tiny_base_file, log=logs.append)
    assert any("bfloat16 autocast" in line for line in logs)
    assert ArtifactConfig.load(tmp_path / "m").train_config["precision"] == "bf16"
    assert all(0.0 <= v <= 1.0 for v in artifact.thresholds.values())


@pytest.mark.parametrize("has_bf16", [False, True])
def test_auto_precision_follows_the_cpu_and_is_recorded(
    tmp_path: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path, monkeypatch, has_bf16: bool
):
    monkeypatch.setattr("assistant.training.train.cpu_has_bf16", lambda: has_bf16)
    cfg = TrainConfig(epochs=1, batch_size=8, threads=1, max_length=32, train_layers=1)
    assert cfg.precision == "auto"
    logs: list[str] = []
    train(cfg, toy_data, tmp_path / "m", tiny_cache, base_file=tiny_base_file, log=logs.append)
    used = "bf16" if has_bf16 else "fp32"
    assert any(line == f"precision auto: training in {'bfloat16 autocast' if has_bf16 else 'fp32'}" for line in logs)
    saved = ArtifactConfig.load(tmp_path / "m")
    assert saved.train_config["precision"] == "auto" and saved.metrics["training_precision"] == used


def _parallel_rows():
    from assistant.data.build import PARALLEL
    from assistant.data.rows import Row

    triple = [
        Row("you are cute", ("flirtation",), "en", PARALLEL),
        Row("तुम प्यारी हो", ("flirtation",), "hi", PARALLEL),
        Row("tum pyaari ho", ("flirtation",), "hi-Latn", PARALLEL),
    ]
    other = Row("where is my order", (), "en", "test")
    mislabelled = [triple[0], triple[1], Row("tum pyaari ho", (), "hi-Latn", PARALLEL)]
    return [other, *triple, *mislabelled, *triple, other]


def test_parallel_triples_are_found_in_order_and_checked():
    from assistant.training.train import parallel_triples

    assert parallel_triples(_parallel_rows()) == [(1, 2, 3), (7, 8, 9)]  # not 4-6: the labels differ


def test_aligned_batches_keep_triples_whole_and_cover_every_row_once():
    import random

    from assistant.training.train import aligned_batches

    rows = _parallel_rows() * 3
    from assistant.training.train import parallel_triples

    triples = parallel_triples(rows)
    batches = aligned_batches(rows, triples, 7, random.Random(0))
    seen = sorted(i for idx, _ in batches for i in idx)
    assert seen == list(range(len(rows)))
    for idx, k in batches:
        if k:
            assert [rows[i].lang for i in idx] == ["en"] * k + ["hi"] * k + ["hi-Latn"] * k
            assert all((idx[j], idx[k + j], idx[2 * k + j]) in triples for j in range(k))


def test_pairing_loss_is_zero_for_agreeing_triples_and_pulls_disagreeing_ones_together():
    from assistant.training.train import triple_loss

    cfg = TrainConfig(pair_weight=1.0)
    pooled = torch.zeros(6, 4)
    same = torch.tensor([[2.0, -3.0], [-1.0, 4.0]]).repeat(3, 1)  # k=2 triples, 2 labels
    assert float(triple_loss(pooled, same, 2, cfg)) == pytest.approx(0.0)
    logits = same.clone()
    logits[4, 0] = -2.0  # the second triple's hi-Latn row loses the label the others have
    logits.requires_grad_(True)
    loss = triple_loss(pooled, logits, 2, cfg)
    assert float(loss.detach()) > 0.01
    loss.backward()
    assert logits.grad is not None
    assert logits.grad[4, 0] < 0 < logits.grad[0, 0]  # the outlier is pushed up, the others down
    assert float(triple_loss(pooled, logits, 2, TrainConfig())) == 0.0  # both weights 0: no extra loss


@pytest.mark.parametrize("weights", [{"align_weight": 1.0}, {"pair_weight": 1.0}])
def test_training_with_alignment_runs_and_is_recorded(
    tmp_path: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path, weights: dict[str, float]
):
    import shutil

    from assistant.data.rows import read_rows, write_rows

    data = tmp_path / "data"
    shutil.copytree(toy_data, data)
    write_rows(data / "train.jsonl", read_rows(toy_data / "train.jsonl") + _parallel_rows())
    logs: list[str] = []
    cfg = TrainConfig(epochs=2, batch_size=6, threads=1, max_length=32, train_layers=1, **weights)
    train(cfg, data, tmp_path / "m", tiny_cache, base_file=tiny_base_file, log=logs.append)
    assert any("aligning 2 parallel triples" in line for line in logs)
    saved = ArtifactConfig.load(tmp_path / "m").train_config
    assert {k: saved[k] for k in weights} == weights


def test_the_selection_set_is_measured_when_present(
    tmp_path: Path, tiny_model: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path
):
    import shutil

    from assistant.training.train import retune

    model, data = tmp_path / "m", tmp_path / "data"
    shutil.copytree(tiny_model, model)
    shutil.copytree(toy_data, data)
    quiet = {"base_file": tiny_base_file, "log": lambda _: None}
    assert "selection" not in retune(model, data, tiny_cache, {}, **quiet).metrics
    (data / "eval").mkdir(exist_ok=True)
    shutil.copy(data / "dev.jsonl", data / "eval" / "selection.jsonl")  # same rows: same scores as dev
    metrics = retune(model, data, tiny_cache, {}, **quiet).metrics
    assert metrics["selection"]["all"]["rows"] == metrics["dev"]["all"]["rows"]
    assert metrics["selection"]["all"]["macro_f1"] == pytest.approx(metrics["dev"]["all"]["macro_f1"], abs=1e-3)


def test_init_seed_fixes_the_head_init_apart_from_the_data_order(
    tmp_path: Path, tiny_cache: Path, tiny_base_file: Path, toy_data: Path
):
    # learning rates so small that the stored head is its random init
    still = {"epochs": 1, "batch_size": 8, "threads": 1, "max_length": 32, "train_layers": 1, "precision": "fp32"}
    still |= {"lr": 1e-12, "head_lr": 1e-12, "ema_decay": 0.0}
    heads = {}
    for name, extra in {"a": {"seed": 1}, "b": {"seed": 2, "init_seed": 1}, "c": {"seed": 2}}.items():
        cfg = TrainConfig.from_json({**still, **extra})
        train(cfg, toy_data, tmp_path / name, tiny_cache, base_file=tiny_base_file, log=lambda _: None)
        heads[name] = load_file(str(tmp_path / name / WEIGHTS_FILE))["head.weight"]
    assert torch.allclose(heads["a"], heads["b"], atol=1e-6)
    assert not torch.allclose(heads["a"], heads["c"], atol=1e-3)
    assert ArtifactConfig.load(tmp_path / "b").train_config["init_seed"] == 1


def test_name_swaps_add_copies_to_training_only(tmp_path: Path):
    from assistant.data.rows import Row, write_rows
    from assistant.training.train import training_rows

    rows = [Row("Rahul you are so sweet", ("flirtation",), "en", "handwritten:x"), Row("order?", (), "en", "y")]
    write_rows(tmp_path / "train.jsonl", rows)
    model_23 = TrainConfig(name_shuffle=0, name_insert=0.0)
    assert training_rows(tmp_path, model_23) == rows  # every name option off: the split as written
    with_swaps = training_rows(tmp_path, replace(model_23, name_swap=True))
    assert with_swaps[:2] == rows and len(with_swaps) == 3 and with_swaps[2].labels == ("flirtation",)
    assert (tmp_path / "train.jsonl").read_text().count("\n") == 2  # the split file is not touched


def test_name_shuffles_replace_named_rows_in_training_only(tmp_path: Path):
    from assistant.data.rows import Row, write_rows
    from assistant.training.train import training_rows

    rows = [Row("Shital you are so sweet", ("flirtation",), "en", "handwritten:x"), Row("order?", (), "en", "y")]
    write_rows(tmp_path / "train.jsonl", rows)
    shuffled = training_rows(tmp_path, TrainConfig(name_shuffle=2))
    assert len(shuffled) == 3 and shuffled[-1] == rows[1]
    assert all(r.labels == ("flirtation",) and "Shital" not in r.text for r in shuffled[:2])
    assert (tmp_path / "train.jsonl").read_text().count("\n") == 2


def test_name_inserts_apply_after_the_shuffle(tmp_path: Path):
    from assistant.data.names import NAME_INSERT_SOURCE, NAME_SHUFFLE_SOURCE
    from assistant.data.rows import Row, write_rows
    from assistant.training.train import training_rows

    rows = [Row("Shital you are so sweet", ("flirtation",), "en", "a")] + [
        Row(f"order {i}?", (), "en", "b") for i in range(200)
    ]
    write_rows(tmp_path / "train.jsonl", rows)
    out = training_rows(tmp_path, TrainConfig(name_shuffle=1, name_insert=0.5))
    assert len(out) == len(rows) and out[0].source == NAME_SHUFFLE_SOURCE + "a"  # a shuffled row gets no second name
    assert 60 < sum(r.source == NAME_INSERT_SOURCE + "b" for r in out) < 140


def test_partner_shuffles_follow_the_name_shuffle_and_precede_the_openings(tmp_path: Path):
    from assistant.data.names import NAME_SHUFFLE_SOURCE
    from assistant.data.partners import PARTNER_SHUFFLE_SOURCE, has_partner
    from assistant.data.rows import Row, write_rows
    from assistant.training.train import training_rows

    rows = [
        Row("Shital, do you have a boyfriend?", ("date_request",), "en", "a"),
        Row("my wife's order is late", (), "en", "b"),
        Row("order?", (), "en", "c"),
    ]
    write_rows(tmp_path / "train.jsonl", rows)
    out = training_rows(tmp_path, TrainConfig(name_shuffle=1, name_insert=0.0, partner_shuffle=2))
    assert [r.source for r in out] == [PARTNER_SHUFFLE_SOURCE + NAME_SHUFFLE_SOURCE + "a"] * 2 + [
        PARTNER_SHUFFLE_SOURCE + "b"
    ] * 2 + ["c"]
    assert all(
        has_partner(r.text) and r.labels == s.labels
        for r, s in zip(out[:4], [rows[0]] * 2 + [rows[1]] * 2, strict=True)
    )
    assert (tmp_path / "train.jsonl").read_text().count("\n") == 3  # the split file is not touched
