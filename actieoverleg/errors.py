"""Dutch, styled error pages that leak nothing (no stack trace, no object content)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import audit
from .extensions import db
from .htmx import is_htmx
from .permissions import OutOfReach

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt. Controleer wat u invulde en probeer het opnieuw."),
    401: ("Niet ingelogd", "Log in om verder te gaan."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina of deze handeling."),
    404: ("Niet gevonden", "Deze pagina bestaat niet, of u heeft er geen toegang toe."),
    405: ("Niet toegestaan", "Deze handeling is hier niet mogelijk."),
    409: ("Conflict", "Iemand anders heeft dit intussen gewijzigd. Laad de pagina opnieuw en bekijk de huidige stand."),
    413: (
        "Te groot",
        "Wat u verstuurde is te groot. Maak de tekst korter en probeer het opnieuw; er is niets opgeslagen.",
    ),
    500: ("Er ging iets mis", "Er ging aan onze kant iets mis. Er is niets opgeslagen; probeer het opnieuw."),
    503: ("Even bezet", "De database is even bezet. Probeer het zo opnieuw."),
}
RETRY_AFTER_SECONDS = 5
# PostgreSQL's SQLSTATEs for a lock not granted in time (lock_timeout) and a deadlock victim.
PG_BUSY = {"55P03", "40P01"}
CSRF_MESSAGE = "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw; wat u invulde is niet opgeslagen."
RACE_MESSAGE = (
    "Iemand anders legde dit op hetzelfde moment vast. Er is niets opgeslagen: "
    "laad de pagina opnieuw en bekijk de huidige stand."
)
SIGNED_OUT = "U bent afgemeld. Meld u opnieuw aan."
LOGIN_EXPIRED = "Het aanmeldformulier was verlopen. Meld u opnieuw aan."


log = logging.getLogger(__name__)


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=code, title=title, message=message or default), code


def database_busy(error: OperationalError) -> bool:
    """A lock held past the timeout: SQLite's "database is locked" (its busy timeout ran out),
    PostgreSQL's lock timeout or deadlock. Anything else is a real fault (500)."""
    if "database is locked" in str(error.orig) or "database table is locked" in str(error.orig):
        return True
    return (getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)) in PG_BUSY


def _page_left() -> str | None:
    """The path of the page the form was on (same site only), to return to after signing in."""
    address = urlsplit(request.headers.get("HX-Current-URL") or request.referrer or "")
    if address.netloc != request.host or not address.path.startswith("/"):
        return None
    return address.path + (f"?{address.query}" if address.query else "")


def signed_out() -> Response:
    """A form posted from a browser that has signed out (in another tab, say): its token belonged
    to the ended session. Off to the login page with a Dutch message, also for htmx."""
    if request.endpoint == "auth.login":
        flash(LOGIN_EXPIRED, "info")
        target = url_for("auth.login")
    else:
        flash(SIGNED_OUT, "info")
        back = _page_left()
        target = url_for("auth.login", next=back if back != url_for("auth.login") else None)
    if is_htmx():  # a redirect would be swapped into the page: htmx follows this header instead
        response = Response(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


def log_denial(code: int) -> None:
    """Record a signed-in user's refused request in its own small transaction: whatever the
    view had begun is undone first. A busy database costs the entry, not the answer."""
    if not current_user.is_authenticated or request.url_rule is None:
        return
    db.session.rollback()
    try:
        audit.denied(current_user, code)
        db.session.commit()
    except OperationalError as failed:
        db.session.rollback()
        if not database_busy(failed):
            raise
        current_app.logger.warning("audit: denial not recorded, database busy (%s)", request.url_rule.rule)


def init_app(app: Flask) -> None:
    """One handler for every HTTP error, one for CSRF, one for a busy database, one for anything
    unexpected."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int] | Response:
        """A bad token from a signed-out browser means the session ended: sign in again. A
        signed-in user's bad token is refused with the Dutch 400 page."""
        if not current_user.is_authenticated:
            return signed_out()
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        if error.code == 403 or isinstance(error, OutOfReach):
            log_denial(error.code or 403)
        return render_error(error.code or 500)

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def race(error: IntegrityError | StaleDataError) -> tuple[str, int, dict[str, str]]:
        """Two people saving the same thing at once (the same organisation's attendance, the same
        case derived onto an agenda): the database's unique rule refused the second, or a
        version column found the row changed since it was read (where no view shows its own
        conflict panel). Nothing of that request is kept; the user reloads and sees what the
        other saved. The error's text holds the row's values, so only the route is logged."""
        db.session.rollback()
        log.warning("integrity conflict on %s", request.url_rule.rule if request.url_rule else "?")
        # htmx: into the page's message area, not into the control that saved (a 409 of the
        # step tokens brings its own fragment; this one is the generic page)
        return *render_error(409, RACE_MESSAGE), {"HX-Retarget": "#meldingen", "HX-Reswap": "innerHTML"}

    @app.errorhandler(OperationalError)
    def busy(error: OperationalError) -> tuple[str, int, dict[str, str]]:
        """Another transaction held its lock too long: undo this request's half-done work and
        ask to retry (503); any other database fault goes on to the 500 page."""
        db.session.rollback()
        if not database_busy(error):
            raise error
        page, code = render_error(503)
        return page, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        db.session.rollback()
        return render_error(500)
