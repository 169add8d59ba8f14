"""Engines and sessions for SQLite (the default) and PostgreSQL.

SQLite gets, on every new connection: WAL journal mode (readers do not block the writer), foreign keys on,
a busy timeout, and real transactions -- SQLAlchemy emits ``BEGIN IMMEDIATE`` itself instead of the sqlite3
driver's legacy behaviour, so a transaction (savepoints and DDL included) is all-or-nothing, and two writers
queue on the busy timeout instead of failing with "database is locked" when one upgrades a read to a write.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 10_000


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return None
    database = u.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or u.query.get("mode") == "memory":
        return None
    return Path(database)


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for ``url``; for a SQLite file, its parent folders are created first."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(u, echo=echo, pool_pre_ping=True)
    path = sqlite_file(u)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(u, echo=echo)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, connection_record: ConnectionPoolEntry) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN; _sqlite_begin does
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # with WAL: never corrupt; a power cut may undo the last commits
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (the service returns them after the transaction).

    The crud functions never commit: run them inside ``with sessions.begin() as session:`` so that what one
    request writes is one transaction.
    """
    return sessionmaker(engine, expire_on_commit=False)
