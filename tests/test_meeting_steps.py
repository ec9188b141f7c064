"""The meeting itself (actieoverleg.meeting_steps) as plain functions: each step changes the
record, writes its audit entry and leaves the commit to the caller; what a step promises of
derived data (the agenda counter, the statistics) and what closing still waits for."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from actieoverleg import agenda, lifecycle, meeting_steps
from actieoverleg.actions import Conflict, count_due, owned_points_query, tick_off
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, AuditEvent, OutboxMessage, RemovedAction
from actieoverleg.permissions import can_edit_record
from actieoverleg.vocab import (
    ActionKind,
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    Handover,
    MeetingForm,
    MeetingStatus,
)

from .conftest import TEST_NOW
from .records import agenda_version, count, entries, make_ready, stale

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


@pytest.fixture
def last_week(world) -> SimpleNamespace:
    """The world's meeting took place a week ago and is still open: a change the statistics
    counted would mark a period stale now (a quarter still to come is not counted yet)."""
    world.meeting.starts_at -= dt.timedelta(days=14)
    db.session.commit()
    return world


# --- step 1 and step 3 -------------------------------------------------------------------


def test_record_step1_replaces_who_shared_and_the_assessment_and_is_audited(world):
    item = world.item
    meeting_steps.record_step1(item, [world.politie, world.vt], Assessment.acuut, world.chair)
    db.session.commit()
    db.session.expire_all()
    assert [o.id for o in item.shared] == [world.vt.id, world.politie.id] and item.assessment is Assessment.acuut

    meeting_steps.record_step1(item, [world.om], None, world.chair)  # "nog niet geduid"
    db.session.commit()
    db.session.expire_all()
    assert [o.id for o in item.shared] == [world.om.id] and item.assessment is None
    assert entries(item) == [("change", world.chair.id, "stap1")] * 2


def test_the_step1_token_follows_the_content_not_the_saves(world):
    item = world.item
    untouched = meeting_steps.step1_state(item)
    meeting_steps.record_step1(item, [world.politie, world.vt], Assessment.acuut, world.chair)
    saved = meeting_steps.step1_state(item)
    assert (
        saved != untouched
        and saved == f"acuut|{min(world.vt.id, world.politie.id)},{max(world.vt.id, world.politie.id)}"
    )
    meeting_steps.record_step1(item, [world.vt, world.politie], Assessment.acuut, world.chair)
    assert meeting_steps.step1_state(item) == saved  # the same choice in another order: no conflict
    meeting_steps.record_step1(item, [world.vt, world.politie], Assessment.zorgelijk, world.chair)
    assert meeting_steps.step1_state(item) != saved  # a form that saw `saved` is now in conflict


def test_record_step3_keeps_a_return_date_only_with_terug(world):
    item, back = world.item, local_today() + dt.timedelta(days=28)
    meeting_steps.record_step3(item, Handover.terug, back, world.chair)
    assert (item.handover, item.return_date) == (Handover.terug, back)
    assert meeting_steps.step3_state(item) == f"terug|{back}"
    meeting_steps.record_step3(item, Handover.mda, back, world.chair)
    assert (item.handover, item.return_date) == (Handover.mda, None)
    meeting_steps.record_step3(item, None, back, world.chair)
    assert (item.handover, item.return_date) == (None, None) and meeting_steps.step3_state(item) == "|"
    db.session.commit()
    assert entries(item) == [("change", world.chair.id, "stap3")] * 3


# --- step 2 ------------------------------------------------------------------------------


def test_add_action_is_owned_by_one_organisation_and_copies_the_case_and_region(world):
    due = local_today() + dt.timedelta(days=10)
    before = agenda_version(world.rr)
    action = meeting_steps.add_action(
        world.item,
        world.politie,
        "  Politie spreekt pleger aan  ",
        ActionKind.structurele,
        due,
        world.politie_user,
        world.chair,
    )
    db.session.commit()
    db.session.expire_all()
    assert (action.case_id, action.region_id, action.agenda_item_id) == (world.case.id, world.rr.id, world.item.id)
    assert (action.organisation_id, action.assignee_id, action.kind, action.due_date) == (
        world.politie.id,
        world.politie_user.id,
        ActionKind.structurele,
        due,
    )
    assert action.text == "Politie spreekt pleger aan" and action.is_open and action.result_at is None
    assert action in world.item.actions
    assert entries(action) == [("create", world.chair.id, "")]
    assert agenda_version(world.rr) == before + 1  # a new point may bring its case to the next agenda


def test_remove_action_deletes_the_point_and_the_audit_trail_remains(world):
    action_id, before = world.action.id, agenda_version(world.rr)
    meeting_steps.remove_action(world.action, world.chair)
    db.session.commit()
    assert db.session.get(ActionPoint, action_id) is None and world.item.actions == []
    assert db.session.get(ActionPoint, world.other_action.id) is not None
    trail = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "ActionPoint", AuditEvent.object_id == action_id)
    ).all()
    assert trail == ["create", "delete"]
    assert agenda_version(world.rr) == before + 1  # its due date no longer brings the case back


# --- attendance and chair ----------------------------------------------------------------


def test_record_attendance_keeps_one_row_per_organisation_with_mandate_and_form_only_when_present(world):
    meeting = world.meeting
    meeting_steps.record_attendance(
        meeting, world.politie, AttendanceStatus.aanwezig, False, AttendanceForm.online, world.chair
    )
    (row,) = meeting.attendances
    assert (row.organisation_id, row.status, row.mandate, row.form) == (
        world.politie.id,
        AttendanceStatus.aanwezig,
        False,
        AttendanceForm.online,
    )
    meeting_steps.record_attendance(
        meeting, world.politie, AttendanceStatus.afgemeld, True, AttendanceForm.online, world.chair
    )
    db.session.commit()
    db.session.expire_all()
    (again,) = meeting.attendances
    assert again.id == row.id and (again.status, again.mandate, again.form) == (AttendanceStatus.afgemeld, None, None)
    assert entries(meeting) == [("change", world.chair.id, "aanwezigheid")] * 2


def test_attendance_rows_are_the_active_organisations_at_the_table_in_order(world):
    meeting_steps.record_attendance(world.meeting, world.om, AttendanceStatus.afwezig, None, None, world.chair)
    assert [(o.id, a.status if a else None) for o, a in meeting_steps.attendance_rows(world.meeting)] == [
        (world.vt.id, None),
        (world.politie.id, None),
        (world.om.id, AttendanceStatus.afwezig),
    ]
    world.politie.active = False  # drops out of choices, stays in history
    assert [o.id for o, _ in meeting_steps.attendance_rows(world.meeting)] == [world.vt.id, world.om.id]


def test_a_chosen_chair_stays_when_another_organisations_chair_closes(world):
    meeting_steps.set_chair(world.meeting, world.vt, world.chair)
    assert entries(world.meeting) == [("change", world.chair.id, "voorzitter")]
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)  # the closing chair is of the OM
    db.session.commit()
    db.session.expire_all()
    assert world.meeting.chair_organisation_id == world.vt.id


# --- closing and the locked record -------------------------------------------------------


def test_close_problems_list_what_each_visible_item_still_lacks(world, make_case):
    second = make_case(world.meeting, world.politie, world.politie_user)
    removed = make_case(world.meeting, world.vt, world.vt_user)
    agenda.remove(next(i for i in world.meeting.items if i.case is removed), world.chair)
    first, code = world.case.code, second.code
    assert meeting_steps.close_problems(world.meeting) == [
        f"{first}: stap 1, de duiding, ontbreekt.",
        f"{first}: stap 3, de overdracht, ontbreekt.",
        f"{code}: stap 1, de duiding, ontbreekt.",
        f"{code}: stap 3, de overdracht, ontbreekt.",
        "De aanwezigheid is nog niet vastgelegd.",
    ]  # nothing of the removed item
    make_ready(world)
    assert meeting_steps.close_problems(world.meeting) == [
        f"{code}: stap 1, de duiding, ontbreekt.",
        f"{code}: stap 3, de overdracht, ontbreekt.",
    ]
    item = next(i for i in world.meeting.items if i.case is second)
    meeting_steps.record_step1(item, [], Assessment.onvoldoende_zicht, world.chair)
    meeting_steps.record_step3(item, Handover.afgesloten, None, world.chair)
    assert meeting_steps.close_problems(world.meeting) == []


def test_item_progress_counts_the_steps_with_something_recorded(world, make_case):
    item = world.item  # it has a point: step 2
    assert meeting_steps.item_progress(item) == 1
    meeting_steps.record_step1(item, [], Assessment.acuut, world.chair)
    assert meeting_steps.item_progress(item) == 2
    meeting_steps.record_step3(item, Handover.zvh, None, world.chair)
    assert meeting_steps.item_progress(item) == 3
    case = make_case(world.meeting, world.om, world.chair)
    bare = next(i for i in world.meeting.items if i.case is case)
    assert meeting_steps.item_progress(bare) == 0
    meeting_steps.record_step3(bare, Handover.regulier, None, world.chair)
    assert meeting_steps.item_progress(bare) == 2  # a hand-over settles step 2 too


def test_a_closed_or_cancelled_record_is_locked_for_the_steps_even_for_the_chair(world):
    assert can_edit_record(world.meeting, world.chair) and not can_edit_record(world.meeting, world.vt_user)
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    lifecycle.cancel(world.other_meeting, world.other_chair)
    db.session.commit()
    assert world.meeting.status is MeetingStatus.afgesloten and not can_edit_record(world.meeting, world.chair)
    assert not can_edit_record(world.other_meeting, world.other_chair)


# --- derived data and the commit ---------------------------------------------------------


def test_the_other_steps_leave_the_agenda_counter_and_the_statistics_alone(last_week):
    w = last_week
    before = agenda_version(w.rr)
    make_ready(w)
    meeting_steps.record_step3(w.item, Handover.terug, local_today(), w.chair)  # due back, but not held yet
    meeting_steps.set_chair(w.meeting, w.politie, w.chair)
    db.session.flush()
    assert agenda_version(w.rr) == before and stale() == set()
    lifecycle.close(w.meeting, w.chair, before_start=True)  # closing is what the statistics and the next agenda see
    db.session.flush()
    assert agenda_version(w.rr) == before + 1 and {region for region, _ in stale()} == {w.rr.id}


def test_the_steps_leave_the_commit_to_the_caller(world):
    due = local_today() + dt.timedelta(days=10)  # the meeting is a week ahead
    meeting_steps.add_action(world.item, world.vt, "VT belt school", ActionKind.directe, due, None, world.chair)
    make_ready(world)
    db.session.rollback()
    db.session.expire_all()
    assert [a.id for a in world.item.actions] == [world.action.id]
    assert (world.item.assessment, world.item.handover, world.meeting.attendances) == (None, None, [])
    assert count(AuditEvent, AuditEvent.detail.in_(["stap1", "stap3", "aanwezigheid"])) == 0


# --- step 2 at the table: earlier points, editing, undo ----------------------------------


def test_earlier_points_are_the_cases_open_points_of_other_meetings_and_what_was_settled_today(discussed_before):
    w = discussed_before
    assert meeting_steps.earlier_points(w.item) == [w.earlier]  # not the point of this meeting
    tick_off(w.earlier, ActionStatus.afgerond, w.earlier.version, w.chair)
    assert meeting_steps.earlier_points(w.item) == [w.earlier]  # settled at the table: stays in view
    w.earlier.result_at -= dt.timedelta(days=2)  # settled before this meeting (and before today)
    assert meeting_steps.earlier_points(w.item) == []


def test_revise_action_moves_the_due_date_and_the_owner_and_audits_which(discussed_before):
    w, point = discussed_before, discussed_before.earlier
    later = meeting_steps.meeting_day(w.meeting) + dt.timedelta(days=14)
    changed = meeting_steps.revise_action(w.meeting, point, w.politie, later, point.version, w.chair)
    db.session.commit()
    db.session.expire_all()
    assert changed == ["organisation_id", "due_date", "assignee_id"]
    assert (point.organisation_id, point.due_date, point.assignee_id) == (w.politie.id, later, None)
    assert point.text == "VT legt huisbezoek af" and point.is_open  # the agreement itself stays
    assert entries(point)[-1] == ("change", w.chair.id, "eigenaar,termijn,persoon")
    # Only the due date: the named person stays with the same owner; unchanged writes nothing.
    point.assignee_id = w.politie_user.id
    db.session.commit()
    assert meeting_steps.revise_action(w.meeting, point, w.politie, later, point.version, w.chair) == []
    assert meeting_steps.revise_action(w.meeting, point, w.politie, later + dt.timedelta(1), point.version, w.chair)
    assert point.assignee_id == w.politie_user.id and entries(point)[-1][2] == "termijn"


def test_revise_action_refuses_a_stale_version_a_settled_point_and_a_due_date_before_the_meeting(discussed_before):
    w, point = discussed_before, discussed_before.earlier
    day = meeting_steps.meeting_day(w.meeting)
    seen = point.version
    tick_off(point, ActionStatus.niet_uitgevoerd, seen, w.politie_user)  # someone else, meanwhile
    db.session.commit()
    with pytest.raises(Conflict):
        meeting_steps.revise_action(w.meeting, point, w.vt, day, seen, w.chair)
    with pytest.raises(Conflict):  # seen the current version, but no longer open
        meeting_steps.revise_action(w.meeting, point, w.vt, day, point.version, w.chair)
    tick_off(point, ActionStatus.open, point.version, w.chair)
    with pytest.raises(meeting_steps.Refused, match="De termijn ligt vóór dit overleg") as refused:
        meeting_steps.revise_action(w.meeting, point, w.vt, day - dt.timedelta(days=1), point.version, w.chair)
    assert refused.value.field == "due_date"
    with pytest.raises(meeting_steps.Refused, match="binnen een jaar"):
        meeting_steps.revise_action(w.meeting, point, w.vt, day + dt.timedelta(days=400), point.version, w.chair)
    db.session.commit()
    db.session.expire_all()
    assert point.due_date == local_today() - dt.timedelta(days=3) and point.organisation_id == w.vt.id
    # an overdue point keeps its date when only the owner changes: the old date is not judged again
    assert meeting_steps.revise_action(w.meeting, point, w.om, point.due_date, point.version, w.chair) == [
        "organisation_id",
        "assignee_id",
    ]


def test_edit_action_corrects_a_point_of_this_meeting_and_honours_its_version(world):
    point, due = world.action, meeting_steps.meeting_day(world.meeting) + dt.timedelta(days=5)
    seen = point.version
    changed = meeting_steps.edit_action(
        point, world.vt, " VT belt school ", ActionKind.onderzoek, due, world.vt_user, seen, world.chair
    )
    db.session.commit()
    db.session.expire_all()
    assert changed == ["organisation_id", "text", "kind", "due_date", "assignee_id"]
    assert (point.organisation_id, point.text, point.kind, point.due_date, point.assignee_id) == (
        world.vt.id,
        "VT belt school",
        ActionKind.onderzoek,
        due,
        world.vt_user.id,
    )
    assert entries(point) == [
        ("create", world.chair.id, ""),
        ("change", world.chair.id, "eigenaar,tekst,soort,termijn,persoon"),
    ]
    with pytest.raises(Conflict):  # a screen that still shows the old version
        meeting_steps.edit_action(point, world.om, "OM belt", ActionKind.directe, due, None, seen, world.chair)
    with pytest.raises(meeting_steps.Refused, match="Kies een persoon van de eigenaar"):
        meeting_steps.edit_action(
            point, world.om, "OM belt", ActionKind.directe, due, world.vt_user, point.version, world.chair
        )
    db.session.commit()
    db.session.expire_all()
    assert point.text == "VT belt school" and len(entries(point)) == 2


def test_remove_and_undo_restores_the_same_point_and_audits_both(world, make_org):
    point = world.action
    point.assignee_id = world.politie_user.id
    db.session.commit()
    kept = (
        point.id,
        point.organisation_id,
        point.text,
        point.kind,
        point.due_date,
        point.assignee_id,
        point.created_at,
    )
    removed = meeting_steps.remove_action(point, world.chair)
    db.session.commit()
    assert db.session.get(ActionPoint, kept[0]) is None and world.item.actions == []
    assert "huisbezoek" not in removed.token and "verhoor" not in removed.token  # the token says nothing
    assert meeting_steps.removed_action(world.other_item, removed.token) is None  # only for its own item
    found = meeting_steps.removed_action(world.item, removed.token)
    restored = meeting_steps.restore_action(found, world.chair)
    db.session.commit()
    db.session.expire_all()
    assert (
        restored.id,
        restored.organisation_id,
        restored.text,
        restored.kind,
        restored.due_date,
        restored.assignee_id,
        restored.created_at,
    ) == kept
    assert world.item.actions == [restored] and restored.case_id == world.case.id
    assert [e[0] for e in entries(restored)] == ["create", "delete", "restore"]
    assert meeting_steps.removed_action(world.item, removed.token) is None  # undone once
    assert count(RemovedAction) == 0


def test_a_removed_point_is_nowhere_while_removed(world, make_action):
    """Onze actiepunten, the start page's counts and the follow-up read the points themselves."""
    kept = make_action(world.item, world.politie, world.chair, due_in=30, text="Politie spreekt pleger aan")
    meeting_steps.remove_action(world.action, world.chair)
    db.session.commit()
    today = local_today()
    owned = db.session.scalars(owned_points_query(world.politie.id, {world.rr.id}, "alle", None, today)).all()
    assert owned == [kept] and count_due(world.politie.id, {world.rr.id}, today) == (0, 0)
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    db.session.commit()
    politie_mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == world.politie_user.email)
    ).all()
    bodies = [m.raw.decode() for m in politie_mail]
    assert bodies and all("spreekt pleger aan" in b and "verhoor" not in b for b in bodies)


