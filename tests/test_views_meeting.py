"""The meeting screen: the three steps, attendance, closing, the locked record, reopening."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import pytest
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.event import listen, remove

from actieoverleg import meeting_steps
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, AgendaItem, Attendance, AuditEvent, Meeting
from actieoverleg.vocab import (
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    Handover,
    MeetingForm,
    MeetingStatus,
)

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


def test_without_javascript_a_refused_step_says_so_at_the_top_with_a_link_to_the_step(world, login_as):
    """The whole screen comes back: a notice at its top says nothing was saved and leads to the step."""
    chair = login_as(world.chair)
    chair.post(url(world, f"{world.item.id}/stap1"), data={"assessment": "acuut", "seen": "|"})
    stale = chair.post(url(world, f"{world.item.id}/stap1"), data={"assessment": "zorgelijk", "seen": "|"})
    link = f'<a href="#step1">Naar stap 1 van {world.case.code}</a>'
    assert stale.status_code == 409
    assert "uw wijziging is niet opgeslagen." in stale.text and link in stale.text
    assert stale.text.count("Hieronder staat de huidige stand") == 1  # in step 1 only, not in every step
    refused = chair.post(url(world, f"{world.item.id}/stap2"), data=action_data(world, text=""))
    assert refused.status_code == 422
    assert "Niet opgeslagen: controleer wat u invulde." in refused.text
    assert f'<a href="#step2">Naar stap 2 van {world.case.code}</a>' in refused.text


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
    before = len(world.item.actions)
    cases = [
        (action_data(world, text="x" * 201), "Maximaal 200 tekens (nu 201)."),
        (action_data(world, text=""), "Dit veld is verplicht."),
        (action_data(world, due_date="morgen"), "Termijn"),
        # the meeting is a week ahead: a point agreed there is due on its day or later
        (action_data(world, due_date=due(6)), "De termijn ligt vóór dit overleg."),
        (action_data(world, due_date=due(7 + 367)), "Kies een termijn binnen een jaar na dit overleg."),
        (action_data(world, organisation_id=999), "Eigenaar"),
        (action_data(world, assignee_id=world.vt_user.id), "Kies een persoon van de eigenaar"),
    ]
    for data, message in cases:
        response = client.post(url(world, f"{world.item.id}/stap2"), headers=HX, data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True)
        assert f'value="{data["text"]}"' in response.get_data(as_text=True)  # what was typed stays
    assert len(db.session.scalars(db.select(ActionPoint).filter_by(agenda_item_id=world.item.id)).all()) == before
    # the refused field takes the focus (htmx applies autofocus after the swap)
    refused = client.post(url(world, f"{world.item.id}/stap2"), headers=HX, data=action_data(world, due_date=due(6)))
    field = re.search(r'<input[^>]*id="due_date"[^>]*>', refused.text).group(0)
    assert " autofocus " in field and refused.text.count(" autofocus") == 1


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


@contextmanager
def another_write_first(write: Callable[[Connection], Any]) -> Iterator[None]:
    """Someone else's write, committed on its own connection just before the request's first
    write: after the request read the state, before it writes (its audit entry locks first)."""
    done: list[bool] = []

    def before(_conn, _cursor, statement: str, *_args: Any) -> None:
        if not done and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            done.append(True)
            with db.engine.begin() as other:
                write(other)

    listen(db.engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        remove(db.engine, "before_cursor_execute", before)
    assert done, "the request wrote nothing"


def test_a_save_that_races_another_is_a_conflict_not_an_error(world, login_as):
    """Two saves of one item at once (the chair's step 1 and someone's step 3): the version
    column refuses the later write; the user gets the conflict panel, never a 500."""
    client = login_as(world.chair)
    newer = update(AgendaItem).where(AgendaItem.id == world.item.id).values(version=AgendaItem.version + 1)
    with another_write_first(lambda other: other.execute(newer)):
        response = client.post(
            url(world, f"{world.item.id}/stap1"), headers=HX, data={"assessment": "acuut", "seen": "|"}
        )
    assert response.status_code == 409 and response.headers["HX-Reswap"] == "outerHTML"
    assert "Iemand anders heeft deze casus intussen bijgewerkt" in response.get_data(as_text=True)
    assert fresh_item(world).assessment is None


def test_a_meeting_change_that_races_another_is_a_dutch_conflict_and_saves_nothing(world, login_as):
    """Any save of a versioned row that lost a race (here: moving the meeting while someone
    else changed it) is the Dutch 409, never a 500; the other's change stands."""
    client = login_as(world.chair)
    before = world.meeting.starts_at
    newer = update(Meeting).where(Meeting.id == world.meeting.id).values(version=Meeting.version + 1)
    day = (world.meeting.starts_at + dt.timedelta(days=2)).date().isoformat()
    with another_write_first(lambda other: other.execute(newer)):
        response = client.post(
            f"/overleggen/{world.meeting.id}/wijzigen",
            data={"day": day, "time": "09:30", "duration_minutes": 90, "form": "fysiek", "location": "Stadhuis"},
        )
    assert response.status_code == 409
    assert "Iemand anders legde dit op hetzelfde moment vast." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, world.meeting.id).starts_at == before


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


