"""Model speed and quality side by side: the PyTorch fp32 reference, the fast paths, the baselines.

    .venv/bin/python bench/model_latency.py [--messages 300] [--threads 2] [--max-tokens 64]

All systems run in one process, one after another, on the same messages: test-split messages of
up to --max-tokens tokens (with prefix and specials), one at a time for p50/p99 latency, then all
of them in batches of 32 for throughput. Macro-F1 per language is on the whole test split with
each system's own decisions (the fast paths use the artifact's thresholds). Ratios are against
the reference in the same run; numbers depend on the machine, so compare rows of one run only.
Last, what the artifact's n-gram blend adds to one message on the last backend, and what averaging
over name replacements costs one with a known name (test messages of up to --max-tokens tokens).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np

from assistant.config import REPO_ROOT, Settings
from assistant.data.rows import label_matrix, read_rows
from assistant.evaluation.baselines import KeywordBaseline, TfidfBaseline
from assistant.evaluation.metrics import score_by_lang
from assistant.model.loading import predictor_from_settings
from assistant.model.name_average import GIVEN, words_known
from assistant.model.predictor import Predictor

LANGS = ("en", "hi", "hi-Latn")


def measure(predict: Callable[[list[str]], np.ndarray], texts: list[str]) -> tuple[list[float], float]:
    """Latency of one message at a time (ms), then throughput of all in batches (messages/s)."""
    single = []
    for t in texts:
        s = time.perf_counter()
        predict([t])
        single.append((time.perf_counter() - s) * 1000)
    s = time.perf_counter()
    predict(texts)
    return single, len(texts) / (time.perf_counter() - s)


def interleaved(clf: Predictor, texts: list[str], switch: Callable[[bool], None]) -> tuple[float, float]:
    """p50 of one message with ``switch(True)`` and with ``switch(False)``, alternating message by
    message so that the machine's drift hits both alike."""
    lat: dict[bool, list[float]] = {True: [], False: []}
    for i, t in enumerate(texts * 2):
        for on in (i % 2 == 0, i % 2 == 1):
            switch(on)
            s = time.perf_counter()
            clf.scores([t])
            lat[on].append((time.perf_counter() - s) * 1000)
    return float(np.percentile(lat[True], 50)), float(np.percentile(lat[False], 50))


def blend_cost(clf: Predictor, texts: list[str]) -> str:
    ngram = clf.ngram
    try:
        with_, without = interleaved(clf, texts, lambda on: setattr(clf, "ngram", ngram if on else None))
    finally:
        clf.ngram = ngram
    return f"n-gram blend, {clf.backend}, interleaved: p50 {with_:.2f} ms with it, {without:.2f} ms without"


def name_cost(clf: Predictor, texts: list[str]) -> str:
    """What averaging over name replacements (``model/name_average.py``) costs a message with a name."""
    named = [t for t in texts if words_known(t)]
    was = clf.config.name_average
    try:
        with_, without = interleaved(clf, named, lambda on: setattr(clf.config, "name_average", on))
    finally:
        clf.config.name_average = was
    return (
        f"name averaging, {clf.backend}, {len(named)} test messages with a known name, interleaved: "
        f"p50 {with_:.2f} ms averaged over {len(GIVEN)} names, {without:.2f} ms scored once"
    )


def macro_f1(decide: Callable[[Sequence[str]], np.ndarray], rows) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rows = [r for r in rows if r.lang in LANGS]
    by_lang = score_by_lang(label_matrix(rows), decide([r.text for r in rows]), [r.lang for r in rows])
    return {lang: by_lang[lang].macro_f1 for lang in LANGS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--backends", default="torch,onnx-fp32,onnx-int8", help="the first one is the reference")
    args = ap.parse_args()
    data = REPO_ROOT / "training_data"
    test = read_rows(data / "test.jsonl")
    systems = []
    for backend in args.backends.split(","):
        t0 = time.perf_counter()
        clf = predictor_from_settings(Settings(threads=args.threads, backend=backend))
        clf.scores(["warm up", "a second warm-up message"])
        name = "PyTorch fp32" if backend == "torch" else f"ONNX Runtime {backend.split('-')[1]}"
        systems.append((name, clf.scores, lambda ts, c=clf: c.decide(c.scores(ts)), time.perf_counter() - t0))
    tokenizer = clf.tokenizer
    lengths = {r.text: len(tokenizer.tokenize(r.text)) for r in test}
    texts = [r.text for r in test if lengths[r.text] <= args.max_tokens][: args.messages]
    train, dev = read_rows(data / "train.jsonl"), read_rows(data / "dev.jsonl")
    for baseline in (TfidfBaseline().fit(train, dev), KeywordBaseline().fit(train)):
        systems.append((baseline.name, baseline.predict, baseline.predict, 0.0))

    rows = []
    for name, predict, decide, load_s in systems:
        lat, thr = measure(predict, texts)
        rows.append((name, lat, thr, macro_f1(decide, test), load_s))

    tok = [lengths[t] for t in texts]
    print(
        f"{len(texts)} test messages of <= {args.max_tokens} tokens (median {statistics.median(tok):.0f}, "
        f"max {max(tok)}, incl. prefix and specials), {args.threads} threads; "
        f"macro-F1 on the whole test split ({len(test)} rows); ratios vs {rows[0][0]}"
    )
    cols = ["system", "p50 ms", "p99 ms", "batch msg/s", "p50 speed-up", "throughput x"]
    cols += [f"F1 {lg}" for lg in LANGS] + ["max F1 drop", "load s"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    ref_p50, ref_thr, ref_f1 = np.percentile(rows[0][1], 50), rows[0][2], rows[0][3]
    for name, lat, thr, f1, load_s in rows:
        p50 = float(np.percentile(lat, 50))
        drop = max(ref_f1[lg] - f1[lg] for lg in LANGS)
        cells = [name, f"{p50:.2f}", f"{np.percentile(lat, 99):.2f}", f"{thr:.0f}"]
        cells += [f"{ref_p50 / p50:.1f}", f"{thr / ref_thr:.1f}"]
        cells += [f"{f1[lg]:.3f}" for lg in LANGS] + [f"{drop:+.3f}", f"{load_s:.1f}" if load_s else "-"]
        print("| " + " | ".join(cells) + " |")
    if clf.ngram is not None:
        print(blend_cost(clf, texts))
    print(name_cost(clf, [r.text for r in test if lengths[r.text] <= args.max_tokens]))


if __name__ == "__main__":
    main()
