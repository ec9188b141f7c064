"""Building a meeting's agenda (docs/rules.md §2).

Members put new cases and follow-ups on a coming agenda; the chair orders, times and removes
items. A case that needs the table comes by itself (`derive`) to the region's next regular
meeting, never to a spoed meeting, with its reasons: a point overdue or not done since its last
discussion, or the return date the chair chose. That is derived data, stored: `derived.py`
derives a region's agendas at the commit of every change that could alter them and
`flask meetings plan` does so daily, as time passes. Pages only read, so every count agrees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from . import audit, planning
from .clock import local_today, utcnow
from .extensions import db
from .formatting import local
from .models import ActionPoint, AgendaItem, Case, Meeting, Organisation, Preparation, Region, User, UTCDateTime
from .planning import start_of_today_utc
from .vocab import ActionStatus, AgendaReason, AuditAction, Handover, ItemKind, MeetingStatus

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
# Table aliases for `last_discussed`, whose outer query may read the same tables; made once,
# as building ORM aliases costs milliseconds per request.
_EARLIER_MEETING = Meeting.__table__.alias("earlier_meeting")
_EARLIER_ITEM = AgendaItem.__table__.alias("earlier_item")
Reasons = list[list[str]]  # [[AgendaReason code, ISO date, owner's short name or ""], …]


def visible_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda as shown: items in order, without removed ones."""
    return sorted((i for i in meeting.items if not i.removed), key=lambda i: i.position)


