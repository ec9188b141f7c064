"""Property-based (hypothesis): for random histories, no published cell, total or difference
between two published tables reveals a count between 1 and 9, and the aggregates match a
plain recount of the same data."""

from __future__ import annotations

import datetime as dt
import math
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from actieoverleg import aggregates, indicators
from actieoverleg.aggregates import Raw
from actieoverleg.disclosure import disclose
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Case,
    Meeting,
    Organisation,
    Region,
    StatCell,
    StatStale,
    item_shared,
    region_organisation,
)
from actieoverleg.periods import Period
from actieoverleg.vocab import (
    ActionStatus,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    Handover,
    MeetingForm,
    MeetingStatus,
    OrganisationKind,
)

from .stats_data import attend, discuss, held, new_case, point

FIRST_DAY = dt.date(2024, 1, 1)
PERIODS = [Period(2024, q) for q in range(1, 5)] + [Period(2025, q) for q in range(1, 5)] + [Period(2024), Period(2025)]
HISTOGRAMS = {"afrondtijd", "wachttijd"}  # never published as counts, only as medians
# a case counts under its first (or last) discussion in the period, so these rows of a quarter
# are not part of the year's; their totals are
BY_DISCUSSION = {"besproken", "duiding", "overdracht"}

meetings = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 729),
        st.sampled_from([True, True, True, False]),
        st.sampled_from(list(MeetingForm)),
        st.booleans(),
    ),
    min_size=1,
    max_size=24,
)
items = st.lists(
    st.tuples(
        st.integers(0, 99),
        st.integers(0, 14),
        st.sampled_from(list(Assessment)),
        st.sampled_from(list(Handover)),
        st.integers(0, 7),
    ),
    max_size=70,
)
points = st.lists(
    st.tuples(
        st.integers(0, 99),
        st.integers(0, 2),
        st.integers(-3, 30),
        st.sampled_from(list(ActionStatus)),
        st.integers(-5, 40),
    ),
    max_size=90,
)
presence = st.lists(st.tuples(st.sampled_from(list(AttendanceStatus)), st.booleans()), min_size=3, max_size=3)


def _clear() -> None:
    for table in (
        StatCell,
        StatStale,
        ActionPoint,
        item_shared,
        AgendaItem,
        Attendance,
        Case,
        Meeting,
        region_organisation,
        Region,
        Organisation,
    ):
        db.session.execute(delete(table))
    db.session.commit()


def _load(spec_meetings, spec_items, spec_points, spec_presence) -> tuple[list[Region], list]:
    """Three organisations, up to three regions, and the drawn history, all meetings in 2024–2025."""
    orgs = [
        Organisation(name=f"Organisatie {n}", short_name=f"O{n}", kind=OrganisationKind.partner, position=n)
        for n in range(3)
    ]
    regions = [Region(name=f"Regio {c}", code=c, organisations=orgs) for c in ("AA", "BB", "CC")]
    db.session.add_all(orgs + regions)
    db.session.flush()
    made = []
    for region_index, offset, is_held, form, extra in spec_meetings:
        status = MeetingStatus.afgesloten if is_held else MeetingStatus.geannuleerd
        meeting = held(
            regions[region_index], FIRST_DAY + dt.timedelta(days=offset), form, extra, orgs[offset % 3], status
        )
        made.append(meeting)
        if is_held:
            for org, (state, mandate) in zip(orgs, spec_presence):
                attend(
                    meeting, org, state, mandate, AttendanceForm.fysiek if state is AttendanceStatus.aanwezig else None
                )
    cases: dict[tuple[int, int], Case] = {}
    discussed: list = []
    taken = set()
    for meeting_index, case_key, assessment, handover, shared in spec_items:
        meeting = made[meeting_index % len(made)]
        if meeting.status is not MeetingStatus.afgesloten:
            continue
        key = (meeting.region_id, case_key)
        day = local(meeting.starts_at).date()
        if key not in cases:
            cases[key] = new_case(meeting.region, orgs[case_key % 3], day - dt.timedelta(days=case_key % 9))
        if (meeting.id, cases[key].id) in taken:
            continue
        taken.add((meeting.id, cases[key].id))
        discussed.append(
            discuss(meeting, cases[key], assessment, handover, tuple(o for n, o in enumerate(orgs) if shared >> n & 1))
        )
    for item_index, owner, due_in, status, result_in in spec_points:
        if not discussed:
            break
        item = discussed[item_index % len(discussed)]
        day = local(item.meeting.starts_at).date()
        point(
            item,
            orgs[owner],
            day + dt.timedelta(days=due_in),
            status,
            None if status is ActionStatus.open else day + dt.timedelta(days=max(result_in, 0)),
        )
    db.session.commit()
    return regions, discussed


