"""Profile: mail preferences and the private calendar feed; the feed URL itself."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import audit, subscriptions
from ..addresses import external_url
from ..extensions import db
from ..forms import MailPreferenceForm
from ..permissions import allow, is_member, public, signed_in
from ..vocab import MailMode

bp = Blueprint("profile", __name__)


def _page(form: MailPreferenceForm, status: int = 200):
    token = current_user.feed_token
    feed_url = external_url("profile.feed", token=token) if token else None
    return render_template("profile/index.html", form=form, feed_url=feed_url, member=is_member(current_user)), status


@bp.route("/profiel")
@allow(signed_in)
def index():
    """Who you are, what your mails say, and your calendar subscription."""
    form = MailPreferenceForm(formdata=None, mail_mode=current_user.mail_mode.value)
    return _page(form)


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
