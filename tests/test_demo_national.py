"""`demo --scale national`: a realistic history in bulk, consistent the way the app keeps it."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, AgendaItem, Attendance, Case, Meeting, StatCell, StatStale
from actieoverleg.periods import Period
from actieoverleg.statistics import figures
from actieoverleg.vocab import ActionStatus, MeetingStatus


def test_national_demo_small_scale(runner):
    result = runner.invoke(args=["demo", "--scale", "national", "--regions", "2", "--years", "1",
                                 "--password", "een-lang-wachtwoord"])
    assert result.exit_code == 0, result.output
    accounts = [line.split("\t") for line in result.stdout.splitlines()]
    assert {a[0] for a in accounts} == {"beheerder", "landelijk", "voorzitter", "deelnemer"}
    assert ["landelijk", "Openbaar Ministerie", "", "landelijk@demo.test", "een-lang-wachtwoord"] in accounts

    held = db.session.scalar(select(func.count()).where(Meeting.status == MeetingStatus.afgesloten))
    items = db.session.scalar(select(func.count()).select_from(AgendaItem))
    points = db.session.scalar(select(func.count()).select_from(ActionPoint))
    assert 95 <= held <= 115  # two regions, weekly for a year, a few extra, a few cancelled
    assert 7 <= items / held <= 13 and 2.5 <= points / items <= 4.5

    codes = db.session.execute(select(Case.code, Case.region_id)).all()
    assert len({c for c, _ in codes}) == len(codes) and all(re.fullmatch(r"[A-Z]{2,4}-[2-9A-Z]{4}", c) for c, _ in codes)
    not_held = select(Meeting.id).where(Meeting.status != MeetingStatus.afgesloten)
    assert not db.session.scalar(select(func.count()).where(Attendance.meeting_id.in_(not_held)))
    closed_items = select(AgendaItem).join(Meeting).where(Meeting.status == MeetingStatus.afgesloten)
    assert all(i.assessment and i.handover for i in db.session.scalars(closed_items))
    for point in db.session.scalars(select(ActionPoint)):
        assert (point.result_at is None) == (point.status is ActionStatus.open)
    first = (select(AgendaItem.case_id, func.min(Meeting.starts_at).label("first"))
             .join(Meeting).group_by(AgendaItem.case_id).subquery())
    assert not db.session.scalar(select(func.count()).select_from(Case).join(first, first.c.case_id == Case.id)
                                 .where(Case.created_at > first.c.first))
    # the statistics are computed and nothing is left stale
    assert db.session.scalar(select(func.count()).select_from(StatCell)) > 0
    assert not db.session.scalar(select(func.count()).select_from(StatStale))
    last_held = db.session.scalar(select(func.max(Meeting.starts_at)).where(Meeting.status == MeetingStatus.afgesloten))
    year = Period.quarter_of(last_held.date()).year_period
    assert figures(year).get("besproken").value > 0
