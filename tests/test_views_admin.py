"""Beheer: regions, organisations, users, meeting series and the audit log (admin only)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from flask import url_for
from sqlalchemy import func, select

from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.models import (
    AuditEvent,
    LoginSession,
    Meeting,
    MeetingSeries,
    Organisation,
    OutboxMessage,
    Region,
    User,
)
from actieoverleg.vocab import MeetingForm, OrganisationKind, Role

from .conftest import PASSWORD_HASH

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

NEW_PASSWORD = "een nieuw lang wachtwoord"


def page(response) -> str:
    """The response body as the user reads it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def events(action: str, object_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).filter_by(action=action, object_type=object_type).order_by(AuditEvent.id))
    )


def assert_no_content(event: AuditEvent, *texts: str) -> None:
    """An audit event carries codes only: none of the saved texts appears in it."""
    fields = " ".join(str(v) for v in (event.action, event.object_type, event.object_id, event.detail))
    for text in texts:
        assert text.lower() not in fields.lower()


def user_data(world, **overrides) -> dict:
    data = {
        "email": "nieuw@vt.example",
        "name": "Nieuwe Collega",
        "role": "deelnemer",
        "organisation_id": world.vt.id,
        "region_ids": [world.rr.id],
    }
    data.update(overrides)
    return data


def series_data(**overrides) -> dict:
    tomorrow = local_today() + dt.timedelta(days=1)
    data = {
        "weekday": tomorrow.weekday(),
        "start_time": "13:00",
        "duration_minutes": 120,
        "form": "hybride",
        "location": "Stadhuis, zaal 3",
        "online_url": "https://teams.microsoft.com/l/meetup-join/actie-overleg-rr",
        "active": "y",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(world, login_as):
    return login_as(world.admin)


# --- access ------------------------------------------------------------------------------


def admin_routes(app, world) -> list[tuple[str, str]]:
    """(method, url) for every route of the admin blueprint, about existing objects."""
    series = MeetingSeries(region=world.rr, weekday=2, start_time=dt.time(13, 0), form=MeetingForm.fysiek)
    db.session.add(series)
    db.session.commit()
    ids = {
        "region_id": world.rr.id,
        "organisation_id": world.vt.id,
        "user_id": world.vt_user.id,
        "series_id": series.id,
    }
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin."):
                url = url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments})
                routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert len(routes) >= 20  # every screen, with GET and POST where it has a form
    return routes


@pytest.mark.parametrize("who", ["chair", "vt_user", "national"])
def test_admin_screens_are_forbidden_for_other_roles(app, world, login_as, who):
    client = login_as(getattr(world, who))
    for method, url in admin_routes(app, world):
        response = client.open(url, method=method, data=user_data(world))
        assert response.status_code == 403, (method, url)
        assert "Geen toegang" in page(response)
    db.session.expire_all()
    assert db.session.get(User, world.vt_user.id).active
    assert db.session.get(User, world.vt_user.id).password_hash == PASSWORD_HASH
    assert db.session.scalar(select(func.count()).select_from(User).filter_by(email="nieuw@vt.example")) == 0
    assert events("create", "User") == [] and events("deactivate", "User") == []


def test_admin_screens_redirect_to_login_when_signed_out(app, world, client):
    for method, url in admin_routes(app, world):
        response = client.open(url, method=method, data=user_data(world))
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


def test_menu_shows_beheer_to_the_admin_only(world, admin, login_as):
    assert 'href="/beheer/"' in page(admin.get("/"))
    assert 'href="/beheer/"' not in page(login_as(world.chair).get("/"))


# --- index -------------------------------------------------------------------------------


def test_index_links_to_the_sections_with_counts(world, admin, make_user):
    make_user(Role.deelnemer, world.om, [world.rr], active=False)
    text = page(admin.get("/beheer/"))
    assert "<h1>Beheer</h1>" in text
    for href in (
        "/beheer/regios",
        "/beheer/organisaties",
        "/beheer/gebruikers",
        "/beheer/overlegreeksen",
        "/beheer/auditlog",
    ):
        assert f'href="{href}"' in text
    assert "2 actieve regio('s)" in text
    assert "3 actieve organisatie(s)" in text
    assert "8 actieve gebruiker(s), 1 gedeactiveerd" in text
    assert "0 actieve overlegreeks(en)" in text


