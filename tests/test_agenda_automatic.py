"""The automatic agenda (agenda.derive, docs/rules.md §2) as plain functions: which cases come to
the region's next regular meeting by themselves and why, what keeps them away (a removal, a
hand-over "afgesloten", a later return date, a spoed meeting), and when it happens (at the commit
of a change, and daily as time passes), never when a page is read."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from actieoverleg import actions, agenda, lifecycle
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import AgendaItem, Case, Meeting, Region
from actieoverleg.vocab import ActionStatus, Handover, ItemKind, MeetingForm, MeetingStatus, Role

from .stats_data import discuss, held, new_case, point

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

days = dt.timedelta


@pytest.fixture
def table(app, make_org, make_user) -> SimpleNamespace:
    """A region with a meeting held a month ago and the next two regular meetings; a second region."""
    today = local_today()
    vt, politie = make_org("VT"), make_org("Politie")
    rr = Region(name="Rotterdam-Rijnmond", code="RR", organisations=[vt, politie])
    zhz = Region(name="Zuid-Holland-Zuid", code="ZHZ", organisations=[vt, politie])
    db.session.add_all([rr, zhz])
    db.session.flush()
    t = SimpleNamespace(today=today, vt=vt, politie=politie, rr=rr, zhz=zhz)
    t.chair = make_user(Role.voorzitter, vt, [rr])
    t.member = make_user(Role.deelnemer, politie, [rr])
    t.held = held(rr, today - days(30))
    t.next = held(rr, today + days(7), status=MeetingStatus.gepland)
    t.later = held(rr, today + days(14), status=MeetingStatus.gepland)
    db.session.commit()
    return t


def discussed(t: SimpleNamespace, at: Meeting | None = None, handover=Handover.regulier, back=None, region=None):
    """A case discussed at a held meeting (the one a month ago unless `at`), and its item there."""
    case = new_case(region or t.rr, t.vt, t.today - days(90))
    item = discuss(at or t.held, case, handover=handover)
    item.return_date = back
    return case, item


def stored(meeting: Meeting) -> dict[str, str]:
    """The meeting's visible items as the database holds them: code → why (or the kind)."""
    db.session.expire_all()
    return {
        i.case.code: i.reason_text or i.kind.value for i in agenda.visible_items(db.session.get(Meeting, meeting.id))
    }


def dm(day: dt.date) -> str:
    return day.strftime("%d-%m")


def test_a_case_comes_to_the_next_meeting_for_what_happened_since_its_last_discussion(table):
    t, today = table, table.today
    due, item = discussed(t)
    point(item, t.politie, today - days(1))  # overdue since the discussion
    point(item, t.vt, today - days(1))
    old_due, item = discussed(t)
    point(item, t.politie, today - days(35))  # already overdue when it was discussed
    point(item, t.politie, today)  # due today: not overdue yet
    point(item, t.politie, today - days(2), ActionStatus.afgerond, result=today - days(3))
    not_done, item = discussed(t)
    point(item, t.politie, today + days(20), ActionStatus.niet_uitgevoerd, result=today - days(5))
    not_done_before, item = discussed(t, at=held(t.rr, today - days(60)))
    point(item, t.politie, today - days(52), ActionStatus.niet_uitgevoerd, result=today - days(50))
    discuss(t.held, not_done_before)  # discussed again since
    back, _ = discussed(t, handover=Handover.terug, back=today + days(7))
    not_yet_back, _ = discussed(t, handover=Handover.terug, back=today + days(8))
    elsewhere, item = discussed(t, at=held(t.zhz, today - days(30)), region=t.zhz)
    point(item, t.politie, today - days(1))
    db.session.commit()  # the commit derives the agenda: no page needs to be opened

    yesterday = dm(today - days(1))
    assert stored(t.next) == {
        due.code: f"actiepunt Politie verlopen op {yesterday}; actiepunt VT verlopen op {yesterday}",
        not_done.code: f"actiepunt Politie niet uitgevoerd (gemeld {dm(today - days(5))})",
        back.code: f"terug op de agenda per {dm(today + days(7))}",
    }
    assert stored(t.later) == {}  # only the next regular meeting takes cases in by itself
    item = next(i for i in db.session.get(Meeting, t.next.id).items if i.case_id == due.id)
    assert item.kind is ItemKind.automatisch and item.reasons[0] == [
        "verlopen",
        (today - days(1)).isoformat(),
        "Politie",
    ]
    assert not_yet_back.code not in stored(t.next) and old_due.code not in stored(t.next)


