"""Two-factor sign-in (actieoverleg.auth_totp and the sign-in screens): chairs and admins must,
others may; a code counts once; recovery codes work once; the half-signed-in state opens
nothing; turning it off asks for the password; an admin's reset is audited."""

from __future__ import annotations

import datetime as dt
import re

import pyotp

from actieoverleg import auth_totp
from actieoverleg.extensions import db
from actieoverleg.models import LoginSession, RecoveryCode, TotpCredential

from .conftest import PASSWORD, totp_code
from .records import entries


def password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_a_chair_gives_a_code_after_the_password_and_is_half_signed_in_until_then(client, world):
    response = password_step(client, world.chair)
    assert response.status_code == 303 and response.headers["Location"] == "/login/code"
    for page in ("/", "/profiel", f"/overleggen/{world.meeting.id}/agenda/"):
        blocked = client.get(page)
        assert blocked.status_code == 302 and blocked.headers["Location"].startswith("/login"), page
    assert db.session.scalars(db.select(LoginSession)).all() == []
    html = client.get("/login/code").get_data(as_text=True)
    assert "Code invullen" in html and "authenticator-app" in html
    response = client.post("/login/code", data={"code": totp_code(world.chair)})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert world.chair.name in client.get("/").get_data(as_text=True)


def test_a_wrong_code_is_refused_in_dutch(client, world):
    password_step(client, world.chair)
    response = client.post("/login/code", data={"code": "000000"})
    assert response.status_code == 422
    assert "Deze code klopt niet of is al gebruikt." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_code_is_never_accepted_twice(app, client, world):
    code = totp_code(world.chair)
    password_step(client, world.chair)
    assert client.post("/login/code", data={"code": code}).status_code == 303
    client.post("/logout")
    password_step(client, world.chair)
    assert client.post("/login/code", data={"code": code}).status_code == 422  # the same code again
    credential = db.session.get(TotpCredential, world.chair.id)
    secret = pyotp.TOTP(credential.secret)
    assert secret.generate_otp(credential.last_step) == code
    assert client.post("/login/code", data={"code": totp_code(world.chair)}).status_code == 303  # the next one


def test_the_code_step_lapses(client, world, clock):
    password_step(client, world.chair)
    clock.shift(dt.timedelta(minutes=11))
    response = client.post("/login/code", data={"code": totp_code(world.chair)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Log opnieuw in: de vorige poging is verlopen." in client.get("/login").get_data(as_text=True)


def enrol(client, path: str) -> tuple[str, str]:
    """Read the secret off the set-up page, confirm with the app's code: the answer's HTML."""
    html = client.get(path).get_data(as_text=True)
    assert (
        "<svg" in html and "QR-code voor uw authenticator-app" in html and "https://" not in html.split("<svg")[1][:200]
    )
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    response = client.post(path, data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)
    return secret, response.get_data(as_text=True)


def test_a_chair_without_the_app_sets_it_up_before_any_page(client, world, make_user):
    from actieoverleg.vocab import Role

    chair = make_user(Role.voorzitter, world.om, [world.rr], totp=False)
    response = password_step(client, chair)
    assert response.headers["Location"] == "/login/instellen"
    assert client.get("/").status_code == 302
    wrong = client.post("/login/instellen", data={"code": "123456"})
    assert wrong.status_code == 422 and "Deze code klopt niet." in wrong.get_data(as_text=True)
    secret, html = enrol(client, "/login/instellen")
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)
    assert len(codes) == 10 and "U ziet ze alleen nu" in html
    assert client.get("/").status_code == 200  # signed in now
    stored = db.session.scalars(db.select(RecoveryCode.code_hash).filter_by(user_id=chair.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed only
    assert ("totp_enrol", chair.id, "") in entries(chair)

    # a recovery code signs in once
    client.post("/logout")
    password_step(client, chair)
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 303
    client.post("/logout")
    password_step(client, chair)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 422
    assert auth_totp.recovery_codes_left(chair) == 9
    assert ("recovery_used", chair.id, "") in entries(chair)


def test_a_member_may_set_it_up_on_the_profile_and_turn_it_off_with_the_password(login_as, world):
    client = login_as(world.vt_user)  # no second step for a member without the app
    assert "Tweestapsverificatie instellen" in client.get("/profiel").get_data(as_text=True)
    enrol(client, "/profiel/tweestapsverificatie")
    assert "Aan: u logt in" in client.get("/profiel").get_data(as_text=True)
    wrong = client.post("/profiel/tweestapsverificatie/uitzetten", data={"uit-password": "niet mijn wachtwoord"})
    assert wrong.status_code == 422 and "Dit wachtwoord klopt niet." in wrong.get_data(as_text=True)
    assert auth_totp.credential(world.vt_user) is not None
    response = client.post("/profiel/tweestapsverificatie/uitzetten", data={"uit-password": PASSWORD})
    assert response.status_code == 303
    assert "Tweestapsverificatie staat uit." in client.get("/profiel").get_data(as_text=True)
    db.session.expire_all()
    assert auth_totp.credential(world.vt_user) is None
    assert [e[0] for e in entries(world.vt_user) if e[0].startswith("totp")] == ["totp_enrol", "totp_disable"]


def test_a_change_of_the_second_factor_ends_every_other_session(login_as, world):
    phone = login_as(world.vt_user)
    laptop = login_as(world.vt_user)
    enrol(laptop, "/profiel/tweestapsverificatie")
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_a_chair_cannot_just_turn_it_off_but_sets_it_up_again(login_as, world):
    client = login_as(world.chair)
    response = client.post("/profiel/tweestapsverificatie/uitzetten", data={"uit-password": PASSWORD})
    assert response.headers["Location"] == "/login/instellen"
    assert client.get("/").status_code == 302  # nothing opens before the new app is set up
    enrol(client, "/login/instellen")
    assert client.get("/").status_code == 200


def test_an_admin_resets_someones_second_factor_audited(login_as, world):
    chair_client = login_as(world.chair)
    admin = login_as(world.admin)
    page = admin.get(f"/beheer/gebruikers/{world.chair.id}").get_data(as_text=True)
    assert "Tweestapsverificatie resetten" in page
    response = admin.post(f"/beheer/gebruikers/{world.chair.id}/tweestapsverificatie-resetten")
    assert response.status_code == 303
    assert chair_client.get("/").status_code == 302  # signed out everywhere
    assert ("totp_reset", world.admin.id, "") in entries(world.chair)
    fresh = admin.application.test_client()
    assert password_step(fresh, world.chair).headers["Location"] == "/login/instellen"


def test_a_member_may_not_reset_anyone(login_as, world):
    response = login_as(world.vt_user).post(f"/beheer/gebruikers/{world.chair.id}/tweestapsverificatie-resetten")
    assert response.status_code == 403
    assert auth_totp.credential(world.chair) is not None