# --- regions -----------------------------------------------------------------------------


def test_regions_list_shows_code_and_table(world, admin):
    text = page(admin.get("/beheer/regios"))
    assert "Rotterdam-Rijnmond" in text and "Zuid-Holland-Zuid" in text
    assert '<span class="code">RR</span>' in text
    assert "VT, Politie, OM" in text
    assert f'href="/beheer/regios/{world.rr.id}"' in text
    assert 'href="/beheer/regios/nieuw"' in text


def test_create_region_with_organisations_at_the_table(world, admin):
    form = admin.get("/beheer/regios/nieuw")
    assert form.status_code == 200
    assert 'type="checkbox"' in page(form) and "Veilig Thuis" in page(form)
    response = admin.post(
        "/beheer/regios/nieuw",
        data={"name": "Haaglanden", "code": "hl", "organisation_ids": [world.vt.id, world.om.id], "active": "y"},
    )
    assert response.status_code == 303
    followed = page(admin.get(response.headers["Location"]))
    assert "Regio Haaglanden is aangemaakt." in followed
    region = db.session.scalar(select(Region).filter_by(name="Haaglanden"))
    assert region.code == "HL" and region.active
    assert [o.short_name for o in region.organisations] == ["VT", "OM"]
    (event,) = events("create", "Region")
    assert event.object_id == region.id and event.user_id == world.admin.id and event.detail == ""
    assert_no_content(event, "Haaglanden")


def test_edit_region_changes_table_and_deactivates(world, admin):
    region = Region(name="Haaglanden", code="HL", organisations=[world.vt, world.politie])
    db.session.add(region)
    db.session.commit()
    text = page(admin.get(f"/beheer/regios/{region.id}"))
    assert 'value="Haaglanden"' in text and "readonly" not in text
    response = admin.post(
        f"/beheer/regios/{region.id}", data={"name": "Haaglanden-West", "code": "HW", "organisation_ids": [world.om.id]}
    )
    assert response.status_code == 303
    db.session.expire_all()
    region = db.session.get(Region, region.id)
    assert (region.name, region.code, region.active) == ("Haaglanden-West", "HW", False)
    assert [o.short_name for o in region.organisations] == ["OM"]
    assert len(events("change", "Region")) == 1
    assert "inactief" in page(admin.get("/beheer/regios"))


def test_duplicate_region_code_is_rejected_and_input_kept(world, admin):
    response = admin.post(
        "/beheer/regios/nieuw", data={"name": "Rijnmond-Noord", "code": "rr", "organisation_ids": [world.vt.id]}
    )
    assert response.status_code == 422
    text = page(response)
    assert "Deze code is al in gebruik bij een andere regio." in text
    assert 'value="Rijnmond-Noord"' in text and 'value="RR"' in text
    assert 'class="error-summary"' in text
    assert db.session.scalar(select(func.count()).select_from(Region)) == 2
    assert events("create", "Region") == []


@pytest.mark.parametrize("code", ["R", "RRRRR", "R1", "R-R"])
def test_region_code_must_be_two_to_four_capitals(world, admin, code):
    response = admin.post("/beheer/regios/nieuw", data={"name": "Haaglanden", "code": code})
    assert response.status_code == 422
    assert "Gebruik 2 tot 4 hoofdletters, bijvoorbeeld RR." in page(response)


def test_duplicate_region_name_is_rejected(world, admin):
    response = admin.post("/beheer/regios/nieuw", data={"name": "rotterdam-rijnmond", "code": "RN"})
    assert response.status_code == 422
    assert "Er is al een regio met deze naam." in page(response)


