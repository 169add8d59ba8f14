import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ArtifactError
from assistant.model.base import build_base
from assistant.model.classifier import WEIGHTS_FILE, load_classifier
from assistant.model.fast import MANIFEST, MODEL_FILE, build_fast, fast_folder, load_fast

TEXTS = ["you are so cute dear", "where is my order", "बेवकूफ़ हो आप", "idiot idiot worst never again " * 6, "hi"]


@pytest.fixture(scope="module")
def reference(tiny_model: Path, tiny_cache: Path, tiny_base_file: Path) -> np.ndarray:
    return load_classifier(tiny_model, tiny_cache, base_file=tiny_base_file).scores(TEXTS)


def test_fp32_graph_matches_the_reference(tiny_model, tiny_cache, tiny_base_file, reference):
    fast = load_fast(tiny_model, tiny_cache, base_file=tiny_base_file, kind="onnx-fp32", threads=1)
    assert fast.backend == "onnx-fp32"
    assert np.allclose(fast.scores(TEXTS), reference, atol=1e-4)


def test_int8_graph_is_close_and_keeps_the_contract(tiny_model, tiny_cache, tiny_base_file, reference):
    fast = load_fast(tiny_model, tiny_cache, base_file=tiny_base_file, kind="onnx-int8", threads=1)
    scores = fast.scores(TEXTS)
    assert scores.shape == reference.shape and ((scores >= 0) & (scores <= 1)).all()
    assert np.abs(scores - reference).max() < 0.05  # int8 weights, not a different model
    assert not np.allclose(scores, reference, atol=1e-6)  # and really quantized
    preds = fast.predict(TEXTS)
    assert [sorted(p.scores) for p in preds] == [sorted(fast.labels)] * len(TEXTS)
    one_by_one = np.vstack([fast.scores([t]) for t in TEXTS])
    # int8 activations are scaled per batch, so a message's companions move its scores, but only a little
    assert np.allclose(one_by_one, scores, atol=0.02)


def test_built_once_verified_and_rebuilt_when_corrupt(tiny_model, tiny_cache, tiny_base_file):
    folder = build_fast(tiny_model, tiny_cache, base_file=tiny_base_file)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["fused_ops"]["Attention"] == 2  # one fused attention per layer of the tiny model
    built = (folder / MANIFEST).stat().st_mtime_ns
    assert build_fast(tiny_model, tiny_cache, base_file=tiny_base_file) == folder
    assert (folder / MANIFEST).stat().st_mtime_ns == built  # second call reuses the graph

    with (folder / MODEL_FILE).open("ab") as f:
        f.write(b"garbage")
    with pytest.raises(ArtifactError, match="missing or corrupt.*assistant setup"):
        load_fast(tiny_model, tiny_cache, base_file=tiny_base_file, build=False)
    fast = load_fast(tiny_model, tiny_cache, base_file=tiny_base_file)  # rebuilds
    assert fast.scores(["hello"]).shape == (1, len(fast.labels))


def test_new_weights_get_their_own_graph(tmp_path, tiny_model, tiny_cache, tiny_base_file):
    from safetensors.torch import load_file, save_file

    changed = tmp_path / "model"
    shutil.copytree(tiny_model, changed)
    tensors = load_file(str(changed / WEIGHTS_FILE))
    tensors["head.bias"] = tensors["head.bias"] + 1.0
    save_file(tensors, str(changed / WEIGHTS_FILE), metadata={"format": "pt"})
    sha = build_base(tiny_cache, tiny_base_file).source_sha256
    assert (
        fast_folder(changed, tiny_cache, sha, "onnx-int8")[0]
        != fast_folder(tiny_model, tiny_cache, sha, "onnx-int8")[0]
    )
    a = load_fast(tiny_model, tiny_cache, base_file=tiny_base_file).scores(["hello"])
    b = load_fast(changed, tiny_cache, base_file=tiny_base_file).scores(["hello"])
    assert (b > a).all()  # the head's bias moved every score up: the new weights are in use


def test_serving_from_the_cache_does_not_import_torch(tiny_model, tiny_cache, tiny_base_file):
    build_fast(tiny_model, tiny_cache, base_file=tiny_base_file)
    code = (
        "import sys; from pathlib import Path; from assistant.model.fast import load_fast; "
        f"c = load_fast(Path({str(tiny_model)!r}), Path({str(tiny_cache)!r}), build=False); "
        "c.predict(['hello']); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_not_an_artifact_is_a_clear_error(tmp_path, tiny_cache, tiny_base_file):
    with pytest.raises(ArtifactError, match=r"no model config\.json"):
        load_fast(tmp_path, tiny_cache, base_file=tiny_base_file)


def test_prune_removes_only_other_finished_graphs(tmp_path):
    from assistant.model.fast import MANIFEST, prune_fast

    fast = tmp_path / "fast"
    for name, manifest in (("onnx-int8-aaaa", True), ("onnx-int8-bbbb", True), ("onnx-fp32-cccc", False)):
        (fast / name).mkdir(parents=True)
        (fast / name / "model.onnx").write_bytes(b"x" * 1000)
        if manifest:
            (fast / name / MANIFEST).write_text("{}")
    removed = prune_fast(tmp_path, [fast / "onnx-int8-aaaa"])
    assert [(p.name, size) for p, size in removed] == [("onnx-int8-bbbb", 1002)]
    assert sorted(p.name for p in fast.iterdir()) == ["onnx-fp32-cccc", "onnx-int8-aaaa"]  # in progress: kept
    assert prune_fast(tmp_path / "empty", []) == []
