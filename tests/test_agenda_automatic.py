"""agenda.automatic_case_ids: which cases come back to the region's next meeting by themselves."""

from __future__ import annotations

import datetime as dt

import pytest

from actieoverleg import agenda
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.models import AgendaItem, Region
from actieoverleg.vocab import ActionStatus, Handover, ItemKind, MeetingStatus

from .stats_data import discuss, held, new_case, point

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def test_cases_come_back_for_due_points_not_done_points_and_return_dates(app, make_org):
    today = local_today()
    days = dt.timedelta
    vt, politie = make_org("VT"), make_org("Politie")
    rr = Region(name="Rotterdam-Rijnmond", code="RR", organisations=[vt, politie])
    zhz = Region(name="Zuid-Holland-Zuid", code="ZHZ", organisations=[vt, politie])
    db.session.add_all([rr, zhz])
    db.session.flush()
    upcoming = held(rr, today + days(7), status=MeetingStatus.gepland)
    month_ago, two_months_ago = held(rr, today - days(30)), held(rr, today - days(60))
    cancelled = held(rr, today - days(20), status=MeetingStatus.geannuleerd)

    def case_discussed(*meetings, handover=Handover.regulier, back=None, region=rr):
        case = new_case(region, vt, today - days(90))
        items = [discuss(m, case, handover=handover) for m in meetings]
        items[-1].return_date = back
        return case, items

    expected, not_expected = set(), set()
    # an open point due by the meeting day brings the case back; one due after it does not
    case, items = case_discussed(month_ago)
    point(items[0], politie, today + days(7))
    expected.add(case.id)
    case, items = case_discussed(month_ago)
    point(items[0], politie, today + days(8))
    point(items[0], politie, today - days(1), ActionStatus.afgerond, result=today - days(2))
    not_expected.add(case.id)
    # a point marked "niet uitgevoerd" after the last discussion, not one settled before it
    case, items = case_discussed(month_ago)
    point(items[0], politie, today - days(12), ActionStatus.niet_uitgevoerd, result=today - days(10))
    expected.add(case.id)
    case, items = case_discussed(two_months_ago, month_ago)
    point(items[0], politie, today - days(52), ActionStatus.niet_uitgevoerd, result=today - days(50))
    not_expected.add(case.id)
    # "terug op de agenda" on a date that has come, only if that was the last discussion
    case, _ = case_discussed(month_ago, handover=Handover.terug, back=today + days(7))
    expected.add(case.id)
    case, _ = case_discussed(month_ago, handover=Handover.terug, back=today + days(8))
    not_expected.add(case.id)
    case, _ = case_discussed(two_months_ago, handover=Handover.terug, back=today - days(40))
    discuss(month_ago, case)  # discussed again since: the return has happened
    not_expected.add(case.id)
    case, _ = case_discussed(two_months_ago, handover=Handover.terug, back=today - days(40))
    discuss(month_ago, case).removed = True  # taken off that agenda: not a discussion
    discuss(cancelled, case)  # nor is a meeting that did not take place
    expected.add(case.id)
    # not another region's case, and not a case already on the agenda
    other_meeting = held(zhz, today - days(30))
    case, items = case_discussed(other_meeting, region=zhz)
    point(items[0], politie, today - days(1))
    not_expected.add(case.id)
    case, items = case_discussed(month_ago)
    point(items[0], politie, today - days(1))
    db.session.add(AgendaItem(meeting_id=upcoming.id, case_id=case.id, kind=ItemKind.herbespreking))
    not_expected.add(case.id)
    db.session.commit()

    found = agenda.automatic_case_ids(upcoming)
    assert found == sorted(expected)
    assert not set(found) & not_expected


def test_sync_checks_again_only_after_a_change_that_matters(app, make_org, make_user):
    """Viewing the next meeting again costs nothing until a point, a meeting or a held item changes."""
    from actieoverleg import actions, meeting_steps
    from actieoverleg.vocab import Role

    today, days = local_today(), dt.timedelta
    vt, politie = make_org("VT"), make_org("Politie")
    rr = Region(name="Rotterdam-Rijnmond", code="RR", organisations=[vt, politie])
    db.session.add(rr)
    db.session.flush()
    user = make_user(Role.voorzitter, vt, [rr])
    past = held(rr, today - days(30))
    upcoming = held(rr, today + days(7), status=MeetingStatus.gepland)
    later = held(rr, today + days(14), status=MeetingStatus.gepland)
    due = new_case(rr, vt, today - days(40))
    point(discuss(past, due), politie, today)
    quiet = new_case(rr, vt, today - days(40))
    late_point = point(discuss(past, quiet), politie, today + days(30))
    db.session.commit()

    def sync() -> bool:
        changed = agenda.sync(upcoming)
        db.session.commit()
        return changed

    assert sync() and [i.case for i in upcoming.items] == [due]
    assert not sync() and not agenda.sync(later)  # only the next meeting takes automatic items
    # the steps of the coming meeting change nothing that could bring a case back
    meeting_steps.record_step3(upcoming.items[0], Handover.terug, today + days(60), user)
    db.session.commit()
    assert not sync()
    # a point marked "niet uitgevoerd" does
    actions.tick_off(late_point, ActionStatus.niet_uitgevoerd, late_point.version, user)
    db.session.commit()
    assert sync() and {i.case for i in upcoming.items} == {due, quiet}
