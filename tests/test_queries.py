"""Pages run a fixed number of SQL queries whatever the data size (no N+1)."""

from __future__ import annotations

import pytest

from actieoverleg import mail, subscriptions
from actieoverleg.extensions import db
from actieoverleg.vocab import Assessment, Handover, Role

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def grow(world, make_case, make_action, cases: int) -> None:
    """Add cases to the meeting, each with points for two partners and a recorded step 1 and 3."""
    for n in range(cases):
        case = make_case(world.meeting, world.vt, world.vt_user, needed=[world.vt, world.politie, world.om])
        item = next(i for i in world.meeting.items if i.case_id == case.id)
        item.shared = [world.vt, world.politie]
        item.assessment, item.handover = Assessment.acuut, Handover.mda
        make_action(item, world.politie, world.chair, due_in=n % 9 - 3, text="Politie plant verhoor")
        make_action(item, world.vt, world.chair, due_in=n % 5, text="VT legt huisbezoek af")
    db.session.commit()


PAGES = {
    "onze actiepunten": lambda w: "/actiepunten/",
    "agenda": lambda w: f"/overleggen/{w.meeting.id}/agenda/",
    "agenda print": lambda w: f"/overleggen/{w.meeting.id}/agenda/afdrukken",
    "meetings": lambda w: "/overleggen/",
    "meeting screen": lambda w: f"/overleggen/{w.meeting.id}/vergadering/",
    "record": lambda w: f"/overleggen/{w.meeting.id}",
    "follow": lambda w: f"/overleggen/{w.meeting.id}/vergadering/volgen",
    "start": lambda w: "/",
    # a partner sees a code as a link only for a case they may open: that needs no extra query per case
    "agenda (partner)": lambda w: f"/overleggen/{w.meeting.id}/agenda/",
    "record (partner)": lambda w: f"/overleggen/{w.meeting.id}",
    "start (partner)": lambda w: "/",
    "follow (partner)": lambda w: f"/overleggen/{w.meeting.id}/vergadering/volgen",
    # a member at the table whose organisation takes no part: "Geen betrokkenheid" costs no query per case
    "agenda (uninvolved)": lambda w: f"/overleggen/{w.meeting.id}/agenda/",
    "record (uninvolved)": lambda w: f"/overleggen/{w.meeting.id}",
    "follow (uninvolved)": lambda w: f"/overleggen/{w.meeting.id}/vergadering/volgen",
}
PARTNER_PAGES = {"onze actiepunten", "agenda (partner)", "record (partner)", "start (partner)", "follow (partner)"}


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_data(
    world, login_as, make_org, make_user, make_case, make_action, count_queries, page
):
    user = world.politie_user if page in PARTNER_PAGES else world.chair
    if page.endswith("(uninvolved)"):  # at the table, needed for none of the cases, owning no point
        ggz = make_org("GGZ")
        world.rr.organisations.append(ggz)
        user = make_user(Role.deelnemer, ggz, [world.rr])
    client = login_as(user)
    runs = []
    for cases in (3, 27):  # 3, then 30 cases: tenfold
        grow(world, make_case, make_action, cases)
        client.get(PAGES[page](world))  # warm up (a first call loads more than later ones)
        with count_queries() as statements:
            response = client.get(PAGES[page](world))
        assert response.status_code == 200
        runs.append(statements)
    few, many = runs
    repeated = sorted(set(many), key=many.count, reverse=True)[:1]
    assert len(few) == len(many), f"{page}: {len(few)} queries with 3 cases, {len(many)} with 30; {repeated}"


def test_mails_and_feed_run_a_fixed_number_of_queries(world, login_as, make_case, make_action, count_queries):
    """Building the agenda mails and the calendar feed does not grow with the agenda."""
    counts = []
    for cases in (3, 27):
        grow(world, make_case, make_action, cases)
        db.session.expire_all()
        with count_queries() as statements:
            mail.agenda(world.meeting)
            subscriptions.feed(world.politie_user)
        db.session.rollback()
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{counts[0]} queries with 3 cases, {counts[1]} with 30"
