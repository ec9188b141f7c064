"""The meeting at the table: deferring a case, the live counter every following screen polls,
"nu in bespreking", and guests for one case (docs/rules.md §3)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from actieoverleg import agenda, guests, lifecycle, live, meeting_steps
from actieoverleg.extensions import db
from actieoverleg.models import AgendaItem, Meeting
from actieoverleg.vocab import Assessment, AttendanceStatus, Handover, ItemKind, OrganisationKind, Role

from .conftest import HX
from .records import entries

pytestmark = pytest.mark.clock


def version(meeting: Meeting) -> int:
    return db.session.scalar(select(Meeting.live_version).where(Meeting.id == meeting.id))


# --- deferral ------------------------------------------------------------------------------


def test_a_deferred_case_goes_to_the_next_regular_meeting_with_its_preparation(world, make_meeting):
    spoed = make_meeting(world.rr, days=9, is_extra=True)
    later = make_meeting(world.rr, days=14)
    make_meeting(world.rr, days=28)
    agenda.set_prepared(world.item.preparations[0], True, world.vt_user)  # VT prepared, Politie not
    world.item.planned_minutes = 10
    target = agenda.defer(world.item, world.chair)
    assert target is later and spoed.items == []  # never to a spoed meeting, never to a later one
    moved = later.items[0]
    assert moved.case is world.case and moved.kind is ItemKind.nieuw and moved.planned_minutes == 10
    assert {p.organisation.short_name: p.prepared for p in moved.preparations} == {"VT": True, "Politie": False}
    assert world.item.deferred_to is later and world.item not in agenda.visible_items(world.meeting)
    assert world.item in agenda.table_items(world.meeting)  # still shown at the table, as deferred
    assert entries(world.item)[-1] == ("defer", world.chair.id, f"naar_overleg_{later.id}")


def test_closing_accepts_a_deferred_case_and_lists_only_what_is_truly_missing(world, make_meeting, make_case):
    make_meeting(world.rr, days=14)
    second = make_case(world.meeting, world.vt, world.vt_user).items[0]
    agenda.defer(world.item, world.chair)
    meeting_steps.record_attendance(world.meeting, world.vt, AttendanceStatus.aanwezig, True, None, world.chair)
    with pytest.raises(lifecycle.NotReady) as refused:
        lifecycle.close(world.meeting, world.chair, before_start=True)
    assert [p.item_id for p in refused.value.problems] == [second.id, second.id]
    meeting_steps.record_step1(second, [world.vt], Assessment.acuut, world.chair)
    meeting_steps.record_step3(second, Handover.mda, None, world.chair)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    assert world.meeting.is_closed


def test_a_deferred_case_counts_as_not_discussed(world, make_meeting):
    """Closed with the case deferred: its overdue point still brings it back (no discussion
    happened), and the deferred item is no held discussion for the statistics' queries."""
    later = make_meeting(world.rr, days=14)
    agenda.defer(world.item, world.chair)
    meeting_steps.record_attendance(world.meeting, world.vt, AttendanceStatus.aanwezig, True, None, world.chair)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    discussed = db.session.scalar(
        select(agenda.last_discussed(AgendaItem.case_id)).where(AgendaItem.id == world.item.id)
    )
    assert discussed is None
    assert [i.case for i in agenda.visible_items(later)] == [world.case]


def test_taking_a_deferral_back_removes_the_untouched_copy(world, make_meeting):
    later = make_meeting(world.rr, days=14)
    agenda.defer(world.item, world.chair)
    agenda.undefer(world.item, world.chair)
    db.session.flush()
    assert world.item in agenda.visible_items(world.meeting) and world.item.deferred_to is None
    assert agenda.visible_items(later) == []
    assert [e[0] for e in entries(world.item)][-2:] == ["defer", "undefer"]


def test_deferring_without_a_next_meeting_is_refused_and_changes_nothing(world):
    with pytest.raises(agenda.NoNextMeeting):
        agenda.defer(world.item, world.chair)
    assert not world.item.removed and world.item.deferred_to is None


