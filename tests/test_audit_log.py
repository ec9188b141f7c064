"""Beheer › Auditlog: newest first, paged with a fixed number of queries, filtered by user,
region, action, outcome and period; objects named by case code, meeting date or user name."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, select

from actieoverleg import audit
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import AuditEvent
from actieoverleg.vocab import AuditAction, AuditOutcome

from .conftest import TEST_NOW

pytestmark = pytest.mark.clock


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def admin(world, login_as):
    return login_as(world.admin)


def test_lists_events_newest_first_with_dutch_labels_outcome_and_address(world, admin):
    admin.post(f"/beheer/gebruikers/{world.vt_user.id}/deactiveren")
    text = page(admin.get("/beheer/auditlog"))
    assert "<h1>Auditlog</h1>" in text
    assert "gedeactiveerd" in text and "ingelogd" in text
    assert f"Gebruiker {world.vt_user.name}" in text  # named, not numbered
    assert f'data-label="Gebruiker">{world.admin.name} <span class="muted">· VT</span>' in text
    first = text.index('data-label="Actie"')
    assert text[first : first + 60].startswith('data-label="Actie">gedeactiveerd')
    assert 'data-label="Uitkomst">gelukt' in text and 'data-label="Adres">127.0.0.1' in text
    assert "POST /beheer/gebruikers/&lt;int:user_id&gt;/deactiveren" not in text  # unescaped by page()
    assert "POST /beheer/gebruikers/<int:user_id>/deactiveren" in text  # the route pattern, not the URL


def test_names_objects_by_case_code_meeting_date_and_user(world, admin):
    for obj in (world.case, world.meeting, world.item, world.action, world.rr, world.vt):
        audit.record(AuditAction.change, obj, user=world.chair)
    db.session.commit()
    text = page(admin.get("/beheer/auditlog"))
    meeting = f"RR {local(world.meeting.starts_at):%d-%m-%Y}"
    assert f"Casus {world.case.code}" in text
    assert f"Overleg {meeting}" in text
    assert f"Agendapunt {world.case.code} · {meeting}" in text
    assert f"Actiepunt {world.case.code} · {meeting}" in text
    assert "Regio Rotterdam-Rijnmond" in text and "Organisatie VT" in text
    assert not re.search(r"(Casus|Overleg|Agendapunt|Actiepunt|Regio|Organisatie) #\d", text)


def test_filters_by_user_region_action_outcome_and_period(world, admin, clock):
    audit.record(AuditAction.tick_off, world.action, user=world.politie_user)
    audit.record(AuditAction.tick_off, world.other_action, user=world.other_politie)
    audit.denied(world.other_chair, 403)
    db.session.commit()
    clock.shift(dt.timedelta(days=3))
    audit.record(AuditAction.close, world.meeting, user=world.chair)
    db.session.commit()
    clock.move_to(TEST_NOW)  # the admin's session is still open

    def rows(query: str) -> list[str]:
        return re.findall(r'data-label="Actie">([^<]*)</td>', page(admin.get("/beheer/auditlog?" + query)))

    assert rows(f"gebruiker={world.politie_user.id}") == ["afgevinkt"]
    assert rows(f"regio={world.zhz.id}&actie=tick_off") == ["afgevinkt"]  # other_politie's, not politie's
    assert rows("uitkomst=denied") == ["toegang"]
    assert rows("actie=close") == ["afgesloten"]
    day, later = TEST_NOW.date(), (TEST_NOW + dt.timedelta(days=3)).date()
    shown = page(admin.get(f"/beheer/auditlog?actie=tick_off&van={later}"))
    assert "Geen gebeurtenissen met deze filters." in shown  # the ticks were three days before
    assert rows(f"actie=tick_off&van={day}&tot={day}") == ["afgevinkt", "afgevinkt"]
    assert rows(f"tot={day}&uitkomst=success&actie=close") == []
    # malformed filters show everything, never an error
    everything = rows("")
    assert rows("gebruiker=abc&regio=99999999999999999999&van=morgen&uitkomst=x") == everything


def test_offers_every_action_by_its_dutch_label_and_filters_on_each(world, admin, app):
    app.config["PAGE_SIZE"] = 1000
    for action in AuditAction:
        audit.record(action, world.case, user=world.chair)
    db.session.commit()
    text = page(admin.get("/beheer/auditlog?actie=bestaat-niet"))  # an unknown filter shows everything
    assert '<option value="">Alle acties</option>' in text
    assert text.count('data-label="Actie"') == db.session.scalar(select(func.count(AuditEvent.id)))
    for action in AuditAction:
        assert f'<option value="{action.value}">{action.label}</option>' in text
    for action in AuditAction:
        text = page(admin.get(f"/beheer/auditlog?actie={action.value}"))
        assert f'<option value="{action.value}" selected>{action.label}</option>' in text
        shown = re.findall(r'data-label="Actie">([^<]*)</td>', text)
        logged = db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(action=action.value))
        assert shown == [action.label] * logged
        assert f"Casus {world.case.code}" in text


def test_is_paged_with_a_fixed_number_of_queries(world, admin, app, count_queries):
    app.config["PAGE_SIZE"] = 3

    def tick_off(*users):
        for user in users:
            audit.record(AuditAction.tick_off, world.action, user=user)
        db.session.commit()

    tick_off(world.chair)
    with count_queries() as one:
        text = page(admin.get("/beheer/auditlog?actie=tick_off"))
    assert text.count('data-label="Actie"') == 1 and "Pagina" not in text
    tick_off(world.vt_user, world.politie_user, world.other_chair, world.national)
    with count_queries() as more:
        text = page(admin.get("/beheer/auditlog?actie=tick_off"))
    assert text.count('data-label="Actie"') == 3 and "Pagina 1 van 2" in text
    assert f'data-label="Gebruiker">{world.national.name} <span class="muted">· OM</span>' in text
    assert "actie=tick_off" in text and "pagina=2" in text  # the filter stays in the pager
    assert len(more) == len(one)


def test_shows_the_organisation_the_user_acted_for_then(world, admin, make_org):
    audit.record(AuditAction.change, world.case, user=world.vt_user)
    db.session.commit()
    world.vt_user.organisation = world.politie  # moved to another organisation later
    db.session.commit()
    text = page(admin.get("/beheer/auditlog"))
    assert f'data-label="Gebruiker">{world.vt_user.name} <span class="muted">· VT</span>' in text


def test_denials_are_listed_as_refused(world, admin, login_as):
    login_as(world.vt_user).get("/beheer/")
    text = page(admin.get(f"/beheer/auditlog?uitkomst={AuditOutcome.denied.value}"))
    assert 'data-label="Actie">toegang' in text and 'data-label="Uitkomst">geweigerd' in text
    assert "GET /beheer/" in text
