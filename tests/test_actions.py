"""Action points between meetings (actieoverleg.actions) as plain functions: ticking off with
the version the user saw, what it records and audits and what it tells the next agenda and
the statistics; the owner's list and the start page's counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError

from actieoverleg import actions, lifecycle
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import ActionPoint, AuditEvent
from actieoverleg.periods import Period
from actieoverleg.vocab import ActionStatus

from .conftest import TEST_NOW
from .records import agenda_version, count, entries, make_ready, stale

pytestmark = pytest.mark.clock  # due dates and results are read against today
NOW = TEST_NOW.astimezone(dt.timezone.utc)  # the pinned instant every test starts at


def trail(action: ActionPoint) -> list[tuple[str, int | None, str]]:
    """The point's audit entries after the one made when it was agreed."""
    created, *found = entries(action)
    assert created[0] == "create"
    return found


# --- ticking off -------------------------------------------------------------------------


@pytest.mark.parametrize("result", ActionStatus.results())
def test_tick_off_records_the_result_who_and_when_and_is_audited_with_its_code(world, result):
    action, member = world.action, world.politie_user
    seen = action.version
    actions.tick_off(action, result, seen, member)
    db.session.commit()
    db.session.expire_all()
    assert (action.status, action.result_at, action.result_by_id) == (result, NOW, member.id)
    assert action.version > seen  # a form that still carries `seen` is refused
    assert trail(action) == [("tick_off", member.id, result.value)]


def test_reopening_clears_the_result_and_is_audited_as_reopen(world, clock):
    action, seen = world.action, world.action.version
    actions.tick_off(action, ActionStatus.overgedragen, seen, world.politie_user)
    db.session.commit()
    ticked = action.version
    clock.shift(dt.timedelta(hours=2))
    actions.tick_off(action, ActionStatus.open, ticked, world.politie_user2)
    db.session.commit()
    db.session.expire_all()
    assert (action.status, action.result_at, action.result_by_id) == (ActionStatus.open, None, None)
    assert action.version > ticked > seen
    assert action.is_overdue(TEST_NOW.date())  # it was due two days ago
    assert trail(action) == [
        ("tick_off", world.politie_user.id, "overgedragen"),
        ("reopen", world.politie_user2.id, ""),
    ]


def test_a_version_seen_before_someone_else_ticked_off_is_a_conflict_and_writes_nothing(world, clock):
    action = world.action
    seen = action.version  # both members loaded the list showing this version
    actions.tick_off(action, ActionStatus.afgerond, seen, world.politie_user)
    db.session.commit()
    ticked_at = action.result_at
    clock.shift(dt.timedelta(minutes=5))
    with pytest.raises(actions.Conflict):
        actions.tick_off(action, ActionStatus.niet_uitgevoerd, seen, world.politie_user2)
    db.session.commit()
    db.session.expire_all()
    assert (action.status, action.result_by_id, action.result_at) == (
        ActionStatus.afgerond,
        world.politie_user.id,
        ticked_at,
    )
    assert trail(action) == [("tick_off", world.politie_user.id, "afgerond")]


def test_the_version_column_catches_a_change_between_the_check_and_the_update(world):
    action = world.action
    db.session.commit()
    seen = action.version  # loaded, and still what this session holds
    with db.engine.begin() as other:  # another request ticks the point off meanwhile
        other.execute(
            update(ActionPoint)
            .where(ActionPoint.id == action.id)
            .values(status=ActionStatus.afgerond, version=ActionPoint.version + 1)
        )
    with pytest.raises(StaleDataError):
        actions.tick_off(action, ActionStatus.niet_mogelijk, seen, world.politie_user2)
    db.session.rollback()
    assert action.status is ActionStatus.afgerond and action.version == seen + 1
    assert count(AuditEvent, AuditEvent.action == "tick_off") == 0


def test_tick_off_leaves_the_commit_to_the_caller(world):
    actions.tick_off(world.action, ActionStatus.afgerond, world.action.version, world.politie_user)
    db.session.rollback()
    assert world.action.status is ActionStatus.open and world.action.result_at is None
    assert trail(world.action) == []


# --- what a result tells the next agenda and the statistics ------------------------------


def test_a_result_or_a_reopening_raises_the_regions_agenda_counter(world):
    action, before, elsewhere = world.action, agenda_version(world.rr), agenda_version(world.zhz)
    actions.tick_off(action, ActionStatus.niet_uitgevoerd, action.version, world.politie_user)
    assert agenda_version(world.rr) == before + 1  # "niet uitgevoerd" brings the case back
    actions.tick_off(action, ActionStatus.open, action.version, world.politie_user)
    assert agenda_version(world.rr) == before + 2
    assert agenda_version(world.zhz) == elsewhere


