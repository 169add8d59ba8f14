"""Alembic environment of the assistant's database, run in code by ``assistant.db.migrate`` (no alembic.ini)."""
