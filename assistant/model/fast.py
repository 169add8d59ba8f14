"""The fast inference path: ONNX Runtime on a fused graph of the fine-tuned model, fp32 or int8.

The graph is built once per (artifact weights, base, recipe, onnxruntime version) into the
cache, by ``assistant setup`` or on first use: export from PyTorch with eager attention (the
pattern ORT's BERT fuser recognises), fuse attention/GELU/layer norms (``onnx-fp32``, the
server's default: the reference's scores), and for ``onnx-int8`` quantize the
weights of the attention output and FFN input layers to int8 per channel (activations are
quantized per batch at run time). Embeddings, the fused QKV projection and the FFN output
layer stay fp32: chosen on dev by ``bench/quant_recipes.py`` (its latest table is in the
README's Speed section), because quantizing every dense layer costs most in Hinglish.
Serving from the cache needs neither PyTorch nor transformers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.errors import ArtifactError, BaseModelError
from assistant.model.base import TOKENIZER_FILES, atomic_folder, build_base, sha256_file, verify_base
from assistant.model.predictor import WEIGHTS_FILE, ArtifactConfig, Predictor
from assistant.model.tokenizer import E5Tokenizer

FastKind = Literal["onnx-int8", "onnx-fp32"]
RECIPE_VERSION = 1
QUANTIZED_OPS = ("MatMul",)  # dense layers; not Attention (QKV) nor EmbedLayerNormalization
FP32_LAYERS = "/output/dense/MatMul"  # the FFN output projection (its GELU inputs are the outliers)
MODEL_FILE = "model.onnx"
MANIFEST = "manifest.json"
OPSET = 17


def _ort_version() -> str:
    import onnxruntime

    return str(onnxruntime.__version__)


def recipe(kind: FastKind) -> dict[str, object]:
    quantize = (
        {"ops": list(QUANTIZED_OPS), "fp32": FP32_LAYERS, "per_channel": True, "weights": "int8"}
        if kind == "onnx-int8"
        else None
    )
    return {"kind": kind, "version": RECIPE_VERSION, "opset": OPSET, "fuse": "bert", "quantize": quantize}


def fast_folder(model_dir: Path, cache_dir: Path, base_sha256: str, kind: FastKind) -> tuple[Path, dict[str, object]]:
    """Where the graph for this exact artifact lives, and the identity it is keyed on."""
    identity: dict[str, object] = {
        "artifact_weights_sha256": sha256_file(model_dir / WEIGHTS_FILE),
        "base_source_sha256": base_sha256,
        "onnxruntime": _ort_version(),
        "recipe": recipe(kind),
    }
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir / "fast" / f"{kind}-{key}", identity


def prune_fast(cache_dir: Path, keep: Sequence[Path]) -> list[tuple[Path, int]]:
    """Remove the fast graphs in the cache other than ``keep`` (each retrained model leaves one of
    ~420 MB behind); returns what went and its bytes. Only finished graphs (a manifest) are
    touched, so a build in progress elsewhere is left alone."""
    import shutil

    removed = []
    keep_set = {k.resolve() for k in keep}
    for folder in sorted((cache_dir / "fast").glob("onnx-*")):
        if folder.resolve() in keep_set or not (folder / MANIFEST).is_file():
            continue
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        shutil.rmtree(folder)
        removed.append((folder, size))
    return removed


def _verified(folder: Path, identity: dict[str, object]) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        want = manifest["files"][MODEL_FILE]
        path = folder / MODEL_FILE
        return bool(
            manifest["identity"] == identity
            and path.stat().st_size == want["bytes"]
            and sha256_file(path) == want["sha256"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _export(model_dir: Path, cache_dir: Path, base_file: Path | None, out: Path) -> dict[str, int]:
    """PyTorch -> ONNX (sigmoid scores out), with eager attention so the fuser can find it."""
    import torch

    from assistant.model.classifier import load_classifier

    clf = load_classifier(model_dir, cache_dir, base_file=base_file)
    encoder = clf.model.encoder
    encoder.set_attn_implementation("eager")  # type: ignore[operator]

    class Scores(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = clf.model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return torch.sigmoid(self.inner(input_ids, attention_mask))

    sample = clf.tokenizer(["hello, where is my order?", "hi"], clf.max_length)
    dynamic = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        Scores().eval(),
        (sample["input_ids"], sample["attention_mask"]),
        str(out),
        input_names=["input_ids", "attention_mask"],
        output_names=["scores"],
        dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "scores": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )
    cfg: Any = encoder.config
    return {
        "num_heads": int(cfg.num_attention_heads),
        "hidden_size": int(cfg.hidden_size),
        "layers": int(cfg.num_hidden_layers),
    }


def ffn_output_nodes(graph: Path) -> list[str]:
    """Names of the FFN output projections in a fused graph (kept fp32 by the recipe)."""
    import onnx

    nodes = onnx.load(str(graph), load_external_data=False).graph.node
    return [
        n.name for n in nodes if n.op_type == "MatMul" and n.name.endswith(FP32_LAYERS) and "/attention/" not in n.name
    ]


def quantize_graph(src: Path, dst: Path, *, ops: Sequence[str] = QUANTIZED_OPS, exclude: Sequence[str] = ()) -> None:
    """Dynamic int8 quantization of the weights of ``ops`` nodes, per output channel."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root, level = logging.getLogger(), logging.getLogger().level
    root.setLevel(logging.ERROR)  # quantize_dynamic logs a pre-processing hint that does not apply here
    try:
        quantize_dynamic(
            src,
            dst,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=list(ops),
            nodes_to_exclude=list(exclude),
            extra_options={"DefaultTensorType": 1},  # FLOAT, for outputs of fused ops
        )
    finally:
        root.setLevel(level)


