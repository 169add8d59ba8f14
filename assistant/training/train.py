"""Fine-tune the base into the multi-label classifier and save a self-describing artifact."""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from assistant.data.build import PARALLEL as PARALLEL_SOURCE
from assistant.data.check import SELECTION_FILE
from assistant.data.names import (
    NAME_INSERT_SOURCE,
    NAME_SHUFFLE_SOURCE,
    NAME_SWAP_SOURCE,
    name_inserted,
    name_shuffled,
    name_swapped,
)
from assistant.data.partners import PARTNER_SHUFFLE_SOURCE, partner_shuffled
from assistant.data.rows import Row, files_sha256, label_matrix, read_rows
from assistant.errors import DataError
from assistant.evaluation.metrics import cap_false_flags, score, score_by_lang, tune_thresholds
from assistant.labels import LABELS, LANGS
from assistant.model.base import load_base
from assistant.model.classifier import (
    ArtifactConfig,
    Classifier,
    MessageClassifier,
    round_to_stored_precision,
    save_weights,
    trainable_prefixes,
)
from assistant.model.ngram import NGRAM_FILE, NgramModel, blend, covered
from assistant.model.predictor import Predictor
from assistant.training.config import TrainConfig

Log = Callable[[str], None]
_LAYER = re.compile(r"encoder\.encoder\.layer\.(\d+)\.")


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def length_batches(rows: Sequence[Row], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(rows)), key=lambda i: (len(rows[i].text), rng.random()))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


# the copies ``training_rows`` makes, by the prefix each puts before the source of the row it copied
COPIES: dict[str, str] = {
    "name-swapped": NAME_SWAP_SOURCE,
    "name-shuffled": NAME_SHUFFLE_SOURCE,
    "partner-shuffled": PARTNER_SHUFFLE_SOURCE,
    "name-inserted": NAME_INSERT_SOURCE,
}


def written_source(source: str) -> str:
    """The source of the written row a copy (or a copy of a copy, in any order) was made from."""
    while (prefix := next((p for p in COPIES.values() if source.startswith(p)), None)) is not None:
        source = source.removeprefix(prefix)
    return source


def parallel_triples(rows: Sequence[Row]) -> list[tuple[int, int, int]]:
    """Consecutive en, hi, hi-Latn rows from the parallel part with one label set: one message
    written in three languages (``assistant data build`` keeps them together, in order; a name
    opened into one of them keeps it a triple, a row shuffled into several copies does not)."""
    out, i = [], 0
    while i + 2 < len(rows):
        a, b, c = rows[i : i + 3]
        if (
            written_source(a.source) == written_source(b.source) == written_source(c.source) == PARALLEL_SOURCE
            and (a.lang, b.lang, c.lang) == LANGS
            and set(a.labels) == set(b.labels) == set(c.labels)
        ):
            out.append((i, i + 1, i + 2))
            i += 3
        else:
            i += 1
    return out


