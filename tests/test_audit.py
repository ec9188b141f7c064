"""The audit log you can trust (docs/rules.md §8): every event with outcome, acting
organisation, client address and route; append-only through the ORM; a sha256 chain that
`flask audit verify` recomputes, naming the event where it breaks; denials, record views,
feed reads and exports logged."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from actieoverleg import audit, subscriptions
from actieoverleg.extensions import db
from actieoverleg.models import AuditChain, AuditEvent, Case
from actieoverleg.periods import last_complete_quarter
from actieoverleg.vocab import AuditAction, AuditOutcome

from .conftest import TEST_NOW


def last_event() -> AuditEvent:
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()


def append_only_triggers() -> list[str]:
    """The database's own guards on the audit table (models.APPEND_ONLY_TRIGGERS)."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal"
    return sorted(db.session.scalars(text(query)))


def as_the_database_owner() -> None:
    """Whoever owns the database can drop its guards: the chain still tells what they did."""
    on = "" if db.engine.dialect.name == "sqlite" else " ON audit_event"
    for name in append_only_triggers():
        db.session.execute(text(f"DROP TRIGGER {name}{on}"))


def some_events(world, n: int = 5) -> list[AuditEvent]:
    events = [audit.record(AuditAction.change, world.case, user=world.chair, detail=f"d{i}") for i in range(n)]
    db.session.commit()
    return events


# --- what an event says --------------------------------------------------------------------


def test_an_event_names_outcome_organisation_address_and_route(world, login_as):
    admin = login_as(world.admin)
    admin.post(f"/beheer/gebruikers/{world.vt_user.id}/deactiveren", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == ("deactivate", "User", world.vt_user.id)
    assert event.outcome == AuditOutcome.success.value
    assert event.organisation_id == world.admin.organisation_id
    assert event.client_addr == "192.0.2.7"
    assert event.route == "POST /beheer/gebruikers/<int:user_id>/deactiveren"  # the pattern, no id


def test_the_client_address_comes_from_the_proxy_only_when_it_is_trusted(app, world, login_as):
    forwarded = {"X-Forwarded-For": "198.51.100.9"}
    admin = login_as(world.admin)
    admin.post(f"/beheer/gebruikers/{world.vt_user.id}/deactiveren", headers=forwarded)
    assert last_event().client_addr == "127.0.0.1"  # TRUSTED_PROXIES=0: a client cannot claim an address


def test_the_cli_records_no_user_address_or_route(world):
    event = audit.record(AuditAction.change, world.case, user=None)
    db.session.commit()
    assert (event.user_id, event.organisation_id, event.client_addr, event.route) == (None, None, "", "")


# --- append-only ---------------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted_through_the_orm(world):
    event = some_events(world, 1)[0]
    event.detail = "anders"
    with pytest.raises(audit.AppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(audit.AppendOnly):
        db.session.flush()
    db.session.rollback()
    for statement in (update(AuditEvent).values(detail="x"), delete(AuditEvent)):
        with pytest.raises(audit.AppendOnly):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(AuditEvent, event.id).detail == "d0"


def test_the_database_refuses_to_change_or_delete_an_event_for_any_client(world):
    """Past the ORM, as another database client would: the triggers refuse, nothing changes."""
    event = some_events(world, 1)[0]
    statements = ["UPDATE audit_event SET detail = 'x'", "DELETE FROM audit_event"]
    if db.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_event")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.get(AuditEvent, event.id).detail == "d0"
    assert audit.verify()[1] == []


# --- the chain -----------------------------------------------------------------------------


def test_each_event_hashes_its_predecessor_in_id_order(world):
    events = some_events(world)
    everything = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert everything[0].prev_hash == audit.GENESIS
    for before, after in zip(everything, everything[1:]):
        assert after.prev_hash == before.hash and after.hash == audit.digest(after)
    assert db.session.get(AuditChain, audit.CHAIN_ID).last_hash == events[-1].hash
    assert audit.verify() == (len(everything), [])


def test_verify_reports_ok_and_exits_0(world, runner):
    some_events(world)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    count = db.session.scalar(select(func.count(AuditEvent.id)))
    assert f"Audit log intact: {count} event(s)." in result.output


def test_a_changed_event_is_named_and_exits_1(world, runner):
    events = some_events(world)
    as_the_database_owner()
    db.session.execute(text("UPDATE audit_event SET detail = 'x' WHERE id = :id"), {"id": events[2].id})
    db.session.commit()  # past the ORM, as a database client could
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Break at event {events[2].id}: content does not match its hash (changed)." in result.output


def test_a_deleted_event_is_named_by_its_successor(world, runner):
    events = some_events(world)
    as_the_database_owner()
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1].id})
    db.session.commit()
    breaks = audit.verify()[1]
    assert breaks[0].event_id == events[2].id  # and the head counts one event more than there are
    assert [b.event_id for b in breaks[1:]] == [None]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_events_deleted_at_the_end_are_noticed_by_the_head(world):
    events = some_events(world)
    as_the_database_owner()
    db.session.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": events[3].id})
    db.session.commit()
    assert [b.event_id for b in audit.verify()[1]] == [None]