def build_fast(
    model_dir: Path,
    cache_dir: Path,
    *,
    base_file: Path | None = None,
    kind: FastKind = "onnx-int8",
    force: bool = False,
) -> Path:
    """Build (once; atomic; verified) the ONNX graph of the artifact in ``model_dir``."""
    import warnings

    from onnxruntime.transformers.optimizer import optimize_model

    ArtifactConfig.load(model_dir)  # a clear error for a folder that is not an artifact
    info = build_base(cache_dir, base_file)
    folder, identity = fast_folder(model_dir, cache_dir, info.source_sha256, kind)
    if not force and _verified(folder, identity):
        return folder
    with atomic_folder(folder) as tmp:
        started = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's tracer warnings are about shapes it handles
            shape = _export(model_dir, cache_dir, base_file, tmp / "exported.onnx")
        fused = optimize_model(
            str(tmp / "exported.onnx"),
            model_type="bert",
            opt_level=1,
            num_heads=shape["num_heads"],
            hidden_size=shape["hidden_size"],
        )
        stats = {k: v for k, v in fused.get_fused_operator_statistics().items() if v}
        if not stats.get("Attention"):
            raise ArtifactError(f"ONNX Runtime did not fuse attention ({stats})", path=model_dir)
        fused.save_model_to_file(str(tmp / "fused.onnx"))
        (tmp / "exported.onnx").unlink()
        if kind == "onnx-int8":
            keep = ffn_output_nodes(tmp / "fused.onnx")
            if len(keep) != shape["layers"]:
                raise ArtifactError(
                    f"expected one FFN output layer per encoder layer, found {len(keep)}", path=model_dir
                )
            quantize_graph(tmp / "fused.onnx", tmp / MODEL_FILE, exclude=keep)
            (tmp / "fused.onnx").unlink()
        else:
            (tmp / "fused.onnx").rename(tmp / MODEL_FILE)
        path = tmp / MODEL_FILE
        manifest = {
            "identity": identity,
            "fused_ops": stats,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.time() - started, 1),
            "files": {MODEL_FILE: {"sha256": sha256_file(path), "bytes": path.stat().st_size}},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return folder


def open_session(path: Path, *, threads: int | None = None) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or 0
    options.inter_op_num_threads = 1
    # Idle threads that spin hold a core the server's event loop and database need.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own untyped errors
        raise ArtifactError(f"ONNX Runtime could not load the graph: {err}", path=path) from err


class OnnxClassifier(Predictor):
    """The artifact's classifier on ONNX Runtime; same thresholds and outputs as the reference."""

    def __init__(
        self,
        session: object,
        tokenizer: E5Tokenizer,
        config: ArtifactConfig,
        *,
        kind: FastKind,
        batch_size: int = 32,
        max_length: int | None = None,
    ) -> None:
        super().__init__(tokenizer, config, batch_size=batch_size, max_length=max_length)
        self.session = session
        self.backend = kind

    def _score_batch(self, texts: Sequence[str]) -> np.ndarray:
        ids, mask = self.tokenizer.encode(list(texts), self.max_length)
        out = self.session.run(None, {"input_ids": ids, "attention_mask": mask})  # type: ignore[attr-defined]
        return np.asarray(out[0], dtype=np.float32)


def load_fast(
    model_dir: Path,
    cache_dir: Path,
    *,
    base_file: Path | None = None,
    kind: FastKind = "onnx-int8",
    batch_size: int = 32,
    max_length: int | None = None,
    threads: int | None = None,
    build: bool = True,
) -> OnnxClassifier:
    """Load the fast path for ``model_dir``; builds it first if it is missing and ``build`` allows."""

    cfg = ArtifactConfig.load(model_dir, need_weights=True)
    try:
        info = verify_base(cache_dir, only=TOKENIZER_FILES)  # the base's weights are not read here
    except BaseModelError:
        if not build:
            raise
        info = build_base(cache_dir, base_file)
    cfg.check_base(info.source_sha256, model_dir)
    folder, identity = fast_folder(model_dir, cache_dir, info.source_sha256, kind)
    if not _verified(folder, identity):
        if not build:
            raise ArtifactError(
                f"the {kind} graph of this model is missing or corrupt",
                path=folder,
                fix="build it with: assistant setup",
            )
        folder = build_fast(model_dir, cache_dir, base_file=base_file, kind=kind, force=True)
    session = open_session(folder / MODEL_FILE, threads=threads)
    tokenizer = E5Tokenizer.load(info.folder)
    clf = OnnxClassifier(session, tokenizer, cfg, kind=kind, batch_size=batch_size, max_length=max_length)
    clf.attach_ngram(model_dir)
    return clf
