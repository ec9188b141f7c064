"""The web surface (docs/rules.md §8): security headers, no caching of anything a signed-in
user sees, HSTS over HTTPS, the proxy headers trusted only as configured, and
/.well-known/security.txt (RFC 9116). No inline script or style anywhere, so the CSP can stay
strict.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .addresses import external_url, sender_address
from .clock import utcnow
from .permissions import public

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_TXT_DAYS = 180  # RFC 9116: Expires less than a year ahead; computed, so never stale


@public
def security_txt() -> Response:
    """Where to report a vulnerability: the configured contact (default: the sender address)."""
    contact = current_app.config["SECURITY_CONTACT"] or sender_address()
    if not contact.startswith(("mailto:", "https://", "tel:")):
        contact = "mailto:" + contact
    expires = (utcnow() + dt.timedelta(days=SECURITY_TXT_DAYS)).replace(microsecond=0)
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {external_url('security_txt')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


def init_app(app: Flask) -> None:
    """Trust the proxy as configured, add security.txt and the headers to every response."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:  # the client address, scheme and host as the TLS proxy saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.add_url_rule("/.well-known/security.txt", "security_txt", security_txt)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure or app.config["HSTS_ALWAYS"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        # Every page, fragment, CSV and .ics a signed-in user gets is theirs alone: no browser
        # or proxy cache keeps a copy. (Static files and the fingerprinted chart sheet set
        # their own caching.)
        if response.mimetype == "text/html" or (request.endpoint != "static" and current_user.is_authenticated):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
