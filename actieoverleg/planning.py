"""Planning meetings (product.md §1): generated from each region's weekly series; the chair
moves, cancels or adds an extra (spoed) meeting.
"""
from __future__ import annotations

import datetime as dt

from . import aggregates
from .extensions import db
from .formatting import local_today, to_utc
from .models import Meeting, MeetingSeries, utcnow
from .vocab import MeetingForm, MeetingStatus


def plan_series(series: MeetingSeries, weeks: int, today: dt.date | None = None) -> list[Meeting]:
    """Add the series' meetings for the coming `weeks` that are not planned yet (idempotent)."""
    if not series.active:
        return []
    today = today or local_today()
    first = today + dt.timedelta(days=(series.weekday - today.weekday()) % 7)
    days = [first + dt.timedelta(weeks=w) for w in range(weeks)]
    starts = [to_utc(day, series.start_time) for day in days]
    existing = set(
        db.session.scalars(
            db.select(Meeting.starts_at).where(
                Meeting.series_id == series.id, Meeting.starts_at.in_(starts)
            )
        )
    )
    created = []
    for start in starts:
        if start in existing or start <= utcnow():
            continue
        meeting = Meeting(
            region_id=series.region_id,
            series_id=series.id,
            starts_at=start,
            duration_minutes=series.duration_minutes,
            location=series.location,
            form=series.form,
        )
        db.session.add(meeting)
        created.append(meeting)
    return created


def start_of_today_utc() -> dt.datetime:
    """Midnight in Amsterdam, as UTC: a meeting of today still counts as coming."""
    return to_utc(local_today(), dt.time(0, 0))


def next_meeting(region_id: int) -> Meeting | None:
    """The region's first planned meeting from today on: the one whose agenda is in preparation."""
    return db.session.scalars(
        db.select(Meeting)
        .where(
            Meeting.region_id == region_id,
            Meeting.status == MeetingStatus.gepland,
            Meeting.starts_at >= start_of_today_utc(),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    ).first()


def coming_meetings(region_ids: set[int], limit: int = 20) -> list[Meeting]:
    """Planned meetings from today on in these regions, soonest first."""
    return list(
        db.session.scalars(
            db.select(Meeting)
            .where(
                Meeting.region_id.in_(region_ids),
                Meeting.status == MeetingStatus.gepland,
                Meeting.starts_at >= start_of_today_utc(),
            )
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


def reschedule(meeting: Meeting, day: dt.date, time: dt.time, duration: int, location: str,
               form: MeetingForm) -> bool:
    """Move a meeting or change its place and form; True (and a higher SEQUENCE) if anything changed."""
    new = (to_utc(day, time), duration, location, form)
    if new == (meeting.starts_at, meeting.duration_minutes, meeting.location, meeting.form):
        return False
    meeting.starts_at, meeting.duration_minutes, meeting.location, meeting.form = new
    meeting.sequence += 1
    return True


def add_extra(region_id: int, day: dt.date, time: dt.time, duration: int, location: str,
              form: MeetingForm) -> Meeting:
    """An extra (spoed) meeting outside the series."""
    meeting = Meeting(region_id=region_id, starts_at=to_utc(day, time), duration_minutes=duration,
                      location=location, form=form, is_extra=True)
    db.session.add(meeting)
    return meeting


def cancel(meeting: Meeting) -> None:
    """Cancel a planned meeting; its agenda items return to the next one via `agenda.sync`."""
    meeting.status = MeetingStatus.geannuleerd
    meeting.sequence += 1
    aggregates.meeting_changed(meeting)
