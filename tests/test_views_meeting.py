"""The meeting screen: the three steps, attendance, closing, the locked record, reopening."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_sqlalchemy.session import Session
from sqlalchemy import update
from sqlalchemy.event import listen, remove

from actieoverleg import meeting_steps
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, AgendaItem, AuditEvent, Meeting
from actieoverleg.vocab import Assessment, Handover, MeetingStatus

from .conftest import HX

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def url(world, suffix=""):
    return f"/overleggen/{world.meeting.id}/vergadering/{suffix}"


def due(days=7):
    return (local_today() + dt.timedelta(days=days)).isoformat()


def action_data(world, **overrides):
    data = {
        "organisation_id": world.politie.id,
        "text": "Politie spreekt pleger aan vóór 12-03",
        "kind": "directe",
        "due_date": due(),
        "assignee_id": 0,
    }
    data.update(overrides)
    return data


def fresh_item(world) -> AgendaItem:
    db.session.expire_all()
    return db.session.get(AgendaItem, world.item.id)


def test_screen_shows_the_three_steps_and_attendance(world, login_as):
    html = login_as(world.chair).get(url(world)).get_data(as_text=True)
    for text in (
        "Informatie delen en duiden",
        "Afspraken voor directe en structurele veiligheid",
        "Overdragen en uitvoeren",
        "Aanwezigheid",
        "Overleg afsluiten",
        world.case.code,
        "Politie plant verhoor",
    ):
        assert text in html


def test_step1_with_htmx_returns_the_panel(world, login_as):
    client = login_as(world.chair)
    seen = "|"
    response = client.post(
        url(world, f"{world.item.id}/stap1"),
        headers=HX,
        data={"shared": [world.vt.id, world.politie.id], "assessment": "acuut", "seen": seen},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="step1"') and "Stap 1 opgeslagen." in html
    item = fresh_item(world)
    assert item.assessment is Assessment.acuut and {o.id for o in item.shared} == {world.vt.id, world.politie.id}


def test_step1_conflict_shows_current_state(world, login_as):
    chair = login_as(world.chair)
    chair.post(url(world, f"{world.item.id}/stap1"), data={"assessment": "acuut", "seen": "|"})
    # A second screen still showing the empty step 1 tries to save another assessment
    response = chair.post(
        url(world, f"{world.item.id}/stap1"), headers=HX, data={"assessment": "zorgelijk", "seen": "|"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Iemand anders heeft deze casus intussen bijgewerkt" in html
    assert '<option selected value="acuut">' in html
    assert fresh_item(world).assessment is Assessment.acuut


def test_step2_adds_an_action_point_without_javascript(world, login_as):
    client = login_as(world.chair)
    response = client.post(
        url(world, f"{world.item.id}/stap2"), data=action_data(world, assignee_id=world.politie_user.id)
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#step2")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Politie spreekt pleger aan vóór 12-03" in html and "Actiepunt voor Politie toegevoegd." in html
    action = db.session.scalars(db.select(ActionPoint).filter_by(text="Politie spreekt pleger aan vóór 12-03")).one()
    assert action.assignee_id == world.politie_user.id and action.case_id == world.case.id


def test_step2_rejects_personal_data_keeps_text_and_saves_nothing(world, login_as):
    client = login_as(world.chair)
    before = db.session.scalar(db.select(db.func.count()).select_from(ActionPoint))
    response = client.post(
        url(world, f"{world.item.id}/stap2"), headers=HX, data=action_data(world, text="Bel moeder op 06-12345678")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Verwijder het telefoonnummer" in html and 'value="Bel moeder op 06-12345678"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(ActionPoint)) == before


def test_step2_refuses_bad_input(world, login_as):
    client = login_as(world.chair)
    cases = [
        (action_data(world, text="x" * 201), "Maximaal 200 tekens (nu 201)."),
        (action_data(world, text=""), "Dit veld is verplicht."),
        (action_data(world, due_date="morgen"), "Termijn"),
        (action_data(world, due_date=due(-30)), "De termijn ligt in het verleden."),
        (action_data(world, organisation_id=999), "Eigenaar"),
        (action_data(world, assignee_id=world.vt_user.id), "Kies een persoon van de eigenaar"),
    ]
    for data, message in cases:
        response = client.post(url(world, f"{world.item.id}/stap2"), headers=HX, data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True)


def test_step3_saves_a_return_without_its_date_and_asks_for_the_date(world, login_as):
    """Saved as it changes: 'terug' is kept while the date is still being chosen; closing waits for it."""
    client = login_as(world.chair)
    response = client.post(url(world, f"{world.item.id}/stap3"), headers=HX, data={"handover": "terug", "seen": "|"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Stap 3 opgeslagen." in html and "Kies nog de datum" in html
    assert fresh_item(world).handover is Handover.terug and fresh_item(world).return_date is None
    assert f"{world.case.code}: stap 3, de datum van terugkomst, ontbreekt." in meeting_steps.close_problems(
        world.meeting
    )
    response = client.post(
        url(world, f"{world.item.id}/stap3"),
        headers=HX,
        data={"handover": "terug", "return_date": due(28), "seen": "terug|"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Stap 3 opgeslagen." in html and "Kies nog de datum" not in html
    assert fresh_item(world).return_date is not None


def test_a_save_that_races_another_is_a_conflict_not_an_error(world, login_as):
    """Two saves of one item at once (the chair's step 1 and someone's step 3): the version
    column refuses the later write; the user gets the conflict panel, never a 500."""
    client = login_as(world.chair)

    done = []

    def another_save_first(session, *_args):
        if not done:
            done.append(True)
            with db.engine.begin() as other:
                other.execute(
                    update(AgendaItem).where(AgendaItem.id == world.item.id).values(version=AgendaItem.version + 1)
                )

    listen(Session, "before_flush", another_save_first)
    try:
        response = client.post(
            url(world, f"{world.item.id}/stap1"), headers=HX, data={"assessment": "acuut", "seen": "|"}
        )
    finally:
        remove(Session, "before_flush", another_save_first)
    assert response.status_code == 409 and response.headers["HX-Reswap"] == "outerHTML"
    assert "Iemand anders heeft deze casus intussen bijgewerkt" in response.get_data(as_text=True)
    assert fresh_item(world).assessment is None


def test_a_refused_step_replaces_its_panel_a_saved_one_only_its_status(world, login_as):
    """Steps save in the background (hx-swap none): on success only the out-of-band status,
    token and progress change; a conflict or refusal tells htmx to swap the whole panel."""
    client = login_as(world.chair)
    saved = client.post(url(world, f"{world.item.id}/stap1"), headers=HX, data={"assessment": "acuut", "seen": "|"})
    html = saved.get_data(as_text=True)
    assert "HX-Reswap" not in saved.headers
    assert 'id="step1-seen"' in html and 'value="acuut|"' in html and 'id="step1-saved"' in html
    assert html.count('hx-swap-oob="true"') >= 3  # the token, "Opgeslagen" and the progress
    stale = client.post(url(world, f"{world.item.id}/stap1"), headers=HX, data={"assessment": "zorgelijk", "seen": "|"})
    assert stale.status_code == 409 and stale.headers["HX-Reswap"] == "outerHTML"


def test_attendance_per_organisation(world, login_as):
    client = login_as(world.chair)
    response = client.post(
        url(world, f"aanwezigheid/{world.politie.id}"),
        headers=HX,
        data={"status": "aanwezig", "mandate": "ja", "form": "online"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Aanwezigheid Politie opgeslagen." in html
    assert "1 van 3 organisaties vastgelegd" in html
    response = client.post(url(world, f"aanwezigheid/{world.politie.id}"), headers=HX, data={"status": "weg"})
    assert response.status_code == 422


def close_ready(world, client):
    client.post(url(world, f"{world.item.id}/stap1"), data={"assessment": "structureel", "seen": "|"})
    client.post(url(world, f"{world.item.id}/stap3"), data={"handover": "lokaal_team", "seen": "|"})
    client.post(
        url(world, f"aanwezigheid/{world.vt.id}"), data={"status": "aanwezig", "mandate": "ja", "form": "fysiek"}
    )


def test_close_is_refused_with_what_is_missing(world, login_as):
    client = login_as(world.chair)
    response = client.post(f"/overleggen/{world.meeting.id}/afsluiten")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{world.case.code}: stap 1, de duiding, ontbreekt." in html
    assert f'?item={world.item.id}">{world.case.code}: stap 1' in html  # each a link to its item
    assert "<li>De aanwezigheid is nog niet vastgelegd.</li>" in html
    assert db.session.get(Meeting, world.meeting.id).status is MeetingStatus.gepland


def test_close_locks_the_record_and_reopen_is_logged(world, login_as):
    client = login_as(world.chair)
    close_ready(world, client)
    early = client.get(client.post(f"/overleggen/{world.meeting.id}/afsluiten").headers["Location"])
    assert "Dit overleg begint pas op" in early.get_data(as_text=True)  # it lies ahead: not closed unasked
    assert db.session.get(Meeting, world.meeting.id).status is MeetingStatus.gepland
    response = client.post(f"/overleggen/{world.meeting.id}/afsluiten", data={"al_gehouden": "ja"})
    assert response.headers["Location"].endswith(f"/overleggen/{world.meeting.id}")
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Verslag Actie-overleg" in record and "Structureel onveilig" in record and "print.css" in record
    assert "Openbaar Ministerie" in record  # chairing organisation defaults to the closing chair's
    # Locked: every edit answers 403, for the chair too
    assert client.post(url(world, f"{world.item.id}/stap2"), data=action_data(world)).status_code == 403
    assert client.get(url(world)).status_code == 403
    # A member cannot reopen; the chair can, with a reason code
    assert (
        login_as(world.vt_user)
        .post(f"/overleggen/{world.meeting.id}/heropenen", data={"reason": "te_vroeg_afgesloten"})
        .status_code
        == 403
    )
    response = client.post(f"/overleggen/{world.meeting.id}/heropenen", data={"reason": "correctie_actiepunt"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Meeting, world.meeting.id).status is MeetingStatus.gepland
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="reopen", object_type="Meeting")).one()
    assert event.detail == "correctie_actiepunt" and event.user_id == world.chair.id


def test_members_read_the_record(world, login_as):
    html = login_as(world.vt_user).get(f"/overleggen/{world.meeting.id}").get_data(as_text=True)
    assert "Verslag" in html and "Politie plant verhoor" in html and "Heropenen" not in html


def test_audit_log_has_no_content(world, login_as):
    client = login_as(world.chair)
    client.post(url(world, f"{world.item.id}/stap2"), data=action_data(world, text="OM beslist over vordering"))
    for event in db.session.scalars(db.select(AuditEvent)):
        assert "vordering" not in (event.detail or "")
        assert len(event.detail or "") <= 40