def _interval(raw: Raw) -> tuple[float, float]:
    """What a reader knows of the true value from its published form alone."""
    shown = disclose(raw)
    if shown.text == "0":
        return 0, 0
    if shown.number is None:  # '<10': a case count of 1–9; for points, at least one
        return (1, 9) if raw.cases in (None, raw.value) else (1, math.inf)
    return shown.number - 2, shown.number + 2


def _pinned_small(inner: Raw, outer: Raw) -> bool:
    """Whether outer − inner, the cells of a part and its whole, is known to be one value in 1–9."""
    low_in, high_in = _interval(inner)
    low_out, high_out = _interval(outer)
    low, high = max(low_out - high_in, 0), high_out - low_in
    return low == high and 1 <= low <= 9


def _cells(f: aggregates.Figures) -> dict:
    return {key: raw for key, raw in f.cells.items() if key[0] not in HISTOGRAMS}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(meetings, items, points, presence)
def test_no_published_number_reveals_a_small_count(app, spec_meetings, spec_items, spec_points, spec_presence):
    _clear()
    regions, discussed = _load(spec_meetings, spec_items, spec_points, spec_presence)
    aggregates.refresh_all()
    db.session.commit()
    cuts = {(p, r.id): aggregates.figures(p, r.id) for p in PERIODS for r in regions}
    cuts |= {(p, None): aggregates.figures(p) for p in PERIODS}

    # every published cell: 0 only for 0, '<10' for 1–9 (cases), else a multiple of 5 within 2
    for f in cuts.values():
        for key, raw in _cells(f).items():
            shown = disclose(raw)
            unit = raw.value if raw.cases is None else raw.cases
            assert (shown.text == "0") == (raw.value == 0), key
            assert (shown.text == "<10") == (1 <= unit <= 9), key
            if shown.number:
                assert shown.number % 5 == 0 and shown.number >= 10 and abs(shown.number - raw.value) <= 2

    # differences between nested tables: quarter within year, region within nation
    pairs = [((q, r), (q.year_period, r)) for q in PERIODS if not q.is_year for r in [None, *[x.id for x in regions]]]
    pairs += [((p, r.id), (p, None)) for p in PERIODS for r in regions]
    for inner_key, outer_key in pairs:
        inner, outer = _cells(cuts[inner_key]), _cells(cuts[outer_key])
        over_time = inner_key[1] == outer_key[1]
        for key in inner.keys() | outer.keys():
            if over_time and key[0] in BY_DISCUSSION and key[1] != "totaal":
                continue
            a, b = inner.get(key, Raw(0, 0)), outer.get(key, Raw(0, 0))
            assert b.value >= a.value, (key, inner_key, outer_key)
            assert not _pinned_small(a, b), (key, inner_key, outer_key, a, b)

    # the nation is the exact sum of its regions (cases never cross regions)
    for p in PERIODS:
        national = _cells(cuts[(p, None)])
        for key, raw in national.items():
            parts = [_cells(cuts[(p, r.id)]).get(key, Raw(0, 0)) for r in regions]
            assert raw.value == sum(x.value for x in parts), key

    # the SQL agrees with a plain recount of distinct cases and points per region and period
    for (p, region_id), f in cuts.items():
        if region_id is None:
            continue
        start, end = p.utc_window()
        in_cut = [i for i in discussed if i.meeting.region_id == region_id and start <= i.meeting.starts_at < end]
        assert f.get("besproken").value == len({i.case_id for i in in_cut})
        assert f.get("actiepunten", "totaal", "aantal").value == sum(len(i.actions) for i in in_cut)

    # and the report shows nothing but disclosed numbers: counts are 0, <10 or multiples of 5
    for p, region_id in [(PERIODS[0], regions[0].id), (PERIODS[-1], None)]:
        region = db.session.get(Region, region_id) if region_id else None
        for table in indicators.build(p, region, dt.date(2026, 1, 1)).tables():
            for label, cells in table.rows:
                for column, cell in zip(table.columns[1:], cells):
                    if "%" in column or "Mediaan" in column or "Mediaan" in label or "percentiel" in label:
                        assert re.fullmatch(r"–|\d+%?", cell.text), (table.key, label, column, cell.text)
                    else:
                        assert cell.text in ("0", "<10") or (int(cell.text) % 5 == 0 and int(cell.text) >= 10), (
                            table.key,
                            label,
                            column,
                            cell.text,
                        )