def aligned_batches(
    rows: Sequence[Row], triples: Sequence[tuple[int, int, int]], batch_size: int, rng: random.Random
) -> list[tuple[list[int], int]]:
    """Length batches of the other rows, plus batches of whole triples laid out as k en rows, then
    their k hi and k hi-Latn rows; each batch comes with its k (0 for the others)."""
    taken = {i for t in triples for i in t}
    rest = [i for i in range(len(rows)) if i not in taken]
    out = [([rest[j] for j in b], 0) for b in length_batches([rows[i] for i in rest], batch_size, rng)]
    shuffled = list(triples)
    rng.shuffle(shuffled)
    k = max(1, batch_size // 3)
    for start in range(0, len(shuffled), k):
        chunk = shuffled[start : start + k]
        out.append(([t[lang] for lang in range(3) for t in chunk], len(chunk)))
    rng.shuffle(out)
    return out


def cpu_has_bf16() -> bool:
    """Native bfloat16 matrix instructions (x86 AVX512-BF16 or AMX; Linux reports them in cpuinfo)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def uses_bf16(precision: str) -> bool:
    """Whether a run with this ``TrainConfig.precision`` trains in bfloat16 autocast on this CPU."""
    return precision == "bf16" or (precision == "auto" and cpu_has_bf16())


def forward(model: MessageClassifier, enc: dict[str, torch.Tensor], bf16: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Pooled embeddings and logits of a training batch, in fp32 whatever the autocast."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        pooled = model.pool(**enc)
        logits = model.classify(pooled)
    return pooled.float(), logits.float()


def triple_loss(pooled: torch.Tensor, logits: torch.Tensor, k: int, config: TrainConfig) -> torch.Tensor:
    """The extra loss of a batch of ``k`` whole triples (k en rows, then their hi, then hi-Latn)."""
    loss = torch.zeros((), dtype=logits.dtype)
    if config.align_weight:
        en = pooled[:k].detach().repeat(2, 1)  # English is what the encoder knows best
        loss = loss + config.align_weight * (1 - torch.cosine_similarity(pooled[k : 3 * k], en)).mean()
    if config.pair_weight:
        # no language is the anchor: each gets a message's exact labels about as often as the others
        p = torch.sigmoid(logits[: 3 * k]).view(3, k, -1)
        loss = loss + config.pair_weight * (p - p.mean(0)).pow(2).mean(0).sum(-1).mean()
    return loss


def apply_gradients(optimizer: torch.optim.Optimizer, loss: torch.Tensor, params: Sequence[torch.nn.Parameter]) -> None:
    """Backward pass, gradient norm clipped to 1, one optimizer step."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()


def param_groups(model: torch.nn.Module, config: TrainConfig, n_layers: int) -> list[dict[str, Any]]:
    """Optimizer groups of the trainable parameters: the head first, then one group per learning
    rate of the encoder (``config.lr`` times ``layer_decay`` per layer below the top)."""
    head: list[torch.nn.Parameter] = []
    by_lr: dict[float, list[torch.nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.startswith("head."):
            head.append(p)
            continue
        m = _LAYER.match(name)
        depth = n_layers - 1 - int(m.group(1)) if m else 0
        by_lr.setdefault(config.lr * config.layer_decay**depth, []).append(p)
    groups: list[dict[str, Any]] = [{"params": head, "lr": config.head_lr, "weight_decay": 0.0}]
    groups += [{"params": ps, "lr": lr, "weight_decay": config.weight_decay} for lr, ps in by_lr.items()]
    return groups


class WeightAverage:
    """Exponential moving average of parameters: smooths the last steps' noise out of the
    shipped weights. The decay ramps up from 0 so early, random weights fade fast."""

    def __init__(self, params: Sequence[torch.nn.Parameter], decay: float) -> None:
        self.params = list(params)
        self.decay = decay
        self.shadow = [p.detach().clone() for p in self.params]

    @torch.no_grad()
    def update(self, step: int) -> None:
        d = min(self.decay, (1 + step) / (10 + step))
        for s, p in zip(self.shadow, self.params, strict=True):
            s.lerp_(p.detach(), 1 - d)

    @torch.no_grad()
    def copy_to_model(self) -> None:
        for s, p in zip(self.shadow, self.params, strict=True):
            p.copy_(s)


def load_split(data_dir: Path, name: str) -> list[Row]:
    path = data_dir / f"{name}.jsonl"
    if not path.is_file():
        raise DataError(f"missing {path}; build the splits with: assistant data build")
    return read_rows(path)


def training_rows(data_dir: Path, config: TrainConfig) -> list[Row]:
    """The train split, with the name-swapped, -shuffled or -inserted and partner-shuffled copies
    the config asks for (made here, not in the split files, so the data hash stays that of the data
    written)."""
    rows = load_split(data_dir, "train")
    if config.name_shuffle:
        rows = name_shuffled(rows, config.name_shuffle, config.seed)
    if config.partner_shuffle:
        rows = partner_shuffled(rows, config.partner_shuffle, config.seed + 2)
    if config.name_insert:
        rows = name_inserted(rows, config.name_insert, config.seed + 1, config.intro_openings)
    return rows + name_swapped(rows, config.seed) if config.name_swap else rows


# Measured after tuning, never tuned on: the test split, and the selection set that models are
# chosen on (dev has had data rounds written from its errors, so it flatters models built on them).
HELD_OUT = {"test": Path("test.jsonl"), "selection": Path("eval") / SELECTION_FILE}


def load_held_out(data_dir: Path) -> dict[str, list[Row]]:
    """The held-out sets present in ``data_dir`` (either may be missing)."""
    return {name: read_rows(data_dir / rel) for name, rel in HELD_OUT.items() if (data_dir / rel).is_file()}


def train(
    config: TrainConfig,
    data_dir: Path,
    out_dir: Path,
    cache_dir: Path,
    *,
    base_file: Path | None = None,
    log: Log = _stderr,
) -> ArtifactConfig:
    """Fine-tune, choose the n-gram blend and thresholds on dev, measure dev and the held-out sets,
    save to ``out_dir``."""
    started = time.time()
    torch.set_num_threads(config.threads)
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed if config.init_seed is None else config.init_seed)

    train_rows = training_rows(data_dir, config)
    dev_rows = load_split(data_dir, "dev")
    held_out = load_held_out(data_dir)
    data_hash = files_sha256([data_dir / "train.jsonl", data_dir / "dev.jsonl"])
    sizes = "".join(f", {len(rows)} {name}" for name, rows in held_out.items())
    counts = {kind: sum(src in r.source for r in train_rows) for kind, src in COPIES.items()}
    made_here = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    swapped = f" (with {made_here} copies)" if made_here else ""
    log(f"data: {len(train_rows)} train{swapped}, {len(dev_rows)} dev{sizes} rows (sha256 {data_hash[:12]})")

    info, tokenizer, encoder = load_base(cache_dir, base_file)
    n_layers = int(encoder.config.num_hidden_layers)
    config = replace(config, train_layers=min(config.train_layers, n_layers))
    model = MessageClassifier(encoder, len(LABELS), dropout=config.dropout)
    if config.init_seed is not None:
        torch.manual_seed(config.seed)  # dropout draws from here on; the batch order has its own rng
    prefixes = trainable_prefixes(n_layers, config.train_layers)
    for name, p in model.named_parameters():
        p.requires_grad = any(name.startswith(pf) for pf in prefixes)
    groups = param_groups(model, config, n_layers)
    head, body = groups[0]["params"], [p for g in groups[1:] for p in g["params"]]
    n_trainable = sum(p.numel() for p in head + body)
    log(
        f"model: {info.name} from {info.package} {info.package_version}; "
        f"training top {config.train_layers}/{n_layers} layers + head ({n_trainable / 1e6:.1f} M parameters)"
    )

    optimizer = torch.optim.AdamW(groups)
    rng = random.Random(config.seed)
    bf16 = uses_bf16(config.precision)
    log(f"precision {config.precision}: training in {'bfloat16 autocast' if bf16 else 'fp32'}")
    triples = parallel_triples(train_rows) if config.align_weight or config.pair_weight else []
    if triples:
        log(
            f"aligning {len(triples)} parallel triples "
            f"(embedding weight {config.align_weight}, prediction weight {config.pair_weight})"
        )

    def epoch_batches() -> list[tuple[list[int], int]]:
        if triples:
            return aligned_batches(train_rows, triples, config.batch_size, rng)
        return [(b, 0) for b in length_batches(train_rows, config.batch_size, rng)]

    batches = epoch_batches()
    steps_per_epoch = len(batches)
    total = steps_per_epoch * config.epochs
    warmup = max(1, int(total * config.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    ema = WeightAverage(head + body, config.ema_decay) if config.ema_decay > 0 else None
    y_train = torch.tensor(label_matrix(train_rows), dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    step = 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        running = 0.0
        batches = batches if epoch == 1 else epoch_batches()
        for b, (idx, k) in enumerate(batches, 1):
            enc = tokenizer([train_rows[i].text for i in idx], config.max_length)
            pooled, logits = forward(model, enc, bf16)
            loss = loss_fn(logits, y_train[idx])
            if k:
                loss = loss + triple_loss(pooled, logits, k, config)
            apply_gradients(optimizer, loss, head + body)
            scheduler.step()
            step += 1
            if ema is not None:
                ema.update(step)
            running += float(loss.detach())
            if b % 50 == 0 or b == steps_per_epoch:
                elapsed = time.time() - started
                eta = elapsed / step * (total - step)
                log(
                    f"epoch {epoch}/{config.epochs} step {b}/{steps_per_epoch} loss {running / b:.4f} "
                    f"elapsed {elapsed / 60:.1f} min eta {eta / 60:.1f} min"
                )
        if config.eval_every_epoch and epoch < config.epochs:
            clf = Classifier(model, tokenizer, _provisional(info.to_json(), prefixes, config, data_hash))
            dev_scores = clf.scores([r.text for r in dev_rows])
            m = score_by_lang(label_matrix(dev_rows), dev_scores >= 0.5, [r.lang for r in dev_rows])
            log(f"epoch {epoch}: dev macro-F1 at 0.5 " + ", ".join(f"{k} {v.macro_f1:.3f}" for k, v in m.items()))

    if ema is not None:
        ema.copy_to_model()
        log(f"using the moving average of the weights (decay {config.ema_decay})")
    round_to_stored_precision(model, prefixes)
    artifact = _provisional(info.to_json(), prefixes, config, data_hash)
    clf = Classifier(model, tokenizer, artifact)
    metrics = tune_and_measure(clf, config, train_rows, dev_rows, held_out, log)
    minutes = (time.time() - started) / 60
    metrics["training_minutes"] = round(minutes, 2)
    metrics["training_precision"] = "bf16" if bf16 else "fp32"  # what "auto" chose on this CPU
    artifact.metrics = metrics
    save_artifact(clf, out_dir)
    log(f"saved {out_dir} in {minutes:.1f} min; {tuning(artifact)}")
    return artifact


def tuned_thresholds(y: np.ndarray, scores: np.ndarray, langs: Sequence[str], config: TrainConfig) -> np.ndarray:
    """The shipped rule: per label the best F1 on ``y``, at least ``min_threshold``, then raised until
    at most ``max_false_flags`` of each language's label-free rows get a flag."""
    tuned = np.maximum(tune_thresholds(y, scores), config.min_threshold)
    return cap_false_flags(y, scores, tuned, config.max_false_flags, langs)


def tune_and_measure(
    clf: Predictor,
    config: TrainConfig,
    train_rows: Sequence[Row],
    dev_rows: Sequence[Row],
    held_out: Mapping[str, Sequence[Row]],
    log: Log = _stderr,
) -> dict[str, object]:
    """Choose on dev the n-gram blend weight and per-label thresholds (best F1, at least
    ``min_threshold``, false flags capped per language), set them on ``clf`` and its config,
    then measure dev and each held-out set with them."""
    y_dev, dev_langs, dev_texts = label_matrix(dev_rows), [r.lang for r in dev_rows], [r.text for r in dev_rows]
    clf.ngram = None
    # tuned on the model's own scores: name averaging (``name_average``) is to change the scores of
    # messages with a known name, not, through dev's few such rows, every message's thresholds
    clf.config.name_average = False
    encoder_scores = clf.scores(dev_texts)
    ngram = (
        NgramModel.fit([r.text for r in train_rows], label_matrix(train_rows), bridge=config.ngram_bridge)
        if max(config.ngram_weights)
        else None
    )
    ngram_logits = ngram.logits(dev_texts) if ngram else None
    mask = covered(dev_texts)
    best: tuple[float, float, np.ndarray, np.ndarray] | None = None
    for w in config.ngram_weights:
        scores = blend(encoder_scores, ngram_logits, w, mask) if w and ngram_logits is not None else encoder_scores
        thresholds = tuned_thresholds(y_dev, scores, dev_langs, config)
        f1 = score(y_dev, scores >= thresholds).macro_f1
        log(f"n-gram blend weight {w:.2f}: dev macro-F1 {f1:.4f}")
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, w, thresholds, scores)
    assert best is not None  # the config refuses an empty grid
    _, clf.config.ngram_weight, thresholds, dev_scores = best
    clf.ngram = ngram if clf.config.ngram_weight else None
    clf.thresholds = thresholds.astype(np.float32)
    clf.config.thresholds = {lb: float(t) for lb, t in zip(LABELS, thresholds, strict=True)}
    clf.config.name_average = config.name_average
    metrics: dict[str, object] = {}
    for name, rows in {"dev": dev_rows, **held_out}.items():
        if rows:  # dev's scores are the chosen ones above, unless averaging changes them
            reuse = name == "dev" and not config.name_average
            pred = clf.decide(dev_scores if reuse else clf.scores([r.text for r in rows]))
            metrics[name] = {
                k: v.to_json() for k, v in score_by_lang(label_matrix(rows), pred, [r.lang for r in rows]).items()
            }
    return metrics


def save_artifact(clf: Classifier, out_dir: Path) -> None:
    """Date and write a complete artifact: the fine-tuned tensors, the blended n-gram model, the config."""
    clf.config.created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out_dir.mkdir(parents=True, exist_ok=True)
    save_weights(clf.model, clf.config.trainable, out_dir)
    save_ngram(clf, out_dir)
    clf.config.save(out_dir)


def tuning(artifact: ArtifactConfig) -> str:
    """What dev chose, for the log."""
    chosen = ", ".join(f"{k} {v:.3f}" for k, v in artifact.thresholds.items())
    return f"n-gram blend weight {artifact.ngram_weight}; thresholds {chosen}"


def save_ngram(clf: Predictor, folder: Path) -> None:
    """Write the blended n-gram model, or remove a stale one the config no longer names."""
    if clf.ngram is not None:
        clf.ngram.save(folder)
    else:
        (folder / NGRAM_FILE).unlink(missing_ok=True)


def check_training_data(data_dir: Path, artifact: ArtifactConfig) -> None:
    """Refuse to tune an artifact on data other than what it was trained on."""
    data_hash = files_sha256([data_dir / "train.jsonl", data_dir / "dev.jsonl"])
    if data_hash != artifact.training_data_sha256:
        raise DataError(
            f"{data_dir} is not the data this model was trained on (sha256 {data_hash[:12]} vs "
            f"{artifact.training_data_sha256[:12]}); retrain instead"
        )


def retune(
    model_dir: Path,
    data_dir: Path,
    cache_dir: Path,
    overrides: dict[str, object],
    *,
    base_file: Path | None = None,
    log: Log = _stderr,
) -> ArtifactConfig:
    """Re-run only the step after fine-tuning (n-gram blend and thresholds; same encoder weights) with
    changed settings, e.g. ``min_threshold``; what ``train`` with the same config would have written."""
    from assistant.model.classifier import load_classifier

    clf = load_classifier(model_dir, cache_dir, base_file=base_file)
    artifact = clf.config
    check_training_data(data_dir, artifact)
    config = TrainConfig.from_json({**artifact.train_config, **overrides})
    facts = ("training_minutes", "training_precision")  # of the training run, which retuning keeps
    kept: dict[str, object] = {k: artifact.metrics[k] for k in facts if k in artifact.metrics}
    metrics = tune_and_measure(
        clf,
        config,
        training_rows(data_dir, config),
        load_split(data_dir, "dev"),
        load_held_out(data_dir),
        log,
    )
    artifact.metrics = {**metrics, **kept}
    artifact.train_config = config.to_json()
    save_ngram(clf, model_dir)
    artifact.save(model_dir)
    log(f"retuned: {tuning(artifact)}")
    return artifact


def _provisional(base: dict[str, str], prefixes: list[str], config: TrainConfig, data_hash: str) -> ArtifactConfig:
    return ArtifactConfig(
        labels=list(LABELS),
        thresholds=dict.fromkeys(LABELS, 0.5),
        base=base,
        trainable=prefixes,
        max_length=128,
        training_data_sha256=data_hash,
        train_config=config.to_json(),
    )
