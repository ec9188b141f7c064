"""Building held meetings straight into the database, for the statistics tests: dates in the
past, states as a chair leaves them after closing."""

from __future__ import annotations

import datetime as dt
import itertools

from actieoverleg.extensions import db
from actieoverleg.formatting import to_utc
from actieoverleg.models import ActionPoint, AgendaItem, Attendance, Case, Meeting, Organisation, Region
from actieoverleg.vocab import (
    ActionKind,
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    CaseKind,
    CaseReason,
    Children,
    Handover,
    ItemKind,
    MeetingForm,
    MeetingStatus,
)

_codes = itertools.count(1)


def held(
    region: Region,
    day: dt.date,
    form: MeetingForm = MeetingForm.fysiek,
    extra: bool = False,
    chair: Organisation | None = None,
    status: MeetingStatus = MeetingStatus.afgesloten,
) -> Meeting:
    meeting = Meeting(
        region=region,
        starts_at=to_utc(day, dt.time(13, 0)),
        form=form,
        is_extra=extra,
        status=status,
        chair_organisation_id=chair.id if chair else None,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def new_case(region: Region, organisation: Organisation, created: dt.date, kind: CaseKind = CaseKind.hg) -> Case:
    n = next(_codes)
    case = Case(
        code=f"{region.code}-{n:04d}"[-12:],
        region_id=region.id,
        organisation_id=organisation.id,
        created_at=to_utc(created, dt.time(9, 0)),
        kind=kind,
        children=Children.ja,
        reason=CaseReason.samenloop,
    )
    db.session.add(case)
    db.session.flush()
    return case


def discuss(
    meeting: Meeting,
    case: Case,
    assessment: Assessment = Assessment.acuut,
    handover: Handover = Handover.regulier,
    shared: tuple[Organisation, ...] = (),
) -> AgendaItem:
    item = AgendaItem(
        meeting_id=meeting.id,
        case_id=case.id,
        kind=ItemKind.nieuw,
        assessment=assessment,
        handover=handover,
        shared=list(shared),
    )
    db.session.add(item)
    db.session.flush()
    return item


def point(
    item: AgendaItem,
    owner: Organisation,
    due: dt.date,
    status: ActionStatus = ActionStatus.open,
    result: dt.date | None = None,
) -> ActionPoint:
    action = ActionPoint(
        case_id=item.case_id,
        region_id=item.case.region_id,
        agenda_item_id=item.id,
        organisation_id=owner.id,
        text="Huisbezoek plannen",
        kind=ActionKind.directe,
        due_date=due,
        status=status,
        result_at=to_utc(result, dt.time(11, 0)) if result else None,
    )
    db.session.add(action)
    db.session.flush()
    return action


def attend(
    meeting: Meeting,
    organisation: Organisation,
    status: AttendanceStatus,
    mandate: bool | None = None,
    form: AttendanceForm | None = None,
) -> None:
    db.session.add(
        Attendance(meeting_id=meeting.id, organisation_id=organisation.id, status=status, mandate=mandate, form=form)
    )
    db.session.flush()
