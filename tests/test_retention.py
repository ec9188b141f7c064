"""Retention (docs/rules.md §8): a case at rest for twelve months loses its file reference and
action texts, and nothing else; the statistics read the same before and after."""

from __future__ import annotations

import datetime as dt

import pytest

from actieoverleg import actions, agenda, aggregates, retention
from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, AuditEvent, Case
from actieoverleg.periods import Period
from actieoverleg.vocab import ActionStatus, AuditAction, ItemKind, MeetingStatus

from .conftest import TEST_NOW

pytestmark = pytest.mark.clock


@pytest.fixture
def rested(world, clock, make_meeting, make_case, make_action):
    """Fourteen months ago a meeting discussed three cases: `done` has only finished points,
    `running` still has an open one, `planned` is on the world's coming agenda again."""
    clock.move_to(TEST_NOW - dt.timedelta(days=430))
    old = make_meeting(world.rr, days=7)
    cases = {
        name: make_case(old, world.vt, world.vt_user, needed=[world.vt, world.politie], file_reference=f"VT-{name}")
        for name in ("done", "running", "planned")
    }
    points = {name: make_action(case.items[0], world.politie, world.chair) for name, case in cases.items()}
    for name in ("done", "planned"):
        actions.tick_off(points[name], ActionStatus.results()[0], points[name].version, world.chair)
    old.status = MeetingStatus.afgesloten
    db.session.flush()
    clock.move_to(TEST_NOW)
    agenda.add_items(world.meeting, [(cases["planned"], ItemKind.herbespreking)])
    db.session.commit()
    return cases


def texts(case: Case) -> tuple[str | None, list[str]]:
    db.session.refresh(case)
    return case.file_reference, [a.text for a in case.actions]


def statistics(region_id: int) -> dict[str, list]:
    """Every stored cell of the region, per quarter from the old meeting until now."""
    aggregates.refresh_all()
    quarters = [Period.quarter_of((TEST_NOW - dt.timedelta(days=days)).date()) for days in range(0, 450, 30)]
    return {p.key: sorted(aggregates.figures(p, region_id).as_rows()) for p in quarters}


def test_only_a_case_at_rest_loses_its_reference_and_texts_and_the_statistics_stay(world, rested):
    before = statistics(world.rr.id)
    kept = {name: texts(case) for name, case in rested.items() if name != "done"} | {"world": texts(world.case)}

    result = retention.purge(TEST_NOW.date(), months=12)
    db.session.commit()

    assert result == retention.Purge(cases=1, file_references=1, action_texts=1)
    assert texts(rested["done"]) == (None, [retention.ERASED])
    assert {name: texts(case) for name, case in rested.items() if name != "done"} | {"world": texts(world.case)} == kept
    assert statistics(world.rr.id) == before
    event = db.session.scalars(db.select(AuditEvent).filter_by(action=AuditAction.retention.value)).one()
    assert event.detail == "casussen=1,verwijzingen=1,teksten=1" and event.user_id is None


def test_a_dry_run_counts_and_changes_nothing_and_a_second_purge_finds_nothing(world, rested):
    dry = retention.purge(TEST_NOW.date(), months=12, dry_run=True)
    db.session.commit()
    assert dry == retention.Purge(cases=1, file_references=1, action_texts=1)
    assert texts(rested["done"]) == ("VT-done", ["VT legt huisbezoek af"])
    retention.purge(TEST_NOW.date(), months=12)
    assert retention.purge(TEST_NOW.date(), months=12) == retention.Purge(0, 0, 0)
    assert db.session.scalar(db.select(db.func.count()).where(ActionPoint.text == retention.ERASED)) == 1


def test_a_longer_period_keeps_the_case(world, rested):
    assert retention.purge(TEST_NOW.date(), months=24) == retention.Purge(0, 0, 0)


@pytest.mark.parametrize(
    ("today", "months", "start"),
    [
        (dt.date(2026, 12, 9), 12, dt.date(2025, 12, 9)),
        (dt.date(2027, 3, 31), 1, dt.date(2027, 2, 28)),  # no 31 February: the month's last day
        (dt.date(2028, 2, 29), 12, dt.date(2027, 2, 28)),
        (dt.date(2027, 1, 15), 13, dt.date(2025, 12, 15)),
    ],
)
def test_the_period_counts_calendar_months(today, months, start):
    assert retention.cutoff(today, months).astimezone(dt.timezone(dt.timedelta(hours=1))).date() == start


def test_the_command_prints_counts_only(app, world, rested):
    output = app.test_cli_runner().invoke(args=["retention", "purge", "--dry-run"]).output
    assert output == "Would erase: 1 file reference(s) and 1 action text(s) of 1 case(s) at rest for 12 months.\n"
    assert rested["done"].code not in output and "VT-done" not in output
