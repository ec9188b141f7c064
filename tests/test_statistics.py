"""aggregates.py and disclosure.py: the aggregates are right, and the one disclosure rule holds for every cut."""

from __future__ import annotations

import datetime as dt

import pytest

from actieoverleg import aggregates
from actieoverleg.aggregates import Raw
from actieoverleg.disclosure import Published, disclose, percent, quantile
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import Region, StatCell, StatStale
from actieoverleg.periods import Period
from actieoverleg.vocab import (
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    Handover,
    MeetingForm,
    MeetingStatus,
)

from .stats_data import attend, discuss, held, new_case, point

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

D = dt.date


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, cases, text",
    [
        (0, 0, "0"),
        (0, None, "0"),
        (1, 1, "<10"),
        (9, 9, "<10"),
        (9, None, "<10"),
        (10, 10, "10"),
        (12, 12, "10"),
        (13, 13, "15"),
        (17, None, "15"),
        (18, None, "20"),
        (1002, None, "1000"),
        (40, 3, "<10"),  # 40 action points of 3 cases: the cell rests on 3 cases
        (40, 12, "40"),
    ],
)
def test_disclose(value, cases, text):
    assert disclose(Raw(value, cases)).text == text


def test_percent_uses_only_published_counts():
    assert percent(disclose(Raw(99, 99)), disclose(Raw(100, 100))).text == "100%"  # 99/100 would show the 1
    assert percent(disclose(Raw(5, 5)), disclose(Raw(100, 100))).text == "–"
    assert percent(disclose(Raw(0, 0)), disclose(Raw(20, 20))).text == "0%"
    assert percent(Published("0", 0), Published("0", 0)).text == "–"


def test_quantile_needs_ten_cases_and_uses_nearest_rank():
    histogram = {1: 3, 4: 3, 9: 3, 30: 1}
    assert quantile(histogram, 0.5, 9).text == "–"
    assert quantile(histogram, 0.5, 10).text == "4"
    assert quantile(histogram, 0.9, 10).text == "9"
    assert quantile({-1: 10}, 0.5, 10).text == "0"


# --- the aggregates, against a history worked out by hand ------------------------------------


@pytest.fixture
def history(app, make_org):
    """Region RR, the second quarter of 2025 and what came before."""
    vt, politie, om = make_org("VT"), make_org("Politie"), make_org("OM")
    rr = Region(name="Rotterdam-Rijnmond", code="RR", organisations=[vt, politie, om])
    db.session.add(rr)
    db.session.flush()
    m0 = held(rr, D(2024, 3, 5))
    m_feb = held(rr, D(2025, 2, 4))
    m_prev = held(rr, D(2025, 3, 25))
    m1 = held(rr, D(2025, 4, 1), chair=vt)  # a Tuesday: its week started in the first quarter
    m2 = held(rr, D(2025, 4, 8), MeetingForm.online, chair=om)
    m3 = held(rr, D(2025, 5, 6), extra=True, chair=om)
    held(rr, D(2025, 5, 13), status=MeetingStatus.geannuleerd)
    a = new_case(rr, vt, D(2025, 3, 28))
    b = new_case(rr, politie, D(2025, 3, 20))
    c = new_case(rr, vt, D(2024, 2, 1))
    d = new_case(rr, om, D(2025, 1, 5))
    discuss(m0, c, handover=Handover.zvh)
    discuss(m_feb, d, handover=Handover.regulier)
    discuss(m_prev, b, handover=Handover.terug)
    a1 = discuss(m1, a, Assessment.acuut, Handover.terug, shared=(vt, politie))
    b1 = discuss(m1, b, shared=(politie,))
    discuss(m2, a, Assessment.structureel, Handover.lokaal_team, shared=(vt,))
    discuss(m2, c, Assessment.zorgelijk, Handover.mda)
    d3 = discuss(m3, d, Assessment.onvoldoende_zicht, Handover.afgesloten)
    point(a1, vt, D(2025, 4, 5), ActionStatus.afgerond, D(2025, 4, 4))
    point(a1, politie, D(2025, 4, 10), ActionStatus.afgerond, D(2025, 4, 15))
    point(b1, politie, D(2025, 4, 20))
    point(d3, om, D(2025, 5, 20), ActionStatus.niet_mogelijk, D(2025, 5, 10))
    attend(m1, vt, AttendanceStatus.aanwezig, True, AttendanceForm.fysiek)
    attend(m1, politie, AttendanceStatus.afgemeld)
    attend(m2, vt, AttendanceStatus.aanwezig, False, AttendanceForm.online)
    attend(m2, politie, AttendanceStatus.informatie)
    attend(m3, vt, AttendanceStatus.aanwezig, True, AttendanceForm.fysiek)
    db.session.commit()
    aggregates.refresh_all()
    db.session.commit()
    return rr, vt, politie, om


def _values(f, tbl):
    return {(row, col): (raw.value, raw.cases) for (t, row, col), raw in f.cells.items() if t == tbl}


def test_meetings_weeks_and_chairs(history):
    rr, vt, politie, om = history
    f = aggregates.figures(Period(2025, 2), rr.id)
    assert _values(f, "overleg") == {
        ("totaal", "gehouden"): (3, None),
        ("totaal", "fysiek"): (2, None),
        ("totaal", "online"): (1, None),
        ("totaal", "spoed"): (1, None),
        ("totaal", "afgelast"): (1, None),
        ("totaal", "weken"): (2, None),
    }
    assert _values(f, "voorzitter") == {
        (str(vt.id), ""): (1, None),
        (str(om.id), ""): (2, None),
        ("totaal", ""): (3, None),
    }
    q1 = aggregates.figures(Period(2025, 1), rr.id)
    # two meetings held, but three weeks: 1 April's week began on Monday 31 March
    assert q1.get("overleg", "totaal", "gehouden").value == 2 and q1.get("overleg", "totaal", "weken").value == 3


