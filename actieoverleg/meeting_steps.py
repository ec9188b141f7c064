"""The meeting itself (docs/rules.md §3): the three steps per agenda item, attendance and the
chairing organisation, and what must be recorded before the chair can close. The record's
life cycle (plan, move, cancel, close, reopen) is `lifecycle.py`.

Each function here is an operation: it changes the record, writes its audit entry and
flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from . import audit
from .agenda import visible_items
from .extensions import db
from .models import ActionPoint, AgendaItem, Attendance, Meeting, Organisation, User
from .vocab import ActionKind, Assessment, AttendanceForm, AttendanceStatus, AuditAction, Handover

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
    """Step 2: an agreement owned by one organisation."""
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


def remove_action(action: ActionPoint, user: User) -> None:
    """Step 2: take back a point agreed in this (still open) meeting."""
    audit.record(AuditAction.delete, action, user=user)
    db.session.delete(action)
    db.session.flush()


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
