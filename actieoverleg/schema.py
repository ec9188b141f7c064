"""The database schema comes from migrations (Alembic through Flask-Migrate, in
actieoverleg/migrations): `flask init-db` runs them, so an upgrade keeps every row.

A database made before the migrations (by `create_all` in the release the baseline describes)
has the tables but no version table: it is adopted, stamped at the baseline, then upgraded.
What the migrations leave different from the models is named by :func:`differences` (a test
holds it empty), so a model change without its migration cannot land.
"""

from __future__ import annotations

from typing import Any

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from .extensions import db

BASELINE = "3803ea77970c"  # the schema of the last release without migrations (b8a5f6f)
VERSION_TABLE = "alembic_version"


def upgrade() -> str:
    """Bring the database to the newest migration; say what was done."""
    tables = set(inspect(db.engine).get_table_names())
    adopted = VERSION_TABLE not in tables and "user" in tables
    if adopted:
        flask_migrate.stamp(revision=BASELINE)
    flask_migrate.upgrade()
    return "adopted at the baseline and upgraded" if adopted else "up to date"


def differences() -> list[Any]:
    """What the database lacks or has beyond the models, as Alembic's autogenerate sees it."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return [d for d in compare_metadata(context, db.metadata) if not _ignored(d)]


def _ignored(difference: Any) -> bool:
    """The version table is Alembic's own, not a model."""
    return isinstance(difference, tuple) and difference[0] == "remove_table" and difference[1].name == VERSION_TABLE
