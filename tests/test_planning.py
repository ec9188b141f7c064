"""Planning (actieoverleg.planning) as plain functions: a weekly series becomes meetings at the
Amsterdam wall-clock time, never twice and never in the past; which meetings are coming, from
the start of today in Amsterdam. Run at awkward instants by make test-clock."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import pytest
from sqlalchemy import select

from actieoverleg import lifecycle, planning
from actieoverleg.clock import AMSTERDAM, local_today
from actieoverleg.extensions import db
from actieoverleg.formatting import local, to_utc
from actieoverleg.models import Meeting, MeetingSeries, Region
from actieoverleg.vocab import MeetingForm, MeetingStatus

from .conftest import TEST_NOW
from .records import count

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(weeks=1)


@pytest.fixture
def make_series(world) -> Callable[..., MeetingSeries]:
    """A Rotterdam series meeting tomorrow at 13:00 unless told otherwise."""

    def make(**kw) -> MeetingSeries:
        values = {
            "region_id": world.rr.id,
            "weekday": (local_today() + DAY).weekday(),
            "start_time": dt.time(13, 0),
            "duration_minutes": 90,
            "location": "Stadhuis, zaal 3",
            "form": MeetingForm.hybride,
        }
        series = MeetingSeries(**{**values, **kw})
        db.session.add(series)
        db.session.flush()
        return series

    return make


def planned(series: MeetingSeries) -> list[dt.datetime]:
    """The series' meetings as Amsterdam times, soonest first."""
    starts = db.session.scalars(select(Meeting.starts_at).where(Meeting.series_id == series.id).order_by("starts_at"))
    return [local(start) for start in starts]


def days_from_today(moments: list[dt.datetime]) -> list[int]:
    return [(moment.date() - local_today()).days for moment in moments]


@pytest.fixture
def make_meeting_at(make_meeting) -> Callable[..., Meeting]:
    """A meeting `days` from today at an Amsterdam time, in any state."""

    def make(region: Region, days: int, time: dt.time, status: MeetingStatus = MeetingStatus.gepland) -> Meeting:
        meeting = make_meeting(region, days, status=status)
        meeting.starts_at = to_utc(local_today() + dt.timedelta(days=days), time)
        db.session.flush()
        return meeting

    return make


# --- plan_series -------------------------------------------------------------------------


def test_plan_series_plans_the_coming_weeks_as_the_series_says(world, make_series):
    series = make_series()
    created = planning.plan_series(series, 4)
    db.session.commit()
    assert len(created) == 4 and days_from_today(planned(series)) == [1, 8, 15, 22]
    assert {start.time() for start in planned(series)} == {dt.time(13, 0)}
    for meeting in created:
        assert (meeting.region_id, meeting.series_id, meeting.status, meeting.is_extra) == (
            world.rr.id,
            series.id,
            MeetingStatus.gepland,
            False,
        )
        assert (meeting.duration_minutes, meeting.location, meeting.form) == (
            90,
            "Stadhuis, zaal 3",
            MeetingForm.hybride,
        )


def test_planning_again_adds_only_the_weeks_still_missing(make_series):
    series = make_series()
    planning.plan_series(series, 3)
    db.session.commit()
    assert planning.plan_series(series, 3) == []
    more = planning.plan_series(series, 5)
    db.session.commit()
    assert days_from_today([local(m.starts_at) for m in more]) == [22, 29]
    assert days_from_today(planned(series)) == [1, 8, 15, 22, 29]


def test_an_inactive_series_plans_nothing_and_another_series_plans_its_own(world, make_series):
    assert planning.plan_series(make_series(active=False), 8) == []
    first, second = make_series(), make_series(region_id=world.zhz.id)
    assert len(planning.plan_series(first, 2)) == 2 and len(planning.plan_series(second, 2)) == 2
    db.session.commit()
    assert count(Meeting, Meeting.series_id.is_not(None)) == 4


def test_the_window_starts_next_week_once_todays_meeting_has_begun(make_series, clock):
    series = make_series(weekday=local_today().weekday())
    start = to_utc(local_today(), series.start_time)
    clock.move_to(start - dt.timedelta(minutes=1))  # a minute before today's meeting
    assert days_from_today([local(m.starts_at) for m in planning.plan_series(series, 2)]) == [0, 7]
    db.session.commit()
    clock.move_to(start)  # the meeting begins: still two weeks ahead, not one
    assert days_from_today([local(m.starts_at) for m in planning.plan_series(series, 2)]) == [14]
    db.session.commit()
    assert days_from_today(planned(series)) == [0, 7, 14]


