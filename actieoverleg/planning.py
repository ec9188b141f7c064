"""Planning meetings from each region's weekly series (docs/rules.md §1), and which meetings
are coming. What happens to a meeting after that is `lifecycle.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from sqlalchemy.orm.interfaces import ORMOption

from .clock import local_today, utcnow
from .extensions import db
from .formatting import local, to_utc
from .models import Meeting, MeetingSeries
from .vocab import MeetingStatus


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def plan_series(series: MeetingSeries, weeks: int, today: dt.date | None = None) -> list[Meeting]:
    """Plan the series' next `weeks` meetings that are not planned yet (idempotent).

    They start from the first occurrence still to come, so on the meeting day itself, after the
    meeting began, the window still holds `weeks` meetings rather than one fewer. A week (Monday
    to Sunday, Amsterdam) that has a meeting of the series gets no other, so a meeting the chair
    moved or cancelled is not planned again at its old time.
    """
    if not series.active or weeks < 1:
        return []
    today = today or local_today()
    first = today + dt.timedelta(days=(series.weekday - today.weekday()) % 7)
    if to_utc(first, series.start_time) <= utcnow():
        first += dt.timedelta(weeks=1)
    days = [first + dt.timedelta(weeks=w) for w in range(weeks)]
    window = (to_utc(_monday(first), dt.time(0)), to_utc(_monday(days[-1]) + dt.timedelta(weeks=1), dt.time(0)))
    taken = {
        _monday(local(start).date())
        for start in db.session.scalars(
            db.select(Meeting.starts_at).where(
                Meeting.series_id == series.id, Meeting.starts_at >= window[0], Meeting.starts_at < window[1]
            )
        )
    }
    created = []
    for day in days:
        start = to_utc(day, series.start_time)
        if _monday(day) in taken or start <= utcnow():
            continue
        meeting = Meeting(
            region_id=series.region_id,
            series_id=series.id,
            starts_at=start,
            duration_minutes=series.duration_minutes,
            location=series.location,
            form=series.form,
            online_url=series.online_url,
        )
        db.session.add(meeting)
        created.append(meeting)
    return created


def start_of_today_utc() -> dt.datetime:
    """Midnight in Amsterdam, as UTC: a meeting of today still counts as coming."""
    return to_utc(local_today(), dt.time(0, 0))


def next_meeting(region_id: int, regular: bool = False, after: Meeting | None = None) -> Meeting | None:
    """The region's first planned meeting from today on: the one whose agenda is in preparation.
    `regular` passes over spoed meetings, which hold only what the chair puts on them; `after`
    looks past that meeting (where a cancelled or deferred agenda goes), never back before it."""
    query = db.select(Meeting).where(
        Meeting.region_id == region_id,
        Meeting.status == MeetingStatus.gepland,
        Meeting.starts_at >= start_of_today_utc(),
    )
    if after is not None:
        query = query.where(Meeting.starts_at > after.starts_at, Meeting.id != after.id)
    if regular:
        query = query.where(Meeting.is_extra.is_(False))
    return db.session.scalars(query.order_by(Meeting.starts_at).limit(1)).first()


def coming_meetings(region_ids: set[int], limit: int = 20, options: Sequence[ORMOption] = ()) -> list[Meeting]:
    """Planned meetings from today on in these regions, soonest first, loaded with `options`."""
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
            .options(*options)
        )
    )
