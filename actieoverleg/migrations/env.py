"""Alembic's environment, run by Flask-Migrate (`flask db …`) and by `flask init-db`.

Logging is left to the app (no fileConfig: it would silence the app's loggers). Our own column
types are written into migrations as what they store (a naive UTC DateTime), so a migration
never imports the models, which change after it was written.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

config = context.config
migrate = current_app.extensions["migrate"]


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | bool:
    """A TypeDecorator column as its underlying type (`sa.DateTime()` for UTCDateTime)."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def skip_empty(context_: Any, revision: Any, directives: list[Any]) -> None:
    """`flask db migrate` writes no file when the models did not change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def run() -> None:
    options = dict(migrate.configure_args)
    options.setdefault("process_revision_directives", skip_empty)
    options.setdefault("render_item", render_item)
    with migrate.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=migrate.db.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


run()
