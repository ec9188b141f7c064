"""The meeting itself (docs/rules.md §3): the three steps per agenda item, attendance and the
chairing organisation, and what must be recorded before the chair can close. The record's
life cycle (plan, move, cancel, close, reopen) is `lifecycle.py`.

Each function here is an operation: it changes the record, writes its audit entry and
flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Iterable

from sqlalchemy import delete

from . import audit
from .actions import Conflict
from .agenda import visible_items
from .clock import local_today, utcnow
from .extensions import db
from .formatting import local
from .models import ActionPoint, AgendaItem, Attendance, Meeting, Organisation, RemovedAction, User
from .vocab import (
    ActionKind,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    AuditAction,
    Handover,
    MeetingForm,
)

# What a removed point keeps for "Ongedaan maken", and for how long at most.
KEPT_ON_REMOVAL = (
    "case_id",
    "region_id",
    "organisation_id",
    "text",
    "kind",
    "due_date",
    "assignee_id",
    "status",
    "created_at",
    "result_at",
    "result_by_id",
)
UNDO_WITHIN = dt.timedelta(days=1)

STEPS = (
    (1, "Informatie delen en duiden"),
    (2, "Afspraken voor directe en structurele veiligheid"),
    (3, "Overdragen en uitvoeren"),
)


def record_step1(item: AgendaItem, shared: Iterable[Organisation], assessment: Assessment | None, user: User) -> None:
    """Which partners shared information, and the joint assessment (a category, never the information)."""
    item.shared = list(shared)
    item.assessment = assessment
    audit.record(AuditAction.change, item, user=user, detail="stap1")


def add_action(
    item: AgendaItem,
    organisation: Organisation,
    text: str,
    kind: ActionKind,
    due_date: dt.date,
    assignee: User | None,
    user: User,
) -> ActionPoint:
    """Step 2: an agreement owned by one organisation, due on or after the meeting's day (and
    within a year), optionally for one person of the owner. Raises `Refused`."""
    check_due_date(item.meeting, None, due_date)
    _check_assignee(organisation, assignee)
    action = ActionPoint(
        case_id=item.case_id,
        region_id=item.case.region_id,
        agenda_item=item,
        organisation=organisation,
        text=text.strip(),
        kind=kind,
        due_date=due_date,
        assignee=assignee,
    )
    db.session.add(action)
    db.session.flush()
    audit.record(AuditAction.create, action, user=user)
    return action


def remove_action(action: ActionPoint, user: User) -> RemovedAction:
    """Step 2: take back a point agreed in this (still open) meeting, without asking: the point
    is kept aside server-side, so "Ongedaan maken" (`restore_action`) can put it back. Only the
    item's latest removal can be undone; older ones, and any left from yesterday, are dropped."""
    db.session.execute(
        delete(RemovedAction).where(
            (RemovedAction.agenda_item_id == action.agenda_item_id)
            | (RemovedAction.removed_at < utcnow() - UNDO_WITHIN)
        )
    )
    removed = RemovedAction(
        token=secrets.token_urlsafe(32),
        agenda_item_id=action.agenda_item_id,
        removed_by_id=user.id,
        action_id=action.id,
        **{name: getattr(action, name) for name in KEPT_ON_REMOVAL},
    )
    db.session.add(removed)
    audit.record(AuditAction.delete, action, user=user)
    db.session.delete(action)
    db.session.flush()
    return removed


def record_step3(item: AgendaItem, handover: Handover | None, return_date: dt.date | None, user: User) -> None:
    """Where the case goes next; a return date only with 'terug op de agenda'."""
    item.handover = handover
    item.return_date = return_date if handover is Handover.terug else None
    audit.record(AuditAction.change, item, user=user, detail="stap3")


def step1_state(item: AgendaItem) -> str:
    """A token of what step 1 holds now; a form that saw another token is in conflict."""
    shared = ",".join(str(o.id) for o in sorted(item.shared, key=lambda o: o.id))
    return f"{item.assessment or ''}|{shared}"


def step3_state(item: AgendaItem) -> str:
    return f"{item.handover or ''}|{item.return_date or ''}"


def needs_return_date(item: AgendaItem) -> bool:
    """'Terug op de agenda' chosen, the date not yet: saved as it is, asked for at closing."""
    return item.handover is Handover.terug and item.return_date is None


def item_progress(item: AgendaItem) -> int:
    """How many of the three steps have something recorded (for the agenda's progress list)."""
    step3 = item.handover is not None and not needs_return_date(item)
    return sum((item.assessment is not None, bool(item.actions) or item.handover is not None, step3))


