"""Signing in and out: argon2, lock-out, server-side sessions, CSRF, safe redirects."""

from __future__ import annotations

import datetime as dt
import re

from actieoverleg.extensions import db
from actieoverleg.models import LoginSession

from .conftest import PASSWORD, totp_code


def test_login_page_is_dutch(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Inloggen" in html and 'name="email"' in html and 'name="password"' in html


def test_signed_out_user_is_sent_to_login(client, world):
    response = client.get("/actiepunten/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_htmx_request_when_signed_out_gets_redirect_header(client, world):
    response = client.post(f"/actiepunten/{world.action.id}/status", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_login_and_start_page(auth, client, world):
    response = auth.login(world.politie_user)
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert world.politie_user.name in html and "Actiepunten Politie" in html


def test_passwords_are_argon2_hashes(world):
    assert world.chair.password_hash.startswith("$argon2")


def test_wrong_password_keeps_email_and_says_so_in_dutch(auth, world):
    response = auth.login(world.chair.email, "wrong password!")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "onjuist wachtwoord" in html and world.chair.email in html


def test_throttling_answers_429_alike_for_known_and_unknown_accounts(auth, world):
    answers = []
    for email in (world.chair.email, "niemand@example.test"):
        for _ in range(5):
            assert auth.login(email, "wrong password!").status_code == 422
        response = auth.login(email, PASSWORD)  # even the right password, for now
        answers.append((response.status_code, response.headers["Retry-After"], response.get_data(as_text=True)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429 and answers[0][1] == "900"
    assert "Te veel pogingen. Wacht 15 minuten en probeer het dan opnieuw." in answers[0][2]


def test_throttling_per_address_across_accounts(auth, app, world, clock):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for n in range(3):
        auth.login(f"iemand{n}@example.test", "wrong password!")
    assert auth.login(world.vt_user).status_code == 429
    clock.shift(dt.timedelta(minutes=16))
    assert auth.login(world.vt_user).status_code == 303


def test_wrong_codes_are_throttled_too(client, world):
    client.post("/login", data={"email": world.chair.email, "password": PASSWORD})
    for _ in range(5):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 422
    response = client.post("/login/code", data={"code": totp_code(world.chair)})
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_guessing_links_is_throttled(client, world):
    for n in range(20):
        assert client.get(f"/account/geraden{n}").status_code == 404
    assert client.get("/account/nog-een").status_code == 429


def test_logout_revokes_the_session_server_side(app, login_as, world):
    client = login_as(world.vt_user)
    cookie = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    client.post("/logout")
    # Someone who copied the cookie before logout cannot use it afterwards.
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalars(db.select(LoginSession)).one().revoked_at is not None


def test_next_redirect_stays_on_site(client, world):
    user = world.politie_user
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={bad}", data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"] == "/"
        client.post("/logout")
    response = client.post("/login?next=/actiepunten/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/actiepunten/"


def test_the_next_page_survives_the_code_step(client, world):
    response = client.post("/login?next=/actiepunten/", data={"email": world.chair.email, "password": PASSWORD})
    assert response.headers["Location"] == "/login/code"
    response = client.post("/login/code", data={"code": totp_code(world.chair)})
    assert response.headers["Location"] == "/actiepunten/"


def test_csrf_is_required_on_forms_and_htmx(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": world.vt_user.email, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/login"  # not signed in: no 400 page
    assert "Het aanmeldformulier was verlopen. Meld u opnieuw aan." in client.get("/login").text

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": world.vt_user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    # htmx sends the token as a header, taken from hx-headers on <body>
    home = client.get("/").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
    response = client.post(
        f"/actiepunten/{world.action.id}/status",
        data={"status": "afgerond", "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/actiepunten/{world.action.id}/status",
        data={"status": "afgerond", "version": "1"},
        headers={"HX-Request": "true", "X-CSRFToken": header_token},
    )
    assert response.status_code == 403  # the member is VT's, the point is Politie's: CSRF passed, permission refused


def form_token(client, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text).group(1)


def signed_in_with_csrf(app, user):
    """A browser with CSRF on, signed in; and the token its pages carry."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    if response.headers["Location"] == "/login/code":
        response = client.post(
            "/login/code", data={"code": totp_code(user), "csrf_token": form_token(client, "/login/code")}
        )
        assert response.status_code == 303
    page = client.get("/").text
    return client, re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def test_a_form_posted_after_signing_out_in_another_tab_leads_to_the_login_page(app, world):
    client, token = signed_in_with_csrf(app, world.chair)
    agenda = f"/overleggen/{world.meeting.id}/agenda/"
    assert client.get(agenda).status_code == 200  # the page the old tab still shows
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303  # the other tab
    referer = {"Referer": f"http://localhost{agenda}"}
    minutes = f"/overleggen/{world.meeting.id}/agenda/{world.item.id}/tijd"
    response = client.post(minutes, data={"minutes": "20", "csrf_token": token}, headers=referer)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/login?next={agenda}"
    login = client.get(response.headers["Location"])
    assert login.status_code == 200 and "U bent afgemeld. Meld u opnieuw aan." in login.text
    db.session.expire_all()
    assert world.item.planned_minutes is None  # nothing was saved
    # signing in again returns to the page the form was on
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text).group(1)
    again = client.post(
        response.headers["Location"], data={"email": world.chair.email, "password": PASSWORD, "csrf_token": fresh}
    )
    code = {"code": totp_code(world.chair), "csrf_token": form_token(client, again.headers["Location"])}
    again = client.post(again.headers["Location"], data=code)
    assert again.headers["Location"] == agenda


def test_an_htmx_request_after_signing_out_is_redirected_by_header(app, world):
    client, token = signed_in_with_csrf(app, world.chair)
    client.post("/logout", data={"csrf_token": token})
    response = client.post(
        f"/overleggen/{world.meeting.id}/agenda/{world.item.id}/tijd",
        data={"minutes": "20"},
        headers={"HX-Request": "true", "X-CSRFToken": token, "HX-Current-URL": "http://evil.example/overleggen/"},
    )
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"  # another site: no next
    assert "U bent afgemeld. Meld u opnieuw aan." in client.get("/login").text


def test_a_signed_in_user_with_a_bad_token_still_gets_the_400_page(app, world):
    client, _token = signed_in_with_csrf(app, world.chair)
    minutes = f"/overleggen/{world.meeting.id}/agenda/{world.item.id}/tijd"
    for headers in ({}, {"HX-Request": "true", "X-CSRFToken": "vals"}):
        response = client.post(minutes, data={"minutes": "20", "csrf_token": "vals"}, headers=headers)
        assert response.status_code == 400 and "Het formulier is verlopen of ongeldig" in response.text
        assert "HX-Redirect" not in response.headers


def test_over_https_the_cookie_is_host_bound_and_sign_out_clears_the_site(config, world):
    from actieoverleg import create_app

    app = create_app(dict(config, SESSION_COOKIE_SECURE=True))
    client = app.test_client()
    with app.app_context():
        response = client.post("https://localhost/login", data={"email": world.vt_user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    out = client.post("https://localhost/logout")
    assert out.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
