"""Two-factor sign-in (docs/rules.md §8): a TOTP authenticator app, or a one-time recovery code.

Chairs and admins must use it (`permissions.must_use_two_factor`), others may. Setting it up
shows a QR code drawn here as inline SVG (segno; no outside service sees the secret) and the
secret in base32; it counts once a code from the app matches. Then ten recovery codes are
shown once and kept as SHA-256 only (they are long random strings, so a fast hash suffices).

A code is never accepted twice: the credential keeps the last accepted 30-second step, and
only a later step counts. `TOTP_DRIFT_STEPS` steps either side of now are accepted, for a
phone whose clock is a little off. Every change ends all of the user's sessions (the caller
signs the current browser in again where that is right). The operations flush; the caller
commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, select, update

from . import audit
from .auth import revoke_sessions
from .clock import utcnow
from .extensions import db
from .models import RecoveryCode, TotpCredential, User
from .vocab import AuditAction

ISSUER = "Actie-overleg"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def credential(user: User) -> TotpCredential | None:
    """The user's confirmed credential, if two-factor sign-in is on."""
    found = db.session.get(TotpCredential, user.id)
    return found if found is not None and found.confirmed_at is not None else None


def start_enrolment(user: User) -> TotpCredential:
    """A new, unconfirmed secret (or the one already being set up, so a reload shows the same QR)."""
    found = db.session.get(TotpCredential, user.id)
    if found is None:
        found = TotpCredential(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(found)
        db.session.flush()
    return found


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User, secret: str) -> Markup:
    """The otpauth:// link as an inline SVG QR code (no style attributes: the CSP stays strict)."""
    svg = segno.make(provisioning_uri(user, secret), error="m").svg_inline(
        scale=5, border=2, title="QR-code voor uw authenticator-app", svgclass="qr", lineclass="qr__line"
    )
    return Markup(svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, as authenticator apps let you type it."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _step_matching(found: TotpCredential, code: str) -> int | None:
    """The time step within the drift window whose code this is and that was not used yet."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(found.secret)
    now = int(utcnow().timestamp()) // totp.interval
    drift = current_app.config["TOTP_DRIFT_STEPS"]
    for step in range(now - drift, now + drift + 1):
        if step > found.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    codes = [f"{c[:5]}-{c[5:]}" for c in codes]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Turn two-factor sign-in on if the code matches the secret being set up: the fresh
    recovery codes (to show once), else None. Every session of the user ends."""
    found = db.session.get(TotpCredential, user.id)
    if found is None or found.confirmed_at is not None:
        return None
    step = _step_matching(found, code)
    if step is None:
        return None
    found.last_step, found.confirmed_at = step, utcnow()
    codes = _new_recovery_codes(user)
    revoke_sessions(user)
    audit.record(AuditAction.totp_enrol, user, user=user)
    db.session.flush()
    return codes


def verify(user: User, code: str) -> bool:
    """The second step of signing in: a fresh TOTP code, or an unused recovery code (then used up)."""
    found = credential(user)
    if found is None:
        return False
    code = code.replace(" ", "")
    step = _step_matching(found, code)
    if step is not None:
        # conditional, so two requests racing with the same code cannot both win
        taken = db.session.execute(
            update(TotpCredential)
            .where(TotpCredential.user_id == user.id, TotpCredential.last_step < step)
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(found)
        return taken.rowcount == 1
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount == 1:
        audit.record(AuditAction.recovery_used, user, user=user)
        return True
    return False


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def disable(user: User, by: User | None) -> bool:
    """Two-factor sign-in off (by the user, after their password) or reset by an admin: the
    secret and the recovery codes go, and every session of the user ends. False if it was off."""
    found = db.session.get(TotpCredential, user.id)
    if found is None:
        return False
    was_on = found.confirmed_at is not None
    db.session.delete(found)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    revoke_sessions(user)
    if was_on:
        own = by is not None and by.id == user.id
        audit.record(AuditAction.totp_disable if own else AuditAction.totp_reset, user, user=by)
    db.session.flush()
    return was_on


def enrol_for_demo(user: User) -> str:
    """A confirmed credential with a fresh secret, for the demo's accounts; the secret (base32)."""
    found = TotpCredential(user_id=user.id, secret=pyotp.random_base32(), confirmed_at=utcnow())
    db.session.add(found)
    return found.secret