def attendance_rows(meeting: Meeting) -> list[tuple[Organisation, Attendance | None]]:
    """One row per organisation at the region's table, with what was recorded for it."""
    by_org = {a.organisation_id: a for a in meeting.attendances}
    return [(o, by_org.get(o.id)) for o in meeting.region.organisations if o.active]


def record_attendance(
    meeting: Meeting,
    organisation: Organisation,
    status: AttendanceStatus,
    mandate: bool | None,
    form: AttendanceForm | None,
    user: User,
) -> None:
    """Attendance per organisation; mandate and form only make sense for someone present."""
    row = next((a for a in meeting.attendances if a.organisation_id == organisation.id), None)
    if row is None:
        row = Attendance(organisation_id=organisation.id, status=status)
        meeting.attendances.append(row)
    row.status = status
    present = status is AttendanceStatus.aanwezig
    row.mandate = mandate if present else None
    row.form = form if present else None
    audit.record(AuditAction.change, meeting, user=user, detail="aanwezigheid")


def set_chair(meeting: Meeting, organisation: Organisation, user: User) -> None:
    """Which organisation chairs this meeting (a national indicator; the chair often rotates)."""
    meeting.chair_organisation_id = organisation.id
    audit.record(AuditAction.change, meeting, user=user, detail="voorzitter")


class Problem(str):
    """What closing still waits for (Dutch), and the agenda item it is about (None: the meeting)."""

    item_id: int | None

    def __new__(cls, text: str, item_id: int | None = None) -> Problem:
        problem = super().__new__(cls, text)
        problem.item_id = item_id
        return problem


def close_problems(meeting: Meeting) -> list[Problem]:
    """What must still be recorded before the chair can close, by case code, each pointing at its item."""
    problems = []
    for item in visible_items(meeting):
        if item.assessment is None:
            problems.append(Problem(f"{item.case.code}: stap 1, de duiding, ontbreekt.", item.id))
        if item.handover is None:
            problems.append(Problem(f"{item.case.code}: stap 3, de overdracht, ontbreekt.", item.id))
        elif needs_return_date(item):
            problems.append(Problem(f"{item.case.code}: stap 3, de datum van terugkomst, ontbreekt.", item.id))
    if not meeting.attendances:
        problems.append(Problem("De aanwezigheid is nog niet vastgelegd."))
    return problems


# --- step 2: the points at the table (docs/rules.md §3) -----------------------------------