def test_a_rolled_back_transaction_leaves_the_chain_whole(world):
    some_events(world, 2)
    audit.record(AuditAction.change, world.case, user=world.chair)
    db.session.rollback()
    some_events(world, 2)
    assert audit.verify()[1] == []


def test_concurrent_writers_take_turns_and_the_chain_follows_the_ids(app, world):
    """Real concurrency: threads with their own connection each commit events at once."""
    case_id, errors = world.case.id, []

    def write() -> None:
        try:
            with app.app_context():
                case = db.session.get(Case, case_id)
                for i in range(8):
                    audit.record(AuditAction.change, case, user=None, detail=f"t{i}")
                    audit.record(AuditAction.change, case, user=None, detail=f"u{i}")
                    db.session.commit()
                db.session.remove()
        except Exception as failed:  # pragma: no cover - reported below
            errors.append(failed)

    before = db.session.scalar(select(func.count(AuditEvent.id)))
    threads = [threading.Thread(target=write) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    count, breaks = audit.verify()
    assert breaks == [] and count == before + 3 * 8 * 2


# --- what is logged ------------------------------------------------------------------------


def test_a_403_is_logged_as_a_denial_with_the_route(world, login_as):
    member = login_as(world.vt_user)
    assert member.get("/beheer/gebruikers").status_code == 403
    event = last_event()
    assert (event.action, event.outcome, event.detail) == ("access", "denied", "403")
    assert event.route == "GET /beheer/gebruikers" and event.user_id == world.vt_user.id


def test_an_object_out_of_reach_answers_404_and_is_logged_an_unknown_one_is_not(world, login_as):
    chair = login_as(world.chair)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    assert chair.get(f"/overleggen/{world.other_meeting.id}").status_code == 404
    event = last_event()
    assert (event.action, event.outcome, event.detail) == ("access", "denied", "404")
    assert event.route == "GET /overleggen/<int:meeting_id>"
    assert chair.get(f"/casussen/{world.other_case.code}").status_code == 404
    assert last_event().route == "GET /casussen/<code>"
    counted = db.session.scalar(select(func.count(AuditEvent.id)))
    assert chair.get("/overleggen/999999").status_code == 404  # does not exist: nothing to log
    assert db.session.scalar(select(func.count(AuditEvent.id))) == counted == before + 2


def test_an_anonymous_request_logs_no_denial(world, client):
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    client.get("/beheer/gebruikers")
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_opening_a_record_is_logged(world, login_as):
    member = login_as(world.vt_user)
    assert member.get(f"/overleggen/{world.meeting.id}").status_code == 200
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == ("view", "Meeting", world.meeting.id)
    assert event.user_id == world.vt_user.id


def test_reading_the_calendar_feed_is_logged(world, client):
    token = subscriptions.renew(world.vt_user)
    db.session.commit()
    response = client.get(f"/agenda/{token}.ics")
    assert response.status_code == 200
    event = last_event()
    assert (event.action, event.object_type, event.detail) == ("view", "User", "agenda-abonnement")
    assert event.user_id == world.vt_user.id


def test_a_statistics_export_is_logged(world, login_as):
    national = login_as(world.national)
    period = last_complete_quarter(TEST_NOW.date()).key
    assert national.get(f"/statistieken/{period}/export.csv").status_code == 200
    event = last_event()
    assert event.action == "export" and period in event.detail and event.route.endswith("/export.csv")
