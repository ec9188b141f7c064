"""The factory, configuration, error pages and the template rules that keep a strict CSP possible."""

from __future__ import annotations

import pathlib
import re

import pytest
from flask import abort

from actieoverleg import create_app

TEMPLATES = pathlib.Path(__file__).parents[1] / "actieoverleg" / "templates"


def test_missing_secret_key_is_a_clear_startup_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ACTIEOVERLEG_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_prefixed_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIEOVERLEG_SECRET_KEY", "from-env")
    monkeypatch.setenv("ACTIEOVERLEG_PAGE_SIZE", "7")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["PAGE_SIZE"] == 7


def test_csrf_token_outlives_a_three_hour_meeting(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] >= 3 * 3600


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(app):
    from actieoverleg.extensions import db

    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


@pytest.mark.parametrize(
    "code, title",
    [
        (400, "Ongeldig verzoek"),
        (403, "Geen toegang"),
        (404, "Niet gevonden"),
        (409, "Conflict"),
        (500, "Er ging iets mis"),
    ],
)
def test_error_pages_are_dutch_and_styled(app, client, code, title):
    @app.route(f"/_fail/{code}")
    def fail():
        abort(code)

    response = client.get(f"/_fail/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert title in html and 'lang="nl"' in html and "app.css" in html


def test_unexpected_exception_leaks_no_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/_boom")
    def boom():
        raise ValueError("geheime-inhoud-1234")

    response = client.get("/_boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in html
    assert "geheime-inhoud" not in html and "Traceback" not in html


def test_security_headers_and_strict_csp(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers["Vary"]


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.parent.name == "emails":  # mail clients need inline styles; no CSP applies there
            continue
        text = path.read_text()
        if (
            re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
            or re.search(r"\sstyle=", text)
            or re.search(r"\son[a-z]+=", text)
            or "<style" in text
        ):
            offenders.append(path.name)
    assert offenders == []


def test_htmx_is_vendored_and_pinned(client):
    response = client.get("/static/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert b'version:"2.0.11"' in response.data
    response.close()


def test_dates_are_dutch(app):
    import datetime as dt

    from actieoverleg.formatting import datum, datum_lang, datumtijd, tijd

    with app.test_request_context():
        assert datum(dt.date(2026, 3, 3)) == "03-03-2026"
        assert datum_lang(dt.date(2026, 3, 3)) == "dinsdag 03-03-2026"
        # 12:00 UTC is 13:00 in Amsterdam in winter and 14:00 in summer
        assert tijd(dt.datetime(2026, 1, 6, 12, 0, tzinfo=dt.timezone.utc)) == "13:00"
        assert tijd(dt.datetime(2026, 7, 7, 12, 0, tzinfo=dt.timezone.utc)) == "14:00"
        # late UTC evening is already the next day in Amsterdam; naive values are UTC, as stored
        assert datum(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.timezone.utc)) == "01-01-2027"
        assert datumtijd(dt.datetime(2026, 10, 25, 1, 30)) == "25-10-2026 02:30"  # just after summer time
        assert datumtijd(dt.datetime(2026, 10, 25, 0, 30)) == "25-10-2026 02:30"  # the hour that comes twice
        assert datum(None) == tijd(None) == datumtijd(None) == ""
