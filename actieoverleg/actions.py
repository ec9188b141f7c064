"""Action points between meetings (docs/rules.md §4): the owner's list, ticking off, conflicts.

Ticking off carries the version the user saw; if the point changed since, nothing is
written and the caller shows the current state (optimistic locking; the mapper's
`version_id_col` also catches the race between our check and the UPDATE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.interfaces import ORMOption

from . import audit
from .clock import utcnow
from .extensions import db
from .models import ActionPoint, Case, User
from .vocab import ActionStatus, AuditAction


class Conflict(Exception):
    """The point was changed by someone else after the user loaded it."""


def tick_off(action: ActionPoint, status: ActionStatus, seen_version: int, user: User) -> None:
    """Record a result (or reopen with `open`), if the user saw the current version."""
    if seen_version != action.version:
        raise Conflict()
    action.status = status
    if status is ActionStatus.open:
        action.result_at = None
        action.result_by_id = None
        audit.record(AuditAction.reopen, action, user=user)
    else:
        action.result_at = utcnow()
        action.result_by_id = user.id
        audit.record(AuditAction.tick_off, action, detail=status.value, user=user)
    db.session.flush()


def people_of_points() -> tuple[ORMOption, ...]:
    """Loader options for the people named on a point: their names, not their regions or organisation."""
    return tuple(
        joinedload(person).options(lazyload(User.regions), lazyload(User.organisation))
        for person in (ActionPoint.assignee, ActionPoint.result_by)
    )


def owned_points_query(organisation_id: int, region_ids: set[int], status: str, region_id: int | None, today: dt.date):
    """The select for 'Onze actiepunten': what needs doing first, then the latest results."""
    query = (
        select(ActionPoint)
        .options(
            *people_of_points(),
            lazyload(ActionPoint.organisation),  # the user's own, already loaded
            joinedload(ActionPoint.case).lazyload(Case.organisation),  # the list shows code and region
        )
        .where(ActionPoint.organisation_id == organisation_id, ActionPoint.region_id.in_(region_ids))
    )
    if region_id is not None:
        query = query.where(ActionPoint.region_id == region_id)
    if status == "open":
        query = query.where(ActionPoint.status == ActionStatus.open)
    elif status == "te_laat":
        query = query.where(ActionPoint.status == ActionStatus.open, ActionPoint.due_date < today)
    elif status != "alle":
        query = query.where(ActionPoint.status == ActionStatus(status))
    is_open = ActionPoint.status == ActionStatus.open
    # open points first, overdue ones on top, soonest due first; then results, most recent first
    group = sql_case((is_open & (ActionPoint.due_date < today), 0), (is_open, 1), else_=2)
    open_by_due = sql_case((is_open, ActionPoint.due_date), else_=None)
    return query.order_by(group, open_by_due, ActionPoint.due_date.desc(), ActionPoint.id.desc())


STATUS_FILTERS = [
    ("open", "Open"),
    ("te_laat", "Te laat"),
    *[(s.value, s.label) for s in ActionStatus.results()],
    ("alle", "Alle"),
]


def count_due(organisation_id: int, region_ids: set[int], today: dt.date, days: int = 7) -> tuple[int, int]:
    """(overdue, due within `days`) open points of an organisation, for the start page."""
    soon = today + dt.timedelta(days=days)
    row = db.session.execute(
        select(
            func.count().filter(ActionPoint.due_date < today),
            func.count().filter(ActionPoint.due_date.between(today, soon)),
        )
        .select_from(ActionPoint)
        .where(
            ActionPoint.organisation_id == organisation_id,
            ActionPoint.region_id.in_(region_ids),
            ActionPoint.status == ActionStatus.open,
        )
    ).one()
    return row[0], row[1]