class Refused(ValueError):
    """A change the rules do not allow; the message (Dutch) says what to choose instead."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# Field codes for the audit detail: which fields a change touched, never what they say.
CHANGE_CODES = {
    "organisation_id": "eigenaar",
    "text": "tekst",
    "kind": "soort",
    "due_date": "termijn",
    "assignee_id": "persoon",
}
DUE_WITHIN = dt.timedelta(days=366)


def meeting_day(meeting: Meeting) -> dt.date:
    return local(meeting.starts_at).date()


def check_due_date(meeting: Meeting, current: dt.date | None, due_date: dt.date) -> None:
    """A due date set at the table lies on or after the meeting's day and within a year of it:
    an agreement made at the meeting cannot already be due before it (it would come back as
    overdue at once), and a year ahead catches a mistyped year. An unchanged date is not
    judged again: an earlier point may already be overdue, which is why it is discussed."""
    if due_date == current:
        return
    day = meeting_day(meeting)
    if due_date < day:
        raise Refused("due_date", f"De termijn ligt vóór dit overleg. Kies {day:%d-%m-%Y} of later.")
    if due_date > day + DUE_WITHIN:
        raise Refused("due_date", "Kies een termijn binnen een jaar na dit overleg.")


def _check_assignee(owner: Organisation, assignee: User | None) -> None:
    if assignee is not None and assignee.organisation_id != owner.id:
        raise Refused("assignee_id", "Kies een persoon van de eigenaar, of geen persoon.")


def _change(action: ActionPoint, seen_version: int, user: User, **fields: Any) -> list[str]:
    """Write the fields that differ, if the user saw the current version; audit which ones."""
    if seen_version != action.version:
        raise Conflict()
    changed = [name for name, value in fields.items() if getattr(action, name) != value]
    for name in changed:
        setattr(action, name, fields[name])
    if changed:
        detail = ",".join(CHANGE_CODES[name] for name in changed)
        audit.record(AuditAction.change, action, user=user, detail=detail)
        db.session.flush()
    return changed


def edit_action(
    action: ActionPoint,
    organisation: Organisation,
    text: str,
    kind: ActionKind,
    due_date: dt.date,
    assignee: User | None,
    seen_version: int,
    user: User,
) -> list[str]:
    """Step 2: correct a point agreed in this meeting, until the record is closed. Returns the
    fields that changed (none: nothing is written). Raises `Conflict` or `Refused`."""
    check_due_date(action.agenda_item.meeting, action.due_date, due_date)
    _check_assignee(organisation, assignee)
    return _change(
        action,
        seen_version,
        user,
        organisation_id=organisation.id,
        text=text.strip(),
        kind=kind,
        due_date=due_date,
        assignee_id=assignee.id if assignee else None,
    )


def revise_action(
    meeting: Meeting, action: ActionPoint, organisation: Organisation, due_date: dt.date, seen_version: int, user: User
) -> list[str]:
    """Step 2: the table agrees anew on an open point of an earlier meeting: a later due date,
    or another owner (the named person goes with the old owner). Its text stays as agreed then.
    Raises `Conflict` (changed meanwhile, or no longer open) or `Refused`."""
    if not action.is_open:
        raise Conflict()
    check_due_date(meeting, action.due_date, due_date)
    assignee_id = action.assignee_id if organisation.id == action.organisation_id else None
    return _change(
        action, seen_version, user, organisation_id=organisation.id, due_date=due_date, assignee_id=assignee_id
    )


def restore_action(removed: RemovedAction, user: User) -> ActionPoint:
    """ "Ongedaan maken": the removed point back as it was, under its old id when still free."""
    free = db.session.get(ActionPoint, removed.action_id) is None
    action = ActionPoint(
        id=removed.action_id if free else None,
        agenda_item_id=removed.agenda_item_id,
        **{name: getattr(removed, name) for name in KEPT_ON_REMOVAL},
    )
    db.session.add(action)
    db.session.delete(removed)
    db.session.flush()
    audit.record(AuditAction.restore, action, user=user)
    return action


def removed_action(item: AgendaItem, token: str) -> RemovedAction | None:
    """The removal of this item that `token` can undo, if it still can."""
    return db.session.scalars(
        db.select(RemovedAction).where(
            RemovedAction.token == token,
            RemovedAction.agenda_item_id == item.id,
            RemovedAction.removed_at >= utcnow() - UNDO_WITHIN,
        )
    ).first()


def forget_removed(meeting: Meeting) -> None:
    """At closing: what could still be undone goes, so no removed text outlives the meeting."""
    item_ids = db.select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id)
    db.session.execute(delete(RemovedAction).where(RemovedAction.agenda_item_id.in_(item_ids)))


def earlier_points(item: AgendaItem) -> list[ActionPoint]:
    """The case's points from earlier meetings that the table goes through: the open ones, and
    those settled since the meeting's day (or today, for a meeting still ahead), so a result
    recorded at the table stays in view. By due date, so a row keeps its place."""
    since = min(meeting_day(item.meeting), local_today())
    return sorted(
        (
            a
            for a in item.case.actions
            if a.agenda_item_id != item.id and (a.is_open or (a.result_at and local(a.result_at).date() >= since))
        ),
        key=lambda a: (a.due_date, a.id),
    )


# --- attendance in one click ------------------------------------------------------------


def attendance_form_of(meeting: Meeting) -> AttendanceForm | None:
    """The form everyone present shares: that of a fysiek or online meeting. A hybride meeting
    leaves it open: guessing would count online partners as fysiek in the statistics."""
    return {MeetingForm.fysiek: AttendanceForm.fysiek, MeetingForm.online: AttendanceForm.online}.get(meeting.form)


def record_all_present(meeting: Meeting, user: User) -> list[Organisation]:
    """ "Allen aanwezig": every organisation at the table without attendance yet is recorded as
    present, with mandate, in the meeting's form; what was recorded already stays. One audit entry."""
    missing = [o for o, row in attendance_rows(meeting) if row is None]
    for organisation in missing:
        meeting.attendances.append(
            Attendance(
                organisation_id=organisation.id,
                status=AttendanceStatus.aanwezig,
                mandate=True,
                form=attendance_form_of(meeting),
            )
        )
    if missing:
        audit.record(AuditAction.change, meeting, user=user, detail="allen_aanwezig")
        db.session.flush()
    return missing
