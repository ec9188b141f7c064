"""Onze actiepunten: overdue first, filters, one-click tick-off with and without htmx, conflicts."""

from __future__ import annotations

import pytest

from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, AuditEvent
from actieoverleg.vocab import ActionStatus

from .conftest import HX

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def tick(client, action, status="afgerond", version=None, headers=None):
    return client.post(
        f"/actiepunten/{action.id}/status",
        headers=headers or {},
        data={
            "status": status,
            "version": action.version if version is None else version,
            "terug": "/actiepunten/?status=open",
        },
    )


def test_list_shows_own_points_overdue_first(world, login_as, make_action):
    make_action(world.item, world.politie, world.chair, due_in=3, text="Politie zet extra surveillance in")
    make_action(world.item, world.vt, world.chair, due_in=1, text="VT neemt contact op met school")
    html = login_as(world.politie_user).get("/actiepunten/").get_data(as_text=True)
    assert html.index("Politie plant verhoor") < html.index("Politie zet extra surveillance in")
    assert "te laat" in html
    assert "VT neemt contact op met school" not in html  # another organisation's point
    assert world.other_case.code not in html  # another region


def test_filters_by_status_and_region(world, login_as, make_action):
    make_action(
        world.item, world.politie, world.chair, due_in=3, status=ActionStatus.afgerond, text="Politie plant huisbezoek"
    )
    client = login_as(world.politie_user)
    done = client.get("/actiepunten/?status=afgerond").get_data(as_text=True)
    assert "Politie plant huisbezoek" in done and "Politie plant verhoor" not in done
    late = client.get("/actiepunten/?status=te_laat").get_data(as_text=True)
    assert "Politie plant verhoor" in late and "Politie plant huisbezoek" not in late
    foreign = client.get(f"/actiepunten/?regio={world.zhz.id}").get_data(as_text=True)
    assert "Politie plant verhoor" in foreign  # a region outside the user's is ignored, not obeyed


def test_results_are_listed_newest_first_after_the_open_points(world, login_as, make_action):
    """Five years of history: 'Alle' and the result filters start with what is current."""
    for due_in, text in (
        (-400, "Politie hoort getuige"),
        (-10, "Politie spreekt pleger aan"),
        (-100, "Politie bezoekt adres"),
    ):
        make_action(world.item, world.politie, world.chair, due_in=due_in, status=ActionStatus.afgerond, text=text)
    make_action(world.item, world.politie, world.chair, due_in=5, text="Politie zet extra surveillance in")
    client = login_as(world.politie_user)
    order = [
        "Politie plant verhoor",
        "Politie zet extra surveillance in",  # open: overdue, then soonest
        "Politie spreekt pleger aan",
        "Politie bezoekt adres",
        "Politie hoort getuige",
    ]  # results: newest
    html = client.get("/actiepunten/?status=alle").get_data(as_text=True)
    assert [html.index(text) for text in order] == sorted(html.index(text) for text in order)
    html = client.get("/actiepunten/?status=afgerond").get_data(as_text=True)
    assert html.index(order[2]) < html.index(order[3]) < html.index(order[4])


def test_tick_off_with_htmx_swaps_the_row(world, login_as):
    client = login_as(world.politie_user)
    response = tick(client, world.action, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="actiepunt-{world.action.id}"')
    assert "Afgerond" in html and world.politie_user.name in html and "Heropenen" in html
    assert "Actiepunt afgevinkt: afgerond." in html
    db.session.expire_all()
    action = db.session.get(ActionPoint, world.action.id)
    assert action.status is ActionStatus.afgerond and action.result_by_id == world.politie_user.id
    assert db.session.scalars(db.select(AuditEvent).filter_by(action="tick_off")).one().detail == "afgerond"


def test_tick_off_without_javascript_redirects_back(world, login_as):
    client = login_as(world.politie_user)
    response = tick(client, world.action, status="niet_mogelijk")
    assert response.status_code == 303 and response.headers["Location"] == "/actiepunten/?status=open"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Actiepunt afgevinkt: niet mogelijk (omstandigheden gewijzigd)." in html
    assert "Politie plant verhoor" not in html.split("</form>", 2)[-1]  # no longer among the open points


def test_two_members_at_once_second_gets_a_conflict(world, login_as):
    first, second = login_as(world.politie_user), login_as(world.politie_user2)
    seen = world.action.version  # both loaded the list showing this version
    assert tick(first, world.action, "afgerond", version=seen, headers=HX).status_code == 200
    response = tick(second, world.action, "niet_uitgevoerd", version=seen, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Dit actiepunt is intussen gewijzigd door" in html and world.politie_user.name in html
    assert "Afgerond" in html
    db.session.expire_all()
    assert db.session.get(ActionPoint, world.action.id).status is ActionStatus.afgerond
    # Without JavaScript the conflict is a full page with the current state
    response = tick(second, world.action, "niet_uitgevoerd", version=seen)
    assert response.status_code == 409 and "Dit actiepunt is intussen gewijzigd" in response.get_data(as_text=True)


def test_reopen_a_point(world, login_as):
    client = login_as(world.politie_user)
    tick(client, world.action)
    db.session.expire_all()
    action = db.session.get(ActionPoint, world.action.id)
    response = tick(client, action, status="open", headers=HX)
    assert response.status_code == 200 and "Afvinken: afgerond" in response.get_data(as_text=True)


def test_other_organisation_cannot_tick_off(world, login_as):
    assert tick(login_as(world.vt_user), world.action).status_code == 403
    assert tick(login_as(world.other_politie), world.action).status_code == 404  # other region


def test_bad_input_is_refused(world, login_as):
    client = login_as(world.politie_user)
    for data in ({"status": "klaar", "version": 1}, {"status": "afgerond", "version": "x"}, {}):
        response = client.post(f"/actiepunten/{world.action.id}/status", data=data)
        assert response.status_code == 400 and "Ongeldig verzoek" in response.get_data(as_text=True)


def test_long_lists_are_paged(app, world, login_as, make_action):
    app.config["PAGE_SIZE"] = 5
    for n in range(7):
        make_action(world.item, world.politie, world.chair, due_in=n + 1, text=f"Politie actie nummer {n}")
    html = login_as(world.politie_user).get("/actiepunten/").get_data(as_text=True)
    assert "Pagina 1 van 2" in html and "8 actiepunt(en)" in html