def test_region_code_is_locked_once_it_has_cases(world, admin):
    text = page(admin.get(f"/beheer/regios/{world.rr.id}"))  # RR has a case in the world
    assert "readonly" in text
    assert "De code kan niet meer veranderen: de regio heeft al casussen" in text
    response = admin.post(
        f"/beheer/regios/{world.rr.id}",
        data={"name": "Rotterdam-Rijnmond", "code": "ROT", "organisation_ids": [world.vt.id], "active": "y"},
    )
    assert response.status_code == 422
    assert "De code kan niet meer veranderen: de regio heeft al casussen met deze code." in page(response)
    db.session.expire_all()
    assert db.session.get(Region, world.rr.id).code == "RR"
    # the name and the table can still change
    response = admin.post(
        f"/beheer/regios/{world.rr.id}",
        data={"name": "Rotterdam-Rijnmond", "code": "RR", "organisation_ids": [world.vt.id], "active": "y"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert [o.short_name for o in db.session.get(Region, world.rr.id).organisations] == ["VT"]


def test_region_name_goes_through_the_content_guard(world, admin):
    response = admin.post("/beheer/regios/nieuw", data={"name": "Regio info@regio.nl", "code": "RI"})
    assert response.status_code == 422
    assert "e-mailadres" in page(response)
    assert db.session.scalar(select(func.count()).select_from(Region)) == 2


def test_unknown_region_answers_404(world, admin):
    assert admin.get("/beheer/regios/999").status_code == 404


# --- organisations -----------------------------------------------------------------------


def test_organisations_list_partners_first_then_guests(world, admin, make_org):
    make_org("GGZ", kind=OrganisationKind.guest, name="GGZ Delfland").position = 1  # before the partners
    db.session.commit()
    text = page(admin.get("/beheer/organisaties"))
    assert text.index("Veilig Thuis") < text.index("Openbaar Ministerie") < text.index("GGZ Delfland")
    assert "Partner Veiligheid Voorop" in text and "Gast" in text
    assert 'href="/beheer/organisaties/nieuw"' in text


def test_create_and_edit_organisation(world, admin):
    response = admin.post(
        "/beheer/organisaties/nieuw",
        data={
            "name": "Zorg- en Veiligheidshuis Rotterdam",
            "short_name": "ZVH",
            "kind": "guest",
            "position": 20,
            "active": "y",
        },
    )
    assert response.status_code == 303
    assert "Organisatie Zorg- en Veiligheidshuis Rotterdam is aangemaakt." in page(
        admin.get(response.headers["Location"])
    )
    org = db.session.scalar(select(Organisation).filter_by(short_name="ZVH"))
    assert org.kind is OrganisationKind.guest and org.position == 20 and org.active
    assert 'value="ZVH"' in page(admin.get(f"/beheer/organisaties/{org.id}"))
    response = admin.post(
        f"/beheer/organisaties/{org.id}",
        data={"name": "Zorg- en Veiligheidshuis Rijnmond", "short_name": "ZVH-R", "kind": "guest", "position": 21},
    )
    assert response.status_code == 303
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert (org.name, org.short_name, org.position, org.active) == (
        "Zorg- en Veiligheidshuis Rijnmond",
        "ZVH-R",
        21,
        False,
    )
    (created,) = events("create", "Organisation")
    (changed,) = events("change", "Organisation")
    assert created.object_id == changed.object_id == org.id
    assert_no_content(created, "Veiligheidshuis", "ZVH")
    assert_no_content(changed, "Veiligheidshuis", "ZVH")


def test_duplicate_short_name_is_rejected_and_input_kept(world, admin):
    response = admin.post(
        "/beheer/organisaties/nieuw",
        data={"name": "Veilig Thuis Haaglanden", "short_name": "vt", "kind": "partner", "position": 5},
    )
    assert response.status_code == 422
    text = page(response)
    assert "Deze korte naam is al in gebruik bij een andere organisatie." in text
    assert 'value="Veilig Thuis Haaglanden"' in text and 'value="vt"' in text
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 3


def test_organisation_keeps_its_own_short_name_on_edit(world, admin):
    response = admin.post(
        f"/beheer/organisaties/{world.vt.id}",
        data={"name": "Veilig Thuis", "short_name": "VT", "kind": "partner", "position": 3, "active": "y"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Organisation, world.vt.id).position == 3


def test_organisation_position_must_be_a_number(world, admin):
    response = admin.post(
        "/beheer/organisaties/nieuw",
        data={"name": "Slachtofferhulp", "short_name": "SHN", "kind": "guest", "position": "eerst"},
    )
    assert response.status_code == 422
    assert 'value="Slachtofferhulp"' in page(response)


# --- users -------------------------------------------------------------------------------


def test_users_list_shows_accounts_with_organisation_role_and_regions(world, admin):
    text = page(admin.get("/beheer/gebruikers"))
    assert "chair@rr.example" in text and "landelijk@example.test" in text
    assert "Voorzitter" in text and "Landelijk voorzittersoverleg" in text
    assert "Rotterdam-Rijnmond, Zuid-Holland-Zuid" in text  # the admin's regions
    assert f'href="/beheer/gebruikers/{world.chair.id}"' in text


def test_users_list_filters_by_region_and_role(world, admin):
    text = page(admin.get(f"/beheer/gebruikers?regio={world.zhz.id}"))
    assert "chair@zhz.example" in text and "politie@zhz.example" in text
    assert "chair@rr.example" not in text and "landelijk@example.test" not in text
    text = page(admin.get("/beheer/gebruikers?rol=voorzitter"))
    assert "chair@rr.example" in text and "chair@zhz.example" in text
    assert "vt@rr.example" not in text
    text = page(admin.get(f"/beheer/gebruikers?regio={world.rr.id}&rol=voorzitter"))
    assert "chair@rr.example" in text and "chair@zhz.example" not in text
    assert '<option value="voorzitter" selected>' in text


def test_users_list_is_paged(world, admin, app, make_user):
    app.config["PAGE_SIZE"] = 5
    text = page(admin.get("/beheer/gebruikers"))
    assert "Pagina 1 van 2" in text and "pagina=2" in text
    text = page(admin.get("/beheer/gebruikers?pagina=2&rol="))
    assert "Pagina 2 van 2" in text and "← Vorige" in text
    assert text.count('data-label="Naam"') == 3


def test_users_list_runs_a_fixed_number_of_queries(app, login_as, make_org, make_user, count_queries):
    org = make_org("VT")
    region = Region(name="Rotterdam-Rijnmond", code="RR", organisations=[org])
    db.session.add(region)
    admin = make_user(Role.beheerder, org, [])
    for _ in range(4):
        make_user(Role.deelnemer, make_org(), [region])
    client = login_as(admin)
    with count_queries() as few:
        assert client.get("/beheer/gebruikers").status_code == 200
    for _ in range(45):
        make_user(Role.deelnemer, make_org(), [region])
    with count_queries() as many:
        text = page(client.get("/beheer/gebruikers"))
    assert text.count('data-label="Naam"') == 50
    assert len(many) == len(few), many


def test_create_user_sends_an_invitation_and_no_admin_sets_a_password(world, admin):
    form = page(admin.get("/beheer/gebruikers/nieuw"))
    assert 'type="password"' not in form and "Uitnodiging sturen" in form
    response = admin.post("/beheer/gebruikers/nieuw", data=user_data(world, email="Nieuw@VT.example"))
    assert response.status_code == 303
    assert "Gebruiker Nieuwe Collega is uitgenodigd" in page(admin.get(response.headers["Location"]))
    user = db.session.scalar(select(User).filter_by(email="nieuw@vt.example"))
    assert user.role is Role.deelnemer and user.organisation_id == world.vt.id
    assert [r.code for r in user.regions] == ["RR"]
    assert user.password_hash == "!"  # nobody can sign in until the person chooses one
    (event,) = events("create", "User")
    assert event.object_id == user.id and event.detail == ""
    assert_no_content(event, "nieuw@vt.example", "Nieuwe Collega")
    assert [e.object_id for e in events("invite", "User")] == [user.id]
    (message,) = db.session.scalars(select(OutboxMessage).filter_by(user_id=user.id)).all()
    assert message.subject == "Uitnodiging voor Actie-overleg" and message.kind.value == "account"


def test_inactive_organisations_and_regions_are_offered_only_where_chosen(world, admin):
    world.om.active = False
    world.zhz.active = False
    db.session.commit()
    text = page(admin.get("/beheer/gebruikers/nieuw"))
    assert "Openbaar Ministerie" not in text and "Zuid-Holland-Zuid" not in text
    text = page(admin.get(f"/beheer/gebruikers/{world.chair.id}"))  # an OM chair
    assert "Openbaar Ministerie (inactief)" in text
    assert "Zuid-Holland-Zuid" not in text
    text = page(admin.get(f"/beheer/gebruikers/{world.other_chair.id}"))  # a ZHZ chair
    assert "Zuid-Holland-Zuid (inactief)" in text


def test_duplicate_email_is_rejected_case_insensitively_and_input_kept(world, admin):
    response = admin.post(
        "/beheer/gebruikers/nieuw", data=user_data(world, email="VT@rr.example", name="Dubbele Collega")
    )
    assert response.status_code == 422
    text = page(response)
    assert "Er is al een account met dit e-mailadres." in text
    assert 'value="vt@rr.example"' in text and 'value="Dubbele Collega"' in text
    assert NEW_PASSWORD not in text  # a password is never sent back
    assert f'<option selected value="{world.vt.id}">' in text or f'value="{world.vt.id}" selected' in text
    assert db.session.scalar(select(func.count()).select_from(User).filter_by(name="Dubbele Collega")) == 0
    assert events("create", "User") == []


def test_new_user_needs_a_valid_email_and_a_region(world, admin):
    response = admin.post(
        "/beheer/gebruikers/nieuw",
        data=user_data(world, email="geen-adres", region_ids=[], organisation_id=0),
    )
    assert response.status_code == 422
    text = page(response)
    assert "Vul een geldig e-mailadres in" in text
    assert "Kies minstens één regio" in text
    assert "Kies de organisatie waar deze persoon werkt." in text
    assert 'value="geen-adres"' in text
    assert db.session.scalar(select(func.count()).select_from(User)) == 8


@pytest.mark.parametrize("role", ["landelijk", "beheerder"])
def test_national_and_admin_users_need_no_region(world, admin, role):
    response = admin.post("/beheer/gebruikers/nieuw", data=user_data(world, role=role, region_ids=[]))
    assert response.status_code == 303
    user = db.session.scalar(select(User).filter_by(email="nieuw@vt.example"))
    assert user.role is Role(role) and user.regions == []


def test_edit_user_changes_name_role_organisation_and_regions(world, admin):
    text = page(admin.get(f"/beheer/gebruikers/{world.vt_user.id}"))
    assert "vt@rr.example" in text and ">Opslaan</button>" in text
    assert "Deactiveren" in text and "Wachtwoordlink sturen" in text
    response = admin.post(
        f"/beheer/gebruikers/{world.vt_user.id}",
        data={
            "name": "Andere Naam",
            "role": "voorzitter",
            "organisation_id": world.om.id,
            "region_ids": [world.rr.id, world.zhz.id],
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, world.vt_user.id)
    assert (user.name, user.role, user.organisation_id) == ("Andere Naam", Role.voorzitter, world.om.id)
    assert user.region_ids == {world.rr.id, world.zhz.id}
    assert user.email == "vt@rr.example"
    (event,) = events("change", "User")
    assert event.object_id == user.id
    assert_no_content(event, "Andere Naam")


def test_user_page_shows_the_accounts_history_and_links_to_all_of_it(world, admin):
    """Role and region changes are visible where the admin manages the account, by whom."""
    admin.post(
        f"/beheer/gebruikers/{world.vt_user.id}",
        data={
            "name": world.vt_user.name,
            "role": "voorzitter",
            "organisation_id": world.vt.id,
            "region_ids": [world.rr.id, world.zhz.id],
        },
    )
    admin.post(f"/beheer/gebruikers/{world.politie_user.id}/deactiveren")  # another account
    text = page(admin.get(f"/beheer/gebruikers/{world.vt_user.id}"))
    history = text[text.index("Geschiedenis van dit account") : text.index('id="status"')]
    assert 'data-label="Actie">rol gewijzigd' in history and '<span class="code">voorzitter</span>' in history
    assert "regio's gewijzigd" in history and '<span class="code">RR,ZHZ</span>' in history
    assert f'data-label="Door">{world.admin.name}' in history
    assert "gedeactiveerd" not in history
    link = f"/beheer/auditlog?account={world.vt_user.id}"
    assert f'href="{link}"' in history
    log = page(admin.get(link))
    assert f"Alleen gebeurtenissen over het account van <strong>{world.vt_user.name}</strong>" in log
    assert 'data-label="Actie">rol gewijzigd' in log and 'data-label="Actie">gedeactiveerd' not in log
    assert 'data-label="Actie">gedeactiveerd' in page(admin.get("/beheer/auditlog"))  # the filter hid it


def test_a_new_account_page_says_nothing_happened_yet(world, admin, make_user):
    user = make_user(Role.deelnemer, world.vt, [world.rr], name="Stille Collega")
    db.session.commit()
    assert "Nog niets vastgelegd over dit account." in page(admin.get(f"/beheer/gebruikers/{user.id}"))


def test_edit_user_rejects_removing_all_regions_of_a_member(world, admin):
    response = admin.post(
        f"/beheer/gebruikers/{world.vt_user.id}",
        data={"name": "Andere Naam", "role": "deelnemer", "organisation_id": world.vt.id},
    )
    assert response.status_code == 422
    text = page(response)
    assert "Kies minstens één regio" in text and 'value="Andere Naam"' in text
    db.session.expire_all()
    assert db.session.get(User, world.vt_user.id).name != "Andere Naam"


def test_admin_cannot_remove_their_own_admin_role(world, admin):
    response = admin.post(
        f"/beheer/gebruikers/{world.admin.id}",
        data={"name": "Beheerder", "role": "deelnemer", "organisation_id": world.vt.id, "region_ids": [world.rr.id]},
    )
    assert response.status_code == 422
    assert "U kunt uw eigen rol van beheerder niet weghalen." in page(response)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).role is Role.beheerder
    assert admin.get("/beheer/").status_code == 200


def test_deactivated_user_is_signed_out_and_cannot_sign_in(world, admin, login_as, auth):
    member = login_as(world.vt_user)
    assert member.get("/").status_code == 200
    response = admin.post(f"/beheer/gebruikers/{world.vt_user.id}/deactiveren")
    assert response.status_code == 303
    text = page(admin.get(response.headers["Location"]))
    assert "is gedeactiveerd en direct uitgelogd" in text
    assert ">Activeren</button>" in text
    # the open session stops working at once
    response = member.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == world.vt_user.id, LoginSession.revoked_at.is_(None))
        )
        == 0
    )
    # and signing in again is refused
    response = auth.login(world.vt_user)
    assert response.status_code == 422
    assert "Onbekend e-mailadres of onjuist wachtwoord." in page(response)  # nothing more to learn
    (event,) = events("deactivate", "User")
    assert event.object_id == world.vt_user.id and event.user_id == world.admin.id and event.detail == ""
    assert "gedeactiveerd" in page(admin.get("/beheer/gebruikers"))


