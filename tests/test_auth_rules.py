"""The account operations (actieoverleg.auth) as plain functions: failures count towards a
lock-out, a new password or a deactivation ends every session, and none of them commits."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import session
from sqlalchemy import func, select

from actieoverleg import auth, throttle
from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, AuthFailure, LoginSession, User

from .conftest import PASSWORD, TEST_NOW
from .records import entries

WRONG = "wrong password!"
NEW_PASSWORD = "een nieuw lang wachtwoord"
UNKNOWN = "Onbekend e-mailadres of onjuist wachtwoord."


def fresh(user: User) -> User:
    """The user as the database holds them."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def open_sessions(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        )
        or 0
    )


def sign_in(app, user: User) -> str:
    """A committed server-side session for the user, as the login view makes it; its token."""
    with app.test_request_context():
        auth.start_session(user)
        db.session.commit()
        return session["sid"]


# --- authenticate ------------------------------------------------------------------------


def failures() -> int:
    return db.session.scalar(select(func.count()).select_from(AuthFailure)) or 0


def test_a_failed_sign_in_counts_only_once_the_caller_commits(world):
    assert auth.authenticate(world.chair.email, WRONG) == (None, UNKNOWN)
    assert failures() == 2  # the account and the address
    db.session.rollback()
    assert failures() == 0

    auth.authenticate(world.chair.email, WRONG)
    db.session.commit()
    assert failures() == 2
    assert entries(world.chair)[-1] == ("login_failed", None, "")


def test_max_failures_throttle_the_account_for_the_window_known_or_not(app, world, clock):
    for email in (world.chair.email, "niemand@example.test"):
        for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
            auth.authenticate(email, WRONG)
        db.session.commit()
        assert throttle.retry_after("login", email) is None
        auth.authenticate(email, WRONG)
        db.session.commit()
        assert throttle.retry_after("login", email) == app.config["LOGIN_LOCK_MINUTES"] * 60
    assert ("lockout", None, "login") in entries(world.chair)
    clock.shift(dt.timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"], seconds=1))
    assert throttle.retry_after("login", world.chair.email) is None
    assert auth.authenticate(world.chair.email, PASSWORD) == (world.chair, None)


def test_an_unknown_address_and_an_inactive_account_get_the_same_answer(world):
    assert auth.authenticate("niemand@example.test", PASSWORD) == (None, UNKNOWN)
    world.vt_user.active = False
    assert auth.authenticate(world.vt_user.email.upper(), PASSWORD) == (None, UNKNOWN)


# --- sessions ----------------------------------------------------------------------------


def test_start_session_records_the_sign_in_without_committing(app, world):
    with app.test_request_context():
        auth.start_session(world.vt_user)
        assert open_sessions(world.vt_user) == 1
        assert entries(world.vt_user) == [("login", world.vt_user.id, "")]
        db.session.rollback()
    assert open_sessions(world.vt_user) == 0 and entries(world.vt_user) == []


def test_end_session_revokes_only_this_session(app, world):
    token = sign_in(app, world.vt_user)
    other = sign_in(app, world.vt_user)
    with app.test_request_context():
        session["sid"] = token
        auth.end_session()
        assert "sid" not in session
    db.session.commit()
    assert db.session.get(LoginSession, token).revoked_at == TEST_NOW
    assert db.session.get(LoginSession, other).revoked_at is None


def test_revoke_sessions_ends_every_session_of_that_user_only(app, world):
    for user in (world.vt_user, world.vt_user, world.chair):
        sign_in(app, user)
    auth.revoke_sessions(world.vt_user)
    db.session.commit()
    assert open_sessions(world.vt_user) == 0 and open_sessions(world.chair) == 1


# --- set_active --------------------------------------------------------------------------


def test_deactivation_signs_out_and_is_audited_once(app, world):
    user = world.vt_user
    sign_in(app, user)
    assert auth.set_active(user, False, by=world.admin) is True
    db.session.commit()
    assert not fresh(user).active and open_sessions(user) == 0
    assert auth.set_active(user, False, by=world.admin) is False  # nothing to do, nothing logged
    assert auth.set_active(user, True, by=world.admin) is True
    db.session.commit()
    assert fresh(user).active
    assert entries(user)[-2:] == [("deactivate", world.admin.id, ""), ("activate", world.admin.id, "")]
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.in_(["activate", "deactivate"]))
        )
        == 2
    )


def test_reactivation_keeps_sessions_revoked(app, world):
    user = world.vt_user
    sign_in(app, user)
    auth.set_active(user, False, by=world.admin)
    auth.set_active(user, True, by=world.admin)
    db.session.commit()
    assert fresh(user).active and open_sessions(user) == 0


def test_an_admin_cannot_deactivate_themself(app, world):
    admin = world.admin
    sign_in(app, admin)
    with pytest.raises(auth.OwnAccount):
        auth.set_active(admin, False, by=admin)
    db.session.commit()
    assert fresh(admin).active and open_sessions(admin) == 1
    assert auth.OwnAccount.message == "U kunt uw eigen account niet deactiveren. Vraag een andere beheerder."
    assert [e for e in entries(admin) if e[0] == "deactivate"] == []