def table_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda as the meeting screen walks it: the visible items and, in their place, the ones
    deferred at this meeting (shown as such, so the chair can still take one back)."""
    return sorted((i for i in meeting.items if not i.removed or i.deferred_to_id), key=lambda i: i.position)


def add_items(meeting: Meeting, entries: Iterable[tuple[Case, ItemKind]]) -> list[AgendaItem]:
    """Put cases on the agenda (or back, if they were removed), each with a preparation row per
    needed partner. They go together, in the given order, where the region's chair wants new
    cases: at the end, or at the top. Returns the items that were not on the agenda yet."""
    existing = {i.case_id: i for i in meeting.items if i.case_id is not None}
    added: list[AgendaItem] = []
    for case, kind in entries:
        item = existing.get(case.id) if case.id is not None else None
        if item is None:
            item = AgendaItem(kind=kind)
            meeting.items.append(item)  # in the session first, so the links below cascade cleanly
            item.case = case
            item.preparations = [Preparation(organisation_id=o.id) for o in case.needed]
        elif item.removed:
            item.removed, item.removed_at, item.kind, item.reasons = False, None, kind, None
        else:
            continue
        added.append(item)
    others = [i.position for i in meeting.items if not i.removed and i not in added]
    start = min(others, default=1) - len(added) if meeting.region.new_items_first else max(others, default=0) + 1
    for offset, item in enumerate(added):
        item.position = start + offset
    return added


def add_item(meeting: Meeting, case: Case, kind: ItemKind) -> AgendaItem:
    """Put one case on the agenda; the item it already has there, if any."""
    added = add_items(meeting, [(case, kind)])
    return added[0] if added else next(i for i in meeting.items if i.case_id == case.id)


def follow_up(meeting: Meeting, case: Case, user: User) -> AgendaItem:
    """A member puts an existing case on a coming agenda again ("herbespreking")."""
    item = add_item(meeting, case, ItemKind.herbespreking)
    audit.record(AuditAction.follow_up, case, user=user)
    return item


# --- the automatic items -------------------------------------------------------------------


def last_discussed(case_id: ColumnElement[int]) -> ScalarSelect:
    """When the case was last discussed at a held meeting (correlated; NULL if never)."""
    meeting, item = _EARLIER_MEETING.c, _EARLIER_ITEM.c
    return (
        select(func.max(meeting.starts_at))
        .select_from(_EARLIER_ITEM.join(_EARLIER_MEETING, item.meeting_id == meeting.id))
        .where(item.case_id == case_id, meeting.status == MeetingStatus.afgesloten, item.removed.is_(False))
        .scalar_subquery()
    )


@dataclass
class _History:
    """What a case's return depends on: its last held discussion and the chair's last removal."""

    discussed: dt.datetime | None = None
    handover: Handover | None = None
    back: dt.date | None = None
    removed: dt.datetime | None = None
    points: list = field(default_factory=list)


def _histories(region_id: int, day: dt.date) -> dict[int, _History]:
    """The cases that may need the table, from the few rows that can qualify (through indexes):
    overdue open points, points not done since the last discussion, returns that are due."""
    point = ActionPoint
    columns = (point.case_id, point.organisation_id, point.status, point.due_date, point.result_at)
    points = union_all(
        select(*columns).where(
            point.region_id == region_id, point.status == ActionStatus.open, point.due_date < local_today()
        ),
        select(*columns).where(
            point.region_id == region_id,
            point.status == ActionStatus.niet_uitgevoerd,
            point.result_at > func.coalesce(last_discussed(point.case_id), literal(EPOCH, UTCDateTime)),
        ),
    ).subquery()
    returning = (
        select(AgendaItem.case_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            Meeting.region_id == region_id,
            Meeting.status == MeetingStatus.afgesloten,
            AgendaItem.removed.is_(False),
            AgendaItem.handover == Handover.terug,
            AgendaItem.return_date <= day,
            Meeting.starts_at == last_discussed(AgendaItem.case_id),
        )
    )
    found: dict[int, _History] = {}
    for row in db.session.execute(
        select(points, Organisation.short_name).join(Organisation, Organisation.id == points.c.organisation_id)
    ):
        found.setdefault(row.case_id, _History()).points.append(row)
    for case_id in db.session.scalars(returning):
        found.setdefault(case_id, _History())
    if not found:
        return found
    for row in db.session.execute(
        select(
            AgendaItem.case_id,
            AgendaItem.removed,
            AgendaItem.removed_at,
            AgendaItem.handover,
            AgendaItem.return_date,
            Meeting.starts_at,
            Meeting.status,
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(
            AgendaItem.case_id.in_(found),
            or_(
                and_(Meeting.status == MeetingStatus.afgesloten, AgendaItem.removed.is_(False)),
                and_(AgendaItem.removed_at.is_not(None), Meeting.is_extra.is_(False)),
            ),
        )
    ):
        history = found[row.case_id]
        if not row.removed and (history.discussed is None or row.starts_at > history.discussed):
            history.discussed, history.handover, history.back = row.starts_at, row.handover, row.return_date
        if row.removed_at is not None and (history.removed is None or row.removed_at > history.removed):
            history.removed = row.removed_at
    return found


def _reasons(history: _History, day: dt.date) -> Reasons:
    """Why the case needs the table at a meeting on `day`; empty if it does not (docs/rules.md §2).

    Only what happened since its last discussion or the chair's last removal of it counts. A
    return date the chair chose is kept: until then nothing brings the case back, and then its
    overdue points come with it. A case closed ("afgesloten") returns only for an open point.
    """
    back = history.back if history.handover is Handover.terug else None
    if back is not None and back > day:
        return []
    since = max((m for m in (history.discussed, history.removed) if m is not None), default=None)
    since_day = local(since).date() if since is not None else None
    found: set[tuple[str, str, str]] = set()
    if back is not None and (history.removed is None or back > local(history.removed).date()):
        found.add((AgendaReason.terug.value, back.isoformat(), ""))
    for point in history.points:
        if point.status is ActionStatus.open and (since_day is None or point.due_date > since_day):
            found.add((AgendaReason.verlopen.value, point.due_date.isoformat(), point.short_name))
        elif (
            point.status is ActionStatus.niet_uitgevoerd
            and history.handover is not Handover.afgesloten
            and (since is None or point.result_at > since)
        ):
            found.add((AgendaReason.niet_uitgevoerd.value, local(point.result_at).date().isoformat(), point.short_name))
    return [list(r) for r in sorted(found, key=lambda r: (r[0] != AgendaReason.terug.value, r[1], r[2]))]


def automatic_reasons(meeting: Meeting) -> dict[int, Reasons]:
    """The region's cases that need the table at this meeting, each with why; reads only."""
    day = local(meeting.starts_at).date()
    wanted = {case_id: _reasons(h, day) for case_id, h in _histories(meeting.region_id, day).items()}
    return {case_id: reasons for case_id, reasons in wanted.items() if reasons}


