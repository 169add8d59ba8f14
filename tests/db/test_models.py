from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.models import Base, Conversation, Message, User
from assistant.db.session import make_engine, sqlite_file

T0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)

CONTRACT = {
    "users": {"id", "name", "role", "token_hash", "language", "external_id", "created_at"},
    "conversations": {"id", "agent_id", "customer_id", "created_at", "last_message_at", "flagged", "reviewed"},
    "messages": {
        "id",
        "conversation_id",
        "client_message_id",
        "index",
        "role",
        "text",
        "created_at",
        "labels",
        "scores",
        "signals",
    },
    "nudges": {
        "id",
        "conversation_id",
        "message_id",
        "agent_id",
        "guideline",
        "trigger",
        "labels",
        "scores",
        "severity",
        "evidence",
        "title",
        "advice",
        "created_at",
        "delivered_at",
        "acked_at",
        "feedback",
        "feedback_at",
    },
    "alerts": {"id", "conversation_id", "message_id", "kind", "severity", "detail", "created_at"},
    "reviews": {"id", "conversation_id", "message_id", "supervisor_id", "action", "note", "created_at"},
}


def _agent(session: Session, name: str = "asha") -> User:
    user = User(name=name, role="agent", token_hash=name.ljust(64, "0"), language="en", created_at=T0)
    session.add(user)
    session.flush()
    return user


def _conversation(session: Session, cid: str = "c1") -> Conversation:
    conv = Conversation(id=cid, agent_id=_agent(session).id, created_at=T0, last_message_at=T0)
    session.add(conv)
    session.flush()
    return conv


def test_tables_follow_the_storage_contract(engine: Engine) -> None:
    found = inspect(engine)
    assert set(found.get_table_names()) == set(CONTRACT)
    for table, columns in CONTRACT.items():
        assert {c["name"] for c in found.get_columns(table)} == columns, table
    assert {c.name for c in Base.metadata.sorted_tables} == set(CONTRACT)


def test_indexes_and_unique_constraints(engine: Engine) -> None:
    found = inspect(engine)
    uniques = {tuple(u["column_names"]) for u in found.get_unique_constraints("messages")}
    assert {("conversation_id", "index"), ("client_message_id",)} <= uniques
    assert {("name",), ("token_hash",)} <= {tuple(u["column_names"]) for u in found.get_unique_constraints("users")}
    assert ["agent_id", "delivered_at"] in [i["column_names"] for i in found.get_indexes("nudges")]
    assert ["agent_id", "last_message_at"] in [i["column_names"] for i in found.get_indexes("conversations")]


def test_sqlite_engine_pragmas_and_folders(tmp_path) -> None:
    path = tmp_path / "a" / "b" / "x.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000
    engine.dispose()
    assert path.exists()
    assert sqlite_file(f"sqlite:///{path}") == path
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u@h/db") is None


def test_datetimes_come_back_aware_utc(sessions: sessionmaker[Session]) -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    with sessions.begin() as s:
        conv = _conversation(s)
        conv.last_message_at = datetime(2026, 1, 2, 8, 34, 5, 123456, tzinfo=ist)  # == T0
    with sessions() as s:
        back = s.get(Conversation, "c1")
        assert back is not None
        assert back.created_at == T0 and back.created_at.tzinfo == UTC
        assert back.last_message_at == T0 and back.last_message_at.utcoffset() == timedelta(0)
        assert s.scalar(select(Conversation.id).where(Conversation.last_message_at >= T0)) == "c1"
        assert s.scalar(select(Conversation.id).where(Conversation.last_message_at > T0)) is None


def test_naive_datetimes_are_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessions.begin() as s:
        conv = _conversation(s)
        conv.last_message_at = datetime(2026, 1, 1)
        s.flush()


def test_json_columns_round_trip(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        conv = _conversation(s)
        s.add(
            Message(
                conversation_id=conv.id,
                index=0,
                role="customer",
                text="आप बहुत cute हो",
                created_at=T0,
                labels=["flirtation"],
                scores={"flirtation": 0.93, "anger": 0.01},
                signals=[],
            )
        )
    with sessions() as s:
        m = s.scalars(select(Message)).one()
        assert (m.text, m.labels, m.scores, m.signals) == (
            "आप बहुत cute हो",
            ["flirtation"],
            {"flirtation": 0.93, "anger": 0.01},
            [],
        )
        assert m.flagged


def test_foreign_keys_are_enforced(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as s:
        s.add(Message(conversation_id="nope", index=0, role="customer", text="hi", created_at=T0))
        s.flush()


def test_check_constraints(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as s:
        conv = _conversation(s)
        s.add(Message(conversation_id=conv.id, index=0, role="system", text="hi", created_at=T0))
        s.flush()
    with pytest.raises(IntegrityError), sessions.begin() as s:
        s.add(User(name="x", role="boss", token_hash="0" * 64, created_at=T0))
        s.flush()


def test_message_index_is_unique_per_conversation(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        conv = _conversation(s)
        s.add(Message(conversation_id=conv.id, index=0, role="customer", text="a", created_at=T0))
    with pytest.raises(IntegrityError), sessions.begin() as s:
        s.add(Message(conversation_id="c1", index=0, role="agent", text="b", created_at=T0))
        s.flush()


def test_savepoints_roll_back_only_their_part(sessions: sessionmaker[Session]) -> None:
    """On SQLite this needs the engine's own BEGIN (the sqlite3 driver's legacy mode breaks savepoints)."""
    with sessions.begin() as s:
        conv = _conversation(s)
        s.add(Message(conversation_id=conv.id, index=0, role="customer", text="kept", created_at=T0))
        with pytest.raises(IntegrityError), s.begin_nested():
            s.add(Message(conversation_id=conv.id, index=0, role="customer", text="dup", created_at=T0))
    with sessions() as s:
        assert s.scalars(select(Message.text)).all() == ["kept"]


def test_ddl_is_transactional(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
        raise RuntimeError("abort")
    assert "scratch" not in inspect(engine).get_table_names()
