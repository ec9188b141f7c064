"""Derived data told of every change in one place (docs/architecture.md, "Derived data").

Two things are computed from the records and must follow them: the automatic agenda items
(`agenda.derive`) and the statistics cells (`aggregates`). One `before_flush` watcher looks at
what a transaction changes: it raises the region's agenda counter (`Region.agenda_version`)
and notes the region, and marks statistics stale. At commit the noted regions' agendas are
derived and the stale statistics of this transaction recomputed. An operation therefore only
changes records: a new kind of change needs no knowledge of either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from flask import Flask
from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from . import agenda, aggregates
from .formatting import local
from .models import ActionPoint, AgendaItem, Attendance, ItemGuest, Meeting, Preparation, Region

# What can change which cases come by themselves (`agenda.automatic_reasons`): a point that is
# new or whose status, due date or result changed; a meeting planned, moved, closed, reopened,
# cancelled or deleted; an agenda item put on or taken off an agenda, or its hand-over changed
# in a closed meeting. Other changes to items of an open meeting are not read, so the steps of
# a meeting raise nothing.
AGENDA_FIELDS: dict[type, set[str]] = {
    ActionPoint: {"status", "due_date", "result_at"},
    Meeting: {"status", "starts_at"},
    AgendaItem: {"removed", "handover", "return_date"},
}
HELD_ONLY = {"handover", "return_date"}  # of an item, read only once its meeting is held
STALE_KEY = "statistics_stale"  # session.info: (region_id, day) marked in this transaction
AGENDA_KEY = "agenda_regions"  # session.info: regions whose agendas this transaction may change


def _changes(session: Session) -> Iterator[tuple[Any, set[str] | None]]:
    """Every new, deleted or changed object with the names of its changed attributes (None: all)."""
    for obj in session.new:
        yield obj, None
    for obj in session.deleted:
        yield obj, None
    for obj in session.dirty:
        state = inspect(obj)
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        if changed:
            yield obj, changed


def _meeting_of(obj: Any) -> Meeting | None:
    """The meeting an object belongs to, also when it was made with a bare foreign key."""
    if isinstance(obj, (Preparation, ItemGuest)):
        obj = obj.item or inspect(obj).session.get(AgendaItem, obj.agenda_item_id)
    if isinstance(obj, ActionPoint):
        obj = obj.agenda_item or inspect(obj).session.get(AgendaItem, obj.agenda_item_id)
    if isinstance(obj, (AgendaItem, Attendance)):
        return obj.meeting or inspect(obj).session.get(Meeting, obj.meeting_id)
    return obj if isinstance(obj, Meeting) else None


def _region_of(obj: Meeting | ActionPoint) -> int:
    """Also for a meeting made through its region relationship, before the flush sets the key."""
    return obj.region_id if obj.region_id is not None else obj.region.id


def moves_agenda(obj: Any, changed: set[str] | None) -> int | None:
    """The region whose coming agendas this change may alter, if any."""
    fields = AGENDA_FIELDS.get(type(obj))
    relevant = fields if changed is None or fields is None else changed & fields
    if not relevant:
        return None
    if isinstance(obj, AgendaItem):
        meeting = _meeting_of(obj)
        if meeting is None or (changed is not None and relevant <= HELD_ONLY and not meeting.is_closed):
            return None
        return _region_of(meeting)
    return _region_of(obj)


def moves_statistics(obj: Any, changed: set[str] | None) -> tuple[int, dt.date] | None:
    """The region and meeting day whose statistics this change alters, if any.

    Statistics count held (closed) and cancelled meetings only: a change to a meeting's status,
    or to anything of a closed meeting (its items, attendance and points), counts.
    """
    meeting = _meeting_of(obj)
    if meeting is None or meeting.starts_at is None:
        return None
    status_changed = obj is meeting and changed is not None and "status" in changed
    if not (status_changed or meeting.is_closed):
        return None
    region_id = meeting.region_id if meeting.region_id is not None else meeting.region.id
    return region_id, local(meeting.starts_at).date()


def _watch(session: Session, _context: object, _instances: object) -> None:
    """Raise the agenda counter and mark statistics stale, in the transaction of the change."""
    regions: set[int] = set()
    stale: set[tuple[int, dt.date]] = session.info.setdefault(STALE_KEY, set())
    for obj, changed in _changes(session):
        region = moves_agenda(obj, changed)
        if region is not None:
            regions.add(region)
        day = moves_statistics(obj, changed)
        if day is not None and day not in stale:
            stale.add(day)
            aggregates.mark_stale(*day)
    if regions:
        session.info.setdefault(AGENDA_KEY, set()).update(regions)
        table = Region.__table__
        session.connection().execute(
            update(table).where(table.c.id.in_(regions)).values(agenda_version=table.c.agenda_version + 1)
        )


def _live(session: Session, _context: object) -> None:
    """After the flush wrote the change (its version checks first): raise the live counter of
    every meeting whose screens show it (live.py)."""
    meetings = {m.id for m in (_meeting_of(obj) for obj, _ in _changes(session)) if m is not None and m.id is not None}
    if meetings:
        table = Meeting.__table__
        session.connection().execute(
            update(table).where(table.c.id.in_(meetings)).values(live_version=table.c.live_version + 1)
        )


def _derive_agendas(session: Session) -> None:
    """Before the commit: derive the agendas of the regions this transaction touched, so that
    pages only read stored items. What `derive` itself changes needs no second pass."""
    if not session.info.get(AGENDA_KEY):
        return
    session.flush()
    for region_id in sorted(session.info.pop(AGENDA_KEY, set())):
        agenda.derive(region_id)
    session.info.pop(AGENDA_KEY, None)


def _refresh(session: Session) -> None:
    """Before the commit: derive the agendas, then recompute the statistics made stale."""
    _derive_agendas(session)
    if not session.info.get(STALE_KEY):
        return
    session.flush()
    session.info.pop(STALE_KEY, None)
    aggregates.refresh_stale()


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(STALE_KEY, None)
    session.info.pop(AGENDA_KEY, None)


def init_app(app: Flask) -> None:
    """Register the watchers once per process (they act on every session)."""
    for name, listener in (
        ("before_flush", _watch),
        ("after_flush", _live),
        ("before_commit", _refresh),
        ("after_rollback", _forget),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
