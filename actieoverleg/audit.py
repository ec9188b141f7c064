"""The audit log (docs/rules.md §8): who did what, to which object, when, with what outcome,
from which address — never the object's content. Every operation that changes something
writes its own entry here, in the same transaction; views never do.

The log can be trusted to be complete and unchanged:

- **append-only**: a flush that would update or delete an `AuditEvent`, and an ORM bulk
  UPDATE or DELETE of the table, raise `AppendOnly`; below that, triggers in the database
  (models.APPEND_ONLY_TRIGGERS, SQLite and PostgreSQL) refuse it for every other client too;
- **a hash chain**: each event stores the sha256 of its canonical form (`canonical`), which
  includes the previous event's hash. `record` first updates the one `AuditChain` row, so
  a transaction writing events holds the chain's lock until it commits: a second one waits
  (PostgreSQL row lock, SQLite's single writer; past the busy timeout it gets the 503 page)
  and then reads the new head. Events are inserted after that lock, so ids follow the chain.
  `verify` (`flask audit verify`) walks the events by id and names the first that breaks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterator

from flask import Flask, has_request_context, request
from sqlalchemy import Row, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from .clock import utcnow
from .extensions import db
from .models import AuditChain, AuditEvent, User
from .vocab import AuditAction, AuditOutcome

# How Beheer › Auditlog names the object types (the model class names stored in the log).
OBJECT_LABELS = {
    "Region": "Regio",
    "Organisation": "Organisatie",
    "User": "Gebruiker",
    "MeetingSeries": "Overlegreeks",
    "Meeting": "Overleg",
    "Case": "Casus",
    "AgendaItem": "Agendapunt",
    "ActionPoint": "Actiepunt",
    "Attendance": "Aanwezigheid",
    "Preparation": "Voorbereiding",
    "OutboxMessage": "Mail",
}
GENESIS = "0" * 64  # the predecessor of the first event
CHAIN_ID = 1
CHAIN_BATCH = 1000  # events read per query by `verify`


class AppendOnly(RuntimeError):
    """An audit event was about to be changed or deleted."""


def record(
    action: AuditAction,
    obj: db.Model | None,
    *,
    user: User | None,
    detail: str = "",
    outcome: AuditOutcome = AuditOutcome.success,
    route: str | None = None,
) -> AuditEvent:
    """Add an event to the current transaction; `detail` is a code, never free text.

    `obj` must have its id: call after a flush for a new object. `user` is None for the CLI.
    The acting organisation, the client address and the route pattern (`METHOD /rule`, never
    the URL with its ids and query) come from the user and the request.
    """
    in_request = has_request_context()
    if route is None and in_request and request.url_rule is not None:
        route = f"{request.method} {request.url_rule.rule}"
    chain = _lock_chain()
    audit_event = AuditEvent(
        at=utcnow(),
        user_id=user.id if user is not None else None,
        organisation_id=user.organisation_id if user is not None else None,
        action=action.value,
        outcome=outcome.value,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail=detail,
        route=(route or "")[:200],
        client_addr=((request.remote_addr or "") if in_request else "")[:45],
        prev_hash=chain.last_hash,
    )
    audit_event.hash = digest(audit_event)
    chain.last_hash = audit_event.hash
    chain.events += 1
    db.session.add(audit_event)
    return audit_event


def denied(user: User, code: int) -> None:
    """An authorization denial (403, or 404 for an object out of reach): the route, not the URL."""
    record(AuditAction.access, None, user=user, detail=str(code), outcome=AuditOutcome.denied)


def viewed(obj: db.Model, user: User | None, detail: str = "") -> None:
    """A record opened or a feed read: reading case data is audited like changing it."""
    record(AuditAction.view, obj, user=user, detail=detail)


def _lock_chain() -> AuditChain:
    """The chain's head, locked for this transaction: a write first (which waits for another
    writer of events to commit), then a fresh read of what it committed."""
    with db.session.no_autoflush:
        chain = db.session.get(AuditChain, CHAIN_ID)
        if chain is not None and chain in db.session.dirty:  # this transaction holds the lock already
            return chain
        touch = update(AuditChain).where(AuditChain.id == CHAIN_ID).values(events=AuditChain.events)
        if not db.session.execute(touch).rowcount:  # the very first event of a new database
            insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[db.engine.dialect.name]
            db.session.execute(
                insert(AuditChain).values(id=CHAIN_ID, last_hash=GENESIS, events=0).on_conflict_do_nothing()
            )
            db.session.execute(touch)
        return db.session.get(AuditChain, CHAIN_ID, populate_existing=True, with_for_update=True)


def canonical(audit_event: AuditEvent | Row[Any]) -> bytes:
    """The event as hashed: every recorded field and the predecessor's hash, in a fixed order,
    as compact JSON. The id is left out (it is assigned after the hash); the chain's order is."""
    at = audit_event.at.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    fields = [
        "v1",
        audit_event.prev_hash,
        at,
        audit_event.user_id,
        audit_event.organisation_id,
        audit_event.action,
        audit_event.outcome,
        audit_event.object_type,
        audit_event.object_id,
        audit_event.detail or "",
        audit_event.route or "",
        audit_event.client_addr or "",
    ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def digest(audit_event: AuditEvent | Row[Any]) -> str:
    return hashlib.sha256(canonical(audit_event)).hexdigest()


@dataclass
class Break:
    """Where the chain breaks: the event (None: the head row), and why."""

    event_id: int | None
    reason: str


def verify() -> tuple[int, list[Break]]:
    """Walk every event by id: each must hash to what it stores and name its predecessor's
    hash; the head row must name the last. Returns the number of events and the breaks."""
    breaks: list[Break] = []
    expected, count = GENESIS, 0
    for audit_event in _events():
        count += 1
        if audit_event.prev_hash != expected:
            breaks.append(Break(audit_event.id, "predecessor's hash does not match (an event before it is missing)"))
        if digest(audit_event) != audit_event.hash:
            breaks.append(Break(audit_event.id, "content does not match its hash (changed)"))
        expected = audit_event.hash
    chain = db.session.get(AuditChain, CHAIN_ID, populate_existing=True)
    if count and (chain is None or chain.last_hash != expected or chain.events != count):
        breaks.append(Break(None, "the chain's head does not name the last event (events at the end missing)"))
    return count, breaks


def _events() -> Iterator[Row[Any]]:
    """Every event in id order as plain rows, a batch at a time: a year's log does not fit in
    memory, and rows stay out of the session (nothing here can be flushed back)."""
    columns = AuditEvent.__table__.columns
    after = 0
    while True:
        batch = db.session.execute(
            select(*columns).where(columns.id > after).order_by(columns.id).limit(CHAIN_BATCH)
        ).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def label(action: str) -> str:
    """The Dutch name of a stored action (an unknown old code shows as it is)."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action


def _refuse_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """Append-only: no flush may change or delete an event."""
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AppendOnly("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AppendOnly("audit events cannot be changed")


def _refuse_bulk(state: ORMExecuteState) -> None:
    """Nor an ORM `update(AuditEvent)` or `delete(AuditEvent)` statement."""
    if (state.is_update or state.is_delete) and any(
        m is not None and m.class_ is AuditEvent for m in state.all_mappers
    ):
        raise AppendOnly("audit events cannot be changed or deleted")


def init_app(app: Flask) -> None:
    """Register the append-only guards once per process (they act on every session)."""
    for name, listener in (("before_flush", _refuse_changes), ("do_orm_execute", _refuse_bulk)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
