"""Accounts by invitation and "Wachtwoord vergeten?" (actieoverleg.auth_links), over a real
SMTP server: a one-time link, stored hashed, that lapses; the same answer for any address;
the self-service password change on the profile."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import select

from actieoverleg.extensions import db
from actieoverleg.models import AccountToken, User

from .conftest import PASSWORD, Auth
from .records import entries

CHOSEN = "paars kompas onder de brug"


@pytest.fixture
def config(config, smtp):
    return dict(config, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https://actieoverleg\.test(/account/[\w-]+)", body).group(1)


def invite(admin, world, **data):
    values = {
        "email": "nieuw@vt.example",
        "name": "Nieuwe Collega",
        "role": "deelnemer",
        "organisation_id": world.vt.id,
        "region_ids": [world.rr.id],
    }
    values.update(data)
    assert admin.post("/beheer/gebruikers/nieuw", data=values).status_code == 303
    return db.session.scalar(select(User).filter_by(email=values["email"]))


def test_an_invitation_mail_holds_a_one_time_link_and_nothing_else(world, login_as, smtp, client):
    user = invite(login_as(world.admin), world)
    (message,) = smtp.inbox.to("nieuw@vt.example")
    assert message["Subject"] == "Uitnodiging voor Actie-overleg"
    body = message.get_body(("plain",)).get_content()
    assert "Kies via deze link uw wachtwoord" in body and "De link werkt één keer, tot 11-12-2026 10:00." in body
    for secret in ("Rotterdam", "deelnemer", world.case.code, "VT-2026"):
        assert secret not in body
    path = link_in(message)
    token = path.rsplit("/", 1)[1]
    stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # only the hash is kept

    page = client.get(path)
    assert page.status_code == 200 and "Welkom bij Actie-overleg" in page.get_data(as_text=True)
    weak = client.post(path, data={"password": "actieoverleg2026", "repeat": "actieoverleg2026"})
    assert weak.status_code == 422 and "te makkelijk te raden" in weak.get_data(as_text=True)
    assert client.post(path, data={"password": CHOSEN, "repeat": CHOSEN + "!"}).status_code == 422
    response = client.post(path, data={"password": CHOSEN, "repeat": CHOSEN})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Uw wachtwoord is ingesteld. Log nu in." in client.get("/login").get_data(as_text=True)
    again = client.get(path)  # a link works once
    assert again.status_code == 404 and "al gebruikt of verlopen" in again.get_data(as_text=True)
    assert Auth(client).login("nieuw@vt.example", CHOSEN).status_code == 303
    assert [e[0] for e in entries(user)] == ["create", "invite", "invite_accept", "login"]


def test_an_invited_chair_chooses_a_password_then_sets_up_the_app(world, login_as, smtp, client):
    invite(login_as(world.admin), world, email="nieuwe.voorzitter@om.example", role="voorzitter")
    path = link_in(smtp.inbox.to("nieuwe.voorzitter@om.example")[0])
    client.post(path, data={"password": CHOSEN, "repeat": CHOSEN})
    response = client.post("/login", data={"email": "nieuwe.voorzitter@om.example", "password": CHOSEN})
    assert response.headers["Location"] == "/login/instellen"


def test_a_link_lapses_after_the_configured_hours(app, world, login_as, smtp, client, clock):
    invite(login_as(world.admin), world)
    path = link_in(smtp.inbox.to("nieuw@vt.example")[0])
    clock.shift(dt.timedelta(hours=app.config["ACCOUNT_LINK_HOURS"], seconds=1))
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": CHOSEN, "repeat": CHOSEN}).status_code == 404


def test_a_new_invitation_replaces_the_old_link(world, login_as, smtp, client):
    admin = login_as(world.admin)
    user = invite(admin, world)
    first = link_in(smtp.inbox.to("nieuw@vt.example")[0])
    assert "Nieuwe uitnodiging sturen" in admin.get(f"/beheer/gebruikers/{user.id}").get_data(as_text=True)
    admin.post(f"/beheer/gebruikers/{user.id}/link-sturen")
    second = link_in(smtp.inbox.to("nieuw@vt.example")[1])
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_forgotten_password_answers_alike_for_known_and_unknown_addresses(world, client, smtp, login_as):
    member = login_as(world.vt_user)
    answers = []
    for address in (world.vt_user.email.upper(), "niemand@example.test"):
        response = client.post("/wachtwoord-vergeten", data={"email": address})
        answers.append(
            (response.status_code, response.headers["Location"], client.get("/login").get_data(as_text=True))
        )
    assert answers[0] == answers[1]
    assert "Als dit adres bij een account hoort, is er nu een mail onderweg" in answers[0][2]
    assert smtp.inbox.to("niemand@example.test") == []
    (message,) = smtp.inbox.to(world.vt_user.email)
    assert message["Subject"] == "Nieuw wachtwoord kiezen voor Actie-overleg"
    path = link_in(message)
    assert client.post(path, data={"password": CHOSEN, "repeat": CHOSEN}).status_code == 303
    assert member.get("/").status_code == 302  # every session ended
    assert Auth(client).login(world.vt_user, PASSWORD).status_code == 422
    assert Auth(client).login(world.vt_user, CHOSEN).status_code == 303
    assert [e[0] for e in entries(world.vt_user)][-4:] == ["reset_request", "password_reset", "login_failed", "login"]


def test_a_deactivated_account_gets_no_link(world, client, smtp):
    world.vt_user.active = False
    db.session.commit()
    client.post("/wachtwoord-vergeten", data={"email": world.vt_user.email})
    assert smtp.inbox.to(world.vt_user.email) == []


def test_change_password_on_the_profile_needs_the_current_one(world, login_as, auth):
    laptop = login_as(world.vt_user)
    phone = login_as(world.vt_user)
    data = {"wijzig-current": "niet mijn wachtwoord", "wijzig-password": CHOSEN, "wijzig-repeat": CHOSEN}
    wrong = laptop.post("/profiel/wachtwoord", data=data)
    assert wrong.status_code == 422 and "Dit wachtwoord klopt niet." in wrong.get_data(as_text=True)
    response = laptop.post("/profiel/wachtwoord", data=dict(data, **{"wijzig-current": PASSWORD}))
    assert response.status_code == 303
    assert "Uw wachtwoord is gewijzigd." in laptop.get("/profiel").get_data(as_text=True)  # this one goes on
    assert phone.get("/").status_code == 302  # the other session ended
    assert auth.login(world.vt_user, CHOSEN).status_code == 303
    assert ("password_change", world.vt_user.id, "") in entries(world.vt_user)
