"""Derived data told of every change in one place (docs/architecture.md, "Derived data").

Two things are computed from the records and must follow them: the region's agenda counter
(`Region.agenda_version`, which tells `agenda.sync` the next agenda may need new automatic
items) and the statistics cells (`aggregates`). One `before_flush` watcher looks at what a
transaction changes and raises the first and marks the second stale; at commit the stale
statistics of this transaction are recomputed. An operation therefore only changes records:
a new kind of change needs no knowledge of either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from flask import Flask
from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from . import aggregates
from .formatting import local
from .models import ActionPoint, AgendaItem, Attendance, Meeting, Region

# What can put a case on the next agenda (`agenda.automatic_case_ids`): a point that is new or
# whose status, due date or result changed; a meeting planned, moved, closed, reopened,
# cancelled or deleted; an agenda item deleted, or changed in a closed meeting. A new item
# only takes a case off the list, and items of an open meeting are not read, so the steps of a
# meeting raise nothing.
AGENDA_FIELDS: dict[type, set[str]] = {
    ActionPoint: {"status", "due_date", "result_at"},
    Meeting: {"status", "starts_at"},
    AgendaItem: {"removed", "handover", "return_date"},
}
STALE_KEY = "statistics_stale"  # session.info: (region_id, day) marked in this transaction


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
    if isinstance(obj, ActionPoint):
        obj = obj.agenda_item or inspect(obj).session.get(AgendaItem, obj.agenda_item_id)
    if isinstance(obj, (AgendaItem, Attendance)):
        return obj.meeting or inspect(obj).session.get(Meeting, obj.meeting_id)
    return obj if isinstance(obj, Meeting) else None


def moves_agenda(obj: Any, changed: set[str] | None) -> int | None:
    """The region whose next agenda this change may add a case to, if any."""
    fields = AGENDA_FIELDS.get(type(obj))
    if fields is None:
        return None
    if changed is None:
        if isinstance(obj, AgendaItem) and inspect(obj).pending:
            return None  # a new item only takes a case off the list
        # A new meeting made through its region relationship has no region_id yet, and no items.
        return _meeting_of(obj).region_id if isinstance(obj, AgendaItem) else obj.region_id
    if not changed & fields:
        return None
    if isinstance(obj, AgendaItem):
        meeting = _meeting_of(obj)
        return meeting.region_id if meeting is not None and meeting.is_closed else None
    return obj.region_id


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
        table = Region.__table__
        session.connection().execute(
            update(table).where(table.c.id.in_(regions)).values(agenda_version=table.c.agenda_version + 1)
        )


def _refresh(session: Session) -> None:
    """Recompute, before the commit, the statistics this transaction made stale."""
    if not session.info.get(STALE_KEY):
        return
    session.flush()
    session.info.pop(STALE_KEY, None)
    aggregates.refresh_stale()


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(STALE_KEY, None)


def init_app(app: Flask) -> None:
    """Register the watchers once per process (they act on every session)."""
    for name, listener in (
        ("before_flush", _watch),
        ("before_commit", _refresh),
        ("after_rollback", _forget),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