def test_reactivated_user_can_sign_in_again(world, admin, auth):
    admin.post(f"/beheer/gebruikers/{world.vt_user.id}/deactiveren")
    response = admin.post(f"/beheer/gebruikers/{world.vt_user.id}/activeren")
    assert response.status_code == 303
    assert f"Gebruiker {world.vt_user.name} is geactiveerd." in page(admin.get(response.headers["Location"]))
    assert auth.login(world.vt_user).status_code == 303
    assert len(events("activate", "User")) == 1


def test_admin_cannot_deactivate_themself(world, admin):
    text = page(admin.get(f"/beheer/gebruikers/{world.admin.id}"))
    assert "U kunt uzelf niet deactiveren" in text and ">Deactiveren</button>" not in text
    response = admin.post(f"/beheer/gebruikers/{world.admin.id}/deactiveren")
    assert response.status_code == 303
    assert "U kunt uw eigen account niet deactiveren." in page(admin.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).active
    assert events("deactivate", "User") == []


def test_the_admin_sends_a_password_link_instead_of_setting_a_password(world, admin, auth):
    text = page(admin.get(f"/beheer/gebruikers/{world.vt_user.id}"))
    assert "Wachtwoordlink sturen" in text and 'type="password"' not in text
    assert admin.post(f"/beheer/gebruikers/{world.vt_user.id}/wachtwoord", data={"new_password": "x"}).status_code in (
        404,
        405,
    )
    response = admin.post(f"/beheer/gebruikers/{world.vt_user.id}/link-sturen")
    assert response.status_code == 303
    assert f"Er is een link om een nieuw wachtwoord te kiezen gestuurd naar {world.vt_user.email}." in page(
        admin.get(response.headers["Location"])
    )
    assert auth.login(world.vt_user).status_code == 303  # the old password works until a new one is chosen
    assert [e.object_id for e in events("reset_request", "User")] == [world.vt_user.id]


