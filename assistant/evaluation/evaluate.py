"""``assistant evaluate``: the model and both baselines on one file, in one run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.data.rows import json_lines, label_matrix, parse_row, read_parallel, read_rows
from assistant.errors import DataError
from assistant.evaluation.baselines import KeywordBaseline, TfidfBaseline
from assistant.evaluation.metrics import Scores, score_by_lang, wilson_interval
from assistant.evaluation.report import detail_table, summary_table
from assistant.labels import LABELS, LANGS
from assistant.model.loading import predictor_from_settings
from assistant.model.predictor import Predictor


def evaluate(
    settings: Settings,
    data: Path,
    train_dir: Path,
    *,
    crosslingual: Sequence[Path] = (),
    fairness: Sequence[Path] = (),
) -> str:
    rows = read_rows(data)
    if not rows:
        raise DataError("no rows to evaluate", path=data)
    texts, langs, y = [r.text for r in rows], [r.lang for r in rows], label_matrix(rows)
    clf = predictor_from_settings(settings)
    train = read_rows(train_dir / "train.jsonl")
    dev = read_rows(train_dir / "dev.jsonl")
    t = time.time()
    model_pred = clf.decide(clf.scores(texts))
    model_s = time.time() - t
    results: dict[str, dict[str, Scores]] = {"fine-tuned": score_by_lang(y, model_pred, langs)}
    for baseline in (TfidfBaseline(), KeywordBaseline()):
        baseline.fit(train, dev)
        results[baseline.name] = score_by_lang(y, baseline.predict(texts), langs)
    out = [
        f"{data} — {len(rows)} rows; model {settings.model_dir.name} ({clf.backend}); baselines trained on "
        f"{train_dir / 'train.jsonl'} ({len(train)} rows), tuned on dev ({len(dev)} rows)",
        f"model inference: {model_s:.1f} s for {len(rows)} rows ({1000 * model_s / len(rows):.1f} ms/row, batched)",
        "",
        "macro-F1 and false-flag rate (share of label-free rows given any label):",
        summary_table(results),
        "",
        "per label, precision/recall/F1:",
        detail_table(results),
    ]
    if crosslingual:
        out += ["", crosslingual_report(clf, crosslingual)]
    if fairness:
        out += ["", fairness_report(clf, fairness)]
    return "\n".join(out)


def crosslingual_report(clf: Predictor, paths: Sequence[Path]) -> str:
    """Same message in en/hi/hi-Latn: how often do all three get the same label set?"""
    return _pooled(
        paths,
        lambda path: _consistency(clf, path),
        lambda k, n: f"cross-lingual consistency, {len(paths)} files pooled: {k / n:.1%} ({k}/{n}; {_interval(k, n)})",
    )


def _pooled(
    paths: Sequence[Path], measure: Callable[[Path], tuple[str, np.ndarray]], summary: Callable[[int, int], str]
) -> str:
    """One section per file, then, for several files, one line over all their items: a goal
    judged on several sets is judged on every item of them."""
    sections, hits, total = [], 0, 0
    for path in paths:
        text, per_item = measure(path)
        sections.append(text)
        hits, total = hits + int(per_item.sum()), total + len(per_item)
    if len(paths) > 1:
        sections.append(summary(hits, total))
    return "\n".join(sections)


def agreeing(flags: np.ndarray) -> np.ndarray:
    """Per parallel item, shape (items, languages, labels): do all its languages get the same labels?"""
    return np.asarray((flags == flags[:, :1]).all(axis=(1, 2)), dtype=bool)


def _consistency(clf: Predictor, path: Path) -> tuple[str, np.ndarray]:
    items = read_parallel(path)
    if not items:
        raise DataError("no parallel items to check consistency on", path=path)
    flat = [item[lg] for item in items for lg in LANGS]
    flags = clf.decide(clf.scores(flat)).reshape(len(items), len(LANGS), len(LABELS))
    same = agreeing(flags)
    gold = np.array([[lb in item["labels"] for lb in LABELS] for item in items])
    all_right = (flags == gold[:, None, :]).all(axis=(1, 2))
    per_lang = {lg: float((flags[:, k] == gold).all(axis=1).mean()) for k, lg in enumerate(LANGS)}
    lines = [
        f"cross-lingual consistency ({path.name}, {len(items)} messages x {len(LANGS)} languages):",
        f"  same labels in all three languages: {same.mean():.1%} ({int(same.sum())}/{len(items)}; "
        f"{_interval(int(same.sum()), len(items))})",
        f"  all three exactly right:            {all_right.mean():.1%}",
        "  exactly right per language:         " + ", ".join(f"{k} {v:.1%}" for k, v in per_lang.items()),
    ]
    for item, f, ok in zip(items, flags, same, strict=True):
        if not ok:
            got = {lg: [lb for lb, x in zip(LABELS, f[k], strict=True) if x] for k, lg in enumerate(LANGS)}
            lines.append(f"  differs {item.get('id', '?')}: gold {item['labels']} got {got}")
    return "\n".join(lines), same


def fairness_report(clf: Predictor, paths: Sequence[Path]) -> str:
    """Identity mentions with no advance or insult must get no flag."""
    return _pooled(
        paths,
        lambda path: _fairness(clf, path),
        lambda k, n: f"fairness, {len(paths)} files pooled: flagged {k} of {n} ({k / n:.1%}; {_interval(k, n)})",
    )


def _fairness(clf: Predictor, path: Path) -> tuple[str, np.ndarray]:
    raw = list(json_lines(path))
    if not raw:
        raise DataError("no identity-mention rows to check", path=path)
    rows = [parse_row(obj, path=path, line=n) for n, obj in raw]
    flags = clf.decide(clf.scores([r.text for r in rows]))
    flagged = np.asarray(flags.any(axis=1), dtype=bool)
    topics: dict[str, list[bool]] = {}
    for (_, obj), f in zip(raw, flagged.tolist(), strict=True):
        topics.setdefault(str(obj.get("topic", "?")), []).append(bool(f))
    lines = [
        f"fairness ({path.name}, {len(rows)} label-free identity mentions): flagged {int(flagged.sum())} "
        f"({flagged.mean():.1%}; {_interval(int(flagged.sum()), len(rows))})",
        "  per topic: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(topics.items())),
    ]
    for r, f, row_flags in zip(rows, flagged.tolist(), flags, strict=True):
        if f:
            got = [lb for lb, x in zip(LABELS, row_flags, strict=True) if x]
            lines.append(f"  flagged {got}: {r.text}")
    return "\n".join(lines), flagged


def _interval(hits: int, n: int) -> str:
    lo, hi = wilson_interval(hits, n)
    return f"95% interval {lo:.1%}-{hi:.1%}"
