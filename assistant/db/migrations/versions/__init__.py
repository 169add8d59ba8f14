"""Alembic revisions, one module each (``rev_<revision>_<slug>.py``)."""
