"""The private calendar feed (docs/rules.md §7): a random, revocable token per user in an .ics URL.

Calendar apps cannot sign in, so the token is the key: 256 bits, renewed or stopped by its
owner on the profile page (the old URL stops at once), and useless for an inactive account.
The feed holds the region's meetings and the due dates of the organisation's open points as
all-day items that name only the owner — no case codes, no action texts.

Renewing, stopping and the mail preference are the owner's own operations: audited under
their name (never the token), committed by the caller.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from . import audit, ical
from .addresses import external_url, mail_domain
from .clock import local_today, utcnow
from .extensions import db
from .models import ActionPoint, Case, Meeting, User
from .permissions import is_member
from .vocab import ActionStatus, AuditAction, MailMode

PAST = dt.timedelta(days=90)  # meetings this far back stay in the feed, so the calendar keeps them


def renew(user: User) -> str:
    """A new token; the previous URL stops working immediately."""
    action = AuditAction.feed_renew if user.feed_token is not None else AuditAction.feed_create
    user.feed_token = secrets.token_urlsafe(32)
    audit.record(action, user, user=user)
    return user.feed_token


def stop(user: User) -> None:
    """No feed any more: the URL stops working immediately."""
    user.feed_token = None
    audit.record(AuditAction.feed_stop, user, user=user)


def set_mail_mode(user: User, mode: MailMode) -> None:
    """Full mails or "link only": partner staff may not want action texts in their inbox."""
    user.mail_mode = mode
    audit.record(AuditAction.mail_preference, user, detail=mode.value, user=user)


def user_for(token: str) -> User | None:
    """The active member the token belongs to, or None (unknown, revoked or inactive)."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.feed_token == token))
    if user is None or not user.active or not is_member(user):
        return None
    return user


def feed(user: User) -> bytes:
    """The user's calendar: their regions' meetings and their organisation's open due dates."""
    regions = user.region_ids
    meetings = (
        db.session.scalars(
            select(Meeting)
            .where(Meeting.region_id.in_(regions), Meeting.starts_at >= utcnow() - PAST)
            .order_by(Meeting.starts_at)
        )
        .unique()
        .all()
    )
    points = (
        db.session.scalars(
            select(ActionPoint)
            .join(Case, Case.id == ActionPoint.case_id)
            .where(
                ActionPoint.organisation_id == user.organisation_id,
                Case.region_id.in_(regions),
                ActionPoint.status == ActionStatus.open,
                ActionPoint.due_date >= local_today() - PAST,
            )
            .order_by(ActionPoint.due_date, ActionPoint.id)
        )
        .unique()
        .all()
    )
    return ical.feed(
        name=f"Actie-overleg — {user.organisation.short_name}",
        meetings=list(meetings),
        due_points=list(points),
        domain=mail_domain(),
        meeting_url=lambda m: external_url("agenda.show", meeting_id=m.id),
        actions_url=external_url("actions.ours"),
    )
