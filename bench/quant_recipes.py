"""How the fast path's quantization recipe was chosen: quality on dev against speed, side by side.

    .venv/bin/python bench/quant_recipes.py [--messages 300] [--threads 2]

Starts from the shipped model's fused fp32 graph (built like `assistant setup --backend
onnx-fp32` does), quantizes it three ways into a temp folder, and measures each on the dev split
(never test): macro-F1 per language with the artifact's thresholds and its drop against the
fp32 graph, labels that flip, then p50/p99 latency one message at a time and batch throughput.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from model_latency import LANGS, measure  # bench/ is on sys.path when run as a script

from assistant.config import REPO_ROOT, Settings
from assistant.data.rows import label_matrix, read_rows
from assistant.evaluation.metrics import score_by_lang
from assistant.model.fast import MODEL_FILE, OnnxClassifier, build_fast, ffn_output_nodes, open_session, quantize_graph
from assistant.model.loading import predictor_from_settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    settings = Settings(backend="onnx-fp32", threads=args.threads)
    fp32 = build_fast(settings.model_dir, settings.cache_dir, base_file=settings.base_file, kind="onnx-fp32")
    ref = predictor_from_settings(settings)
    assert isinstance(ref, OnnxClassifier)
    dev = [r for r in read_rows(REPO_ROOT / "training_data" / "dev.jsonl") if r.lang in LANGS]
    texts, y, langs = [r.text for r in dev], label_matrix(dev), [r.lang for r in dev]
    short = [t for t in texts if len(ref.tokenizer.tokenize(t)) <= 64][: args.messages]
    ffn_out = ffn_output_nodes(fp32 / MODEL_FILE)
    recipes = {
        "fp32 (no quantization)": None,
        "attention-out + FFN-in (default)": (("MatMul",), ffn_out),
        "+ QKV projection": (("MatMul", "Attention"), ffn_out),
        "every dense layer": (("MatMul", "Attention"), []),
    }
    ref_pred = ref.decide(ref.scores(texts))
    ref_f1 = score_by_lang(y, ref_pred, langs)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, recipe in recipes.items():
            path = fp32 / MODEL_FILE
            if recipe is not None:
                path = Path(tmp) / f"{len(rows)}.onnx"
                quantize_graph(fp32 / MODEL_FILE, path, ops=recipe[0], exclude=recipe[1])
            clf = OnnxClassifier(open_session(path, threads=args.threads), ref.tokenizer, ref.config, kind="onnx-int8")
            clf.ngram = ref.ngram  # as served: the artifact's n-gram blend on top of each graph
            pred = clf.decide(clf.scores(texts))
            f1 = score_by_lang(y, pred, langs)
            clf.scores(short[:8])  # warm-up
            lat, thr = measure(clf.scores, short)
            drops = [ref_f1[lg].macro_f1 - f1[lg].macro_f1 for lg in LANGS]
            rows.append((name, lat, thr, drops, int((pred != ref_pred).sum()), path.stat().st_size))

    print(
        f"dev split: {len(dev)} rows for F1; {len(short)} messages of <= 64 tokens for speed; "
        f"{args.threads} threads, spinning off (as served)"
    )
    cols = ["recipe", "p50 ms", "p99 ms", "batch msg/s"] + [f"F1 drop {lg}" for lg in LANGS]
    cols += ["flipped labels", "graph MB"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for name, lat, thr, drops, flips, size in rows:
        cells = [name, f"{np.percentile(lat, 50):.2f}", f"{np.percentile(lat, 99):.2f}", f"{thr:.0f}"]
        cells += [f"{d:+.4f}" for d in drops] + [str(flips), f"{size / 2**20:.0f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
