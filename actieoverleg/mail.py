"""The messages (docs/rules.md §6): agenda, change, cancellation, follow-up and reminders.

For most partner staff the mail is the product, so each message is complete on its own —
yet it carries only case codes, action texts, owners, due dates and links: never a category,
an assessment, a file reference, a hand-over destination or a remark. One message per
recipient, individually addressed; a member who chose "alleen een link" gets counts only.
Need to know (docs/rules.md §8): the points in a mail are the recipient organisation's own
(an owner takes part in its case, `permissions.organisation_involved`); of the other cases a
mail names only the codes on the agenda.
Messages go through `outbox.enqueue`, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any, Callable, Iterable

from flask import current_app, render_template
from sqlalchemy import insert, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from . import ical, outbox
from .addresses import external_url, mail_domain, sender_address
from .clock import local_now, local_today, utcnow
from .extensions import db
from .formatting import datum, datum_lang, datumtijd, tijd
from .models import (
    ActionPoint,
    AgendaItem,
    Case,
    Meeting,
    Organisation,
    User,
    meeting_invitee,
    region_organisation,
    user_region,
)
from .vocab import ActionStatus, MailKind, MailMode, MeetingForm, Role, TokenPurpose

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
    invite: Callable[[User], tuple[str, bytes] | None] | None = None,
) -> list[User]:
    """Enqueue one message per user whose context is not None; `key` makes it idempotent.
    Returns the users a message was queued for."""
    queued = []
    for user in users:
        ctx = context(user)
        if ctx is None:
            continue
        message = compose(user, kind, subject, template, ctx, invite(user) if invite else None)
        if outbox.enqueue(message, kind=kind, dedup_key=f"{key}:{user.id}", user_id=user.id):
            queued.append(user)
    return queued


def _meeting_title(meeting: Meeting) -> str:
    extra = "Spoedoverleg" if meeting.is_extra else "Actie-overleg"
    return f"{extra} {meeting.region.name}, {datumtijd(meeting.starts_at)}"


def _invite(meeting: Meeting, method: str, only: set[int] | None = None) -> Callable[[User], tuple[str, bytes] | None]:
    """The calendar part for each recipient (for everyone, or only the users in `only`)."""
    organizer = (f"Actie-overleg {meeting.region.name}", sender_address())
    url = external_url("agenda.show", meeting_id=meeting.id)
    return lambda user: (
        (method, ical.invite(meeting, method=method, organizer=organizer, attendee=(user.name, user.email), url=url))
        if only is None or user.id in only
        else None
    )


def invitees(meeting: Meeting) -> set[int]:
    """The users who were sent this meeting's invite, with the agenda or a change."""
    return set(db.session.scalars(select(meeting_invitee.c.user_id).where(meeting_invitee.c.meeting_id == meeting.id)))


def _invited(meeting: Meeting, users: Iterable[User]) -> None:
    """Remember who has the invite in their calendar: only they can be sent its CANCEL."""
    known = invitees(meeting)
    rows = [{"meeting_id": meeting.id, "user_id": u.id} for u in users if u.id not in known]
    if rows:
        db.session.execute(insert(meeting_invitee), rows)


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
    """The agenda with the invite; sent again, it is an update (the invite keeps its SEQUENCE)
    that says which codes came and went since the last send."""
    update = meeting.agenda_sent_at is not None
    now = utcnow()
    items = _items(meeting)
    codes = [item.case.code for item in items]
    before = meeting.agenda_sent_codes.split() if update and meeting.agenda_sent_codes is not None else None
    came = [c for c in codes if c not in before] if before is not None else []
    went = [c for c in before if c not in codes] if before is not None else []

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
            compared=before is not None,
            came=came,
            went=went,
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
    _invited(meeting, sent)
    meeting.agenda_sent_at = now
    meeting.agenda_sent_codes = " ".join(codes)
    return len(sent)


def _prepared(item: AgendaItem, organisation_id: int) -> bool:
    return any(p.prepared for p in item.preparations if p.organisation_id == organisation_id)


@dataclass(frozen=True)
class Facts:
    """What members and their calendars know of a meeting: when, how long, where, how, the link."""

    starts_at: dt.datetime
    duration_minutes: int
    location: str
    form: MeetingForm
    online_url: str

    @classmethod
    def of(cls, meeting: Meeting) -> Facts:
        return cls(meeting.starts_at, meeting.duration_minutes, meeting.location, meeting.form, meeting.online_url)

    def lines(self) -> dict[str, str]:
        """The facts as the change mail shows them, by Dutch label."""
        return {
            "Wanneer": f"{datum_lang(self.starts_at)}, {tijd(self.starts_at)} uur ({self.duration_minutes} minuten)",
            "Waar": self.location or "–",
            "Vorm": self.form.label,
            "Link": self.online_url or "–",
        }


