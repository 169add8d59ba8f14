"""What a training step costs on this machine, by precision and by how many layers are tuned.

    .venv/bin/python bench/train_step.py [--steps 40] [--rounds 4] [--threads 2] [--emulated-bf16]

Builds the classifier from the base once per setup (fp32 with all 12 layers tuned, fp32 with the
top 8, and bf16 autocast with all 12 where the CPU has native bf16, since ``precision: auto``
only uses it there) and runs real training steps on the same length-sorted batches of
``train.jsonl`` as ``assistant train`` (forward, loss, backward, clipping, AdamW, moving
average). The setups take turns in rounds so that drift in the machine's speed hits them alike.
Prints ms per step (median), the ratio to fp32, and the minutes the three epochs of a full
``assistant train`` would spend in steps on this machine (the blend, thresholds and per-epoch
dev passes add about three more), which says before a long run whether it fits the 45-minute goal.
On a CPU without native bf16 an emulated bf16 setup in the rounds (``--emulated-bf16``) about
doubled the fp32 setup's ms per step (1156 vs 598 on an AVX2-only EPYC), so it is left out by default.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass, field

import torch

from assistant.config import REPO_ROOT, Settings
from assistant.data.rows import label_matrix, read_rows
from assistant.model.base import load_base
from assistant.model.classifier import MessageClassifier, trainable_prefixes
from assistant.training.config import TrainConfig
from assistant.training.train import (
    WeightAverage,
    apply_gradients,
    cpu_has_bf16,
    forward,
    length_batches,
    param_groups,
)


@dataclass
class Setup:
    name: str
    bf16: bool
    train_layers: int
    times: list[float] = field(default_factory=list)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=40, help="timed steps per setup and round")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--emulated-bf16",
        action="store_true",
        help="time bf16 even where the CPU lacks it (about 10x slower than fp32, and it slows the fp32 setups' steps)",
    )
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    settings = Settings(threads=args.threads)
    config = TrainConfig()
    rows = read_rows(REPO_ROOT / "training_data" / "train.jsonl")
    y = torch.tensor(label_matrix(rows), dtype=torch.float32)
    batches = length_batches(rows, config.batch_size, random.Random(config.seed))
    setups = [Setup("fp32, 12 layers", False, 12), Setup("fp32, top 8 layers", False, 8)]
    if cpu_has_bf16() or args.emulated_bf16:
        setups.insert(1, Setup("bf16, 12 layers", True, 12))
    states = []
    for s in setups:
        torch.manual_seed(config.seed)
        _, tokenizer, encoder = load_base(settings.cache_dir, settings.base_file)
        n = int(encoder.config.num_hidden_layers)
        model = MessageClassifier(encoder, y.shape[1], dropout=config.dropout).train()
        prefixes = trainable_prefixes(n, s.train_layers)
        for name, p in model.named_parameters():
            p.requires_grad = any(name.startswith(pf) for pf in prefixes)
        groups = param_groups(model, config, n)
        params = [p for g in groups for p in g["params"]]
        states.append((model, torch.optim.AdamW(groups), WeightAverage(params, config.ema_decay), params))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    cursor = 0
    for _ in range(args.rounds):
        chunk = [batches[(cursor + i) % len(batches)] for i in range(args.steps + 2)]
        cursor += len(chunk)
        for s, (model, opt, ema, params) in zip(setups, states, strict=True):
            for step, idx in enumerate(chunk):
                enc = tokenizer([rows[i].text for i in idx], config.max_length)
                t0 = time.perf_counter()
                _, logits = forward(model, enc, s.bf16)
                apply_gradients(opt, loss_fn(logits, y[idx]), params)
                ema.update(step)
                if step >= 2:  # the first steps of a round warm caches up
                    s.times.append(time.perf_counter() - t0)
    steps_total = len(batches) * config.epochs
    base = statistics.median(setups[0].times)
    print(
        f"{len(rows)} training rows, {len(batches)} batches of {config.batch_size} an epoch, {config.epochs} epochs; "
        f"{args.threads} threads; native bf16: {'yes' if cpu_has_bf16() else 'no (bf16 autocast is emulated)'}"
    )
    print("| setup | ms/step (median) | speed-up | minutes of steps for a full train |")
    print("|---|---|---|---|")
    for s in setups:
        ms = statistics.median(s.times) * 1000
        print(f"| {s.name} | {ms:.0f} | {base * 1000 / ms:.2f}x | {ms * steps_total / 60000:.1f} |")


if __name__ == "__main__":
    main()