def _worked_on(item: AgendaItem, preparation: bool = True) -> bool:
    """Whether someone did something with an item already, so that withdrawing it would lose it
    (`preparation`: counting a partner's "voorbereid", which a deferral brings along)."""
    return bool(
        item.assessment
        or item.handover
        or item.shared
        or item.actions
        or (preparation and (item.planned_minutes is not None or any(p.prepared for p in item.preparations)))
    )


@dataclass
class Derived:
    """What `derive` changed."""

    added: int = 0
    withdrawn: int = 0


def derive(region_id: int) -> Derived:
    """Bring the region's coming agendas in line with the cases that need the table.

    The next regular meeting takes in each such case that is on no coming agenda yet, and its
    automatic items get their current reasons. An automatic item no longer wanted there (or
    on any other coming meeting) is withdrawn, unless someone worked on it already or its
    meeting has begun. Idempotent; flushes, never commits.
    """
    coming = list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.region_id == region_id,
                Meeting.status == MeetingStatus.gepland,
                Meeting.starts_at >= start_of_today_utc(),
            )
            .order_by(Meeting.starts_at, Meeting.id)
            .options(
                selectinload(Meeting.items).options(
                    selectinload(AgendaItem.preparations),
                    selectinload(AgendaItem.shared),
                    selectinload(AgendaItem.actions),
                )
            )
        )
    )
    target = next((m for m in coming if not m.is_extra), None)
    wanted = automatic_reasons(target) if target is not None else {}
    done = Derived()

    def withdraw(meeting: Meeting, item: AgendaItem) -> None:
        if meeting.starts_at > utcnow() and not _worked_on(item):
            meeting.items.remove(item)  # delete-orphan: gone, with its preparation rows
            done.withdrawn += 1

    for meeting in coming:
        if meeting is not target:
            for item in visible_items(meeting):
                if item.kind is ItemKind.automatisch:
                    withdraw(meeting, item)
    elsewhere = {i.case_id for m in coming if m is not target for i in visible_items(m)}
    for item in visible_items(target) if target is not None else []:
        if item.kind is not ItemKind.automatisch:
            continue
        reasons = wanted.get(item.case_id) if item.case_id not in elsewhere else None
        if not reasons:
            withdraw(target, item)
        elif item.reasons != reasons:
            item.reasons = reasons
    if target is not None:
        new = set(wanted) - elsewhere - {i.case_id for i in visible_items(target)}
        if new:
            cases = db.session.scalars(
                select(Case).where(Case.id.in_(new)).options(selectinload(Case.needed)).order_by(Case.id)
            )
            for item in add_items(target, [(case, ItemKind.automatisch) for case in cases]):
                item.reasons = wanted[item.case.id]
                done.added += 1
    db.session.flush()
    return done


# --- the chair's order, times and removals ---------------------------------------------------


