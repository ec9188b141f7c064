"""Migrations (schema.py, actieoverleg/migrations): an empty database gets exactly the models'
schema; the latest migration goes down and up again; a database of the last release without
migrations, full of demo data, is adopted by `init-db` with every row and the same statistics."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text

from actieoverleg import aggregates, create_app, schema
from actieoverleg.extensions import db
from actieoverleg.models import StatCell

from .conftest import Auth, IsolatedClient
from .test_audit import append_only_triggers

RELEASE_DUMP = Path(__file__).parent / "data" / "release-b8a5f6f-demo.sql.gz"  # `sqlite3 .dump` of its make run
RELEASE_PASSWORD = "release-demo-wachtwoord"


@pytest.fixture
def bare(config: dict[str, Any]) -> Iterator[Flask]:
    """The app on a database file that holds nothing yet (no create_all)."""
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def rows_per_table() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the release, in a stable order."""
    tables = sorted(set(inspect(db.engine).get_table_names()) - {schema.VERSION_TABLE})
    with db.engine.connect() as connection:
        return {t: sorted(map(tuple, connection.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in tables}


def stat_cells() -> list[tuple[Any, ...]]:
    columns = [c for c in StatCell.__table__.columns if c.name != "id"]
    return sorted(map(tuple, db.session.execute(select(*columns))), key=repr)


def test_an_empty_database_gets_exactly_the_models_schema(bare):
    assert schema.upgrade() == "up to date"
    assert schema.differences() == []
    assert inspect(db.engine).has_table(schema.VERSION_TABLE)


def test_the_migrations_make_the_audit_logs_database_guards_as_create_all_does(bare):
    schema.upgrade()
    migrated = append_only_triggers()
    db.drop_all()
    db.session.execute(text(f"DROP TABLE {schema.VERSION_TABLE}"))
    db.session.commit()
    db.create_all()
    assert migrated == append_only_triggers() and len(migrated) >= 2


def test_the_latest_migration_goes_down_and_up_again(bare):
    schema.upgrade()
    flask_migrate.downgrade(revision="-1")
    flask_migrate.upgrade()
    assert schema.differences() == []


def test_a_model_change_without_its_migration_is_found(bare):
    """The check above can fail: a column the migrations do not make is named."""
    schema.upgrade()
    db.session.execute(text("ALTER TABLE meeting DROP COLUMN agenda_sent_at"))
    db.session.commit()
    assert [d[0] for d in schema.differences()] == ["add_column"]


def test_a_release_database_with_demo_data_is_adopted_with_every_row(bare, config):
    path = config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.executescript(gzip.decompress(RELEASE_DUMP.read_bytes()).decode())
    before, cells = rows_per_table(), stat_cells()
    assert len(before["action_point"]) > 50 and len(cells) > 100  # a database worth keeping

    result = bare.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database ready (adopted at the baseline and upgraded)." in result.output
    assert schema.differences() == []
    after = rows_per_table()
    for table, rows in before.items():  # later migrations may add columns, never lose a value
        width = len(rows[0]) if rows else 0
        assert sorted((r[:width] for r in after[table]), key=repr) == rows, table
    assert stat_cells() == cells
    aggregates.refresh_all()  # computed again from the kept rows: the same figures
    assert stat_cells() == cells
    assert db.session.scalar(select(func.count()).select_from(StatCell)) == len(cells)

    member = bare.test_client()
    assert Auth(member).login("politie.rr@demo.test", RELEASE_PASSWORD).status_code == 303
    assert "Onze actiepunten" in member.get("/actiepunten/").get_data(as_text=True)
    assert bare.test_cli_runner().invoke(args=["init-db"]).output.strip() == "Database ready (up to date)."
