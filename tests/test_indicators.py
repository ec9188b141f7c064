"""indicators.py: the published tables of a small history worked out by hand, and the CSV and
audit row made from them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine

from actieoverleg import aggregates, indicators
from actieoverleg.disclosure import Published
from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, Region
from actieoverleg.periods import Period
from actieoverleg.vocab import ActionStatus, AttendanceStatus, AuditAction

from .stats_data import attend, discuss, held, new_case, point

QUARTER = Period(2025, 2)
TODAY = dt.date(2025, 8, 1)


@pytest.fixture
def report(app, make_org):
    """Rotterdam-Rijnmond, 2025Q2: eleven weekly meetings; Veilig Thuis brings in one case each,
    Politie two in all; every case gets one point for Politie, done within the week."""
    vt, politie = make_org("VT", name="Veilig Thuis"), make_org("Politie", name="Politie")
    rr = Region(name="Rotterdam-Rijnmond", code="RR", organisations=[vt, politie])
    db.session.add(rr)
    db.session.flush()
    for week in range(11):
        day = dt.date(2025, 4, 7) + dt.timedelta(weeks=week)
        meeting = held(rr, day, chair=vt)
        attend(meeting, vt, AttendanceStatus.aanwezig, True)
        attend(meeting, politie, AttendanceStatus.afgemeld)
        owners = [vt, politie] if week in (0, 5) else [vt]
        for owner in owners:
            item = discuss(meeting, new_case(rr, owner, day - dt.timedelta(days=2)))
            point(item, politie, day + dt.timedelta(days=7), ActionStatus.afgerond, day + dt.timedelta(days=3))
    aggregates.refresh_all()
    db.session.commit()
    return indicators.build(QUARTER, rr, TODAY)


def _cells(table):
    return [(label, [cell.text for cell in cells]) for label, cells in table.rows]


def test_tables_publish_the_history_under_the_rule(report):
    assert report.scope == "Rotterdam-Rijnmond" and report.complete and report.overview is None
    assert _cells(report.table("overleggen")) == [
        ("Gehouden overleggen", ["10"]),
        ("waarvan spoedoverleg", ["0"]),
        ("Afgelaste overleggen", ["0"]),
        ("Weken met een gehouden overleg (van 13)", ["10"]),
    ]  # 11 meetings in 11 weeks: rounded to 10
    assert _cells(report.table("ingebracht")) == [
        ("Veilig Thuis", ["10"]),
        ("Politie", ["<10"]),
        ("Totaal", ["15"]),
    ]  # 11 and 2 cases, 13 in all
    assert _cells(report.table("aanwezigheid")) == [
        ("Veilig Thuis", ["10", "10", "0", "0", "0", "100%"]),
        ("Politie", ["10", "0", "10", "0", "0", "0%"]),
        ("Totaal", ["20", "10", "10", "0", "0", "50%"]),
    ]
    assert _cells(report.table("actiepunten")) == [
        ("Politie", ["15", "15", "100%", "100%", "3"]),
        ("Totaal", ["15", "15", "100%", "100%", "3"]),
    ]
    assert report.table("regios") is None  # the region × indicator table is national only


def test_a_chart_is_drawable_only_with_a_bar_to_draw(report):
    ingebracht = report.table("ingebracht")
    assert ingebracht.chart_drawable and ingebracht.chart_has_gaps  # Politie's '<10' is left out
    gedeeld = report.table("gedeeld")
    assert _cells(gedeeld) == [("Totaal", ["0"])] and not gedeeld.chart_drawable  # nothing shared in step 1
    assert report.table("wachttijd").chart is None and not report.table("wachttijd").chart_drawable


def test_the_fingerprint_follows_every_published_cell(report):
    table = report.table("ingebracht")
    changed = indicators.Table(
        table.key,
        table.title,
        table.columns,
        [*table.rows[:-1], ("Totaal", [Published("20", 20)])],
        table.note,
        table.chart,
        table.total_last,
    )
    assert changed.fingerprint != table.fingerprint and len(table.fingerprint) == 16


def test_csv_is_the_table_text(report):
    for table in report.tables():
        body = indicators.csv_bytes(report, table.key)
        assert body.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
        assert rows == [
            [table.columns[0] or "Categorie", *table.columns[1:]],
            *[[label, *(cell.text for cell in cells)] for label, cells in table.rows],
        ]


def test_record_use_writes_one_audit_row_without_content(report):
    moment = dt.datetime(2025, 8, 1, 9, 30, tzinfo=dt.timezone.utc)
    before = db.session.scalar(db.select(db.func.max(AuditEvent.id))) or 0
    with time_machine.travel(moment, tick=False):
        indicators.record_use(AuditAction.export, report, "ingebracht", None)
        db.session.commit()
    rows = db.session.execute(
        db.select(
            AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.detail, AuditEvent.at
        ).where(AuditEvent.id > before)
    ).all()
    assert rows == [("export", "Region", report.region.id, "statistiek RR 2025Q2 ingebracht", moment)]
