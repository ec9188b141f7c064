"""Bring an existing database up to the models, as far as that is safe without migrations.

`create_all` adds missing tables but never columns or indexes. Indexes are ours to add and
drop (they hold no data); a missing column is reported, since filling it needs a decision.
"""

from __future__ import annotations

from sqlalchemy import inspect, text

from .extensions import db


def missing_columns() -> list[str]:
    """`table.column` for every model column the database lacks."""
    inspector = inspect(db.engine)
    return [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.name not in {c["name"] for c in inspector.get_columns(table.name)}
    ]


def sync_indexes() -> list[str]:
    """Create the models' indexes a database lacks and drop our (`ix_`) ones the models no
    longer declare, so an old database is as fast as a new one. Returns what changed."""
    inspector = inspect(db.engine)
    changed = []
    for table in db.metadata.sorted_tables:
        present = {i["name"] for i in inspector.get_indexes(table.name)}
        wanted = {i.name for i in table.indexes}
        for name in sorted(present - wanted):
            if name.startswith("ix_"):
                with db.engine.begin() as connection:
                    connection.execute(text(f"DROP INDEX {db.engine.dialect.identifier_preparer.quote(name)}"))
                changed.append(f"-{name}")
        for index in table.indexes:
            if index.name not in present:
                index.create(db.engine)
                changed.append(f"+{index.name}")
    return changed
