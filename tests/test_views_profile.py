"""Profile: the calendar subscription with a revocable token, and a single meeting's .ics."""

from __future__ import annotations

import re

import icalendar
import pytest
import vobject

from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, User

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def feed_url(html: str) -> str:
    match = re.search(r'value="https://actieoverleg\.test(/agenda/[^"]+\.ics)"', html)
    assert match, "no feed URL on the profile page"
    return match.group(1)


def test_a_member_makes_renews_and_stops_the_feed(world, login_as, client):
    member = login_as(world.politie_user)
    page = member.get("/profiel").get_data(as_text=True)
    assert "Abonnementslink maken" in page and "/agenda/" not in page
    html = member.post("/profiel/agenda-abonnement", follow_redirects=True).get_data(as_text=True)
    assert "Uw abonnementslink is klaar" in html
    url = feed_url(html)

    response = client.get(url)  # a calendar app: no session, only the token
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    cal = icalendar.Calendar.from_ical(body)
    assert cal["X-WR-CALNAME"] == "Actie-overleg — Politie"
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert summaries.count("Actie-overleg Rotterdam-Rijnmond") == 1  # own region only
    assert summaries.count("Actiepunt Politie — zie actieoverleg") == 1
    assert world.case.code not in body and "Politie plant verhoor" not in body
    assert world.other_case.code not in body and "Zuid-Holland-Zuid" not in body
    assert vobject.readOne(body).name == "VCALENDAR"

    renewed = member.post("/profiel/agenda-abonnement", follow_redirects=True).get_data(as_text=True)
    assert "De oude link werkt niet meer" in renewed
    new_url = feed_url(renewed)
    assert new_url != url
    assert client.get(url).status_code == 404 and client.get(new_url).status_code == 200

    stopped = member.post("/profiel/agenda-abonnement/stoppen", follow_redirects=True).get_data(as_text=True)
    assert "Het agenda-abonnement is gestopt" in stopped and "Abonnementslink maken" in stopped
    assert client.get(new_url).status_code == 404
    actions = [e.action for e in db.session.query(AuditEvent).filter(AuditEvent.action.like("feed_%"))]
    assert actions == ["feed_create", "feed_renew", "feed_stop"]


def test_a_deactivated_user_s_feed_stops(world, login_as, client):
    html = login_as(world.vt_user).post("/profiel/agenda-abonnement", follow_redirects=True).get_data(as_text=True)
    url = feed_url(html)
    db.session.get(User, world.vt_user.id).active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_unknown_tokens_answer_404(client):
    assert client.get("/agenda/bestaat-niet.ics").status_code == 404


def test_national_and_admin_see_their_profile_without_feed(world, login_as):
    html = login_as(world.national).get("/profiel").get_data(as_text=True)
    assert world.national.email in html and "Agenda-abonnement" not in html
    assert login_as(world.national).post("/profiel/agenda-abonnement").status_code == 403


def test_a_single_meeting_downloads_as_ics(world, login_as):
    response = login_as(world.vt_user).get(f"/overleggen/{world.meeting.id}/overleg.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="actie-overleg-rr-')
    cal = icalendar.Calendar.from_ical(response.data)
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "PUBLISH" and str(event["UID"]) == f"meeting-{world.meeting.id}@actieoverleg.test"
    assert world.case.code not in response.get_data(as_text=True)
    page = login_as(world.vt_user).get(f"/overleggen/{world.meeting.id}/agenda/").get_data(as_text=True)
    assert f"/overleggen/{world.meeting.id}/overleg.ics" in page
