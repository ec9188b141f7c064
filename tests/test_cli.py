"""init-db, demo, users create, meetings plan."""

from __future__ import annotations

import datetime
import re

import pytest
from sqlalchemy import func

from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, Meeting, OutboxMessage, User
from actieoverleg.vocab import ActionStatus, MeetingStatus, OutboxStatus, Role

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def test_init_db_is_idempotent(runner):
    assert "Database ready (" in runner.invoke(args=["init-db"]).output
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_demo_fills_every_role_and_prints_accounts(runner):
    result = runner.invoke(args=["demo", "--password", "demo-wachtwoord"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines() if line]  # the mail report: stderr
    assert all(len(fields) == 6 and fields[4] == "demo-wachtwoord" for fields in lines)
    # the last column: the TOTP secret of chairs and the admin (their app is set up), else empty
    for role, *_rest, secret in lines:
        assert re.fullmatch(r"[A-Z2-7]{32}", secret) if role in ("voorzitter", "beheerder") else secret == "", role
    roles = {fields[0] for fields in lines}
    assert roles == {"beheerder", "voorzitter", "deelnemer", "landelijk"}
    # per region a chair and a member of every organisation at the table
    for region in ("Rotterdam-Rijnmond", "Zuid-Holland-Zuid"):
        members = [f for f in lines if f[2] == region]
        assert sum(f[0] == "voorzitter" for f in members) == 1
        assert {f[1] for f in members if f[0] == "deelnemer"} >= {
            "Veilig Thuis",
            "Politie",
            "Openbaar Ministerie",
            "Raad voor de Kinderbescherming",
            "Reclassering Nederland",
            "Leger des Heils Jeugdbescherming & Reclassering",
            "Verslavingsreclassering GGZ",
        }
    closed = db.session.scalars(db.select(Meeting).filter_by(status=MeetingStatus.afgesloten)).all()
    assert len(closed) > 2 * 12 and all(m.items and m.attendances and m.chair_organisation_id for m in closed)
    statuses = {a.status for a in db.session.scalars(db.select(ActionPoint))}
    assert statuses == set(ActionStatus)
    planned = db.session.scalars(db.select(Meeting).filter_by(status=MeetingStatus.gepland)).all()
    assert planned and any(m.items for m in planned)


def test_demo_leaves_every_kind_of_mail_as_eml_files(app, runner, tmp_path):
    result = runner.invoke(args=["demo", "--password", "demo-wachtwoord"])
    assert "Demo mail: " in result.stderr and " 0 failed" in result.stderr
    kinds = {path.name.rsplit("-", 1)[1] for path in (tmp_path / "mail").glob("*.eml")}
    assert kinds == {"agenda.eml", "wijziging.eml", "afgelast.eml", "verslag.eml", "herinnering.eml"}
    assert (
        db.session.scalar(
            db.select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != OutboxStatus.verzonden)
        )
        == 0
    )


def test_demo_loads_only_into_an_empty_database(runner):
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "not empty" in result.output


def test_demo_random_passwords_differ(runner):
    result = runner.invoke(args=["demo"])
    passwords = [line.split("\t")[4] for line in result.stdout.strip().splitlines()]
    assert len(set(passwords)) == len(passwords)


def test_users_create(runner, world):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "nieuw@om.example",
            "--name",
            "Nieuwe Voorzitter",
            "--role",
            "voorzitter",
            "--organisation",
            "OM",
            "--region",
            "RR",
            "--password",
            "lang-genoeg-wachtwoord",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(db.select(User).filter_by(email="nieuw@om.example")).one()
    assert user.role is Role.voorzitter and [r.code for r in user.regions] == ["RR"]
    short = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@om.example",
            "--name",
            "X",
            "--role",
            "deelnemer",
            "--organisation",
            "OM",
            "--password",
            "kort",
        ]
    )
    assert short.exit_code != 0 and "minstens 12 tekens" in short.output


def test_meetings_plan_from_series(runner, world):
    import datetime as dt

    from actieoverleg.models import MeetingSeries
    from actieoverleg.vocab import MeetingForm

    db.session.add(MeetingSeries(region_id=world.rr.id, weekday=1, start_time=dt.time(13), form=MeetingForm.fysiek))
    db.session.commit()
    assert "8 meeting(s) planned; agendas:" in runner.invoke(args=["meetings", "plan"]).output
    assert "0 meeting(s) planned;" in runner.invoke(args=["meetings", "plan"]).output


def test_meetings_plan_brings_cases_whose_points_fell_overdue_to_the_next_agenda(
    runner, world, make_meeting, make_case, make_action, clock
):
    past = make_meeting(world.rr, days=-7)
    case = make_case(past, world.vt, world.vt_user)
    make_action(past.items[0], world.politie, world.chair, due_in=1)
    past.status = MeetingStatus.afgesloten
    db.session.commit()
    clock.shift(datetime.timedelta(days=2))  # nothing changed, but the point is overdue now
    assert "1 automatic item(s) added, 0 withdrawn" in runner.invoke(args=["meetings", "plan"]).output
    db.session.expire_all()
    assert case.id in {i.case_id for i in db.session.get(Meeting, world.meeting.id).items}