def test_only_the_latest_removal_can_be_undone_and_none_after_closing_or_a_day(world, make_action, clock):
    first = meeting_steps.remove_action(world.action, world.chair)
    second_point = make_action(world.item, world.vt, world.chair)
    second = meeting_steps.remove_action(second_point, world.chair)
    db.session.commit()
    assert meeting_steps.removed_action(world.item, first.token) is None
    assert meeting_steps.removed_action(world.item, second.token) is not None
    clock.shift(dt.timedelta(days=1, minutes=1))
    assert meeting_steps.removed_action(world.item, second.token) is None  # too late
    clock.move_to(TEST_NOW)
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    db.session.commit()
    assert count(RemovedAction) == 0  # no removed text outlives the meeting


# --- attendance in one click -------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (MeetingForm.fysiek, AttendanceForm.fysiek),
        (MeetingForm.online, AttendanceForm.online),
        (MeetingForm.hybride, None),
    ],
)
def test_all_present_records_every_organisation_without_attendance_with_mandate_in_one_entry(world, form, expected):
    meeting = world.meeting
    meeting.form = form
    meeting_steps.record_attendance(meeting, world.om, AttendanceStatus.afgemeld, None, None, world.chair)
    recorded = meeting_steps.record_all_present(meeting, world.chair)
    db.session.commit()
    db.session.expire_all()
    assert [o.id for o in recorded] == [world.vt.id, world.politie.id]
    rows = {a.organisation_id: (a.status, a.mandate, a.form) for a in meeting.attendances}
    assert rows == {
        world.vt.id: (AttendanceStatus.aanwezig, True, expected),
        world.politie.id: (AttendanceStatus.aanwezig, True, expected),
        world.om.id: (AttendanceStatus.afgemeld, None, None),  # what was recorded stays
    }
    assert entries(meeting) == [
        ("change", world.chair.id, "aanwezigheid"),
        ("change", world.chair.id, "allen_aanwezig"),
    ]
    assert meeting_steps.record_all_present(meeting, world.chair) == []  # nothing left: no entry either
    assert len(entries(meeting)) == 2
