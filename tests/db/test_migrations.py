from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from assistant.db import crud
from assistant.db.migrate import MIGRATIONS_DIR, alembic_config, current_revision, head_revision, upgrade_to_head
from assistant.db.models import Base
from assistant.db.session import make_engine, make_sessionmaker


def _schema_diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_one_initial_revision_ships_in_the_package() -> None:
    versions = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py") if p.name != "__init__.py")
    assert versions == ["rev_0001_initial.py"]
    assert (MIGRATIONS_DIR / "env.py").is_file() and (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert head_revision() == "0001"


def test_upgrade_creates_exactly_the_models_schema(db_url: str) -> None:
    assert current_revision(db_url) is None
    upgrade_to_head(db_url)
    assert current_revision(db_url) == head_revision()
    assert _schema_diff(db_url) == []


def test_upgrade_is_idempotent_and_downgrade_removes_everything(db_url: str) -> None:
    upgrade_to_head(db_url)
    upgrade_to_head(db_url)
    assert current_revision(db_url) == "0001"
    command.downgrade(alembic_config(db_url), "base")
    assert current_revision(db_url) is None
    engine = make_engine(db_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade_to_head(db_url)
    assert _schema_diff(db_url) == []


def test_a_migrated_database_serves_the_queries(db_url: str) -> None:
    upgrade_to_head(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    with sessions.begin() as s:
        agent, token = crud.create_user(s, "asha", "agent")
        conv = crud.get_or_create_conversation(s, "c1", agent.id, None, now)
        crud.add_message(
            s,
            conv,
            role="customer",
            text="gift le lo",
            at=now,
            labels=["gift_offer"],
            scores={},
            signals=[],
            client_message_id="m1",
        )
    with sessions() as s:
        assert crud.user_by_token(s, token) is not None
        assert [c.id for c in crud.list_conversations(s, label="gift_offer")] == ["c1"]
    engine.dispose()


def test_current_revision_does_not_create_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "x.db"
    assert current_revision(f"sqlite:///{path}") is None
    assert not path.parent.exists()


def test_a_failing_upgrade_leaves_sqlite_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrations run in one transaction on SQLite too (the engine emits real BEGINs)."""
    from alembic.operations import Operations

    url = f"sqlite:///{tmp_path / 'x.db'}"
    real = Operations.create_index
    calls = {"n": 0}

    def failing(self: Operations, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Operations, "create_index", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        upgrade_to_head(url)
    engine = make_engine(url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()
    assert current_revision(url) is None