def test_defer_and_take_back_on_the_screen(world, login_as, make_meeting):
    later = make_meeting(world.rr, days=14)
    db.session.commit()
    chair = login_as(world.chair)
    base = f"/overleggen/{world.meeting.id}/vergadering"
    response = chair.post(f"{base}/{world.item.id}/doorschuiven", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "doorgeschoven naar het overleg van" in page and "Toch bespreken" in page
    assert 'id="agenda-lijst" class="progress-list" hx-swap-oob="true"' in page
    plain = chair.post(f"{base}/{world.item.id}/terughalen")
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"?item={world.item.id}")
    assert "Niet besproken — doorschuiven" in chair.get(plain.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == later.id)).all() == []


def test_deferring_with_no_next_meeting_says_what_to_do(world, login_as):
    chair = login_as(world.chair)
    response = chair.post(f"/overleggen/{world.meeting.id}/vergadering/{world.item.id}/doorschuiven", headers=HX)
    assert "Er is nog geen volgend overleg gepland" in response.get_data(as_text=True)


# --- live ------------------------------------------------------------------------------------


def test_every_change_at_the_table_raises_the_meetings_live_counter(world, make_action):
    db.session.commit()
    seen = [version(world.meeting)]
    other = version(world.other_meeting)

    def changed() -> bool:
        db.session.commit()
        seen.append(version(world.meeting))
        return seen[-1] > seen[-2]

    meeting_steps.record_step1(world.item, [world.vt], Assessment.acuut, world.chair)
    assert changed()
    agenda.set_prepared(world.item.preparations[1], True, world.politie_user)
    assert changed()
    make_action(world.item, world.vt, world.chair)
    assert changed()
    live.set_current(world.meeting, world.item, world.chair)
    assert changed()
    meeting_steps.record_attendance(world.meeting, world.vt, AttendanceStatus.aanwezig, True, None, world.chair)
    assert changed()
    assert version(world.other_meeting) == other


def test_a_poll_answers_204_until_the_meeting_changed(world, login_as):
    db.session.commit()
    shown = version(world.meeting)
    follower = login_as(world.politie_user)
    follow = f"/overleggen/{world.meeting.id}/vergadering/volgen"
    assert follower.get(f"{follow}?v={shown}", headers=HX).status_code == 204
    chair = login_as(world.chair)
    assert chair.get(f"/overleggen/{world.meeting.id}/vergadering/?v={shown}", headers=HX).status_code == 204
    chair.post(f"/overleggen/{world.meeting.id}/vergadering/nu", data={"item_id": world.item.id}, headers=HX)
    page = follower.get(f"{follow}?v={shown}", headers=HX)
    assert page.status_code == 200 and "nu in bespreking" in page.get_data(as_text=True)
    assert f"v={version(world.meeting)}" in page.get_data(as_text=True)
    assert world.case.code in page.get_data(as_text=True)


def test_the_follow_screen_shows_the_steps_as_recorded(world, login_as):
    meeting_steps.record_step1(world.item, [world.vt, world.politie], Assessment.structureel, world.chair)
    meeting_steps.record_step3(world.item, Handover.terug, None, world.chair)
    live.set_current(world.meeting, world.item, world.chair)  # recorded: followers see it while it is marked
    db.session.commit()
    page = login_as(world.vt_user).get(f"/overleggen/{world.meeting.id}/vergadering/volgen").get_data(as_text=True)
    assert "Gedeeld door: VT, Politie" in page and "Structureel" in page and "Politie plant verhoor" in page
    assert "Informatie voorbereid:" in page


def test_only_the_regions_members_and_guests_follow(world, login_as):
    follow = f"/overleggen/{world.meeting.id}/vergadering/volgen"
    assert login_as(world.other_politie).get(follow).status_code == 404
    assert login_as(world.national).get(follow).status_code == 403


# --- guests ----------------------------------------------------------------------------------


@pytest.fixture
def guest(world, make_org, make_user):
    organisation = make_org("GGZ", name="GGZ Delfland", kind=OrganisationKind.guest)
    user = make_user(Role.deelnemer, organisation, [], email="ggz@example.test")
    return organisation, user