def test_a_chosen_return_date_is_kept_and_the_due_point_comes_with_it(table, clock):
    t, today = table, table.today
    back_on = today + days(10)  # between the next two meetings
    case, item = discussed(t, handover=Handover.terug, back=back_on)
    point(item, t.politie, today - days(2))
    not_done = point(item, t.vt, today + days(30))
    db.session.commit()
    assert case.code not in stored(t.next)  # not earlier because of the overdue point
    actions.tick_off(not_done, ActionStatus.niet_uitgevoerd, not_done.version, t.member)
    db.session.commit()
    assert case.code not in stored(t.next)  # nor because of a point not done

    clock.shift(days(8))  # the next meeting has passed (unclosed); the daily run comes
    agenda.derive(t.rr.id)
    db.session.commit()
    assert stored(t.later)[case.code] == (
        f"terug op de agenda per {dm(back_on)}; actiepunt Politie verlopen op {dm(today - days(2))}; "
        f"actiepunt VT niet uitgevoerd (gemeld {dm(today)})"
    )


def test_a_case_closed_with_no_open_point_never_returns_by_itself(table, clock):
    t, today = table, table.today
    closed, item = discussed(t, handover=Handover.afgesloten)
    point(item, t.politie, today - days(20), ActionStatus.niet_uitgevoerd, result=today - days(2))
    point(item, t.vt, today - days(3), ActionStatus.afgerond, result=today - days(4))
    closed_with_open_point, item = discussed(t, handover=Handover.afgesloten)
    point(item, t.politie, today - days(1))
    db.session.commit()
    assert stored(t.next) == {closed_with_open_point.code: f"actiepunt Politie verlopen op {dm(today - days(1))}"}
    clock.shift(days(200))  # months later, with new meetings: still not
    db.session.add(held(t.rr, local_today() + days(2), status=MeetingStatus.gepland))
    db.session.commit()
    coming = db.session.scalars(db.select(Meeting).where(Meeting.status == MeetingStatus.gepland)).all()
    assert closed.code not in {code for m in coming for code in stored(m)}


def test_a_removed_case_stays_away_also_from_later_meetings_until_something_new_happens(table, clock):
    t, today = table, table.today
    case, item = discussed(t)
    point(item, t.politie, today - days(1))
    db.session.commit()
    removed = next(i for i in db.session.get(Meeting, t.next.id).items if i.case_id == case.id)
    agenda.remove(removed, t.chair)
    db.session.commit()
    assert stored(t.next) == {}
    clock.shift(days(8))  # the next meeting passed without discussing it; the later one is next now
    agenda.derive(t.rr.id)
    db.session.commit()
    assert stored(t.later) == {}  # the overdue point was there when the chair removed it

    late = point(item, t.vt, today + days(3))  # a point falling due after the removal
    db.session.commit()
    assert stored(t.later) == {case.code: f"actiepunt VT verlopen op {dm(today + days(3))}"}
    actions.tick_off(late, ActionStatus.afgerond, late.version, t.chair)
    db.session.commit()
    assert stored(t.later) == {}  # withdrawn: nobody worked on it yet
    assert db.session.get(AgendaItem, removed.id).removed  # the removal itself stays on record


def test_a_point_not_done_after_the_removal_brings_the_case_back(table, clock):
    t, today = table, table.today
    case, item = discussed(t)
    point(item, t.politie, today - days(1))
    open_point = point(item, t.vt, today + days(20))
    db.session.commit()
    agenda.remove(next(i for i in db.session.get(Meeting, t.next.id).items if i.case_id == case.id), t.chair)
    db.session.commit()
    clock.shift(dt.timedelta(hours=1))
    actions.tick_off(open_point, ActionStatus.niet_uitgevoerd, open_point.version, t.member)
    db.session.commit()
    assert stored(t.next) == {case.code: f"actiepunt VT niet uitgevoerd (gemeld {dm(local_today())})"}


def test_a_spoed_meeting_starts_with_only_what_the_chair_puts_on_it(table):
    t, today = table, table.today
    waiting, item = discussed(t)
    point(item, t.politie, today - days(1))
    other, item = discussed(t)
    point(item, t.politie, today - days(1))
    db.session.commit()
    start = local(t.next.starts_at) - days(3)
    spoed = lifecycle.plan_extra(t.rr.id, start.date(), start.time(), 60, "", MeetingForm.online, t.chair)
    db.session.commit()
    assert stored(spoed) == {}
    assert set(stored(t.next)) == {waiting.code, other.code}

    agenda.follow_up(spoed, other, t.chair)  # the chair puts one on the spoed meeting
    db.session.commit()
    assert stored(spoed) == {other.code: "herbespreking"}
    assert set(stored(t.next)) == {waiting.code}  # it waits there, not on both agendas

    # cancelled, a spoed meeting's agenda goes to the next regular meeting, and a regular one's
    # never to a spoed meeting
    lifecycle.cancel(spoed, t.chair)
    db.session.commit()
    assert stored(t.next) == {
        waiting.code: f"actiepunt Politie verlopen op {dm(today - days(1))}",
        other.code: "herbespreking",
    }
    spoed = lifecycle.plan_extra(t.rr.id, start.date(), start.time(), 60, "", MeetingForm.online, t.chair)
    lifecycle.cancel(t.next, t.chair)
    db.session.commit()
    assert stored(spoed) == {} and set(stored(t.later)) == {waiting.code, other.code}


