"""The join link of online and hybride meetings as chairs and beheerders enter it (the
meeting and series forms) and as members see it on the pages; and the "heropend" mark a
reopened record shows everyone."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import select

from actieoverleg import lifecycle
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.forms import link_problem
from actieoverleg.models import Meeting, MeetingSeries
from actieoverleg.vocab import MeetingForm, ReopenReason

from .records import make_ready

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjU4ZTk1@thread.v2/0?context=%7b%22Tid%22%3a%22a1%22%7d"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "link",
    [TEAMS, "https://zoom.us/j/98765432101?pwd=Zk9xT2", "https://meet.google.com/abc-defg-hij", "https://x.nl:8443/a"],
)
def test_real_meeting_links_pass(link):
    assert link_problem(link) is None


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("http://zoom.us/j/987", "Gebruik een beveiligde link die begint met https://."),
        ("teams.microsoft.com/l/meetup-join/1", "Gebruik een beveiligde link die begint met https://."),
        ("javascript:alert(1)", "Gebruik een beveiligde link die begint met https://."),
        ("https://zoom.us/j/987 wachtwoord 123", "Een link bevat geen spaties of regeleinden."),
        ("https://zoom.us/j/987\n", "Een link bevat geen spaties of regeleinden."),
        ("https://" + "a" * 490 + ".nl/", "De link is te lang: maximaal 500 tekens."),
        ("https://", "Dit is geen geldige link."),
        ("https://localhost/overleg", "Dit is geen geldige link."),
        ("https://user:secret@zoom.us/j/987", "Dit is geen geldige link."),
        ('https://zoom.us/j/"><script>', "Dit is geen geldige link."),
    ],
)
def test_bad_links_are_refused_with_a_dutch_reason(link, message):
    assert link_problem(link).startswith(message)


def slot(day_offset: int = 9, **fields: str) -> dict:
    day = (local_today() + dt.timedelta(days=day_offset)).isoformat()
    return {"day": day, "time": "09:30", "duration_minutes": 90, "location": "", **fields}


def test_an_online_meeting_needs_a_valid_link_and_keeps_the_input(world, login_as):
    chair = login_as(world.chair)
    url = f"/overleggen/{world.meeting.id}/wijzigen"
    missing = chair.post(url, data=slot(form="online"))
    assert missing.status_code == 422
    assert "Vul de link naar het online overleg in: die is verplicht bij online en hybride." in page(missing)
    wrong = chair.post(url, data=slot(form="hybride", location="Zaal 3", online_url="http://zoom.us/j/1"))
    assert wrong.status_code == 422
    text = page(wrong)
    assert "Gebruik een beveiligde link die begint met https://." in text
    assert 'value="http://zoom.us/j/1"' in text and 'aria-invalid="true"' in text
    assert "Link naar het online overleg: Gebruik een beveiligde link" in text  # the summary on top
    db.session.expire_all()
    assert db.session.get(Meeting, world.meeting.id).form is MeetingForm.fysiek  # nothing saved


def test_the_link_is_stored_shown_and_dropped_for_a_physical_meeting(world, login_as):
    chair = login_as(world.chair)
    url = f"/overleggen/{world.meeting.id}/wijzigen"
    assert chair.post(url, data=slot(form="online", online_url=f"  {TEAMS} ")).status_code == 303
    db.session.expire_all()
    assert db.session.get(Meeting, world.meeting.id).online_url == TEAMS
    assert f'value="{TEAMS}"' in page(chair.get(url))  # the form shows what is stored
    member = login_as(world.politie_user)
    join = f'<a href="{TEAMS}" rel="noreferrer">Deelnemen aan het online overleg'
    for path in ("/overleggen/", f"/overleggen/{world.meeting.id}/agenda/", "/"):
        assert join in page(member.get(path)) or join in page(chair.get(path)), path
    assert chair.post(url, data=slot(form="fysiek", location="Zaal 3", online_url=TEAMS)).status_code == 303
    db.session.expire_all()
    assert db.session.get(Meeting, world.meeting.id).online_url == ""
    assert "Deelnemen aan het online overleg" not in page(member.get("/overleggen/"))


def test_a_spoed_meeting_gets_its_link(world, login_as):
    response = login_as(world.chair).post(
        "/overleggen/spoed", data=slot(3, region_id=world.rr.id, form="online", online_url=TEAMS)
    )
    assert response.status_code == 303
    extra = db.session.scalars(select(Meeting).filter_by(is_extra=True)).one()
    assert (extra.form, extra.online_url) == (MeetingForm.online, TEAMS)


def test_a_series_link_is_validated_and_given_to_the_meetings_it_plans(world, login_as, app):
    admin = login_as(world.admin)
    data = {
        "weekday": (local_today() + dt.timedelta(days=1)).weekday(),
        "start_time": "13:00",
        "duration_minutes": 120,
        "form": "online",
        "location": "",
        "active": "y",
    }
    url = f"/beheer/regios/{world.zhz.id}/overlegreeksen/nieuw"
    refused = admin.post(url, data=dict(data, online_url="zoom.us/j/1"))
    assert refused.status_code == 422 and "Gebruik een beveiligde link die begint met https://." in page(refused)
    assert admin.post(url, data=dict(data, online_url=TEAMS)).status_code == 303
    series = db.session.scalars(select(MeetingSeries)).one()
    planned = db.session.scalars(select(Meeting).filter_by(series_id=series.id)).all()
    assert series.online_url == TEAMS and len(planned) == app.config["PLANNING_WEEKS"]
    assert {m.online_url for m in planned} == {TEAMS}
    assert f'<a href="{TEAMS}" rel="noreferrer">Link' in page(admin.get("/beheer/overlegreeksen"))


def test_moving_without_a_new_link_keeps_it(world):
    world.meeting.form, world.meeting.online_url = MeetingForm.online, TEAMS
    start = local(world.meeting.starts_at) + dt.timedelta(hours=1)
    lifecycle.move(world.meeting, start.date(), start.time(), 120, "", MeetingForm.online, world.chair)
    assert world.meeting.online_url == TEAMS
    lifecycle.move(world.meeting, start.date(), start.time(), 120, "Zaal 3", MeetingForm.fysiek, world.chair)
    assert world.meeting.online_url == ""


def test_a_reopened_record_says_so_to_everyone(world, login_as):
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    db.session.commit()
    member = login_as(world.politie_user)
    assert "heropend" not in page(member.get(f"/overleggen/{world.meeting.id}")).lower()
    lifecycle.reopen(world.meeting, ReopenReason.correctie_actiepunt, world.chair)
    db.session.commit()
    record = page(member.get(f"/overleggen/{world.meeting.id}"))
    assert '<span class="tag tag--automatisch">heropend</span>' in record
    assert "<strong>Heropend.</strong> Dit verslag is heropend op" in record
    listing = page(member.get("/overleggen/"))
    assert '<span class="tag tag--automatisch">heropend</span>' in listing
    lifecycle.close(world.meeting, world.chair, before_start=True)
    db.session.commit()
    record = page(member.get(f"/overleggen/{world.meeting.id}"))
    assert "en opnieuw afgesloten)" in record and "<strong>Heropend.</strong>" not in record
    assert "heropend en opnieuw afgesloten</span>" in page(member.get("/overleggen/"))
