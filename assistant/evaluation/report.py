"""Plain-text tables for ``assistant evaluate``."""

from __future__ import annotations

from assistant.evaluation.metrics import Scores
from assistant.labels import LABELS

SHORT = {
    "flirtation": "flirt",
    "date_request": "date",
    "contact_request": "contact",
    "gift_offer": "gift",
    "insult": "insult",
    "anger": "anger",
}


def summary_table(results: dict[str, dict[str, Scores]]) -> str:
    """Macro-F1 and false-flag rate per language, one column pair per system."""
    systems = list(results)
    langs = list(next(iter(results.values())))
    head = f"{'lang':<9}{'rows':>6}" + "".join(f"  {s[:14]:>14} F1 {'false':>6}" for s in systems)
    lines = [head, "-" * len(head)]
    for lg in langs:
        first = results[systems[0]][lg]
        cells = "".join(f"  {results[s][lg].macro_f1:>17.3f} {results[s][lg].false_flag_rate:>6.1%}" for s in systems)
        lines.append(f"{lg:<9}{first.rows:>6}{cells}")
    return "\n".join(lines)


def detail_table(results: dict[str, dict[str, Scores]]) -> str:
    """Precision/recall/F1 per label, per language, per system."""
    head = f"{'lang':<9}{'system':<14}" + "".join(f"{SHORT[lb]:>16}" for lb in LABELS)
    lines = [head, f"{'':<23}" + "".join(f"{'P/R/F1':>16}" for _ in LABELS), "-" * len(head)]
    langs = list(next(iter(results.values())))
    for lg in langs:
        for i, (system, by_lang) in enumerate(results.items()):
            s = by_lang[lg]
            cells = "".join(
                f"{_fmt(s.per_label[lb].precision)}/{_fmt(s.per_label[lb].recall)}/{_fmt(s.per_label[lb].f1):>4}".rjust(
                    16
                )
                if s.per_label[lb].support
                else f"{'-':>16}"
                for lb in LABELS
            )
            lines.append(f"{lg if i == 0 else '':<9}{system[:13]:<14}{cells}")
        support = "".join(f"{'n=' + str(next(iter(results.values()))[lg].per_label[lb].support):>16}" for lb in LABELS)
        lines.append(f"{'':<23}{support}")
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:.2f}".lstrip("0") if x < 1 else "1.0"
