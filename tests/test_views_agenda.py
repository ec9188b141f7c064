"""The agenda page's chair controls (views/agenda.py): a move to any place in one step, the planned
minutes against the meeting's duration, where new cases go, and the print view; each as htmx
fragment and as plain form post, with Dutch messages for bad input and nothing lost."""

from __future__ import annotations

import re

import pytest

from actieoverleg import agenda, meeting_steps
from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, Meeting, Region
from actieoverleg.vocab import Assessment

from .conftest import HX

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


@pytest.fixture
def three(world, make_case):
    """The world's meeting with three cases: the world's, then Politie's and OM's."""
    make_case(world.meeting, world.politie, world.politie_user)
    make_case(world.meeting, world.vt, world.vt_user)
    db.session.commit()
    return world


def order(meeting: Meeting) -> list[str]:
    db.session.expire_all()
    return [i.case.code for i in sorted(db.session.get(Meeting, meeting.id).items, key=lambda i: i.position)]


def url(w, item, action: str) -> str:
    return f"/overleggen/{w.meeting.id}/agenda/{item.id}/{action}"


def codes_in(html: str) -> list[str]:
    """The case codes in order: links for whoever may open the case, plain text otherwise."""
    return re.findall(r'<(?:span|a) class="code"[^>]*>(RR-[A-Z0-9]{4})</(?:span|a)>', html)


def test_the_chair_moves_an_item_to_any_place_in_one_step(three, login_as):
    w = three
    client = login_as(w.chair)
    first, second, third = order(w.meeting)
    last = db.session.get(Meeting, w.meeting.id).items[2]
    response = client.post(url(w, last, "verplaatsen"), data={"position": "1"}, headers=HX)
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and html.lstrip().startswith('<section id="agenda"')
        and codes_in(html) == [third, first, second]
    )
    assert f"{third} staat nu op plaats 1." in html  # for the live region
    assert f'id="plaats-knop-{last.id}"' in html  # htmx puts the focus back on the button used
    # Without JavaScript: a plain post, redirected to the page; a place past the end means last
    response = client.post(url(w, last, "verplaatsen"), data={"position": "99"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{third} staat nu op plaats 3." in page and order(w.meeting) == [first, second, third]
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(AuditEvent.object_id == last.id, AuditEvent.detail == "positie")
        )
        == 2
    )


@pytest.mark.parametrize(
    "typed, message", [("", "Dit veld is verplicht."), ("0", "1 is bovenaan"), ("twee", "Ongeldig getal")]
)
def test_a_bad_place_is_refused_in_dutch_next_to_the_field_and_kept(three, login_as, typed, message):
    w = three
    client = login_as(w.chair)
    before = order(w.meeting)
    item = db.session.get(Meeting, w.meeting.id).items[1]
    for headers in (HX, {}):
        response = client.post(url(w, item, "verplaatsen"), data={"position": typed}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and message in html
        assert f'id="plaats-{item.id}" name="position" value="{typed}" aria-invalid="true"' in html
    assert order(w.meeting) == before


def test_only_the_chair_orders_and_a_removed_item_is_gone(three, login_as):
    w = three
    item = db.session.get(Meeting, w.meeting.id).items[1]  # not discussed yet: no step, no point
    assert login_as(w.vt_user).post(url(w, item, "verplaatsen"), data={"position": "2"}).status_code == 403
    client = login_as(w.chair)
    assert client.post(url(w, item, "verwijderen"), headers=HX).status_code == 200
    assert client.post(url(w, item, "verplaatsen"), data={"position": "2"}).status_code == 404
    assert client.post(url(w, item, "tijd"), data={"minutes": "5"}).status_code == 404


def test_a_case_discussed_in_this_meeting_is_not_taken_off_its_agenda(three, login_as):
    """Its points would be orphaned (open, but in no record) and its steps hidden: refused with
    the current agenda and a Dutch message, as htmx fragment and as plain post; nothing changes."""
    w = three
    client = login_as(w.chair)
    before = order(w.meeting)
    points = (
        "Deze casus is al besproken in dit overleg: er zijn actiepunten vastgelegd. Verwijder eerst de actiepunten."
    )
    for headers in (HX, {}):
        response = client.post(url(w, w.item, "verwijderen"), headers=headers)  # the world's item has a point
        html = response.get_data(as_text=True)
        assert response.status_code == 409 and f"{w.case.code}: {points}" in html
        assert html.lstrip().startswith('<section id="agenda"') == bool(headers)
    item = db.session.get(Meeting, w.meeting.id).items[1]
    meeting_steps.record_step1(item, [w.politie], Assessment.zorgelijk, w.chair)
    db.session.commit()
    response = client.post(url(w, item, "verwijderen"), headers=HX)
    assert response.status_code == 409
    assert "er is een duiding, gedeelde informatie of een overdracht vastgelegd" in response.get_data(as_text=True)
    assert order(w.meeting) == before and codes_in(client.get(f"/overleggen/{w.meeting.id}/agenda/").text) == before
    assert db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "remove")) == 0
    with pytest.raises(agenda.Discussed):  # the rule is the operation's, whoever calls it
        agenda.remove(db.session.get(Meeting, w.meeting.id).items[0], w.chair)


