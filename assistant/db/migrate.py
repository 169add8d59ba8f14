"""Schema migrations, run in code: no alembic.ini, the scripts ship inside the package.

``upgrade_to_head(url)`` brings any database (new or older) to the current schema; the service calls it at
start. To write a new revision after changing ``models.py``::

    python -m assistant.db.migrate revision "add a column" --url sqlite:///./dev.db

(the database at ``--url`` must be at head; the new module lands in ``assistant/db/migrations/versions``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from assistant.db.session import make_engine, sqlite_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` built in code; the URL travels in ``attributes`` (no ``%`` escaping needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "rev_%%(rev)s_%%(slug)s")
    config.set_main_option("version_path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration revisions in {MIGRATIONS_DIR}")
    return head


def upgrade_to_head(url: str) -> None:
    """Create or upgrade the schema at ``url`` (parent folders of a SQLite file are created)."""
    command.upgrade(alembic_config(url), "head")


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at; None for a database Alembic never touched (a missing
    SQLite file is not created)."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assistant.db.migrate", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("upgrade", "current"):
        sub.add_parser(name).add_argument("--url", required=True)
    rev = sub.add_parser("revision", help="autogenerate a new revision from models.py")
    rev.add_argument("message")
    rev.add_argument("--url", required=True)
    args = parser.parse_args(argv)
    if args.cmd == "upgrade":
        upgrade_to_head(args.url)
        print(current_revision(args.url))
    elif args.cmd == "current":
        print(current_revision(args.url))
    else:
        command.revision(alembic_config(args.url), message=args.message, autogenerate=True)


if __name__ == "__main__":
    main()