# --- meeting series ----------------------------------------------------------------------


def meetings_of(series_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting).filter_by(series_id=series_id))


def test_series_list_shows_each_region(world, admin):
    text = page(admin.get("/beheer/overlegreeksen"))
    assert "<h2" in text and "Rotterdam-Rijnmond" in text and "Zuid-Holland-Zuid" in text
    assert "Nog geen overlegreeks" in text
    assert f'href="/beheer/regios/{world.rr.id}/overlegreeksen/nieuw"' in text


def test_saving_an_active_series_plans_the_coming_weeks(world, admin, app):
    weeks = app.config["PLANNING_WEEKS"]
    form = page(admin.get(f"/beheer/regios/{world.rr.id}/overlegreeksen/nieuw"))
    assert "donderdag" in form and "Overlegreeks aanmaken" in form
    response = admin.post(f"/beheer/regios/{world.rr.id}/overlegreeksen/nieuw", data=series_data())
    assert response.status_code == 303
    text = page(admin.get(response.headers["Location"]))
    assert f"{weeks} overleg(gen) nieuw gepland voor de komende {weeks} weken." in text
    series = db.session.scalar(select(MeetingSeries))
    assert series.region_id == world.rr.id and series.form is MeetingForm.hybride
    assert series.start_time == dt.time(13, 0) and series.location == "Stadhuis, zaal 3"
    assert meetings_of(series.id) == weeks
    assert "Stadhuis, zaal 3" in text and "Hybride" in text
    (event,) = events("create", "MeetingSeries")
    assert_no_content(event, "Stadhuis")
    assert len(events("create", "Meeting")) == weeks
    # saving again plans nothing twice
    response = admin.post(f"/beheer/overlegreeksen/{series.id}", data=series_data(duration_minutes=90))
    assert "0 overleg(gen) nieuw gepland" in page(admin.get(response.headers["Location"]))
    assert meetings_of(series.id) == weeks
    db.session.expire_all()
    assert db.session.get(MeetingSeries, series.id).duration_minutes == 90


