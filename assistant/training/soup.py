"""A uniform weight soup (Wortsman et al. 2022): one model from several runs of one recipe.

Runs whose heads start from one init (``init_seed``) and differ only in data order and dropout
(``seed``) stay close to that start, so the mean of their fine-tuned tensors is itself a good
model, with one model's size and speed. Heads started apart end up apart, and their mean blurs
the model (README, "Tried after model 13"), so ingredients must share the init unless told.
The blend weight and thresholds are then chosen on dev exactly as ``assistant train`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from assistant.errors import ArtifactError
from assistant.model.classifier import WEIGHTS_FILE, ArtifactConfig, load_classifier
from assistant.model.classifier import round_to_stored_precision as round_weights
from assistant.training.config import TrainConfig
from assistant.training.train import (
    Log,
    _stderr,
    check_training_data,
    load_held_out,
    load_split,
    save_artifact,
    training_rows,
    tune_and_measure,
    tuning,
)

# what every ingredient must share; the training config must match except for its seed
_SHARED = ("labels", "base", "trainable", "training_data_sha256")


def check_ingredients(model_dirs: Sequence[Path], *, same_init: bool = True) -> list[ArtifactConfig]:
    """The ingredients' configs, if they are runs of one recipe on one data and base, and (with
    ``same_init``) from one head init: train them with one ``init_seed`` and different seeds."""
    if len(model_dirs) < 2:
        raise ArtifactError(f"a soup needs at least two models, got {len(model_dirs)}")
    configs = [ArtifactConfig.load(d, need_weights=True) for d in model_dirs]
    first = configs[0]
    for folder, cfg in zip(model_dirs[1:], configs[1:], strict=True):
        for key in _SHARED:
            if getattr(cfg, key) != getattr(first, key):
                raise ArtifactError(
                    f"its {key} differs from {model_dirs[0]}'s; a soup averages runs of one recipe "
                    "on the same data and base",
                    path=folder,
                )
        recipe, other = (_recipe(c.train_config, same_init) for c in (cfg, first))
        if recipe != other:
            keys = sorted(k for k in recipe.keys() | other.keys() if recipe.get(k) != other.get(k))
            fix = 'train every ingredient with the same init_seed (--config with {"init_seed": N})'
            raise ArtifactError(
                f"its training config differs from {model_dirs[0]}'s in {keys}; only the seed may differ",
                path=folder,
                fix=fix if keys == ["init_seed"] else "",
            )
    return configs


def _recipe(train_config: dict[str, object], same_init: bool) -> dict[str, object]:
    """The config without its seed, with defaults filled in (an option added after a model was
    trained is off in it) and the head's effective init seed (``init_seed``, else ``seed``)."""
    cfg = TrainConfig.from_json(dict(train_config))
    out = {k: v for k, v in cfg.to_json().items() if k != "seed"}
    out["init_seed"] = (cfg.seed if cfg.init_seed is None else cfg.init_seed) if same_init else None
    return out


def average_weights(model_dirs: Sequence[Path]) -> dict[str, torch.Tensor]:
    """The element-wise mean (fp32) of the ingredients' fine-tuned tensors."""
    from safetensors.torch import load_file

    stores = [load_file(str(d / WEIGHTS_FILE)) for d in model_dirs]
    for folder, store in zip(model_dirs[1:], stores[1:], strict=True):
        if set(store) != set(stores[0]) or any(store[k].shape != stores[0][k].shape for k in store):
            raise ArtifactError(f"{WEIGHTS_FILE} holds other tensors than {model_dirs[0]}'s", path=folder)
    return {k: torch.stack([s[k].to(torch.float32) for s in stores]).mean(0) for k in stores[0]}


def soup(
    model_dirs: Sequence[Path],
    data_dir: Path,
    out_dir: Path,
    cache_dir: Path,
    *,
    base_file: Path | None = None,
    same_init: bool = True,
    log: Log = _stderr,
) -> ArtifactConfig:
    """Average the ingredients, choose blend and thresholds on dev, measure, save to ``out_dir``.
    ``same_init=False`` also averages runs whose heads started apart (scored worse: README)."""
    if out_dir.resolve() in {d.resolve() for d in model_dirs}:
        raise ArtifactError("the soup would overwrite one of its ingredients", path=out_dir, fix="pick a new --out")
    configs = check_ingredients(model_dirs, same_init=same_init)
    check_training_data(data_dir, configs[0])
    clf = load_classifier(model_dirs[0], cache_dir, base_file=base_file)
    clf.model.load_state_dict(average_weights(model_dirs), strict=False)
    round_weights(clf.model, configs[0].trainable)  # the metrics below are of what gets stored
    ingredients = [
        {
            "seed": cfg.train_config.get("seed"),
            "init_seed": cfg.train_config.get("init_seed"),
            "created": cfg.created,
            "training_minutes": cfg.metrics.get("training_minutes"),
        }
        for cfg in configs
    ]
    seeds = [i["seed"] for i in ingredients]
    log(f"averaged {len(model_dirs)} runs (seeds {seeds}); choosing blend and thresholds on dev")
    config = TrainConfig.from_json(configs[0].train_config)
    metrics = tune_and_measure(
        clf,
        config,
        training_rows(data_dir, config),
        load_split(data_dir, "dev"),
        load_held_out(data_dir),
        log,
    )
    metrics["soup_of"] = ingredients
    clf.config.metrics = metrics
    save_artifact(clf, out_dir)
    log(f"saved {out_dir}; {tuning(clf.config)}")
    return clf.config
