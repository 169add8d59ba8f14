import json

import pytest

from assistant.training.config import TrainConfig


def test_invalid_values_are_all_reported():
    with pytest.raises(ValueError, match="epochs must be >= 1; batch_size must be in 1..512"):
        TrainConfig(epochs=0, batch_size=0)


def test_unknown_keys_are_refused_and_json_roundtrips():
    with pytest.raises(ValueError, match="unknown training config keys \\['epoch'\\]"):
        TrainConfig.from_json({"epoch": 3})
    cfg = TrainConfig(epochs=2)
    assert TrainConfig.from_json(cfg.to_json()) == cfg


def test_ngram_weights_come_back_from_json_as_a_validated_tuple():
    import json

    cfg = TrainConfig.from_json(json.loads(json.dumps(TrainConfig(ngram_weights=(0.0, 0.5)).to_json())))
    assert cfg.ngram_weights == (0.0, 0.5)
    for bad in ((), (1.0,), (-0.1, 0.2)):
        with pytest.raises(ValueError, match="ngram_weights must be"):
            TrainConfig(ngram_weights=bad)


def test_precision_and_layer_decay_are_validated():
    with pytest.raises(ValueError, match="layer_decay must be in \\(0, 1\\]; precision must be fp32, bf16 or auto"):
        TrainConfig(layer_decay=0.0, precision="fp16")


def test_init_seed_is_an_integer_or_null():
    assert TrainConfig.from_json({"init_seed": None}).init_seed is None
    assert TrainConfig.from_json({"init_seed": 13}).init_seed == 13
    with pytest.raises(ValueError, match="init_seed must be an integer or null"):
        TrainConfig.from_json({"init_seed": "13"})
    with pytest.raises(ValueError, match="init_seed must be an integer or null"):
        TrainConfig.from_json({"init_seed": True})


@pytest.mark.parametrize("key", ["ngram_bridge", "name_swap", "intro_openings"])
def test_switches_are_booleans(key: str):
    assert getattr(TrainConfig.from_json({key: True, "name_shuffle": 0}), key)
    with pytest.raises(ValueError, match=f"{key} must be true or false"):
        TrainConfig.from_json({key: 1})


def test_name_shuffle_is_a_small_count_and_excludes_name_swap():
    assert TrainConfig.from_json({"name_shuffle": 3}).name_shuffle == 3
    for bad in (-1, 11, True, 1.5):
        with pytest.raises(ValueError, match="name_shuffle must be an integer in 0..10"):
            TrainConfig.from_json({"name_shuffle": bad})
    with pytest.raises(ValueError, match="cannot both be on"):
        TrainConfig(name_swap=True, name_shuffle=2)


def test_name_insert_is_a_probability():
    assert TrainConfig.from_json({"name_insert": 0.15}).name_insert == 0.15
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError, match=r"name_insert must be in \[0, 1\)"):
            TrainConfig.from_json({"name_insert": bad})


def test_partner_shuffle_is_a_small_count():
    assert TrainConfig.from_json({"partner_shuffle": 2}).partner_shuffle == 2
    for bad in (-1, 11, False, 0.5):
        with pytest.raises(ValueError, match="partner_shuffle must be an integer in 0..10"):
            TrainConfig.from_json({"partner_shuffle": bad})


def test_the_defaults_are_the_shipped_recipe():
    from assistant.config import REPO_ROOT

    shipped = json.loads((REPO_ROOT / "models" / "moderation" / "config.json").read_text())["train_config"]
    assert TrainConfig.from_json(shipped) == TrainConfig()  # so `assistant train` reproduces it