def test_planning_from_a_day_in_the_past_plans_only_what_is_still_to_come(make_series):
    series = make_series()  # from two weeks ago: 13 and 6 days ago have passed, tomorrow and 8 days on not
    created = planning.plan_series(series, 3, today=local_today() - 2 * WEEK)
    assert days_from_today([local(m.starts_at) for m in created]) == [1, 8]
    assert all(meeting.starts_at > TEST_NOW for meeting in created)


def test_the_series_keeps_its_amsterdam_time_across_summer_and_winter_time(make_series):
    series = make_series(start_time=dt.time(9, 30))
    planning.plan_series(series, 35)  # more than the seven months between two clock changes
    db.session.commit()
    starts = planned(series)
    assert len(starts) == 35 and {start.time() for start in starts} == {dt.time(9, 30)}
    assert {start.utcoffset() for start in starts} == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    assert {(b - a).days for a, b in zip(starts, starts[1:])} == {7}  # weekly in Amsterdam days


def test_a_moved_or_cancelled_meeting_is_not_planned_again(world, make_series):
    series = make_series()
    later, cancelled, elsewhere = planning.plan_series(series, 3)
    db.session.commit()
    hour_later = local(later.starts_at) + dt.timedelta(hours=1)  # as the demo does before `meetings plan`
    lifecycle.move(
        later, hour_later.date(), hour_later.time(), 90, "Stadhuis, zaal 3", MeetingForm.hybride, world.chair
    )
    lifecycle.cancel(cancelled, world.chair)
    day = local(elsewhere.starts_at).date()
    other_day = day + dt.timedelta(days=6 - day.weekday()) if day.weekday() < 6 else day - DAY  # same week
    lifecycle.move(elsewhere, other_day, dt.time(9, 0), 60, "", MeetingForm.online, world.chair)
    db.session.commit()
    assert planning.plan_series(series, 3) == []
    assert count(Meeting, Meeting.series_id == series.id) == 3


def test_plan_series_leaves_the_commit_to_the_caller(make_series):
    series = make_series()
    assert len(planning.plan_series(series, 2)) == 2
    db.session.rollback()
    assert count(Meeting, Meeting.series_id.is_not(None)) == 0


# --- next_meeting and coming_meetings ----------------------------------------------------


def test_next_meeting_is_the_regions_first_planned_one_from_the_start_of_today(world, make_meeting_at):
    assert local(planning.start_of_today_utc()) == dt.datetime.combine(local_today(), dt.time(0), AMSTERDAM)
    assert planning.next_meeting(world.rr.id) is world.meeting  # a week from today
    make_meeting_at(world.rr, -1, dt.time(23, 30))  # late yesterday, never closed: not coming
    make_meeting_at(world.rr, 1, dt.time(13, 0), MeetingStatus.geannuleerd)
    make_meeting_at(world.zhz, 0, dt.time(0, 30))
    assert planning.next_meeting(world.rr.id) is world.meeting
    early = make_meeting_at(world.rr, 0, dt.time(0, 30))  # earlier today, begun or not: still coming
    assert planning.next_meeting(world.rr.id) is early
    early.status = MeetingStatus.afgesloten
    assert planning.next_meeting(world.rr.id) is world.meeting


def test_coming_meetings_are_the_planned_ones_of_these_regions_soonest_first(world, make_meeting_at):
    today = make_meeting_at(world.zhz, 0, dt.time(0, 30))
    soon = make_meeting_at(world.rr, 3, dt.time(9, 0))
    make_meeting_at(world.rr, -1, dt.time(23, 30))
    make_meeting_at(world.rr, 2, dt.time(13, 0), MeetingStatus.geannuleerd)
    world.other_meeting.starts_at += DAY  # not at the same moment as the world's Rotterdam meeting
    both = {world.rr.id, world.zhz.id}
    assert planning.coming_meetings(both) == [today, soon, world.meeting, world.other_meeting]
    assert planning.coming_meetings({world.rr.id}) == [soon, world.meeting]
    assert planning.coming_meetings(both, limit=2) == [today, soon]
    assert planning.coming_meetings(set()) == []