def test_cases_new_follow_up_repeat_and_where_they_stand(history):
    rr, vt, politie, om = history
    f = aggregates.figures(Period(2025, 2), rr.id)
    assert _values(f, "besproken") == {
        ("nieuw", ""): (2, 2),
        ("vervolg", ""): (1, 1),
        ("herhaling", ""): (1, 1),
        ("totaal", ""): (4, 4),
    }
    assert _values(f, "ingebracht") == {(str(vt.id), ""): (1, 1), ("totaal", ""): (1, 1)}  # only A is new here
    assert _values(f, "wachttijd") == {("totaal", "4"): (1, 1)}
    assert _values(f, "duiding") == {
        ("structureel", ""): (1, 1),
        ("acuut", ""): (1, 1),
        ("zorgelijk", ""): (1, 1),
        ("onvoldoende_zicht", ""): (1, 1),
        ("totaal", ""): (4, 4),
    }
    assert f.get("overdracht", "lokaal_team").value == 1 and f.get("overdracht", "terug").value == 0
    assert _values(f, "gedeeld") == {(str(vt.id), ""): (1, 1), (str(politie.id), ""): (2, 2), ("totaal", ""): (2, 2)}
    year = aggregates.figures(Period(2025), rr.id)
    # distinct cases: the year is not the sum of its quarters (B and D were also discussed in Q1)
    assert year.get("besproken").value == 4 and year.get("besproken", "nieuw").value == 4
    assert aggregates.figures(Period(2025, 1), rr.id).get("besproken").value == 2


def test_action_points_per_partner(history):
    rr, vt, politie, om = history
    f = aggregates.figures(Period(2025, 2), rr.id)
    points = _values(f, "actiepunten")
    assert points[(str(vt.id), "aantal")] == (1, 1) and points[(str(vt.id), "op_tijd")] == (1, 1)
    assert points[(str(politie.id), "aantal")] == (2, 2) and points[(str(politie.id), "afgerond")] == (1, 1)
    assert (str(politie.id), "op_tijd") not in points  # completed five days late
    assert points[(str(om.id), "niet_mogelijk")] == (1, 1)
    assert points[("totaal", "aantal")] == (4, 3)  # four points, three distinct cases
    assert points[("totaal", "afgerond")] == (2, 1)
    assert f.histogram("afrondtijd", str(vt.id)) == {3: 1} and f.histogram("afrondtijd") == {3: 1, 14: 1}


def test_attendance_and_mandate(history):
    rr, vt, politie, om = history
    f = aggregates.figures(Period(2025, 2), rr.id)
    assert _values(f, "aanwezigheid")[(str(vt.id), "verwacht")] == (3, None)
    assert {k: v for k, v in _values(f, "aanwezigheid").items() if k[0] == "totaal"} == {
        ("totaal", "verwacht"): (5, None),
        ("totaal", "aanwezig"): (3, None),
        ("totaal", "mandaat"): (2, None),
        ("totaal", "fysiek"): (2, None),
        ("totaal", "online"): (1, None),
        ("totaal", "afgemeld"): (1, None),
        ("totaal", "informatie"): (1, None),
    }


def test_national_sums_regions(history, make_org):
    rr, vt, politie, om = history
    zhz = Region(name="Zuid-Holland-Zuid", code="ZHZ", organisations=[vt])
    db.session.add(zhz)
    db.session.flush()
    case = new_case(zhz, vt, D(2025, 4, 1))
    discuss(held(zhz, D(2025, 4, 3)), case)
    db.session.commit()
    aggregates.refresh_all()
    db.session.commit()
    national = aggregates.figures(Period(2025, 2))
    assert national.get("besproken").value == 5 and national.get("overleg", "totaal", "gehouden").value == 4


def test_a_result_after_closing_is_stored_by_the_change_itself(world):
    """Points are ticked off long after the meeting: the change marks the period stale and its
    commit recomputes it (derived.py), so nothing is left stale and a read only reads."""
    from actieoverleg import lifecycle
    from actieoverleg.actions import tick_off
    from actieoverleg.meeting_steps import record_attendance, record_step1, record_step3

    meeting = world.meeting
    meeting.starts_at = meeting.starts_at - dt.timedelta(days=14)
    record_step1(world.item, [world.vt], Assessment.acuut, world.chair)
    record_step3(world.item, Handover.regulier, None, world.chair)
    record_attendance(meeting, world.vt, AttendanceStatus.aanwezig, True, None, world.chair)
    lifecycle.close(meeting, world.chair, before_start=True)
    db.session.commit()
    period = Period.quarter_of(local(meeting.starts_at).date())

    def stored(col: str) -> int:
        return (
            db.session.scalar(
                db.select(StatCell.value).where(
                    StatCell.region_id == world.rr.id,
                    StatCell.period == period.key,
                    StatCell.tbl == "actiepunten",
                    StatCell.row == "totaal",
                    StatCell.col == col,
                )
            )
            or 0
        )

    def stale() -> int:
        return db.session.scalar(db.select(db.func.count()).select_from(StatStale))

    assert stale() == 0 and stored("aantal") == 1 and stored("afgerond") == 0
    tick_off(world.action, ActionStatus.afgerond, world.action.version, world.politie_user)
    db.session.commit()
    assert stale() == 0 and stored("afgerond") == 1
    assert aggregates.figures(period, world.rr.id).get("actiepunten", "totaal", "afgerond").value == 1