def test_two_chairs_saving_one_organisations_attendance_at_once_get_a_dutch_conflict(world, login_as):
    """The second insert of the same (meeting, organisation) row is refused by the database: the
    user is told in Dutch, and what the first saved stays."""
    client = login_as(world.chair)
    first = insert(Attendance).values(
        meeting_id=world.meeting.id, organisation_id=world.politie.id, status=AttendanceStatus.afwezig
    )
    with another_write_first(lambda other: other.execute(first)):
        response = client.post(
            url(world, f"aanwezigheid/{world.politie.id}"),
            headers=HX,
            data={"status": "aanwezig", "mandate": "ja", "form": "online"},
        )
    assert response.status_code == 409 and response.headers["HX-Retarget"] == "#meldingen"
    assert "Iemand anders legde dit op hetzelfde moment vast." in response.get_data(as_text=True)
    db.session.expire_all()
    rows = db.session.scalars(select(Attendance).filter_by(meeting_id=world.meeting.id)).all()
    assert [(r.organisation_id, r.status) for r in rows] == [(world.politie.id, AttendanceStatus.afwezig)]


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


# --- step 2 at the table -------------------------------------------------------------------


def point_url(world, action, suffix=""):
    return url(world, f"{world.item.id}/stap2/{action.id}{suffix}")


def earlier_url(world, action, suffix):
    return url(world, f"{world.item.id}/stap2/eerder/{action.id}/{suffix}")


def fresh_point(action_id):
    db.session.expire_all()
    return db.session.get(ActionPoint, action_id)


def test_step2_shows_the_earlier_open_points_with_their_controls(discussed_before, login_as):
    w = discussed_before
    html = login_as(w.chair).get(url(w, f"?item={w.item.id}")).get_data(as_text=True)
    step2 = html[html.index('<section id="step2"') : html.index('<section id="step3"')]
    assert 'Actiepunten uit eerdere besprekingen <span class="muted">(1 open)</span>' in step2
    assert "VT legt huisbezoek af" in step2 and "te laat" in step2 and w.vt_user.name in step2
    for label in ("Afgerond", "Niet uitgevoerd", "Termijn of eigenaar wijzigen"):
        assert label in step2
    assert "uit eerdere besprekingen" not in html[: html.index('<section id="step2"')]  # moved out of the head