def change(meeting: Meeting, before: Facts) -> int:
    """Time, place or form changed after the invite went out: what changed (old → new) and
    the updated invite."""
    if meeting.agenda_sent_at is None:
        return 0
    old, new = before.lines(), Facts.of(meeting).lines()
    changes = [(label, old[label], new[label]) for label in new if old[label] != new[label]]
    subject = "Gewijzigd: " + _meeting_title(meeting)
    url = external_url("agenda.show", meeting_id=meeting.id)
    sent = _send_each(
        recipients(meeting.region_id),
        MailKind.wijziging,
        f"wijziging:{meeting.id}:{meeting.sequence}",
        subject,
        "change",
        lambda user: dict(meeting=meeting, changes=changes, agenda_url=url),
        _invite(meeting, "REQUEST"),
    )
    _invited(meeting, sent)
    return len(sent)


def cancellation(meeting: Meeting, target: Meeting | None, moved: int) -> int:
    """The meeting is off, and where its cases go (`target`, the region's next meeting).
    Whoever has the invite gets the cancelling one (same UID, higher SEQUENCE); anyone else a
    plain message, as a CANCEL for an event they never had would only confuse their calendar."""
    subject = "Afgelast: " + _meeting_title(meeting)
    url = external_url("meetings.index")
    target_url = external_url("agenda.show", meeting_id=target.id) if target is not None else None
    invited = invitees(meeting)
    sent = _send_each(
        recipients(meeting.region_id),
        MailKind.afgelast,
        f"afgelast:{meeting.id}:{meeting.sequence}",
        subject,
        "cancellation",
        lambda user: dict(
            meeting=meeting,
            target=target,
            moved=moved,
            invited=user.id in invited,
            meetings_url=url,
            target_url=target_url,
        ),
        _invite(meeting, "CANCEL", only=invited),
    )
    return len(sent)


def follow_up(meeting: Meeting) -> int:
    """After closing: per organisation its new and still-open points, and the codes discussed.

    Closing again after a reopening sends a correction, marked so, only to the organisations
    whose points of this meeting changed since the last follow-up (none: no mail at all).
    """
    db.session.flush()
    items = _items(meeting)
    codes = [item.case.code for item in items]
    deferred = _deferred(meeting)
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
    digests = {str(org.id): _digest(new_by_org.get(org.id, [])) for org in meeting.region.organisations}
    before = json.loads(meeting.follow_up_digests) if meeting.follow_up_digests else None
    meeting.follow_up_digests = json.dumps(digests, sort_keys=True)
    correction = before is not None
    changed = {int(org) for org, digest in digests.items() if not correction or before.get(org, EMPTY) != digest}
    today = local_today()

    def context(user: User) -> dict[str, Any] | None:
        if user.organisation_id not in changed:
            return None
        return dict(
            meeting=meeting,
            codes=codes,
            deferred=deferred,
            correction=correction,
            today=today,
            new=new_by_org.get(user.organisation_id, []),
            still_open=open_by_org.get(user.organisation_id, []),
            record_url=external_url("meetings.record", meeting_id=meeting.id),
            actions_url=external_url("actions.ours"),
        )

    subject = ("Correctie: " if correction else "") + "Actiepunten na het " + _meeting_title(meeting)
    return len(
        _send_each(
            recipients(meeting.region_id),
            MailKind.verslag,
            f"verslag:{meeting.id}:{uuid.uuid4().hex}",
            subject,
            "follow_up",
            context,
        )
    )


def _deferred(meeting: Meeting) -> list[tuple[dt.datetime, list[str]]]:
    """The codes deferred at this meeting ("Niet besproken — doorschuiven"), per meeting they
    moved to (one query): the follow-up says where they went."""
    target = aliased(Meeting)
    rows = db.session.execute(
        select(target.starts_at, Case.code)
        .select_from(AgendaItem)
        .join(target, target.id == AgendaItem.deferred_to_id)
        .join(Case, Case.id == AgendaItem.case_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(target.starts_at, AgendaItem.position)
    )
    grouped: dict[dt.datetime, list[str]] = defaultdict(list)
    for starts_at, code in rows:
        grouped[starts_at].append(code)
    return list(grouped.items())


def _digest(points: Iterable[ActionPoint]) -> str:
    """What a follow-up shows of an organisation's points (code, text, due date, person), hashed:
    a correction is due when it differs, and no action text is copied into the meeting."""
    shown = sorted((p.id, p.case.code, p.text, p.due_date.isoformat(), p.assignee_id) for p in points)
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:32]


EMPTY = _digest([])


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
    return len(
        _send_each(members, MailKind.herinnering, f"herinnering:{today.isoformat()}", subject, "reminder", context)
    )


def account_link(user: User, purpose: TokenPurpose, token_id: int, url: str, expires_at: dt.datetime) -> None:
    """An invitation or a password link: the link and when it lapses, nothing else (no case
    content, no role or regions)."""
    invitation = purpose is TokenPurpose.uitnodiging
    subject = "Uitnodiging voor Actie-overleg" if invitation else "Nieuw wachtwoord kiezen voor Actie-overleg"
    message = compose(
        user,
        MailKind.account,
        subject,
        "account_link",
        {"invitation": invitation, "url": url, "expires": datumtijd(expires_at)},
    )
    outbox.enqueue(message, kind=MailKind.account, dedup_key=f"account:{token_id}", user_id=user.id)
