"""Storage of the live assistant: ORM models, engines and sessions, queries, Alembic migrations."""