def test_a_guest_joins_only_after_acknowledging_confidentiality(world, guest):
    organisation, _ = guest
    with pytest.raises(guests.NotAcknowledged):
        guests.add_guest(world.item, organisation, False, world.chair)
    assert world.item.guests == []
    added = guests.add_guest(world.item, organisation, True, world.chair)
    db.session.flush()
    assert added.acknowledged_by_id == world.chair.id and added.acknowledged_at is not None
    assert entries(world.item)[-1] == ("guest", world.chair.id, "GGZ")


def test_a_guest_sees_that_case_in_that_meeting_and_nothing_else(world, guest, login_as, make_case):
    organisation, user = guest
    other = make_case(world.meeting, world.vt, world.vt_user)
    guests.add_guest(world.item, organisation, True, world.chair)
    db.session.commit()
    client = login_as(user)
    page = client.get(f"/overleggen/{world.meeting.id}/vergadering/volgen").get_data(as_text=True)
    assert world.case.code in page and other.code not in page
    assert client.get(f"/overleggen/{world.meeting.id}/vergadering/volgen?item={other.items[0].id}").status_code == 200
    assert other.code not in client.get(
        f"/overleggen/{world.meeting.id}/vergadering/volgen?item={other.items[0].id}"
    ).get_data(as_text=True)
    for hidden in (
        f"/overleggen/{world.other_meeting.id}/vergadering/volgen",
        f"/overleggen/{world.meeting.id}/agenda/",
        f"/overleggen/{world.meeting.id}/vergadering/",
        f"/casussen/{world.case.code}",
    ):
        assert client.get(hidden).status_code in (403, 404), hidden
    guests.remove_guest(world.item, world.item.guests[0], world.chair)
    db.session.commit()
    assert client.get(f"/overleggen/{world.meeting.id}/vergadering/volgen").status_code == 404


def test_the_chair_adds_a_guest_on_the_screen_and_is_told_when_the_acknowledgement_is_missing(world, guest, login_as):
    organisation, _ = guest
    db.session.commit()
    chair = login_as(world.chair)
    base = f"/overleggen/{world.meeting.id}/vergadering/{world.item.id}/gast"
    refused = chair.post(base, data={"gast-organisation_id": organisation.id}, headers=HX)
    assert refused.status_code == 422 and "geheimhoudingsverklaring" in refused.get_data(as_text=True)
    done = chair.post(base, data={"gast-organisation_id": organisation.id, "gast-acknowledged": "y"}, headers=HX)
    assert "GGZ schuift aan als gast" in done.get_data(as_text=True)
    assert [g.organisation_id for g in db.session.get(AgendaItem, world.item.id).guests] == [organisation.id]


def test_the_guest_finds_its_case_on_the_start_page_and_members_find_the_follow_screen(world, guest, login_as):
    organisation, user = guest
    guests.add_guest(world.item, organisation, True, world.chair)
    db.session.commit()
    home = login_as(user).get("/").get_data(as_text=True)
    assert (
        "Als gast aan tafel" in home
        and f"/overleggen/{world.meeting.id}/vergadering/volgen?item={world.item.id}" in home
    )
    agenda_page = login_as(world.politie_user).get(f"/overleggen/{world.meeting.id}/agenda/").get_data(as_text=True)
    assert "Meekijken tijdens het overleg" in agenda_page


def test_an_action_on_the_whole_item_keeps_the_step_tokens_in_their_forms(world, login_as):
    """The item comes back whole: its steps' tokens are part of their forms, not out-of-band
    swaps (those htmx would take out of the new form, and the next save would be a conflict)."""
    db.session.commit()
    chair = login_as(world.chair)
    page = chair.post(
        f"/overleggen/{world.meeting.id}/vergadering/nu", data={"item_id": world.item.id}, headers=HX
    ).get_data(as_text=True)
    assert "is nu in bespreking." in page
    tokens = re.findall(r'<input[^>]*id="step[13]-seen"[^>]*>', page)
    assert len(tokens) == 2 and not any("hx-swap-oob" in t for t in tokens), tokens
