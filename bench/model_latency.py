"""Per-message latency and batch throughput of the shipped classifier, with the baselines
measured on the same messages in the same run.

    .venv/bin/python bench/model_latency.py [--messages 300] [--threads 2]

Prints a table; numbers depend on the machine, so compare rows of one run only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch

from assistant.config import REPO_ROOT, Settings
from assistant.data.rows import read_rows
from assistant.evaluation.baselines import KeywordBaseline, TfidfBaseline
from assistant.model.classifier import classifier_from_settings


def percentile(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs), q))


def measure(fn: Callable[[list[str]], object], texts: list[str]) -> tuple[list[float], float]:
    """Latency of one message at a time (ms), then throughput of all at once (messages/s)."""
    single = []
    for t in texts:
        s = time.perf_counter()
        fn([t])
        single.append((time.perf_counter() - s) * 1000)
    s = time.perf_counter()
    fn(texts)
    return single, len(texts) / (time.perf_counter() - s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    data = REPO_ROOT / "training_data"
    texts = [r.text for r in read_rows(data / "test.jsonl")][: args.messages]
    settings = Settings(threads=args.threads)
    t0 = time.perf_counter()
    clf = classifier_from_settings(settings)
    load_s = time.perf_counter() - t0
    lengths = [len(clf.tokenizer.tokenize(t)) for t in texts]
    clf.scores(texts[:10])  # warm-up

    train, dev = read_rows(data / "train.jsonl"), read_rows(data / "dev.jsonl")
    systems: list[tuple[str, Callable[[list[str]], object]]] = [("fine-tuned (PyTorch fp32)", clf.scores)]
    for baseline in (TfidfBaseline().fit(train, dev), KeywordBaseline().fit(train)):
        systems.append((baseline.name, baseline.predict))
    rows = [(name, *measure(fn, texts)) for name, fn in systems]

    print(
        f"{len(texts)} test messages, tokens per message: median {statistics.median(lengths):.0f}, "
        f"max {max(lengths)} (incl. prefix and specials); torch threads {torch.get_num_threads()}; "
        f"model load {load_s:.1f} s"
    )
    print(f"{'system':<28}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'batch msg/s':>13}")
    for name, lat, thr in rows:
        print(
            f"{name:<28}{percentile(lat, 50):>9.2f}{percentile(lat, 99):>9.2f}{statistics.mean(lat):>9.2f}{thr:>13.0f}"
        )


if __name__ == "__main__":
    main()
