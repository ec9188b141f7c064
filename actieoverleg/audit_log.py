"""Beheer › Auditlog, read side: the filtered, paged query and how each object is named
(a case by its code, a meeting by region and date, a user by name), in a fixed number of
queries: one per kind of object on the page, never one per row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from .bounds import bounded_int
from .extensions import db
from .formatting import local, to_utc
from .models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    AuditEvent,
    Case,
    Meeting,
    MeetingSeries,
    Organisation,
    Region,
    User,
    user_region,
)
from .vocab import AuditAction, AuditOutcome


@dataclass
class Filters:
    """What Beheer › Auditlog is narrowed to; each unknown or malformed value means "all"."""

    user_id: int | None = None
    account_id: int | None = None  # events about this account (its object), by whoever
    region_id: int | None = None
    action: str = ""
    outcome: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def parse(cls, args: Any) -> "Filters":
        def number(name: str) -> int | None:
            return args.get(name, type=bounded_int)

        def day(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        action = args.get("actie", "")
        outcome = args.get("uitkomst", "")
        return cls(
            user_id=number("gebruiker"),
            account_id=number("account"),
            region_id=number("regio"),
            action=action if action in dict(AuditAction.choices()) else "",
            outcome=outcome if outcome in dict(AuditOutcome.choices()) else "",
            since=day("van"),
            until=day("tot"),
        )

    def args(self) -> dict[str, Any]:
        """The filters as query-string arguments, for the pager."""
        values = {
            "gebruiker": self.user_id,
            "account": self.account_id,
            "regio": self.region_id,
            "actie": self.action,
            "uitkomst": self.outcome,
            "van": self.since.isoformat() if self.since else None,
            "tot": self.until.isoformat() if self.until else None,
        }
        return {k: v for k, v in values.items() if v}


def events_query(filters: Filters) -> Select[Any]:
    """Newest first; every filter runs on an indexed column (the user's regions through the
    indexed user_region link). The user and the acting organisation are joined."""
    query = (
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .options(joinedload(AuditEvent.user).lazyload(User.regions), joinedload(AuditEvent.organisation))
    )
    if filters.user_id is not None:
        query = query.where(AuditEvent.user_id == filters.user_id)
    if filters.account_id is not None:
        query = query.where(AuditEvent.object_type == "User", AuditEvent.object_id == filters.account_id)
    if filters.region_id is not None:
        members = select(user_region.c.user_id).where(user_region.c.region_id == filters.region_id)
        query = query.where(AuditEvent.user_id.in_(members))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.outcome:
        query = query.where(AuditEvent.outcome == filters.outcome)
    if filters.since:
        query = query.where(AuditEvent.at >= to_utc(filters.since, dt.time(0)))
    if filters.until:  # through the whole of that day
        query = query.where(AuditEvent.at < to_utc(filters.until + dt.timedelta(days=1), dt.time(0)))
    return query


def _meeting_label(region_code: str, starts_at: dt.datetime) -> str:
    return f"{region_code} {local(starts_at):%d-%m-%Y}"


# Per stored object type: the query naming a set of ids, as (id, label) rows.
def _names(object_type: str, ids: set[int]) -> list[tuple[int, str]]:
    if object_type == "Case":
        return [(i, code) for i, code in db.session.execute(select(Case.id, Case.code).where(Case.id.in_(ids)))]
    if object_type == "Meeting":
        rows = db.session.execute(
            select(Meeting.id, Region.code, Meeting.starts_at)
            .join(Region, Region.id == Meeting.region_id)
            .where(Meeting.id.in_(ids))
        )
        return [(i, _meeting_label(code, at)) for i, code, at in rows]
    if object_type in ("AgendaItem", "ActionPoint", "Attendance"):
        model = {"AgendaItem": AgendaItem, "ActionPoint": ActionPoint, "Attendance": Attendance}[object_type]
        meeting_id = AgendaItem.meeting_id if model is not Attendance else Attendance.meeting_id
        query = select(model.id, Region.code, Meeting.starts_at)
        if model is ActionPoint:
            query = query.join(AgendaItem, AgendaItem.id == ActionPoint.agenda_item_id)
        query = query.join(Meeting, Meeting.id == meeting_id).join(Region, Region.id == Meeting.region_id)
        if model is Attendance:
            rows = db.session.execute(query.where(model.id.in_(ids)))
            return [(i, _meeting_label(code, at)) for i, code, at in rows]
        query = query.add_columns(Case.code).join(Case, Case.id == AgendaItem.case_id)
        rows = db.session.execute(query.where(model.id.in_(ids)))
        return [(i, f"{case} · {_meeting_label(code, at)}") for i, code, at, case in rows]
    if object_type == "MeetingSeries":
        rows = db.session.execute(
            select(MeetingSeries.id, Region.code, MeetingSeries.start_time)
            .join(Region, Region.id == MeetingSeries.region_id)
            .where(MeetingSeries.id.in_(ids))
        )
        return [(i, f"{code} {start:%H:%M}") for i, code, start in rows]
    simple = {
        "User": (User, User.name),
        "Region": (Region, Region.name),
        "Organisation": (Organisation, Organisation.short_name),
    }
    if object_type in simple:
        model, column = simple[object_type]
        return [(i, name) for i, name in db.session.execute(select(model.id, column).where(model.id.in_(ids)))]
    return []  # a mail and the like: shown by number


def object_names(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """How each event's object is shown; an object that is gone (or a type without a name)
    falls back to its number in the template."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.object_id is not None and e.object_type:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    return {(kind, i): name for kind, ids in wanted.items() for i, name in _names(kind, ids)}
