"""Beheer: the regions, organisations, accounts and meeting series everything else hangs on
(docs/rules.md §1).

Each operation creates (the object is None) or changes one of them and writes its audit
entry — a code, never the names or places typed in. It flushes; the caller commits, so the
web screens and the CLI save the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import audit, auth, lifecycle, outbox, planning
from .extensions import db
from .models import Meeting, MeetingSeries, Organisation, OutboxMessage, Region, User
from .passwords import UNUSABLE
from .vocab import AuditAction, MeetingForm, OrganisationKind, OutboxStatus, Role


def _saved(obj: Any, created: bool, by: User | None) -> None:
    """Audit the create or change of `obj` (flushed first, so a new object has its id)."""
    db.session.add(obj)
    db.session.flush()
    audit.record(AuditAction.create if created else AuditAction.change, obj, user=by)


def save_region(
    region: Region | None, *, name: str, code: str, active: bool, organisations: list[Organisation], by: User | None
) -> Region:
    """A region and the organisations at its table."""
    created = region is None
    region = region or Region()
    region.name, region.code, region.active = name, code, active
    region.organisations = list(organisations)
    _saved(region, created, by)
    return region


def save_organisation(
    organisation: Organisation | None,
    *,
    name: str,
    short_name: str,
    kind: OrganisationKind,
    position: int,
    active: bool,
    by: User | None,
) -> Organisation:
    """A partner or guest organisation and its place at the table."""
    created = organisation is None
    organisation = organisation or Organisation()
    organisation.name, organisation.short_name = name, short_name
    organisation.kind, organisation.position, organisation.active = kind, position, active
    _saved(organisation, created, by)
    return organisation


def save_user(
    user: User | None,
    *,
    email: str | None = None,
    password: str | None = None,
    name: str,
    role: Role,
    organisation: Organisation,
    regions: list[Region],
    by: User | None,
) -> User:
    """An account. The e-mail address is given only when creating, and stays. A password is
    given only by the CLI; on the web the person chooses it through an invitation
    (`auth_links.invite`). A change of role or regions is audited as such (codes only)."""
    created = user is None
    if user is None:
        if email is None:
            raise ValueError("a new account needs an e-mail address")
        user = User(email=email, password_hash=auth.hash_password(password) if password else UNUSABLE)
    old_role = None if created else user.role
    role_changed = old_role is not None and old_role is not role
    regions_changed = not created and {r.id for r in user.regions} != {r.id for r in regions}
    user.name, user.role, user.organisation = name, role, organisation
    user.regions = list(regions)
    _saved(user, created, by)
    if role_changed:
        audit.record(AuditAction.role_change, user, user=by, detail=role.value)
    if regions_changed:
        audit.record(AuditAction.regions_change, user, user=by, detail=",".join(sorted(r.code for r in regions))[:80])
    return user


def save_series(
    series: MeetingSeries | None,
    *,
    region: Region,
    weekday: int,
    start_time: dt.time,
    duration_minutes: int,
    form: MeetingForm,
    location: str,
    active: bool,
    weeks: int,
    by: User | None,
    online_url: str = "",
) -> tuple[MeetingSeries, list[Meeting]]:
    """A region's weekly series; an active one has its next `weeks` meetings planned at once,
    each with the series' place, form and join link.

    Meetings planned before stay as they are. Returns the series and the meetings planned now.
    """
    created = series is None
    series = series or MeetingSeries(region=region)
    series.weekday, series.start_time, series.duration_minutes = weekday, start_time, duration_minutes
    series.form, series.location, series.active = form, location, active
    series.online_url = lifecycle.online_link(form, online_url)
    _saved(series, created, by)
    planned = planning.plan_series(series, weeks)
    db.session.flush()
    for meeting in planned:
        audit.record(AuditAction.create, meeting, detail="reeks", user=by)
    return series, planned


def retry_mail(message: OutboxMessage, by: User) -> bool:
    """Beheer › Uitgaande mail: a failed mail goes back in the queue (audited by the outbox);
    False for any other state, which has nothing to retry."""
    if message.status is not OutboxStatus.mislukt:
        return False
    outbox.retry(message, by)
    return True
