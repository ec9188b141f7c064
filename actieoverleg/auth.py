"""Accounts: checking the password (throttled: throttle.py), server-side sessions.

A sign-in creates a `LoginSession` row whose token sits in the signed Flask session; the
user loader accepts the cookie only while that row is not revoked, so signing out ends the
session on the server and a copied cookie stops working. The operations here flush and
audit; the caller commits (also after a failed sign-in, so the failure counts).
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import login_user, logout_user
from sqlalchemy import update

from . import audit, throttle
from .clock import utcnow
from .extensions import db, login_manager
from .models import LoginSession, User
from .passwords import hash_password, needs_rehash, verify
from .vocab import AuditAction

__all__ = ["hash_password"]  # the demo and the tests hash through here
UNKNOWN = "Onbekend e-mailadres of onjuist wachtwoord."


def authenticate(email: str, password: str) -> tuple[User | None, str | None]:
    """The user for these credentials, or the one Dutch message for any failure (unknown
    address, wrong password, deactivated account alike); a failure counts towards throttling.

    Commit afterwards either way: a failure must stay counted. The caller asks
    `throttle.retry_after` first.
    """
    user = db.session.execute(
        db.select(User).filter(db.func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if not verify(user.password_hash if user is not None else None, password) or user is None or not user.active:
        throttle.failed("login", email, user)
        audit.record(AuditAction.login_failed, user, user=None)
        return None, UNKNOWN
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.succeeded("login", email)
    return user, None


def start_session(user: User, renew: bool = False) -> None:
    """Sign in: a fresh server-side session (the old Flask session is dropped: no fixation).
    `renew`: the same person goes on in a new session after their sessions were ended (a
    password or two-factor change), which is no new sign-in to audit."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token=token, user_id=user.id))
    if not renew:
        audit.record(AuditAction.login, user, user=user)
    session["sid"] = token
    session.permanent = True
    login_user(user)


def end_session() -> None:
    """Sign out: revoke the server-side session, then clear the cookie."""
    token = session.get("sid")
    if token:
        row = db.session.get(LoginSession, token)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            user = db.session.get(User, row.user_id)
            audit.record(AuditAction.logout, user, user=user)
    logout_user()
    session.clear()


def begin_second_step(user: User, target: str, enrol: bool) -> None:
    """The password was right; the code (or setting up the app) comes next. This half-signed-in
    state lives in the signed cookie only and names no server-side session, so the user loader
    lets nothing through until `start_session`. It lapses after LOGIN_PENDING_MINUTES."""
    session.clear()
    session["pending"] = {"uid": user.id, "at": utcnow().timestamp(), "next": target, "enrol": enrol}


def pending(enrol: bool) -> tuple[User, str] | None:
    """The user half-way through signing in (and where they were going), if still in time."""
    state = session.get("pending")
    if not isinstance(state, dict) or state.get("enrol") is not enrol:
        return None
    minutes = current_app.config["LOGIN_PENDING_MINUTES"]
    if utcnow().timestamp() - float(state.get("at", 0)) > minutes * 60:
        session.pop("pending", None)
        return None
    user = db.session.get(User, int(state.get("uid", 0)))
    if user is None or not user.active:
        return None
    return user, str(state.get("next") or "")


def revoke_sessions(user: User) -> None:
    """Sign the user out everywhere at once: their open server-side sessions end."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


class OwnAccount(Exception):
    """An admin may not lock themself out: another admin deactivates them."""

    message = "U kunt uw eigen account niet deactiveren. Vraag een andere beheerder."


def set_active(user: User, active: bool, by: User | None) -> bool:
    """(De)activate an account; deactivation signs the user out at once. False if unchanged."""
    if not active and by is not None and user.id == by.id:
        raise OwnAccount()
    if user.active == active:
        return False
    user.active = active
    if not active:
        revoke_sessions(user)
    audit.record(AuditAction.activate if active else AuditAction.deactivate, user, user=by)
    return True


def init_app(app: Flask) -> None:
    """Wire Flask-Login to the server-side sessions. Over HTTPS the cookie is `__Host-session`:
    the browser then keeps it only for exactly this host, path /, secure."""
    if app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == "session":
        app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_PATH="/", SESSION_COOKIE_DOMAIN=None)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om verder te gaan."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        token = session.get("sid")
        if not token:
            return None
        return (
            db.session.execute(
                db.select(User)
                .join(LoginSession, LoginSession.user_id == User.id)
                .where(
                    User.id == int(user_id),
                    LoginSession.token == token,
                    LoginSession.revoked_at.is_(None),
                )
            )
            .unique()
            .scalar_one_or_none()
        )

    @login_manager.unauthorized_handler
    def unauthorized():  # type: ignore[no-untyped-def]
        """htmx gets a redirect header (a 302 would be swapped into the page)."""
        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if request.headers.get("HX-Request") == "true":
            response = jsonify(error="unauthorized")
            response.status_code = 401
            response.headers["HX-Redirect"] = target
            return response
        flash(login_manager.login_message, "info")
        return redirect(target)
