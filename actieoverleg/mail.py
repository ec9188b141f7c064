"""The messages (docs/rules.md §6): agenda, change, cancellation, follow-up and reminders.

For most partner staff the mail is the product, so each message is complete on its own —
yet it carries only case codes, action texts, owners, due dates and links: never a category,
an assessment, a file reference, a hand-over destination or a remark. One message per
recipient, individually addressed; a member who chose "alleen een link" gets counts only.
Messages go through `outbox.enqueue`, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Callable, Iterable

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from . import ical, outbox
from .addresses import external_url, mail_domain, sender_address
from .clock import local_now, utcnow
from .extensions import db
from .formatting import datum, datumtijd
from .models import (
    ActionPoint,
    AgendaItem,
    Case,
    Meeting,
    Organisation,
    User,
    region_organisation,
    user_region,
)
from .vocab import ActionStatus, MailKind, MailMode, Role

MEMBER_ROLES = (Role.deelnemer, Role.voorzitter)
QP = "quoted-printable"


def recipients(region_id: int) -> list[User]:
    """Active members (and chairs) of the organisations at the region's table."""
    return list(
        db.session.scalars(
            select(User)
            .join(user_region, user_region.c.user_id == User.id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .join(
                region_organisation,
                (region_organisation.c.organisation_id == Organisation.id)
                & (region_organisation.c.region_id == region_id),
            )
            .where(
                user_region.c.region_id == region_id,
                User.active.is_(True),
                User.role.in_(MEMBER_ROLES),
                Organisation.active.is_(True),
            )
            .order_by(Organisation.position, User.name)
        ).unique()
    )


def compose(
    user: User,
    kind: MailKind,
    subject: str,
    template: str,
    context: dict[str, Any],
    invite: tuple[str, bytes] | None = None,
) -> EmailMessage:
    """A Dutch text + HTML message to one person, with an optional calendar invite (method, bytes)."""
    context = dict(
        context,
        user=user,
        link_only=user.mail_mode is MailMode.link,
        preferences_url=external_url("profile.index"),
        subject=subject,
    )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((user.name, user.email))
    message["Date"] = format_datetime(local_now())
    message["Message-ID"] = make_msgid(idstring=kind.value, domain=mail_domain())
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = "nl"
    # quoted-printable: 7-bit safe for any SMTP server, and an .eml file stays readable
    message.set_content(render_template(f"emails/{template}.txt", **context), cte=QP)
    message.add_alternative(render_template(f"emails/{template}.html", **context), subtype="html", cte=QP)
    if invite is not None:
        method, body = invite
        text = body.decode()
        message.add_alternative(text, subtype="calendar", params={"method": method}, cte=QP)
        # and as a file, as Google Calendar sends it, for clients that only import attachments
        message.add_attachment(body, maintype="application", subtype="ics", filename="uitnodiging.ics")
    return message


def _send_each(
    users: Iterable[User],
    kind: MailKind,
    key: str,
    subject: str,
    template: str,
    context: Callable[[User], dict[str, Any] | None],
    invite: Callable[[User], tuple[str, bytes]] | None = None,
) -> int:
    """Enqueue one message per user whose context is not None; `key` makes it idempotent."""
    count = 0
    for user in users:
        ctx = context(user)
        if ctx is None:
            continue
        message = compose(user, kind, subject, template, ctx, invite(user) if invite else None)
        count += outbox.enqueue(message, kind=kind, dedup_key=f"{key}:{user.id}", user_id=user.id)
    return count


def _meeting_title(meeting: Meeting) -> str:
    extra = "Spoedoverleg" if meeting.is_extra else "Actie-overleg"
    return f"{extra} {meeting.region.name}, {datumtijd(meeting.starts_at)}"


def _invite(meeting: Meeting, method: str) -> Callable[[User], tuple[str, bytes]]:
    organizer = (f"Actie-overleg {meeting.region.name}", sender_address())
    url = external_url("agenda.show", meeting_id=meeting.id)
    return lambda user: (
        method,
        ical.invite(meeting, method=method, organizer=organizer, attendee=(user.name, user.email), url=url),
    )


def _items(meeting: Meeting) -> list[AgendaItem]:
    """The visible agenda with what the mails show of it, in a fixed number of queries."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, AgendaItem.removed.is_(False))
            .order_by(AgendaItem.position)
            .options(
                selectinload(AgendaItem.preparations),
                selectinload(AgendaItem.actions),
                joinedload(AgendaItem.case).selectinload(Case.needed),
            )
        ).unique()
    )


def agenda(meeting: Meeting) -> int:
    """The agenda with the invite; sent again, it is an update (the invite keeps its SEQUENCE)."""
    update = meeting.agenda_sent_at is not None
    now = utcnow()
    items = _items(meeting)
    codes = [item.case.code for item in items]

    def context(user: User) -> dict[str, Any]:
        ours = [
            (item.case.code, _prepared(item, user.organisation_id))
            for item in items
            if any(o.id == user.organisation_id for o in item.case.needed)
        ]
        return dict(
            meeting=meeting,
            codes=codes,
            ours=ours,
            update=update,
            agenda_url=external_url("agenda.show", meeting_id=meeting.id),
        )

    subject = ("Gewijzigde agenda: " if update else "Agenda: ") + _meeting_title(meeting)
    sent = _send_each(
        recipients(meeting.region_id),
        MailKind.agenda,
        f"agenda:{meeting.id}:{uuid.uuid4().hex}",  # every send is one occasion, even within one instant
        subject,
        "agenda",
        context,
        _invite(meeting, "REQUEST"),
    )
    meeting.agenda_sent_at = now
    return sent


def _prepared(item: AgendaItem, organisation_id: int) -> bool:
    return any(p.prepared for p in item.preparations if p.organisation_id == organisation_id)


def change(meeting: Meeting) -> int:
    """Time, place or form changed after the invite went out: the updated invite."""
    if meeting.agenda_sent_at is None:
        return 0
    subject = "Gewijzigd: " + _meeting_title(meeting)
    url = external_url("agenda.show", meeting_id=meeting.id)
    return _send_each(
        recipients(meeting.region_id),
        MailKind.wijziging,
        f"wijziging:{meeting.id}:{meeting.sequence}",
        subject,
        "change",
        lambda user: dict(meeting=meeting, agenda_url=url),
        _invite(meeting, "REQUEST"),
    )


def cancellation(meeting: Meeting) -> int:
    """The meeting is off: a message with the cancelling invite (same UID, higher SEQUENCE)."""
    subject = "Afgelast: " + _meeting_title(meeting)
    url = external_url("meetings.index")
    return _send_each(
        recipients(meeting.region_id),
        MailKind.afgelast,
        f"afgelast:{meeting.id}:{meeting.sequence}",
        subject,
        "cancellation",
        lambda user: dict(meeting=meeting, meetings_url=url),
        _invite(meeting, "CANCEL"),
    )


def follow_up(meeting: Meeting) -> int:
    """After closing: per organisation its new and still-open points, and the codes discussed."""
    db.session.flush()
    items = _items(meeting)
    codes = [item.case.code for item in items]
    new = [a for item in items for a in item.actions]  # also those already done at the table
    new_ids = {a.id for a in new}
    still_open = [
        p
        for p in db.session.scalars(
            select(ActionPoint)
            .join(Case, Case.id == ActionPoint.case_id)
            .where(Case.region_id == meeting.region_id, ActionPoint.status == ActionStatus.open)
            .order_by(ActionPoint.due_date, ActionPoint.id)
        ).unique()
        if p.id not in new_ids
    ]
    new_by_org, open_by_org = _by_organisation(new), _by_organisation(still_open)

    def context(user: User) -> dict[str, Any]:
        return dict(
            meeting=meeting,
            codes=codes,
            new=new_by_org.get(user.organisation_id, []),
            still_open=open_by_org.get(user.organisation_id, []),
            record_url=external_url("meetings.record", meeting_id=meeting.id),
            actions_url=external_url("actions.ours"),
        )

    subject = "Actiepunten na het " + _meeting_title(meeting)
    return _send_each(
        recipients(meeting.region_id),
        MailKind.verslag,
        f"verslag:{meeting.id}:{uuid.uuid4().hex}",
        subject,
        "follow_up",
        context,
    )


def _by_organisation(points: Iterable[ActionPoint]) -> dict[int, list[ActionPoint]]:
    grouped: dict[int, list[ActionPoint]] = defaultdict(list)
    for point in points:
        grouped[point.organisation_id].append(point)
    return grouped


def reminders(today: dt.date) -> int:
    """The daily digest: per member, their organisation's points overdue or due within a few days.

    Keyed by date and person, so a second run on the same day sends nothing again.
    """
    horizon = today + dt.timedelta(days=current_app.config["REMINDER_DAYS"])
    points = (
        db.session.scalars(
            select(ActionPoint)
            .join(Case, Case.id == ActionPoint.case_id)
            .where(ActionPoint.status == ActionStatus.open, ActionPoint.due_date <= horizon)
            .order_by(ActionPoint.due_date, ActionPoint.id)
        )
        .unique()
        .all()
    )
    by_owner: dict[tuple[int, int], list[ActionPoint]] = defaultdict(list)
    for point in points:
        by_owner[(point.organisation_id, point.case.region_id)].append(point)
    members = (
        db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(MEMBER_ROLES)).order_by(User.id))
        .unique()
        .all()
    )
    url = external_url("actions.ours")

    def context(user: User) -> dict[str, Any] | None:
        mine = sorted(
            (p for region_id in user.region_ids for p in by_owner.get((user.organisation_id, region_id), [])),
            key=lambda p: (p.due_date, p.id),
        )
        if not mine:
            return None
        return dict(
            overdue=[p for p in mine if p.due_date < today],
            soon=[p for p in mine if p.due_date >= today],
            today=today,
            actions_url=url,
            organisation=user.organisation,
        )

    subject = f"Herinnering: actiepunten {datum(today)}"
    return _send_each(members, MailKind.herinnering, f"herinnering:{today.isoformat()}", subject, "reminder", context)