def test_the_table_records_a_result_with_htmx_and_without(discussed_before, login_as):
    w = discussed_before
    client = login_as(w.chair)
    response = client.post(
        earlier_url(w, w.earlier, "resultaat"),
        headers=HX,
        data={"status": "niet_uitgevoerd", "version": w.earlier.version},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="punt-{w.earlier.id}"')
    assert "autofocus" in html and "Niet uitgevoerd" in html and "Heropenen" in html
    assert "Resultaat vastgelegd: niet uitgevoerd." in html
    point = fresh_point(w.earlier.id)
    assert point.status is ActionStatus.niet_uitgevoerd and point.result_by_id == w.chair.id
    response = client.post(earlier_url(w, w.earlier, "resultaat"), data={"status": "open", "version": point.version})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"?item={w.item.id}#punt-{point.id}")
    assert fresh_point(w.earlier.id).is_open


def test_a_result_on_a_changed_point_is_a_conflict(discussed_before, login_as):
    w = discussed_before
    seen = w.earlier.version
    login_as(w.vt_user).post(f"/actiepunten/{w.earlier.id}/status", data={"status": "afgerond", "version": seen})
    response = login_as(w.chair).post(
        earlier_url(w, w.earlier, "resultaat"), headers=HX, data={"status": "niet_uitgevoerd", "version": seen}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Iemand anders heeft dit actiepunt intussen gewijzigd" in html
    assert "Afgerond" in html and fresh_point(w.earlier.id).status is ActionStatus.afgerond


def test_the_table_moves_an_earlier_points_due_date_and_owner(discussed_before, login_as):
    w = discussed_before
    client = login_as(w.chair)
    form = client.get(earlier_url(w, w.earlier, "wijzigen"), headers=HX).get_data(as_text=True)
    assert f'id="eerder{w.earlier.id}-due_date"' in form and "autofocus" in form
    prefix = f"eerder{w.earlier.id}-"
    data = {prefix + "organisation_id": w.politie.id, prefix + "version": w.earlier.version}
    before = client.post(earlier_url(w, w.earlier, "wijzigen"), headers=HX, data={**data, prefix + "due_date": due(0)})
    assert before.status_code == 422 and "De termijn ligt vóór dit overleg." in before.get_data(as_text=True)
    assert f'value="{due(0)}"' in before.get_data(as_text=True)  # what was typed stays
    response = client.post(
        earlier_url(w, w.earlier, "wijzigen"), headers=HX, data={**data, prefix + "due_date": due(21)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nieuwe afspraak vastgelegd: Politie, termijn" in html
    point = fresh_point(w.earlier.id)
    assert (point.organisation_id, point.due_date.isoformat(), point.assignee_id) == (w.politie.id, due(21), None)
    stale = client.post(earlier_url(w, w.earlier, "wijzigen"), data={**data, prefix + "due_date": due(28)})
    assert stale.status_code == 409 and "Iemand anders heeft dit actiepunt intussen gewijzigd" in stale.get_data(
        as_text=True
    )
    assert fresh_point(w.earlier.id).due_date.isoformat() == due(21)


def edit_data(world, action, **overrides):
    prefix = f"punt{action.id}-"
    data = {k: v for k, v in action_data(world, text="Politie plant verhoor vóór 12-03").items()}
    data.update(overrides)
    return {prefix + k: v for k, v in {**data, "version": action.version}.items()}


def test_a_new_point_is_edited_in_its_row(world, login_as):
    client = login_as(world.chair)
    form = client.get(point_url(world, world.action, "/wijzigen"), headers=HX).get_data(as_text=True)
    assert form.lstrip().startswith(f'<tr id="punt-{world.action.id}"') and 'value="Politie plant verhoor"' in form
    refused = client.post(
        point_url(world, world.action, "/wijzigen"),
        headers=HX,
        data=edit_data(world, world.action, text="Bel 06-12345678"),
    )
    assert refused.status_code == 422 and 'value="Bel 06-12345678"' in refused.get_data(as_text=True)
    assert "Verwijder het telefoonnummer" in refused.get_data(as_text=True)
    saved = client.post(
        point_url(world, world.action, "/wijzigen"), headers=HX, data=edit_data(world, world.action, due_date=due(10))
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Actiepunt gewijzigd." in html and "Politie plant verhoor vóór 12-03" in html
    assert "autofocus" in html
    point = fresh_point(world.action.id)
    assert point.text == "Politie plant verhoor vóór 12-03" and point.due_date.isoformat() == due(10)
    stale_data = {**edit_data(world, point, text="OM beslist"), f"punt{point.id}-version": point.version - 1}
    stale = client.post(point_url(world, point, "/wijzigen"), headers=HX, data=stale_data)
    assert stale.status_code == 409 and "Iemand anders heeft dit actiepunt intussen gewijzigd" in stale.get_data(
        as_text=True
    )
    assert fresh_point(point.id).text == "Politie plant verhoor vóór 12-03"  # nothing overwritten
    point = fresh_point(point.id)
    # without JavaScript: the screen with the form, then back at the row
    page = client.get(point_url(world, point, "/wijzigen"))
    assert page.status_code == 200 and "Wijziging opslaan" in page.get_data(as_text=True)
    plain = client.post(point_url(world, point, "/wijzigen"), data=edit_data(world, point, kind="onderzoek"))
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"?item={world.item.id}#punt-{point.id}")
    assert "Actiepunt gewijzigd." in client.get(plain.headers["Location"]).get_data(as_text=True)


def test_delete_offers_undo_in_place_and_undo_restores_the_point(world, login_as):
    client, action_id = login_as(world.chair), world.action.id
    response = client.post(point_url(world, world.action, "/verwijderen"), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="punt-{action_id}"')
    assert "Actiepunt verwijderd." in html and "Ongedaan maken" in html and "autofocus" in html
    assert "verhoor" not in html  # the text is kept server-side only
    assert fresh_point(action_id) is None
    undo = re.search(r'hx-post="([^"]+/ongedaan/[^"]+)"', html).group(1)
    restored = client.post(undo, headers=HX)
    assert restored.status_code == 200 and "Actiepunt teruggezet." in restored.get_data(as_text=True)
    assert "Politie plant verhoor" in restored.get_data(as_text=True)
    assert fresh_point(action_id).text == "Politie plant verhoor"
    again = client.post(undo, headers=HX)
    assert again.status_code == 409 and again.headers["HX-Retarget"] == "#step2"
    assert "kan niet meer worden teruggezet" in again.get_data(as_text=True)


def test_delete_and_undo_without_javascript(world, login_as):
    client, action_id = login_as(world.chair), world.action.id
    response = client.post(point_url(world, world.action, "/verwijderen"))
    assert response.status_code == 303 and "/stap2/verwijderd/" in response.headers["Location"]
    assert "verhoor" not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Actiepunt verwijderd." in page and "Ongedaan maken" in page and "Politie plant verhoor" not in page
    undo = re.search(r'action="([^"]+/ongedaan/[^"]+)"', page).group(1)
    back = client.post(undo)
    assert back.status_code == 303 and back.headers["Location"].endswith(f"#punt-{action_id}")
    assert "Politie plant verhoor" in client.get(back.headers["Location"]).get_data(as_text=True)
    gone = client.get(response.headers["Location"])  # the undo is used up: just the screen
    assert gone.status_code == 303 and gone.headers["Location"].endswith("#step2")


def test_the_points_are_locked_once_the_record_is_closed(discussed_before, login_as):
    w = discussed_before
    client = login_as(w.chair)
    removed = client.post(point_url(w, w.action, "/verwijderen"), headers=HX).get_data(as_text=True)
    undo = re.search(r'hx-post="([^"]+/ongedaan/[^"]+)"', removed).group(1)
    close_ready(w, client)
    client.post(f"/overleggen/{w.meeting.id}/afsluiten", data={"al_gehouden": "ja"})
    assert db.session.get(Meeting, w.meeting.id).status is MeetingStatus.afgesloten
    for path, data in (
        (earlier_url(w, w.earlier, "resultaat"), {"status": "afgerond", "version": 1}),
        (earlier_url(w, w.earlier, "wijzigen"), {}),
        (undo, {}),
        (url(w, "aanwezigheid/allen"), {}),
    ):
        assert client.post(path, headers=HX, data=data).status_code == 403, path
    assert login_as(w.vt_user).post(earlier_url(w, w.earlier, "resultaat"), data={}).status_code == 403


def test_a_point_of_another_item_is_not_found(world, login_as):
    client = login_as(world.chair)
    assert client.get(url(world, f"{world.item.id}/stap2/{world.other_action.id}/wijzigen")).status_code == 404
    assert client.post(earlier_url(world, world.action, "resultaat"), data={"status": "afgerond"}).status_code == 404


# --- attendance ------------------------------------------------------------------------------


def test_attendance_autosaves_a_row_and_a_plain_post_keeps_the_item(world, login_as, make_case):
    second = make_case(world.meeting, world.politie, world.politie_user)
    item = next(i for i in world.meeting.items if i.case is second)
    client = login_as(world.chair)
    html = client.get(url(world, f"?item={item.id}")).get_data(as_text=True)
    assert '<label class="attendance__label" for="att-status-' in html and 'hx-trigger="change, submit"' in html
    saved = client.post(
        url(world, f"aanwezigheid/{world.vt.id}"),
        headers=HX,
        data={"status": "afgemeld", "mandate": "ja", "item": item.id},
    )
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "HX-Reswap" not in saved.headers
    assert f'id="att-saved-{world.vt.id}" class="autosave__saved" hx-swap-oob="true">Opgeslagen' in body
    assert f'id="att-mandate-{world.vt.id}" name="mandate" hx-swap-oob="true"' in body  # cleared: not present
    assert 'id="aanwezigheid-stand" hx-swap-oob="true">1 van 3 organisaties vastgelegd' in body
    plain = client.post(url(world, f"aanwezigheid/{world.politie.id}"), data={"status": "aanwezig", "item": item.id})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"?item={item.id}#aanwezigheid")
    refused = client.post(url(world, f"aanwezigheid/{world.om.id}"), headers=HX, data={"status": ""})
    assert refused.status_code == 422 and refused.headers["HX-Reswap"] == "outerHTML"
    assert "Kies de aanwezigheid." in refused.get_data(as_text=True)


def test_all_present_in_one_click(world, login_as):
    world.meeting.form = MeetingForm.online
    db.session.commit()
    client = login_as(world.chair)
    client.post(url(world, f"aanwezigheid/{world.om.id}"), data={"status": "afwezig"})
    html = client.get(url(world)).get_data(as_text=True)
    assert "Allen aanwezig" in html and "Legt de 2 organisatie(s) zonder aanwezigheid vast" in html
    response = client.post(url(world, "aanwezigheid/allen"), headers=HX, data={"item": world.item.id})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 organisatie(s) vastgelegd als aanwezig, met mandaat." in html
    assert "3 van 3 organisaties vastgelegd" in html and "<summary autofocus>" in html
    assert ">Allen aanwezig</button>" not in html  # nothing left to fill in
    rows = {
        a.organisation_id: (a.status.value, a.mandate, a.form)
        for a in db.session.get(Meeting, world.meeting.id).attendances
    }
    assert rows[world.vt.id] == ("aanwezig", True, AttendanceForm.online) and rows[world.om.id] == (
        "afwezig",
        None,
        None,
    )
    plain = client.post(url(world, "aanwezigheid/allen"), data={"item": world.item.id})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"?item={world.item.id}#aanwezigheid")
    assert "Elke organisatie heeft al een aanwezigheid" in client.get(plain.headers["Location"]).get_data(as_text=True)
