"""Accounts by invitation, and "Wachtwoord vergeten?" (docs/rules.md §8).

The admin enters the person; they get a one-time link by mail to choose their own password
(no admin ever sees or sets one). A reset asks for the same kind of link, answered alike
whether or not the address exists. A link works once and for ACCOUNT_LINK_HOURS; only its
SHA-256 is stored, so the database alone opens no account. Choosing the password ends every
session of the user and all their other links. The operations flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import func, select, update

from . import administration, audit, mail
from .addresses import external_url
from .auth import revoke_sessions
from .clock import utcnow
from .extensions import db
from .models import AccountToken, Organisation, Region, User
from .passwords import UNUSABLE, hash_password
from .vocab import AuditAction, Role, TokenPurpose


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _retire(user: User) -> None:
    """Earlier unused links of this user stop working."""
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def send_link(user: User, purpose: TokenPurpose) -> None:
    """A fresh one-time link by mail (the earlier ones lapse)."""
    _retire(user)
    token = secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=current_app.config["ACCOUNT_LINK_HOURS"])
    row = AccountToken(user_id=user.id, purpose=purpose, token_hash=_hash(token), expires_at=expires)
    db.session.add(row)
    db.session.flush()
    mail.account_link(user, purpose, row.id, external_url("auth.account_link", token=token), expires)


def has_password(user: User) -> bool:
    return user.password_hash != UNUSABLE


def invite(
    *, email: str, name: str, role: Role, organisation: Organisation, regions: list[Region], by: User | None
) -> User:
    """A new account without a password, and its invitation."""
    user = administration.save_user(
        None, email=email, name=name, role=role, organisation=organisation, regions=regions, by=by
    )
    send_link(user, TokenPurpose.uitnodiging)
    audit.record(AuditAction.invite, user, user=by)
    return user


def send_again(user: User, by: User) -> TokenPurpose:
    """Beheer › "Nieuwe uitnodiging sturen" (no password yet) or a password link (otherwise)."""
    purpose = TokenPurpose.wachtwoord if has_password(user) else TokenPurpose.uitnodiging
    send_link(user, purpose)
    audit.record(
        AuditAction.invite if purpose is TokenPurpose.uitnodiging else AuditAction.reset_request, user, user=by
    )
    return purpose


def request_reset(email: str) -> None:
    """ "Wachtwoord vergeten?": a link if the address belongs to an active account, else nothing;
    the caller answers the same either way."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        return
    send_link(user, TokenPurpose.uitnodiging if not has_password(user) else TokenPurpose.wachtwoord)
    audit.record(AuditAction.reset_request, user, user=None)


def redeem(token: str) -> AccountToken | None:
    """The link for this token if it still works (unused, in time, active account)."""
    row = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    return row if user is not None and user.active else None


def choose_password(link: AccountToken, password: str) -> User:
    """The password chosen through a link: the link is used up, as are the user's other links,
    and every session of the user ends."""
    user = db.session.get(User, link.user_id)
    user.password_hash = hash_password(password)
    _retire(user)
    revoke_sessions(user)
    accepted = link.purpose is TokenPurpose.uitnodiging
    audit.record(AuditAction.invite_accept if accepted else AuditAction.password_reset, user, user=user)
    db.session.flush()
    return user


def change_password(user: User, password: str) -> None:
    """Profiel › Wachtwoord wijzigen (the view checked the current one): every session ends,
    and open links lapse."""
    user.password_hash = hash_password(password)
    _retire(user)
    revoke_sessions(user)
    audit.record(AuditAction.password_change, user, user=user)
    db.session.flush()
