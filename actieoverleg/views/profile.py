"""Profile: mail preferences, the private calendar feed (and the feed URL itself), and one's
own account: two-factor sign-in, the password, the open sessions (docs/rules.md §8)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import audit, auth, auth_links, auth_totp, subscriptions, throttle
from ..addresses import external_url
from ..auth_forms import ChangePasswordForm, CodeForm, ConfirmPasswordForm
from ..extensions import db
from ..forms import MailPreferenceForm
from ..passwords import verify
from ..permissions import allow, is_member, must_use_two_factor, public, signed_in
from ..vocab import MailMode

bp = Blueprint("profile", __name__)


WRONG_PASSWORD = "Dit wachtwoord klopt niet."


def _page(
    form: MailPreferenceForm,
    status: int = 200,
    confirm: ConfirmPasswordForm | None = None,
    change: ChangePasswordForm | None = None,
):
    token = current_user.feed_token
    feed_url = external_url("profile.feed", token=token) if token else None
    return render_template(
        "profile/index.html",
        form=form,
        feed_url=feed_url,
        member=is_member(current_user),
        two_factor=auth_totp.credential(current_user) is not None,
        two_factor_required=must_use_two_factor(current_user),
        recovery_left=auth_totp.recovery_codes_left(current_user),
        confirm=confirm or ConfirmPasswordForm(formdata=None),
        change=change or ChangePasswordForm(formdata=None),
    ), status


def _password_right(field) -> bool:  # type: ignore[no-untyped-def]
    """The current password again, throttled like signing in; a Dutch message by the field."""
    user = current_user._get_current_object()
    wait = throttle.retry_after("login", user.email)
    if wait is not None:
        field.errors.append(throttle.message(wait))
        return False
    if verify(user.password_hash, field.data):
        return True
    throttle.failed("login", user.email, user)
    db.session.commit()
    field.errors.append(WRONG_PASSWORD)
    return False


def _mail_form() -> MailPreferenceForm:
    return MailPreferenceForm(formdata=None, mail_mode=current_user.mail_mode.value)


@bp.route("/profiel")
@allow(signed_in)
def index():
    """Who you are, what your mails say, and your calendar subscription."""
    return _page(_mail_form())


@bp.route("/profiel/mail", methods=["POST"])
@allow(is_member)
def mail_preference():
    """Full mails or "link only" (counts, no case codes or texts)."""
    form = MailPreferenceForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    subscriptions.set_mail_mode(current_user, MailMode(form.mail_mode.data))
    db.session.commit()
    flash("Uw mail-voorkeur is opgeslagen.", "success")
    return redirect(url_for("profile.index"), code=303)


@bp.route("/profiel/agenda-abonnement", methods=["POST"])
@allow(is_member)
def renew_feed():
    """Create or renew the feed URL; the old one stops at once."""
    renewed = current_user.feed_token is not None
    subscriptions.renew(current_user)
    db.session.commit()
    flash(
        "Nieuwe abonnementslink gemaakt. De oude link werkt niet meer."
        if renewed
        else "Uw abonnementslink is klaar. Voeg hem toe in uw agenda-app.",
        "success",
    )
    return redirect(url_for("profile.index", _anchor="agenda-abonnement"), code=303)


@bp.route("/profiel/agenda-abonnement/stoppen", methods=["POST"])
@allow(is_member)
def stop_feed():
    subscriptions.stop(current_user)
    db.session.commit()
    flash("Het agenda-abonnement is gestopt; de link werkt niet meer.", "success")
    return redirect(url_for("profile.index", _anchor="agenda-abonnement"), code=303)


@bp.route("/agenda/<token>.ics")
@public
def feed(token: str):
    """The subscription feed: calendar apps cannot sign in, the token is the key."""
    user = subscriptions.user_for(token)
    if user is None:
        abort(404)
    body = subscriptions.feed(user)
    audit.viewed(user, user, "agenda-abonnement")  # the feed's reader is its owner's calendar app
    db.session.commit()
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Cache-Control": "no-store",  # it carries case codes: no cache keeps a copy
            "Content-Disposition": 'inline; filename="actieoverleg.ics"',
            "X-Robots-Tag": "noindex",
        },
    )


@bp.route("/profiel/tweestapsverificatie", methods=["GET", "POST"])
@allow(signed_in)
def two_factor():
    """Set up the authenticator app; the recovery codes are shown once, on this answer."""
    if auth_totp.credential(current_user) is not None:
        return redirect(url_for("profile.index", _anchor="tweestaps"), code=303)
    credential = auth_totp.start_enrolment(current_user)
    db.session.commit()
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        codes = auth_totp.confirm_enrolment(user, form.code.data)
        if codes is not None:
            auth.start_session(user, renew=True)  # every session ended; this browser stays signed in
            db.session.commit()
            return render_template("profile/recovery_codes.html", codes=codes)
        error = "Deze code klopt niet. Controleer of de app de code van dit account toont en probeer het opnieuw."
    return render_template(
        "profile/two_factor.html",
        form=form,
        error=error,
        qr=auth_totp.qr_svg(current_user, credential.secret),
        secret=auth_totp.grouped(credential.secret),
    ), (422 if error or form.errors else 200)


@bp.route("/profiel/tweestapsverificatie/uitzetten", methods=["POST"])
@allow(signed_in)
def two_factor_off():
    """Off (or, for chairs and admins, set up anew) after the password: every session ends."""
    confirm = ConfirmPasswordForm()
    if not (confirm.validate_on_submit() and _password_right(confirm.password)):
        return _page(_mail_form(), 422, confirm=confirm)
    user = current_user._get_current_object()
    auth_totp.disable(user, by=user)
    if must_use_two_factor(user):
        auth.begin_second_step(user, url_for("profile.index"), enrol=True)
        db.session.commit()
        return redirect(url_for("auth.enrol"), code=303)
    auth.start_session(user, renew=True)
    db.session.commit()
    flash("Tweestapsverificatie staat uit. U bent op andere apparaten uitgelogd.", "success")
    return redirect(url_for("profile.index", _anchor="tweestaps"), code=303)


@bp.route("/profiel/wachtwoord", methods=["POST"])
@allow(signed_in)
def change_password():
    """A new password after the current one; every other session ends, this one goes on."""
    user = current_user._get_current_object()
    change = ChangePasswordForm(personal=(user.name, user.email))
    if not (change.validate_on_submit() and _password_right(change.current)):
        return _page(_mail_form(), 422, change=change)
    auth_links.change_password(user, change.password.data)
    auth.start_session(user, renew=True)
    db.session.commit()
    flash("Uw wachtwoord is gewijzigd. U bent op andere apparaten uitgelogd.", "success")
    return redirect(url_for("profile.index", _anchor="wachtwoord"), code=303)