def test_a_case_already_on_a_coming_agenda_is_not_added_again(table):
    t, today = table, table.today
    new, item = discussed(t)
    point(item, t.politie, today - days(1))
    agenda.follow_up(t.next, new, t.chair)
    planned_later, item = discussed(t)
    point(item, t.politie, today - days(1))
    agenda.follow_up(t.later, planned_later, t.chair)
    db.session.commit()
    assert stored(t.next) == {new.code: "herbespreking"} and stored(t.later) == {planned_later.code: "herbespreking"}


def test_an_item_someone_worked_on_or_of_a_meeting_under_way_is_not_withdrawn(table, clock):
    t, today = table, table.today
    planned, item = discussed(t)
    planned_point = point(item, t.politie, today - days(1))
    quiet, item = discussed(t)
    quiet_point = point(item, t.politie, today - days(1))
    db.session.commit()
    meeting = db.session.get(Meeting, t.next.id)
    agenda.plan_minutes(next(i for i in meeting.items if i.case_id == planned.id), 10, t.chair)
    for p in (planned_point, quiet_point):
        actions.tick_off(p, ActionStatus.afgerond, p.version, t.member)
    db.session.commit()
    assert set(stored(t.next)) == {planned.code}  # the chair's planning kept, its reasons as they were

    case, item = discussed(t)
    late = point(item, t.politie, today - days(1))
    db.session.commit()
    clock.move_to(t.next.starts_at + dt.timedelta(minutes=5))  # the meeting has begun
    actions.tick_off(late, ActionStatus.afgerond, late.version, t.member)
    db.session.commit()
    assert case.code in stored(t.next)  # nothing disappears from the screen of a meeting under way


def test_points_falling_overdue_come_with_the_daily_run_and_reading_changes_nothing(table, clock):
    t, today = table, table.today
    case, item = discussed(t)
    point(item, t.politie, today + days(2))
    db.session.commit()
    assert stored(t.next) == {}
    clock.shift(days(3))
    assert agenda.automatic_reasons(t.next) and stored(t.next) == {}  # reading derives nothing
    done = agenda.derive(t.rr.id)
    db.session.commit()
    assert (done.added, done.withdrawn) == (1, 0) and set(stored(t.next)) == {case.code}
    assert agenda.derive(t.rr.id) == agenda.Derived()  # idempotent


def test_new_cases_go_where_the_chair_wants_them(table):
    t, today = table, table.today
    first, _ = discussed(t)
    agenda.follow_up(t.next, first, t.chair)
    second, _ = discussed(t)
    agenda.follow_up(t.next, second, t.chair)
    agenda.place_new_items(t.rr, True, t.chair)
    overdue, item = discussed(t)
    point(item, t.politie, today - days(1))
    db.session.commit()
    assert list(stored(t.next)) == [overdue.code, first.code, second.code]
    meeting = db.session.get(Meeting, t.next.id)
    agenda.move_to(meeting, agenda.visible_items(meeting)[0], 9, t.chair)  # past the end: last
    db.session.commit()
    assert list(stored(t.next)) == [first.code, second.code, overdue.code]
    assert [i.position for i in agenda.visible_items(db.session.get(Meeting, t.next.id))] == [1, 2, 3]


def test_a_case_never_discussed_needs_no_discussion_to_come_back(table):
    """A case whose meeting passed unclosed comes to the next one for its overdue points."""
    t, today = table, table.today
    case = new_case(t.rr, t.vt, today - days(20))
    forgotten = held(t.rr, today - days(10), status=MeetingStatus.gepland)
    item = AgendaItem(meeting_id=forgotten.id, case_id=case.id, kind=ItemKind.nieuw)
    db.session.add(item)
    db.session.flush()
    point(item, t.politie, today - days(1))
    db.session.commit()
    assert stored(t.next) == {case.code: f"actiepunt Politie verlopen op {dm(today - days(1))}"}
    assert db.session.get(Case, case.id).items[0].meeting_id == forgotten.id
