"""`demo --scale national`: a realistic history in bulk, consistent the way the app keeps it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from actieoverleg import create_app
from actieoverleg.aggregates import figures
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Case,
    Meeting,
    Region,
    StatCell,
    StatStale,
    User,
)
from actieoverleg.periods import Period
from actieoverleg.privacy import CASE_CODE_RE
from actieoverleg.vocab import ActionStatus, MeetingStatus

from .conftest import TEST_NOW

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """Two regions, one year, loaded once through the CLI: the database file and the account lines."""
    folder = tmp_path_factory.mktemp("national")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db.sqlite'}",
            "MAIL_DIR": str(folder / "mail"),
        }
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["demo", "--scale", "national", "--regions", "2", "--years", "1", "--password", "een-lang-wachtwoord"]
        )
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return folder / "db.sqlite", result.stdout


@pytest.fixture
def config(config, built, tmp_path):
    """Each test gets its own copy of the loaded database."""
    shutil.copy(built[0], tmp_path / "national.sqlite")
    return {**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'national.sqlite'}"}


@pytest.fixture
def national(app, built) -> str:
    return built[1]


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_accounts_print_and_sign_in(national, client):
    accounts = [line.split("\t") for line in national.splitlines()]
    assert {a[0] for a in accounts} == {"beheerder", "landelijk", "voorzitter", "deelnemer"}
    assert ["landelijk", "Openbaar Ministerie", "", "landelijk@demo.test", "een-lang-wachtwoord"] in accounts
    assert len(accounts) == 2 + 2 * 9  # a chair and a member per organisation at each table
    assert len({a[3] for a in accounts}) == len(accounts) == count(select(User))
    # one hash for all (argon2 is slow), and it is a real one
    assert len(set(db.session.scalars(select(User.password_hash)))) == 1
    response = client.post("/login", data={"email": "politie.gr@demo.test", "password": "een-lang-wachtwoord"})
    assert response.status_code == 303


def test_meetings_and_volumes(national):
    held = count(select(Meeting).where(Meeting.status == MeetingStatus.afgesloten))
    items = count(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status == MeetingStatus.afgesloten)
    )
    points = count(
        select(ActionPoint)
        .join(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status == MeetingStatus.afgesloten)
    )
    assert 95 <= held <= 115  # two regions, weekly for a year, a few extra, a few cancelled
    assert 7 <= items / held <= 12 and 2.5 <= points / items <= 4.5
    # closed meetings are in the past and complete; the coming eight weeks are planned
    now = TEST_NOW
    assert not count(select(Meeting).where(Meeting.status == MeetingStatus.afgesloten, Meeting.starts_at > now))
    assert not count(
        select(Meeting).where(
            Meeting.status == MeetingStatus.afgesloten,
            (Meeting.closed_at.is_(None) | Meeting.chair_organisation_id.is_(None) | Meeting.closed_by_id.is_(None)),
        )
    )
    assert count(select(Meeting).where(Meeting.status == MeetingStatus.gepland, Meeting.starts_at > now)) >= 2 * 7
    assert not count(select(Meeting).where(Meeting.status == MeetingStatus.gepland, Meeting.starts_at < now))
    assert count(select(Meeting).where(Meeting.is_extra.is_(True), Meeting.series_id.is_(None))) == count(
        select(Meeting).where(Meeting.is_extra.is_(True))
    )
    for starts in db.session.scalars(select(Meeting.starts_at)):
        assert starts.weekday() < 5  # never on a weekend


def test_cases_codes_and_history(national):
    prefix = dict(db.session.execute(select(Region.id, Region.code)).all())
    codes = db.session.execute(select(Case.code, Case.region_id)).all()
    assert len({c for c, _ in codes}) == len(codes)
    assert all(CASE_CODE_RE.fullmatch(c) and c.startswith(prefix[r] + "-") for c, r in codes)
    first = (
        select(AgendaItem.case_id, func.min(Meeting.starts_at).label("first"))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .group_by(AgendaItem.case_id)
        .subquery()
    )
    created = db.session.execute(select(Case.created_at, first.c.first).join(first, first.c.case_id == Case.id)).all()
    assert len(created) == len(codes)  # every case is on some agenda
    assert all(dt.timedelta(hours=1) <= f - c <= dt.timedelta(days=31) for c, f in created)
    # cases come back: discussed more than once, some of them months later
    span = db.session.execute(
        select(AgendaItem.case_id, func.min(Meeting.starts_at), func.max(Meeting.starts_at))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .group_by(AgendaItem.case_id)
        .having(func.count() > 1)
    ).all()
    assert len(span) > len(codes) / 5
    assert sum(last - first > dt.timedelta(days=60) for _c, first, last in span) > len(codes) / 50


def test_record_of_held_meetings(national):
    closed_items = (
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status == MeetingStatus.afgesloten)
    )
    for item in db.session.scalars(closed_items):
        assert item.assessment and item.handover and 2 <= len(item.shared) <= 5 and item.actions
        assert (item.return_date is not None) == (item.handover.value == "terug")
    not_held = select(Meeting.id).where(Meeting.status != MeetingStatus.afgesloten)
    assert not count(select(Attendance).where(Attendance.meeting_id.in_(not_held)))
    held = db.session.scalars(select(Meeting).where(Meeting.status == MeetingStatus.afgesloten)).unique().all()
    assert all({a.organisation_id for a in m.attendances} == {o.id for o in m.region.organisations} for m in held)
    assert not count(
        select(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status == MeetingStatus.geannuleerd)
    )


def test_action_points(national):
    today, now = local(TEST_NOW).date(), TEST_NOW
    points = db.session.scalars(select(ActionPoint)).unique().all()
    for point in points:
        assert (point.result_at is None) == (point.status is ActionStatus.open)
        assert point.result_at is None or point.result_at <= now
        assert point.is_open or point.result_by_id
        assert point.region_id == point.case.region_id  # "Onze actiepunten" filters on the copy
    open_points = [p for p in points if p.is_open]
    assert open_points and all(p.due_date >= today - dt.timedelta(days=7) for p in open_points)
    late = [p for p in points if p.result_at and p.result_at.date() > p.due_date]
    assert 0.02 < len(late) / len(points) < 0.4


def test_statistics_and_next_meeting(national, app):
    assert count(select(StatCell)) > 0 and not count(select(StatStale))
    last_held = db.session.scalar(select(func.max(Meeting.starts_at)).where(Meeting.status == MeetingStatus.afgesloten))
    assert figures(Period.quarter_of(last_held.date()).year_period).get("besproken").value > 0
    # the meeting screen has something to show: new cases on every region's next meeting
    from actieoverleg.planning import next_meeting

    for region_id in db.session.scalars(select(Region.id)):
        assert len(next_meeting(region_id).items) >= 3
