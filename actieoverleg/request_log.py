"""The request log (docs/rules.md §8): one line per request with the method, the route's
pattern, the status, the user's id and the time taken.

Never the URL itself: a path holds case codes (`/casussen/RR-7KQ4`) and the calendar feed's
token, a query string what was searched. So the development server's own access lines, which
print the raw request line, are dropped, and gunicorn's access log stays off (its default).
"""

from __future__ import annotations

import logging
import sys
import time

from flask import Flask, Response, g, request

log = logging.getLogger("actieoverleg.requests")


def _not_an_access_line(record: logging.LogRecord) -> bool:
    """werkzeug's WSGIRequestHandler logs `"GET /path?query HTTP/1.1" 200 -`: drop those lines,
    keep the rest (such as "Running on http://127.0.0.1:5000")."""
    return '"%s" %s %s' not in str(record.msg)


def _handler_once() -> None:
    """Log the app's INFO lines to stderr when nothing else was configured (gunicorn, flask run),
    once per process however many apps are made (the tests make many)."""
    package = logging.getLogger("actieoverleg")
    if package.level == logging.NOTSET:
        package.setLevel(logging.INFO)
    if not logging.getLogger().handlers and not package.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        package.addHandler(handler)
    werkzeug = logging.getLogger("werkzeug")
    if _not_an_access_line not in werkzeug.filters:
        werkzeug.addFilter(_not_an_access_line)


def init_app(app: Flask) -> None:
    _handler_once()

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        pattern = request.url_rule.rule if request.url_rule is not None else "(geen route)"
        signed_in = g.get("_login_user")  # only if the view loaded it: a static file costs no query
        user = signed_in.id if signed_in is not None and signed_in.is_authenticated else "-"
        took = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        log.info("%s %s %s user=%s %.1fms", request.method, pattern, response.status_code, user, took)
        return response