def test_a_result_marks_the_statistics_stale_only_for_a_point_of_a_closed_meeting(world, make_action):
    world.meeting.starts_at -= dt.timedelta(days=14)  # held last week
    later = make_action(world.item, world.politie, world.chair, due_in=5, text="Politie zet surveillance in")
    actions.tick_off(world.action, ActionStatus.afgerond, world.action.version, world.politie_user)
    db.session.flush()
    assert stale() == set()  # the meeting is still open: nothing counted yet
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    db.session.commit()  # recomputes what closing made stale
    assert stale() == set()
    actions.tick_off(later, ActionStatus.afgerond, later.version, world.politie_user)
    db.session.flush()
    held = Period.quarter_of(local(world.meeting.starts_at).date())
    marked = stale()
    assert {region for region, _ in marked} == {world.rr.id}
    assert {held.key, held.year_period.key} <= {period for _, period in marked}
    db.session.commit()
    assert stale() == set()


# --- the owner's list and the start page -------------------------------------------------


@pytest.fixture
def points(world, make_action) -> dict[str, ActionPoint]:
    """Politie's points in both regions, open and settled, and one of VT's."""
    found = {
        "late": world.action,  # open, due two days ago (RR)
        "zhz": world.other_action,  # open, due in a week (ZHZ)
        "today": make_action(world.item, world.politie, world.chair, due_in=0, text="Politie belt vandaag"),
        "soon": make_action(world.item, world.politie, world.chair, due_in=6, text="Politie plant gesprek"),
        "later": make_action(world.item, world.politie, world.chair, due_in=8, text="Politie evalueert"),
        "done": make_action(
            world.item, world.politie, world.chair, due_in=-30, status=ActionStatus.afgerond, text="Politie hoorde"
        ),
        "failed": make_action(
            world.item, world.politie, world.chair, due_in=-3, status=ActionStatus.niet_uitgevoerd, text="Politie ging"
        ),
        "vt": make_action(world.item, world.vt, world.chair, due_in=-1, text="VT belt school"),
    }
    db.session.commit()
    return found


def owned(world, status: str, region_id: int | None = None) -> list[int]:
    query = actions.owned_points_query(
        world.politie.id, {world.rr.id, world.zhz.id}, status, region_id, TEST_NOW.date()
    )
    return list(db.session.scalars(query).unique())


@pytest.mark.parametrize(
    "status, region, expected",
    [
        ("open", None, ["late", "today", "soon", "zhz", "later"]),  # overdue first, then soonest due
        ("te_laat", None, ["late"]),
        ("afgerond", None, ["done"]),
        ("niet_uitgevoerd", None, ["failed"]),
        ("overgedragen", None, []),
        ("alle", None, ["late", "today", "soon", "zhz", "later", "failed", "done"]),  # results: newest first
        ("open", "zhz", ["zhz"]),
        ("alle", "rr", ["late", "today", "soon", "later", "failed", "done"]),
    ],
)
def test_owned_points_are_the_organisations_in_its_regions_what_needs_doing_first(
    world, points, status, region, expected
):
    region_id = getattr(world, region).id if region else None
    assert owned(world, status, region_id) == [points[name] for name in expected]


def test_every_status_filter_is_a_result_or_a_named_view(world, points):
    keys = [key for key, _ in actions.STATUS_FILTERS]
    assert keys == ["open", "te_laat", *[s.value for s in ActionStatus.results()], "alle"]
    for key in keys:  # each is understood by the list (an unknown one would raise)
        assert set(owned(world, key)) <= set(owned(world, "alle"))


def test_count_due_counts_the_overdue_and_the_next_weeks_open_points(world, points):
    today = TEST_NOW.date()
    assert actions.count_due(world.politie.id, {world.rr.id, world.zhz.id}, today) == (1, 3)  # today, zhz, soon
    assert actions.count_due(world.politie.id, {world.rr.id}, today) == (1, 2)
    assert actions.count_due(world.politie.id, {world.rr.id}, today, days=8) == (1, 3)
    assert actions.count_due(world.vt.id, {world.rr.id}, today) == (1, 0)
    actions.tick_off(points["late"], ActionStatus.afgerond, points["late"].version, world.politie_user)
    assert actions.count_due(world.politie.id, {world.rr.id}, today) == (0, 2)
