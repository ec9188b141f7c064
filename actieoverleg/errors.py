"""Dutch, styled error pages that leak nothing (no stack trace, no object content)."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .htmx import is_htmx

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt. Controleer wat u invulde en probeer het opnieuw."),
    401: ("Niet ingelogd", "Log in om verder te gaan."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina of deze handeling."),
    404: ("Niet gevonden", "Deze pagina bestaat niet, of u heeft er geen toegang toe."),
    405: ("Niet toegestaan", "Deze handeling is hier niet mogelijk."),
    409: ("Conflict", "Iemand anders heeft dit intussen gewijzigd. Laad de pagina opnieuw en bekijk de huidige stand."),
    413: ("Te groot", "Wat u verstuurde is te groot."),
    500: ("Er ging iets mis", "Er ging aan onze kant iets mis. Er is niets opgeslagen; probeer het opnieuw."),
}
CSRF_MESSAGE = "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw; wat u invulde is niet opgeslagen."


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=code, title=title, message=message or default), code


def init_app(app: Flask) -> None:
    """One handler for every HTTP error, one for CSRF, one for anything unexpected."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_error(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        db.session.rollback()
        return render_error(500)
