"""The web surface (docs/rules.md §8): security.txt (RFC 9116), HSTS over HTTPS, no caching of
anything a signed-in user gets (pages, CSV, .ics, the feed), the strict headers kept."""

from __future__ import annotations

import datetime as dt

import pytest

from actieoverleg import subscriptions
from actieoverleg.extensions import db
from actieoverleg.periods import last_complete_quarter

from .conftest import TEST_NOW

SECURE = {"base_url": "https://actieoverleg.test"}


def test_security_txt_names_contact_expiry_languages_and_canonical(app, client):
    app.config["SECURITY_CONTACT"] = "mailto:security@veiligheidvoorop.example"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    fields = dict(line.split(": ", 1) for line in response.get_data(as_text=True).splitlines())
    assert fields["Contact"] == "mailto:security@veiligheidvoorop.example"
    assert fields["Preferred-Languages"] == "nl, en"
    assert fields["Canonical"] == "https://actieoverleg.test/.well-known/security.txt"
    expires = dt.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert TEST_NOW < expires < TEST_NOW + dt.timedelta(days=365)  # RFC 9116: under a year ahead


def test_security_txt_contact_defaults_to_the_sender_address(client):
    text = client.get("/.well-known/security.txt").get_data(as_text=True)
    assert "Contact: mailto:noreply@actieoverleg.test" in text


def test_hsts_over_https_only_unless_configured(app, client):
    assert client.get("/login", **SECURE).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["HSTS_ALWAYS"] = True
    assert "Strict-Transport-Security" in client.get("/login").headers


def test_https_behind_a_trusted_proxy_gets_hsts_and_its_client_address(config):
    from actieoverleg import create_app

    app = create_app({**config, "TRUSTED_PROXIES": 1})
    client = app.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"})
    assert "Strict-Transport-Security" in response.headers
    untrusted = create_app(config).test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers


def test_strict_headers_on_every_answer(client):
    for path in ("/login", "/.well-known/security.txt", "/static/app.css", "/bestaat-niet"):
        response = client.get(path)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        response.close()


@pytest.mark.clock
def test_nothing_a_signed_in_user_gets_is_cached(world, login_as, client):
    member = login_as(world.vt_user)
    national = login_as(world.national)
    period = last_complete_quarter(TEST_NOW.date()).key
    answers = {
        "page": member.get("/"),
        "fragment": member.get("/actiepunten/", headers={"HX-Request": "true"}),
        "meeting .ics": member.get(f"/overleggen/{world.meeting.id}/overleg.ics"),
        "CSV": national.get(f"/statistieken/{period}/export.csv"),
        "403": member.get("/beheer/"),
    }
    token = subscriptions.renew(world.vt_user)
    db.session.commit()
    answers["feed"] = client.get(f"/agenda/{token}.ics")
    for what, response in answers.items():
        assert response.status_code in (200, 403), what
        assert response.headers["Cache-Control"] == "no-store", what
    css = member.get("/static/app.css")
    assert css.headers["Cache-Control"] != "no-store"  # the same for everyone: may be cached
    css.close()
