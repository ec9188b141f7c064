"""Sign in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import authenticate, end_session, start_session
from ..auth_forms import LoginForm
from ..extensions import db
from ..permissions import allow, public, signed_in
from .screens import status_code

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the start page."""
    if (
        not target
        or urlsplit(target).netloc
        or urlsplit(target).scheme
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The sign-in form; a rejected attempt keeps the e-mail address."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user, error = authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
        db.session.commit()  # also a failure: it counts towards the lock-out
        if user is not None:
            return redirect(safe_next(request.args.get("next")), code=303)
    return render_template("auth/login.html", form=form, error=error), status_code()


@bp.route("/logout", methods=["POST"])
@allow(signed_in)
def logout():
    """Revoke the server-side session (CSRF is checked globally, so this is POST-only)."""
    end_session()
    db.session.commit()
    return redirect(url_for("auth.login"), code=303)
