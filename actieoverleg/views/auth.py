"""Sign in (password, then the code from the authenticator app) and out.

Between the two steps the browser is only half signed in (`auth.begin_second_step`): no page
but the code step opens. Chairs and admins without an app set up do that first, before any
page (docs/rules.md §8).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from .. import auth_links, auth_totp, throttle
from ..auth import authenticate, begin_second_step, end_session, pending, start_session
from ..auth_forms import CodeForm, LoginForm, NewPasswordForm, ResetRequestForm
from ..extensions import db
from ..models import User
from ..permissions import allow, must_use_two_factor, public, signed_in
from ..vocab import TokenPurpose
from .screens import status_code

bp = Blueprint("auth", __name__)
WRONG_CODE = "Deze code klopt niet of is al gebruikt. Wacht op de volgende code in de app, of gebruik een herstelcode."
WRONG_SETUP_CODE = "Deze code klopt niet. Controleer of de app de code van dit account toont en probeer het opnieuw."
EXPIRED = "Log opnieuw in: de vorige poging is verlopen."
SENT = (
    "Als dit adres bij een account hoort, is er nu een mail onderweg met een link om een nieuw "
    "wachtwoord te kiezen. De link werkt één keer en is {hours} uur geldig."
)
LINK_GONE = "Deze link werkt niet (meer): hij is al gebruikt of verlopen. Vraag een nieuwe aan."


def too_many(scope: str, account: str | None = None):
    """The 429 answer while attempts are throttled (the same whether or not the account exists), else None."""
    wait = throttle.retry_after(scope, account)
    if wait is None:
        return None
    response = make_response(render_template("auth/throttled.html", message=throttle.message(wait)), 429)
    response.headers["Retry-After"] = str(wait)
    return response


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the start page."""
    if (
        not target
        or urlsplit(target).netloc
        or urlsplit(target).scheme
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The password step; a rejected attempt keeps the e-mail address."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        refused = too_many("login", form.email.data)
        if refused is not None:
            return refused
        user, error = authenticate(form.email.data, form.password.data)
        target = safe_next(request.args.get("next"))
        step = None
        if user is not None:
            if auth_totp.credential(user) is not None:
                begin_second_step(user, target, enrol=False)
                step = "auth.code"
            elif must_use_two_factor(user):
                begin_second_step(user, target, enrol=True)
                step = "auth.enrol"
            else:
                start_session(user)
        db.session.commit()  # also a failure: it counts towards the throttle
        if user is not None:
            return redirect(url_for(step) if step else target, code=303)
    return render_template("auth/login.html", form=form, error=error), status_code()


def _start_again():
    """The half-signed-in state lapsed (or never was): back to the password step."""
    flash(EXPIRED, "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/login/code", methods=["GET", "POST"])
@public
def code():
    """The second step: the six digits from the app, or a recovery code."""
    found = pending(enrol=False)
    if found is None:
        return _start_again()
    user, target = found
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        refused = too_many("code", str(user.id))
        if refused is not None:
            return refused
        if auth_totp.verify(user, form.code.data):
            throttle.succeeded("code", str(user.id))
            start_session(user)
            db.session.commit()
            return redirect(safe_next(target), code=303)
        throttle.failed("code", str(user.id), user)
        db.session.commit()
        error = WRONG_CODE
    return render_template("auth/code.html", form=form, error=error), status_code()


@bp.route("/login/instellen", methods=["GET", "POST"])
@public
def enrol():
    """First sign-in of a chair or admin: set up the authenticator app before anything else."""
    found = pending(enrol=True)
    if found is None:
        return _start_again()
    user, target = found
    credential = auth_totp.start_enrolment(user)
    db.session.commit()  # the secret shown must be the one confirmed
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        refused = too_many("code", str(user.id))
        if refused is not None:
            return refused
        codes = auth_totp.confirm_enrolment(user, form.code.data)
        if codes is None:
            throttle.failed("code", str(user.id), user)
        else:
            start_session(user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, target=safe_next(target))
        db.session.commit()
        error = WRONG_SETUP_CODE
    return render_template(
        "auth/enrol.html",
        form=form,
        error=error,
        qr=auth_totp.qr_svg(user, credential.secret),
        secret=auth_totp.grouped(credential.secret),
    ), status_code()


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def forgotten():
    """Ask for a password link; the answer is the same whether or not the address exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        refused = too_many("reset", form.email.data)
        if refused is not None:
            return refused
        throttle.failed("reset", form.email.data)  # every request counts: no mail bombing
        auth_links.request_reset(form.email.data)
        db.session.commit()
        flash(SENT.format(hours=current_app.config["ACCOUNT_LINK_HOURS"]), "info")
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/forgotten.html", form=form), status_code()


@bp.route("/account/<token>", methods=["GET", "POST"])
@public
def account_link(token: str):
    """Choose a password through an invitation or reset link; then sign in (with the code, or
    setting up the app where that is required)."""
    refused = too_many("link")
    if refused is not None:
        return refused
    link = auth_links.redeem(token)
    if link is None:
        throttle.failed("link")
        db.session.commit()
        return render_template("auth/link_gone.html", message=LINK_GONE), 404
    user = db.session.get(User, link.user_id)
    form = NewPasswordForm(personal=(user.name, user.email))
    if form.validate_on_submit():
        auth_links.choose_password(link, form.password.data)
        db.session.commit()
        flash("Uw wachtwoord is ingesteld. Log nu in.", "success")
        return redirect(url_for("auth.login"), code=303)
    return render_template(
        "auth/choose_password.html", form=form, user=user, invitation=link.purpose is TokenPurpose.uitnodiging
    ), status_code()


@bp.route("/logout", methods=["POST"])
@allow(signed_in)
def logout():
    """Revoke the server-side session (CSRF is checked globally, so this is POST-only); the
    browser is told to drop what it kept of the site."""
    end_session()
    db.session.commit()
    response = redirect(url_for("auth.login"), code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
