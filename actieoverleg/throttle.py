"""Throttling of sign-in attempts (docs/rules.md §8), in the database, so it holds across
workers and hosts.

Each failure (a wrong password, code, recovery code or link) is a row under two keys: the
account it named and the client address. After LOGIN_MAX_FAILURES for one account, or
LOGIN_MAX_FAILURES_PER_ADDRESS from one address, within LOGIN_LOCK_MINUTES, further
attempts are refused (429, `Retry-After`) with one message that says nothing about whether
the account exists: an unknown address is counted just like a known one. Keys are HMACs, so
neither the address typed nor the client's IP address is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math

from flask import current_app, has_request_context, request
from sqlalchemy import delete, select

from . import audit
from .clock import utcnow
from .extensions import db
from .models import AuthFailure, User
from .vocab import AuditAction

MESSAGE = "Te veel pogingen. Wacht {minutes} minuten en probeer het dan opnieuw."


def _key(scope: str, value: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{scope}:{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def _limits(scope: str, account: str | None) -> list[tuple[str, int]]:
    config = current_app.config
    address = (request.remote_addr or "") if has_request_context() else "cli"
    limits = [(_key("address", address), config["LOGIN_MAX_FAILURES_PER_ADDRESS"])]
    if account is not None:
        limits.append((_key(scope, account), config["LOGIN_MAX_FAILURES"]))
    return limits


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def retry_after(scope: str, account: str | None = None) -> int | None:
    """Seconds until another attempt counts, or None when it may be tried now."""
    now = utcnow()
    wait = 0.0
    for key, limit in _limits(scope, account):
        times = db.session.scalars(
            select(AuthFailure.at)
            .where(AuthFailure.key == key, AuthFailure.at > now - _window())
            .order_by(AuthFailure.at)
        ).all()
        if len(times) >= limit:
            wait = max(wait, (times[len(times) - limit] + _window() - now).total_seconds())
    return math.ceil(wait) if wait > 0 else None


def message(seconds: int) -> str:
    return MESSAGE.format(minutes=max(1, math.ceil(seconds / 60)))


def failed(scope: str, account: str | None = None, user: User | None = None) -> None:
    """Count a failure; the one that reaches a limit is audited as a lock-out (of `user` if the
    account exists). Rows older than the window go."""
    now = utcnow()
    db.session.execute(delete(AuthFailure).where(AuthFailure.at <= now - _window()))
    db.session.add_all(AuthFailure(key=key, at=now) for key, _limit in _limits(scope, account))
    db.session.flush()
    if retry_after(scope, account) is not None:
        audit.record(AuditAction.lockout, user, user=None, detail=scope)


def succeeded(scope: str, account: str) -> None:
    """A right answer clears that account's count (the address keeps its own)."""
    db.session.execute(delete(AuthFailure).where(AuthFailure.key == _key(scope, account)))