def _renumber(items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position


def move_to(meeting: Meeting, item: AgendaItem, position: int, user: User) -> int:
    """Put an item at a place (1 is first) among the visible items, in one step; returns the
    place it got (a number past the end means last)."""
    items = [i for i in visible_items(meeting) if i is not item]
    position = min(max(position, 1), len(items) + 1)
    items.insert(position - 1, item)
    _renumber(items)
    audit.record(AuditAction.change, item, user=user, detail="positie")
    return position


def plan_minutes(item: AgendaItem, minutes: int | None, user: User) -> None:
    """The chair's time for an item (None: no time planned)."""
    item.planned_minutes = minutes
    audit.record(AuditAction.change, item, user=user, detail="tijd")


def place_new_items(region: Region, first: bool, user: User) -> None:
    """The chair decides where cases newly put on the region's agendas go: at the top or the end."""
    region.new_items_first = first
    audit.record(AuditAction.change, region, user=user, detail="nieuwe_casussen_" + ("boven" if first else "onder"))


@dataclass
class Timetable:
    """The planned time of an agenda against the meeting's duration."""

    starts: dict[int, dt.datetime]  # item id: planned start, while every item before it has a time
    planned: int  # minutes, all items together
    unplanned: int  # items without a time
    duration: int

    @property
    def over(self) -> int:
        return max(self.planned - self.duration, 0)


def timetable(meeting: Meeting, items: list[AgendaItem]) -> Timetable:
    starts: dict[int, dt.datetime] = {}
    at: dt.datetime | None = meeting.starts_at
    for item in items:
        if at is not None:
            starts[item.id] = at
            at = at + dt.timedelta(minutes=item.planned_minutes) if item.planned_minutes is not None else None
    return Timetable(
        starts=starts,
        planned=sum(i.planned_minutes or 0 for i in items),
        unplanned=sum(i.planned_minutes is None for i in items),
        duration=meeting.duration_minutes,
    )


class Discussed(Exception):
    """The case was discussed in this meeting already: taking it off the agenda would hide its
    steps from the record and leave its points open without the discussion they came from."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


POINTS_RECORDED = (
    "Deze casus is al besproken in dit overleg: er zijn actiepunten vastgelegd. Verwijder eerst de actiepunten."
)
STEPS_RECORDED = (
    "Deze casus is al besproken in dit overleg: er is een duiding, gedeelde informatie of een overdracht "
    "vastgelegd. Maak die eerst leeg op het overlegscherm, of kies bij stap 3 ‘Terug op de agenda op datum’ "
    "om de casus later te bespreken."
)


def remove(item: AgendaItem, user: User) -> None:
    """The chair takes an item off this meeting's agenda; the case returns by itself only when
    something new happens to it after now. Refused (`Discussed`) once a step or a point of this
    meeting is recorded for it; planned minutes and preparation do not count."""
    if item.actions:
        raise Discussed(POINTS_RECORDED)
    if item.assessment is not None or item.shared or item.handover is not None:
        raise Discussed(STEPS_RECORDED)
    item.removed = True
    item.removed_at = utcnow()
    audit.record(AuditAction.remove, item, user=user)


def carry_over(source: Meeting, target: Meeting) -> int:
    """Move a cancelled meeting's agenda to the next meeting; returns how many items moved."""
    items = visible_items(source)
    add_items(target, [(item.case, item.kind) for item in items])
    for item in items:
        item.removed = True
    return len(items)


class NoNextMeeting(Exception):
    """Deferring needs a regular meeting after this one."""

    message = (
        "Er is nog geen volgend overleg gepland om deze casus naar door te schuiven. Plan eerst het volgende overleg."
    )


def defer(item: AgendaItem, user: User) -> Meeting:
    """ "Niet besproken — doorschuiven": the case goes to the region's next regular meeting after
    this one, with its preparation (who prepared stays prepared) and planned time. Here it counts
    as not discussed: closing no longer asks for its steps, and neither statistics nor the
    automatic agenda see a discussion."""
    meeting = item.meeting
    target = planning.next_meeting(meeting.region_id, regular=True, after=meeting)
    if target is None:
        raise NoNextMeeting()
    moved = add_item(target, item.case, item.kind if item.kind is not ItemKind.automatisch else ItemKind.herbespreking)
    prepared = {p.organisation_id for p in item.preparations if p.prepared}
    for preparation in moved.preparations:
        if preparation.organisation_id in prepared and not preparation.prepared:
            preparation.prepared, preparation.updated_at = True, utcnow()
    if moved.planned_minutes is None:
        moved.planned_minutes = item.planned_minutes
    item.removed, item.deferred_to = True, target
    audit.record(AuditAction.defer, item, user=user, detail=f"naar_overleg_{target.id}")
    return target


def undefer(item: AgendaItem, user: User) -> None:
    """Take a deferral back ("Toch bespreken"): the item is on this agenda again, and its copy
    on the later agenda goes, unless someone worked on it there already."""
    target = item.deferred_to
    if target is not None and target.status is MeetingStatus.gepland:
        copy = next((i for i in visible_items(target) if i.case_id == item.case_id), None)
        if copy is not None and not _worked_on(copy, preparation=False):
            target.items.remove(copy)
    item.removed, item.deferred_to = False, None
    audit.record(AuditAction.undefer, item, user=user)


def set_prepared(preparation: Preparation, prepared: bool, user: User) -> None:
    """A needed partner says whether its information for this item is ready."""
    preparation.prepared = prepared
    preparation.updated_at = utcnow()
    preparation.updated_by_id = user.id


def open_points(case: Case) -> list[ActionPoint]:
    return [a for a in case.actions if a.is_open]
