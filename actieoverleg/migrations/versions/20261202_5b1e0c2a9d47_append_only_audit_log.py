"""Append-only audit log: the database refuses to change or delete an audit event, for every
client (the same triggers as models.APPEND_ONLY_TRIGGERS, which create_all makes). Written to
run also where they exist already: a database that create_all made without a version table is
adopted at the baseline and comes through here.

Revision ID: 5b1e0c2a9d47
Revises: 3803ea77970c
Create Date: 2026-12-02 12:30:00
"""

from alembic import op

revision = "5b1e0c2a9d47"
down_revision = "3803ea77970c"
branch_labels = None
depends_on = None

UP = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
        "CREATE OR REPLACE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE OR REPLACE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ),
}
DOWN = {
    "sqlite": ("DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"),
    "postgresql": (
        "DROP TRIGGER audit_event_no_truncate ON audit_event",
        "DROP TRIGGER audit_event_append_only ON audit_event",
        "DROP FUNCTION audit_event_append_only()",
    ),
}


def upgrade():
    for statement in UP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade():
    for statement in DOWN.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
