"""Building a meeting's agenda (docs/rules.md §2).

New cases and follow-ups are added by members; every case with action points that fell due
(or were not done) since its last discussion, and every case whose hand-over said "terug op
de agenda" on a date that has come, is added automatically to the region's next meeting.
A chair may remove an item; a removed automatic item stays removed for that meeting.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, ScalarSelect, func, literal, select, union, update

from . import audit
from .clock import utcnow
from .extensions import db
from .formatting import local
from .models import (
    ActionPoint,
    AgendaItem,
    Case,
    Meeting,
    Preparation,
    Region,
    User,
    UTCDateTime,
)
from .planning import next_meeting
from .vocab import ActionStatus, AuditAction, Handover, ItemKind, MeetingStatus

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
# Table aliases for `last_discussed`, whose outer query may read the same tables; made once,
# as building ORM aliases costs milliseconds per request.
_EARLIER_MEETING = Meeting.__table__.alias("earlier_meeting")
_EARLIER_ITEM = AgendaItem.__table__.alias("earlier_item")


def add_item(meeting: Meeting, case: Case, kind: ItemKind) -> AgendaItem:
    """Put a case on the agenda (or back, if it was removed), with a preparation row per needed partner."""
    item = next((i for i in meeting.items if i.case_id == case.id and case.id is not None), None)
    if item is not None:
        item.removed = False
        return item
    position = max((i.position for i in meeting.items), default=0) + 1
    item = AgendaItem(kind=kind, position=position)
    meeting.items.append(item)  # in the session first, so the links below cascade cleanly
    item.case = case
    item.preparations = [Preparation(organisation_id=o.id) for o in case.needed]
    return item


def visible_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda as shown: items in order, without removed ones."""
    return [i for i in meeting.items if not i.removed]


def last_discussed(case_id: ColumnElement[int]) -> ScalarSelect:
    """When the case was last discussed at a held meeting (correlated; NULL if never)."""
    meeting, item = _EARLIER_MEETING.c, _EARLIER_ITEM.c
    return (
        select(func.max(meeting.starts_at))
        .select_from(_EARLIER_ITEM.join(_EARLIER_MEETING, item.meeting_id == meeting.id))
        .where(item.case_id == case_id, meeting.status == MeetingStatus.afgesloten, item.removed.is_(False))
        .scalar_subquery()
    )


def automatic_case_ids(meeting: Meeting) -> list[int]:
    """Cases of the region that must come back: due or not-done points, or a return date reached.

    Runs on every view of the next meeting, so it starts from the few rows that can qualify
    (open points due, points not done, hand-overs "terug" in this region, through indexes) and
    only for those looks up the case's last discussion.
    """
    day = local(meeting.starts_at).date()
    region = meeting.region_id
    due = select(ActionPoint.case_id).where(
        ActionPoint.region_id == region, ActionPoint.status == ActionStatus.open, ActionPoint.due_date <= day
    )
    not_done = select(ActionPoint.case_id).where(
        ActionPoint.region_id == region,
        ActionPoint.status == ActionStatus.niet_uitgevoerd,
        ActionPoint.result_at > func.coalesce(last_discussed(ActionPoint.case_id), literal(EPOCH, UTCDateTime)),
    )
    returning = (
        select(AgendaItem.case_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            Meeting.region_id == region,
            Meeting.status == MeetingStatus.afgesloten,
            AgendaItem.removed.is_(False),
            AgendaItem.handover == Handover.terug,
            AgendaItem.return_date <= day,
            Meeting.starts_at == last_discussed(AgendaItem.case_id),
        )
    )
    wanted = union(due, not_done, returning).subquery()
    on_agenda = select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id)
    return list(
        db.session.scalars(
            select(wanted.c.case_id).where(wanted.c.case_id.not_in(on_agenda)).order_by(wanted.c.case_id)
        )
    )


def sync(meeting: Meeting) -> bool:
    """Add the automatic items to the region's next meeting; True if there is something to commit.

    The meeting remembers the region's `agenda_version` it was completed at, so viewing it
    again costs one small query until something that matters changes (see `derived.py`).
    """
    if meeting.status is not MeetingStatus.gepland or meeting.starts_at < utcnow() - dt.timedelta(days=1):
        return False
    upcoming = next_meeting(meeting.region_id)
    if upcoming is None or upcoming.id != meeting.id:
        return False
    current, synced = db.session.execute(
        select(Region.agenda_version, Meeting.agenda_synced_version)
        .join(Meeting, Meeting.region_id == Region.id)
        .where(Meeting.id == meeting.id)
    ).one()
    if current == synced:
        return False
    ids = automatic_case_ids(meeting)  # read after `current`: a change meanwhile raises it again
    if ids:
        for case in db.session.scalars(select(Case).where(Case.id.in_(ids))).unique():
            add_item(meeting, case, ItemKind.automatisch)
    db.session.execute(
        update(Meeting.__table__).where(Meeting.__table__.c.id == meeting.id).values(agenda_synced_version=current)
    )
    return True


def follow_up(meeting: Meeting, case: Case, user: User) -> AgendaItem:
    """A member puts an existing case on a coming agenda again ("herbespreking")."""
    item = add_item(meeting, case, ItemKind.herbespreking)
    audit.record(AuditAction.follow_up, case, user=user)
    return item


def move(meeting: Meeting, item: AgendaItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) among the visible items."""
    items = visible_items(meeting)
    index = items.index(item)
    target = index + offset
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, it in enumerate(items, start=1):
        if it.position != position:
            it.position = position


def remove(item: AgendaItem, user: User) -> None:
    """The chair takes an item off this meeting's agenda; an automatic one stays away from it."""
    item.removed = True
    audit.record(AuditAction.remove, item, user=user)


def carry_over(source: Meeting, target: Meeting) -> int:
    """Move a cancelled meeting's agenda to the next meeting; returns how many items moved."""
    moved = 0
    for item in visible_items(source):
        add_item(target, item.case, item.kind)
        item.removed = True
        moved += 1
    return moved


def set_prepared(preparation: Preparation, prepared: bool, user: User) -> None:
    """A needed partner says whether its information for this item is ready."""
    preparation.prepared = prepared
    preparation.updated_at = utcnow()
    preparation.updated_by_id = user.id


def open_points(case: Case) -> list[ActionPoint]:
    return [a for a in case.actions if a.is_open]