def test_planned_minutes_add_up_against_the_meetings_duration(three, login_as):
    w = three
    client = login_as(w.chair)
    items = sorted(db.session.get(Meeting, w.meeting.id).items, key=lambda i: i.position)
    response = client.post(url(w, items[0], "tijd"), data={"minutes": "30"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "30 minuten gepland" in html
    assert "Geplande tijd: <strong>30 van 120 minuten</strong> · 2 casus(sen) zonder geplande tijd." in html
    assert "· vanaf 13:00" in html and "· vanaf 13:30" in html  # the second starts after the first
    client.post(url(w, items[1], "tijd"), data={"minutes": "60"})
    page = client.post(url(w, items[2], "tijd"), data={"minutes": "45"}, follow_redirects=True).get_data(as_text=True)
    assert "Geplande tijd: <strong>135 van 120 minuten</strong> — " in page
    assert "15 minuten meer dan het overleg duurt" in page  # in words, not by colour alone
    # clearing a time, and a bad one
    html = client.post(url(w, items[2], "tijd"), data={"minutes": ""}, headers=HX).get_data(as_text=True)
    assert "geen tijd gepland" in html and "90 van 120 minuten" in html
    response = client.post(url(w, items[2], "tijd"), data={"minutes": "600"}, headers=HX)
    assert response.status_code == 422 and "Tussen 1 en 480 minuten." in response.get_data(as_text=True)
    db.session.expire_all()
    assert [
        i.planned_minutes for i in sorted(db.session.get(Meeting, w.meeting.id).items, key=lambda i: i.position)
    ] == [
        30,
        60,
        None,
    ]


def test_the_chair_decides_where_new_cases_go(three, login_as, make_case):
    w = three
    client = login_as(w.chair)
    response = client.post(
        f"/overleggen/{w.meeting.id}/agenda/nieuwe-casussen", data={"new_items_first": "boven"}, headers=HX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "voortaan bovenaan de agenda" in html
    assert '<option value="boven" selected>' in html
    db.session.expire_all()
    assert db.session.get(Region, w.rr.id).new_items_first
    case = make_case(db.session.get(Meeting, w.meeting.id), w.politie, w.politie_user)
    db.session.commit()
    assert order(w.meeting)[0] == case.code
    assert (
        client.post(f"/overleggen/{w.meeting.id}/agenda/nieuwe-casussen", data={"new_items_first": "x"}).status_code
        == 400
    )
    assert (
        login_as(w.vt_user)
        .post(f"/overleggen/{w.meeting.id}/agenda/nieuwe-casussen", data={"new_items_first": "onder"})
        .status_code
        == 403
    )


def test_the_agenda_prints_with_times_reasons_and_preparation(three, login_as):
    w = three
    client = login_as(w.politie_user)  # every member may print the agenda they can read
    html = client.get(f"/overleggen/{w.meeting.id}/agenda/afdrukken").get_data(as_text=True)
    assert "data-print-on-load" in html and "Agenda Actie-overleg Rotterdam-Rijnmond" in html
    assert codes_in(html) == order(w.meeting)
    assert "VT: nee, Politie: nee" in html and "Terug naar de agenda" in html
    assert "<form" not in html.split("<main")[1]  # nothing to change on paper
    assert login_as(w.other_chair).get(f"/overleggen/{w.meeting.id}/agenda/afdrukken").status_code == 404


def test_a_move_racing_another_chairs_change_answers_409_with_the_current_order(three, login_as, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from actieoverleg import agenda

    def racing(*_args, **_kwargs):
        raise StaleDataError("another chair saved first")  # what the version column says at flush

    w = three
    before = order(w.meeting)
    monkeypatch.setattr(agenda, "move_to", racing)
    response = login_as(w.chair).post(url(w, w.item, "verplaatsen"), data={"position": "3"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Iemand anders heeft de agenda intussen gewijzigd" in html
    assert codes_in(html) == before == order(w.meeting)