def test_inactive_series_plans_nothing(world, admin):
    data = series_data()
    del data["active"]
    response = admin.post(f"/beheer/regios/{world.zhz.id}/overlegreeksen/nieuw", data=data)
    assert response.status_code == 303
    text = page(admin.get(response.headers["Location"]))
    assert "Overlegreeks van Zuid-Holland-Zuid is opgeslagen." in text and "gepland voor" not in text
    series = db.session.scalar(select(MeetingSeries))
    assert not series.active and meetings_of(series.id) == 0


def test_series_location_is_guarded_and_input_kept(world, admin):
    response = admin.post(
        f"/beheer/regios/{world.rr.id}/overlegreeksen/nieuw",
        data=series_data(location="Bel 06-12345678", duration_minutes=5),
    )
    assert response.status_code == 422
    text = page(response)
    assert "telefoonnummer" in text and "Tussen 15 en 480 minuten." in text
    assert 'value="13:00"' in text
    assert db.session.scalar(select(func.count()).select_from(MeetingSeries)) == 0
    assert db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.series_id.is_not(None))) == 0


def test_edit_series_shows_its_values(world, admin):
    series = MeetingSeries(region=world.rr, weekday=1, start_time=dt.time(9, 30), form=MeetingForm.online)
    db.session.add(series)
    db.session.commit()
    text = page(admin.get(f"/beheer/overlegreeksen/{series.id}"))
    assert 'value="09:30"' in text and '<option selected value="1">dinsdag</option>' in text
    assert "Al geplande overleggen veranderen niet mee" in text
    assert "dinsdag 09:30" in page(admin.get("/beheer/overlegreeksen"))
