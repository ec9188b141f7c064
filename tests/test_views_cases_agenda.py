"""Casus aanmelden, herbespreking, the agenda with automatic items, preparation, planning."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from actieoverleg import agenda
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import AuditEvent, Case, Meeting
from actieoverleg.vocab import ActionStatus, ItemKind, MeetingStatus, Role

from .conftest import HX, TEST_NOW

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def bring_in_data(world, **overrides):
    data = {
        "meeting_id": world.meeting.id,
        "kind": "km",
        "children": "ja",
        "reason": "escalatie",
        "needed": [world.politie.id, world.om.id],
        "file_reference": "POL-2026-7781",
    }
    data.update(overrides)
    return data


def test_member_brings_a_case_in_and_sees_its_code(world, login_as):
    client = login_as(world.politie_user)
    response = client.post("/casussen/nieuw", data=bring_in_data(world))
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r"RR-[A-Z0-9]{4}", html).group(0)
    assert "is aangemeld" in html and "Kindermishandeling" in html
    case = db.session.scalars(db.select(Case).filter_by(code=code)).one()
    assert case.organisation_id == world.politie.id and case.file_reference == "POL-2026-7781"
    assert [p.organisation_id for p in case.items[0].preparations] == [world.politie.id, world.om.id]
    assert db.session.scalars(
        db.select(AuditEvent).filter_by(action="create", object_type="Case", object_id=case.id)
    ).one()


def test_rejected_case_form_keeps_input_and_saves_nothing(world, login_as):
    client = login_as(world.politie_user)
    before = db.session.scalar(db.select(db.func.count()).select_from(Case))
    response = client.post(
        "/casussen/nieuw", data=bring_in_data(world, file_reference="mail j.jansen@gmail.com", kind="")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dit veld is verplicht." in html and "e-mailadres" in html.lower()
    assert 'value="mail j.jansen@gmail.com"' in html  # what was typed is kept
    assert '<option selected value="escalatie">' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == before


def test_cannot_bring_in_for_another_regions_meeting(world, login_as):
    response = login_as(world.politie_user).post(
        "/casussen/nieuw", data=bring_in_data(world, meeting_id=world.other_meeting.id)
    )
    assert response.status_code == 422  # not among the choices offered


def test_the_case_form_page_offers_the_follow_up_with_the_coming_meetings(world, login_as):
    html = login_as(world.politie_user).get(f"/casussen/nieuw?overleg={world.meeting.id}").get_data(as_text=True)
    follow_up = html.split('id="herbespreking"')[1]
    assert f'<option selected value="{world.meeting.id}">' in follow_up
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_file_reference_only_for_the_bringing_organisation(world, login_as):
    own = login_as(world.vt_user).get(f"/casussen/{world.case.code}").get_data(as_text=True)
    other = login_as(world.politie_user).get(f"/casussen/{world.case.code}").get_data(as_text=True)
    assert "VT-2026-0042" in own
    assert "VT-2026-0042" not in other and world.case.code in other  # Politie is involved, sees the rest


def test_case_page_shows_points_of_all_partners_read_only(world, login_as):
    html = login_as(world.vt_user).get(f"/casussen/{world.case.code}").get_data(as_text=True)
    assert "Politie plant verhoor" in html and "te laat" in html
    assert "Afvinken" not in html


def test_follow_up_by_code(world, login_as, make_meeting):
    later = make_meeting(world.rr, days=14)
    client = login_as(world.politie_user)
    response = client.post("/casussen/herbespreking", data={"code": world.case.code.lower(), "meeting_id": later.id})
    assert response.status_code == 303
    db.session.expire_all()
    item = db.session.get(Meeting, later.id).items[0]
    assert item.case_id == world.case.id and item.kind is ItemKind.herbespreking


def test_follow_up_with_unknown_or_foreign_code_is_refused(world, login_as):
    client = login_as(world.politie_user)
    for code in ("RR-ZZZZ", world.other_case.code):
        response = client.post("/casussen/herbespreking", data={"code": code, "meeting_id": world.meeting.id})
        assert response.status_code == 422
        assert "Onbekende casuscode" in response.get_data(as_text=True)


def test_the_agenda_shows_why_a_case_came_by_itself_and_every_count_agrees(
    world, login_as, make_meeting, make_case, make_action, count_queries
):
    # A case discussed at a past closed meeting, with a point overdue since, comes back by itself.
    past = make_meeting(world.rr, days=-7)
    old_case = make_case(past, world.vt, world.vt_user)
    make_action(past.items[0], world.politie, world.chair, due_in=-1)
    past.status = MeetingStatus.afgesloten
    db.session.commit()  # the commit puts it on the agenda, not the page
    client = login_as(world.chair)
    with count_queries() as statements:
        html = client.get(f"/overleggen/{world.meeting.id}/agenda/").get_data(as_text=True)
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    due = (local_today() - dt.timedelta(days=1)).strftime("%d-%m")
    assert old_case.code in html and f"Waarom: actiepunt Politie verlopen op {due}" in html
    assert "2 casus(sen) op de agenda" in html
    listed = client.get("/overleggen/").get_data(as_text=True)
    row = next(r for r in listed.split("<tr>") if f"/overleggen/{world.meeting.id}/agenda/" in r)
    assert '<td data-label="Casussen">2</td>' in row
    assert "2 casus(sen) op de agenda" in client.get("/").get_data(as_text=True)


def test_a_done_point_brings_no_case_back(world, make_meeting, make_case, make_action):
    past = make_meeting(world.rr, days=-7)
    case = make_case(past, world.vt, world.vt_user)
    make_action(past.items[0], world.politie, world.chair, due_in=-1, status=ActionStatus.afgerond)
    past.status = MeetingStatus.afgesloten
    db.session.commit()
    assert case.id not in agenda.automatic_reasons(world.meeting)
    assert [i.case_id for i in world.meeting.items] == [world.case.id]


def test_partner_marks_its_own_preparation_only(world, login_as):
    client = login_as(world.politie_user)
    url = f"/overleggen/{world.meeting.id}/agenda/{world.item.id}/voorbereid"
    response = client.post(f"{url}/{world.politie.id}", data={"prepared": "y"}, headers=HX)
    assert response.status_code == 200 and "Politie: ja" in response.get_data(as_text=True)
    assert client.post(f"{url}/{world.vt.id}", data={"prepared": "y"}).status_code == 403
    # Without JavaScript: a plain post and a redirect back to the agenda
    response = client.post(f"{url}/{world.politie.id}", data={})
    assert response.status_code == 303
    assert "Politie: nee" in client.get(response.headers["Location"]).get_data(as_text=True)


JOIN = "https://teams.microsoft.com/l/meetup-join/actie-overleg"


def test_chair_moves_cancels_and_plans_extra(world, login_as, make_meeting):
    client = login_as(world.chair)
    next_week = make_meeting(world.rr, days=14)
    day = (local_today() + dt.timedelta(days=9)).isoformat()
    response = client.post(
        f"/overleggen/{world.meeting.id}/wijzigen",
        data={"day": day, "time": "09:30", "duration_minutes": 90, "form": "online", "online_url": JOIN},
    )
    assert response.status_code == 303
    response = client.post(f"/overleggen/{world.meeting.id}/annuleren")
    assert response.status_code == 303
    html = client.get("/overleggen/").get_data(as_text=True)
    assert "Overleg geannuleerd" in html and "1 casus(sen) staan nu op de agenda" in html
    db.session.expire_all()
    assert [i.case_id for i in db.session.get(Meeting, next_week.id).items] == [world.case.id]
    response = client.post(
        "/overleggen/spoed",
        data={
            "region_id": world.rr.id,
            "day": day,
            "time": "08:00",
            "duration_minutes": 60,
            "location": "",
            "form": "online",
            "online_url": JOIN,
        },
    )
    assert response.status_code == 303
    assert db.session.scalars(db.select(Meeting).filter_by(is_extra=True)).one().region_id == world.rr.id


def test_meeting_form_rejects_bad_input_in_dutch(world, login_as):
    response = login_as(world.chair).post(
        f"/overleggen/{world.meeting.id}/wijzigen",
        data={"day": "geen datum", "time": "", "duration_minutes": 5, "location": "Kerkstraat 12", "form": "fysiek"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tussen 15 en 480 minuten." in html and "Dit veld is verplicht." in html
    assert 'value="Kerkstraat 12"' in html


@pytest.mark.parametrize("where", ["wijzigen", "spoed"])
def test_a_moment_in_the_past_is_refused_and_the_form_keeps_what_was_typed(world, login_as, where):
    yesterday = (local(TEST_NOW) - dt.timedelta(days=1)).date().isoformat()
    url = f"/overleggen/{world.meeting.id}/wijzigen" if where == "wijzigen" else "/overleggen/spoed"
    data = {"region_id": world.rr.id, "day": yesterday, "time": "09:30", "duration_minutes": 75}
    data |= {"location": "Kerkstraat 12", "form": "hybride", "online_url": JOIN}
    response = login_as(world.chair).post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="day-error"' in html and "Kies een moment in de toekomst." in html
    assert f'value="{yesterday}"' in html and 'value="09:30"' in html and 'value="75"' in html
    assert 'value="Kerkstraat 12"' in html and f'value="{JOIN}"' in html
    assert '<option selected value="hybride">' in html
    db.session.expire_all()
    assert db.session.get(Meeting, world.meeting.id).sequence == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting).filter_by(is_extra=True)) == 0


def test_start_page_per_role(world, login_as):
    chair = login_as(world.chair).get("/").get_data(as_text=True)
    assert "Volgend overleg Rotterdam-Rijnmond" in chair and "voorbereiding: 0 van 2" in chair
    member = login_as(world.politie_user).get("/").get_data(as_text=True)
    assert "1 te laat" in member and "Politie plant verhoor" in member
    assert "Wacht op voorbereiding door Politie" in member and world.case.code in member
    national = login_as(world.national).get("/").get_data(as_text=True)
    assert "Naar de statistieken" in national and world.case.code not in national


def test_case_codes_link_to_the_case_page_for_whoever_may_open_it(world, login_as, make_user):
    """Agenda, its print view, the record and the start page: a link for a member who may open
    the case (involved, or a chair of the region), plain text for a partner who may not."""
    code = world.case.code
    link = f'<a class="code" href="/casussen/{code}">{code}</a>'
    plain = f'<span class="code">{code}</span>'
    outsider = make_user(Role.deelnemer, world.om, [world.rr])  # same region, not involved
    pages = [
        f"/overleggen/{world.meeting.id}/agenda/",
        f"/overleggen/{world.meeting.id}/agenda/afdrukken",
        f"/overleggen/{world.meeting.id}",
    ]
    for user in (world.chair, world.politie_user, world.vt_user):
        client = login_as(user)
        for url in pages:
            html = client.get(url).get_data(as_text=True)
            assert link in html and plain not in html, (user.email, url)
        assert client.get(f"/casussen/{code}").status_code == 200  # where the link leads: open to them
    client = login_as(outsider)
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert plain in html and f'href="/casussen/{code}"' not in html, url
    assert client.get(f"/casussen/{code}").status_code == 404
    start = login_as(world.politie_user).get("/").get_data(as_text=True)
    assert start.count(link) == 2  # its overdue point, and the preparation it awaits
