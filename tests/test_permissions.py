"""Every route goes through permissions.py; other regions are invisible; landelijk reaches no case."""

from __future__ import annotations

import pytest
from flask import url_for

from actieoverleg import permissions
from actieoverleg.extensions import db
from actieoverleg.guests import add_guest

# The feed's token is its key; the code step, the set-up step and the account links work
# before a session exists (docs/rules.md §8).
PUBLIC = {
    "static",
    "auth.login",
    "auth.code",
    "auth.enrol",
    "auth.forgotten",
    "auth.account_link",
    "profile.feed",
    "security_txt",
}
# Routes that any signed-in user may reach, whatever the role.
OPEN_TO_ALL = {
    "home.index",
    "auth.logout",
    "profile.index",
    "profile.two_factor",
    "profile.two_factor_off",
    "profile.change_password",
}
ADMIN = ("admin.", "outbox.", "audit.")


def test_every_view_declares_its_permission(app):
    missing = [
        name
        for name, view in app.view_functions.items()
        if name not in PUBLIC and getattr(view, "permission_rule", None) is None
    ]
    assert missing == []


def _routes(app, args, objects_only=False):
    """(endpoint, method, url) for every route (or only those naming an object), ids from `args`."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in PUBLIC or (objects_only and not rule.arguments):
                continue
            url = url_for(rule.endpoint, **{a: args.get(a, 1) for a in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url


STATS = {"period": "2026Q1", "table": "actiepunten"}


def other_region_args(world):
    return {
        "meeting_id": world.other_meeting.id,
        "item_id": world.other_item.id,
        "action_id": world.other_action.id,
        "organisation_id": world.vt.id,
        "code": world.other_case.code,
        "region": world.zhz.code,
        **STATS,
    }


def own_region_args(world):
    return {
        "meeting_id": world.meeting.id,
        "item_id": world.item.id,
        "action_id": world.action.id,
        "organisation_id": world.vt.id,
        "code": world.case.code,
        "region": world.rr.code,
        **STATS,
    }


@pytest.mark.parametrize("who", ["chair", "vt_user", "politie_user"])
def test_other_regions_objects_answer_404_like_missing_ones(app, world, login_as, who):
    client = login_as(getattr(world, who))
    for endpoint, method, url in _routes(app, other_region_args(world), objects_only=True):
        if endpoint.startswith(ADMIN) or (endpoint.startswith("stats.") and who != "chair"):
            continue  # role-gated areas: 403 before any object is looked up
        response = client.open(url, method=method)
        assert response.status_code == 404, (endpoint, method, url, response.status_code)
        assert "Niet gevonden" in response.get_data(as_text=True)


def test_missing_objects_answer_the_same_404(app, world, login_as):
    client = login_as(world.chair)
    missing = {
        "meeting_id": 9999,
        "item_id": 9999,
        "action_id": 9999,
        "organisation_id": 9999,
        "code": "RR-ZZZZ",
        "region": "XX",
        **STATS,
    }
    for endpoint, method, url in _routes(app, missing, objects_only=True):
        if endpoint.startswith(ADMIN):
            continue
        assert client.open(url, method=method).status_code == 404, (endpoint, method, url)


@pytest.mark.parametrize("who", ["national", "admin"])
def test_national_and_admin_reach_no_case_meeting_or_action(app, world, login_as, who):
    client = login_as(getattr(world, who))
    for endpoint, method, url in _routes(app, own_region_args(world)):
        if endpoint in OPEN_TO_ALL or endpoint.startswith(ADMIN) or endpoint.startswith("stats."):
            continue
        response = client.open(url, method=method)
        assert response.status_code == 403, (endpoint, method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert world.case.code not in body and "Politie plant verhoor" not in body


def test_national_sees_statistics_landing_page(world, login_as):
    html = login_as(world.national).get("/statistieken/", follow_redirects=True).get_data(as_text=True)
    assert "Statistieken: Landelijk" in html and "&lt;10" in html


def test_member_cannot_chair(world, login_as):
    client = login_as(world.vt_user)
    assert client.get(f"/overleggen/{world.meeting.id}/vergadering/").status_code == 403
    response = client.post(f"/overleggen/{world.meeting.id}/afsluiten")
    assert response.status_code == 403


def test_rules_as_plain_functions(world):
    assert permissions.can_chair(world.meeting, world.chair)
    assert not permissions.can_chair(world.other_meeting, world.chair)
    assert not permissions.can_chair(world.meeting, world.vt_user)
    assert permissions.can_update_action(world.action, world.politie_user)
    assert not permissions.can_update_action(world.action, world.vt_user)
    assert not permissions.can_update_action(world.other_action, world.politie_user)
    assert permissions.can_see_file_reference(world.case, world.vt_user)
    assert not permissions.can_see_file_reference(world.case, world.politie_user)
    assert permissions.can_view_case(world.case, world.politie_user)  # a needed partner
    assert not permissions.can_view_case(world.case, world.national)


def test_need_to_know_as_plain_functions(world, make_user, make_org):
    """One rule decides what a member sees of a case (docs/rules.md §8): the chair and the
    organisations taking part see its details; another member at the same table does not; a guest
    sees the one item it was invited to."""
    om_member = make_user(permissions.Role.deelnemer, world.om, [world.rr])
    assert permissions.involved_organisation_ids(world.case) == {world.vt.id, world.politie.id}
    assert permissions.organisation_involved(world.case, world.politie.id)
    assert not permissions.organisation_involved(world.case, world.om.id)
    assert permissions.can_view_case(world.case, world.chair)  # an OM chair: chairs see every case
    assert not permissions.can_view_case(world.case, om_member)
    assert permissions.detail_item_ids([world.item], world.vt_user) == {world.item.id}
    assert permissions.detail_item_ids([world.item], om_member) == set()
    assert permissions.detail_item_ids([world.other_item], world.politie_user) == set()  # another region
    ggz = make_org("GGZ")
    guest = make_user(permissions.Role.deelnemer, ggz, [world.zhz])
    add_guest(world.item, ggz, True, world.chair)
    db.session.flush()
    assert permissions.can_see_item_details(world.item, guest) and not permissions.can_view_case(world.case, guest)
    # an owner of a point is involved too, from then on
    point = world.item.actions[0]
    point.organisation = world.om
    db.session.flush()
    db.session.expire(world.case, ["actions"])
    assert permissions.can_view_case(world.case, om_member)


def test_preparing_is_for_the_needed_partner_while_the_meeting_is_open(world):
    politie = next(p for p in world.item.preparations if p.organisation_id == world.politie.id)
    assert permissions.can_prepare(world.meeting, politie, world.politie_user)
    assert not permissions.can_prepare(world.meeting, politie, world.vt_user)
    assert not permissions.can_prepare(world.meeting, politie, world.chair)
    world.meeting.status = permissions.MeetingStatus.afgesloten
    assert not permissions.can_prepare(world.meeting, politie, world.politie_user)
