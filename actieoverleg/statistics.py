"""Anonymised statistics for the national chairs' meeting (product.md §5).

Two halves, and nothing else in the code computes a statistic:

* **Aggregation.** `refresh(region, period)` runs SQL `GROUP BY` queries over one region's
  held meetings in one fixed period and stores the raw sums as `StatCell` rows; no case row
  is ever loaded into Python. A change that affects a period marks it stale in the same
  transaction (`mark_stale`); pages refresh what is stale before they read. Years are
  computed as their own period, because distinct cases do not add up over quarters; regions
  do add up, because a case belongs to one region.
* **Disclosure.** Every number that leaves the server goes through `disclose` — one rule:
  the unit is a distinct case wherever a count could point at one; a count that rests on 1
  to 9 is shown as `<10`; every other count and every total is rounded to the nearest 5 (0
  stays 0). Percentages are computed from published counts only, so they say nothing the
  counts do not; medians and percentiles are shown only where they rest on ≥ 10 cases.
  The only cuts are region × quarter/year and nationally × quarter/year.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from math import ceil
from typing import Any, Iterable

from sqlalchemy import Integer, delete, distinct, func, null, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from .extensions import db
from .formatting import local, local_today
from .models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Case,
    Meeting,
    StatCell,
    StatStale,
    item_shared,
)
from .periods import Period
from .vocab import ActionStatus, AttendanceStatus, Handover, MeetingStatus

TOTAL = "totaal"
SUPPRESSED = "<10"
NOT_SHOWN = "–"
MIN_CASES = 10  # the smallest number of cases a published figure may rest on
REPEAT_DAYS = 365  # "repeat within 12 months of the last discussion"

EXPLANATION = (
    "Alle cijfers zijn geanonimiseerd. We tellen casussen, niet besprekingen of actiepunten, "
    "waar een aantal naar één casus zou kunnen wijzen. Een aantal van 1 tot en met 9 tonen we als "
    "‘<10’; alle andere aantallen en totalen zijn afgerond op 5 (0 blijft 0), zodat ook het "
    "verschil tussen twee cellen of periodes geen klein aantal verraadt. Percentages rekenen we "
    "uit de afgeronde aantallen. Een mediaan of percentiel staat er alleen als die op minstens 10 "
    "casussen berust, anders ‘–’. Er zijn alleen vaste indelingen: regio of landelijk, per "
    "kwartaal of per jaar."
)
COVERAGE_RULE = (
    "Een week zonder gehouden overleg telt als een week zonder overleg: we vullen niets aan en "
    "schatten niets bij. Een week hoort bij het kwartaal waarin de maandag valt. Een regio die in "
    "de periode geen overleg hield, staat hieronder bij ‘geen overleg’ en telt in de landelijke "
    "totalen mee als 0; een ontbrekend kwartaal telt zo ook in het jaar mee. Afgelaste overleggen "
    "tellen niet als gehouden."
)


# --- portable day arithmetic (SQLite and PostgreSQL) ------------------------------------------

class day_of(FunctionElement):
    """The calendar day (UTC) of a datetime column."""

    inherit_cache = True


class days_between(FunctionElement):
    """Whole calendar days (UTC) from the first datetime to the second."""

    type = Integer()
    inherit_cache = True


@compiles(day_of)
def _day_of(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(day_of, "postgresql")
def _day_of_pg(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(days_between)
def _days_between(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday(date({second})) - julianday(date({first})) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({second} AS DATE) - CAST({first} AS DATE))"


# --- aggregation -------------------------------------------------------------------------------

HELD = MeetingStatus.afgesloten


class _Cells:
    """Collects the raw cells of one refresh; zero cells are not stored (absent means 0)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], list[int | None]] = {}

    def add(self, tbl: str, row: Any, col: Any, value: int, cases: int | None = None) -> None:
        if not value:
            return
        key = (tbl, _key(row), _key(col))
        cell = self.values.setdefault(key, [0, None])
        cell[0] += value
        if cases is not None:
            cell[1] = (cell[1] or 0) + cases

    def tally(self, tbl: str, source: Any, where: Iterable[Any], row: Any = None, col: Any = None,
              value: Any = None, cases: Any = None) -> None:
        """One GROUP BY over `source`, by row (and col), plus the same without row: the total.
        A `col` given as text is a fixed column name, not a grouping."""
        value = func.count() if value is None else value
        fixed_col = col if isinstance(col, str) else None
        col_expr = None if isinstance(col, str) else col
        for row_expr in ([row, None] if row is not None else [None]):
            keys = [e for e in (row_expr, col_expr) if e is not None]
            query = (select(*keys, value, null() if cases is None else cases)
                     .select_from(source).where(*where).group_by(*keys))
            for *key, count, n_cases in db.session.execute(query):
                self.add(tbl, key[0] if row_expr is not None else TOTAL,
                         fixed_col if col_expr is None else key[-1], count, n_cases)


def _key(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _meetings(cells: _Cells, region_id: int, period: Period, window: tuple[dt.datetime, dt.datetime]) -> None:
    start, end = window
    rows = db.session.execute(
        select(Meeting.status, Meeting.form, Meeting.is_extra, Meeting.chair_organisation_id, func.count())
        .where(Meeting.region_id == region_id, Meeting.starts_at >= start, Meeting.starts_at < end)
        .group_by(Meeting.status, Meeting.form, Meeting.is_extra, Meeting.chair_organisation_id)
    )
    for status, form, extra, chair, count in rows:
        if status is MeetingStatus.geannuleerd:
            cells.add("overleg", TOTAL, "afgelast", count)
        elif status is HELD:
            cells.add("overleg", TOTAL, "gehouden", count)
            cells.add("overleg", TOTAL, form, count)
            cells.add("overleg", TOTAL, "spoed", count if extra else 0)
            cells.add("voorzitter", chair or "onbekend", "", count)
            cells.add("voorzitter", TOTAL, "", count)
    # a week belongs to the period its Monday is in, so look six days beyond both ends
    week = dt.timedelta(days=6)
    days = db.session.scalars(
        select(Meeting.starts_at).where(Meeting.region_id == region_id, Meeting.status == HELD,
                                        Meeting.starts_at >= start - week, Meeting.starts_at < end + week))
    mondays = {local(moment).date() - dt.timedelta(days=local(moment).weekday()) for moment in days}
    cells.add("overleg", TOTAL, "weken", sum(1 for monday in mondays if period.contains(monday)))


def _attendance(cells: _Cells, held: list[Any]) -> None:
    rows = db.session.execute(
        select(Attendance.organisation_id, Attendance.status, Attendance.mandate, Attendance.form, func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id).where(*held)
        .group_by(Attendance.organisation_id, Attendance.status, Attendance.mandate, Attendance.form)
    )
    for organisation_id, status, mandate, form, count in rows:
        for row in (organisation_id, TOTAL):
            cells.add("aanwezigheid", row, "verwacht", count)
            cells.add("aanwezigheid", row, status, count)
            if status is AttendanceStatus.aanwezig:
                cells.add("aanwezigheid", row, "mandaat", count if mandate else 0)
                cells.add("aanwezigheid", row, form or "onbekend", count)


def _cases(cells: _Cells, region_id: int, window: tuple[dt.datetime, dt.datetime]) -> None:
    """Per distinct case discussed in the period: how it came (new, follow-up, repeat) by its
    first discussion in the period, where it stands by its last one."""
    start, end = window
    discussed = [Meeting.region_id == region_id, Meeting.status == HELD, AgendaItem.removed.is_(False)]
    in_period = (select(AgendaItem.case_id).join(Meeting, Meeting.id == AgendaItem.meeting_id)
                 .where(*discussed, Meeting.starts_at >= start, Meeting.starts_at < end))
    order = (Meeting.starts_at, AgendaItem.id)
    history = (
        select(AgendaItem.case_id, AgendaItem.id.label("item_id"), Meeting.starts_at,
               AgendaItem.assessment, AgendaItem.handover,
               func.lag(Meeting.starts_at).over(partition_by=AgendaItem.case_id, order_by=order).label("prev_at"),
               func.lag(AgendaItem.handover).over(partition_by=AgendaItem.case_id, order_by=order)
               .label("prev_handover"))
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(*discussed, Meeting.starts_at < end, AgendaItem.case_id.in_(in_period))
    ).subquery("history")
    h = history.c
    ranked = (
        select(h, func.row_number().over(partition_by=h.case_id, order_by=(h.starts_at, h.item_id)).label("nr_first"),
               func.row_number().over(partition_by=h.case_id, order_by=(h.starts_at.desc(), h.item_id.desc()))
               .label("nr_last"))
        .where(h.starts_at >= start)
    ).subquery("ranked")
    r = ranked.c
    with_case = ranked.join(Case, Case.id == r.case_id)
    first, last, brought_in = r.nr_first == 1, r.nr_last == 1, r.prev_at.is_(None)
    how = sql_case(
        (r.prev_at.is_(None), "nieuw"),
        (days_between(r.prev_at, r.starts_at) > REPEAT_DAYS, "nieuw"),
        (r.prev_handover == Handover.terug.value, "vervolg"),
        else_="herhaling",
    )
    one_each = {"value": func.count(), "cases": func.count()}
    cells.tally("besproken", ranked, [first], row=how, **one_each)
    cells.tally("ingebracht", with_case, [first, brought_in], row=Case.organisation_id, **one_each)
    cells.tally("wachttijd", with_case, [first, brought_in], col=days_between(Case.created_at, r.starts_at),
                **one_each)
    cells.tally("soort", with_case, [last], row=Case.kind, **one_each)
    cells.tally("duiding", ranked, [last], row=r.assessment, **one_each)
    cells.tally("overdracht", ranked, [last], row=r.handover, **one_each)


def _shared_and_actions(cells: _Cells, held: list[Any]) -> None:
    per_case = {"value": func.count(distinct(AgendaItem.case_id)), "cases": func.count(distinct(AgendaItem.case_id))}
    shared = item_shared.join(AgendaItem, AgendaItem.id == item_shared.c.agenda_item_id).join(
        Meeting, Meeting.id == AgendaItem.meeting_id)
    cells.tally("gedeeld", shared, held, row=item_shared.c.organisation_id, **per_case)

    points = ActionPoint.__table__.join(AgendaItem, AgendaItem.id == ActionPoint.agenda_item_id).join(
        Meeting, Meeting.id == AgendaItem.meeting_id)
    counted = {"value": func.count(), "cases": func.count(distinct(ActionPoint.case_id))}
    owner = ActionPoint.organisation_id
    done = ActionPoint.status == ActionStatus.afgerond
    cells.tally("actiepunten", points, held, row=owner, col=ActionPoint.status, **counted)
    cells.tally("actiepunten", points, held, row=owner, col="aantal", **counted)
    cells.tally("actiepunten", points, [*held, done, day_of(ActionPoint.result_at) <= ActionPoint.due_date],
                row=owner, col="op_tijd", **counted)
    cells.tally("afrondtijd", points, [*held, done], row=owner,
                col=days_between(Meeting.starts_at, ActionPoint.result_at))


def _compute(region_id: int, period: Period) -> _Cells:
    cells = _Cells()
    window = period.utc_window()
    held = [Meeting.region_id == region_id, Meeting.status == HELD,
            Meeting.starts_at >= window[0], Meeting.starts_at < window[1]]
    _meetings(cells, region_id, period, window)
    _attendance(cells, held)
    _cases(cells, region_id, window)
    _shared_and_actions(cells, [*held, AgendaItem.removed.is_(False)])
    return cells


def refresh(region_id: int, period: Period) -> None:
    """Recompute one region's cells for one period, in the current transaction."""
    cells = _compute(region_id, period)
    db.session.execute(delete(StatCell).where(StatCell.region_id == region_id, StatCell.period == period.key))
    db.session.execute(delete(StatStale).where(StatStale.region_id == region_id, StatStale.period == period.key))
    if cells.values:
        db.session.execute(StatCell.__table__.insert(), [
            {"region_id": region_id, "period": period.key, "tbl": tbl, "row": row, "col": col,
             "value": value, "cases": cases}
            for (tbl, row, col), (value, cases) in cells.values.items()
        ])


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> None:
    """Two transactions may mark the same period at once; neither may fail for it."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(StatStale).on_conflict_do_nothing(), rows)


def mark_stale(region_id: int, day: dt.date, today: dt.date | None = None) -> None:
    """The statistics of the day's quarter and year changed, and so may the next four quarters'
    (a case returning within 12 months counts as a repeat): recompute them before the next read."""
    today = today or local_today()
    quarter = Period.quarter_of(day)
    keys = {p.key for q in [quarter, *quarter.next_quarters(4)] if q.start <= today
            for p in (q, q.year_period)}
    _insert_ignoring_duplicates([{"region_id": region_id, "period": key} for key in sorted(keys)])


def meeting_changed(meeting: Meeting) -> None:
    """Call when a meeting is closed, reopened or cancelled, or a point from it gets a result."""
    mark_stale(meeting.region_id, local(meeting.starts_at).date())


def refresh_stale(periods: Iterable[Period] | None = None, region_id: int | None = None) -> int:
    """Recompute what was marked stale (for these periods, in this region); the caller commits."""
    query = select(StatStale.region_id, StatStale.period)
    if periods is not None:
        query = query.where(StatStale.period.in_([p.key for p in periods]))
    if region_id is not None:
        query = query.where(StatStale.region_id == region_id)
    stale = db.session.execute(query.order_by(StatStale.region_id, StatStale.period)).all()
    for stale_region, key in stale:
        refresh(stale_region, Period.parse(key))
    return len(stale)


def mark_all_stale() -> int:
    """Every region and period with meetings, e.g. for a database filled before statistics existed."""
    firsts = db.session.execute(
        select(Meeting.region_id, func.min(Meeting.starts_at)).group_by(Meeting.region_id)).all()
    today = local_today()
    keys: set[tuple[int, str]] = set()
    for region_id, first in firsts:
        quarter = Period.quarter_of(local(first).date())
        while quarter.start <= today:
            keys |= {(region_id, quarter.key), (region_id, quarter.year_period.key)}
            quarter = quarter.next_quarters(1)[0]
    _insert_ignoring_duplicates([{"region_id": r, "period": p} for r, p in sorted(keys)])
    return len(keys)


def refresh_all() -> int:
    """Recompute every region and period (after a bulk load or a correction) and commit."""
    mark_all_stale()
    return refresh_stale()


# --- reading: raw sums for one scope ------------------------------------------------------------

@dataclass(frozen=True)
class Raw:
    value: int
    cases: int | None


class Figures:
    """The raw sums for one scope (a region or the nation) and period. Never leaves this module
    undisclosed: `indicators.py` turns it into published tables through `disclose`."""

    def __init__(self, rows: Iterable[tuple[str, str, str, int, int | None]]) -> None:
        self.cells = {(tbl, row, col): Raw(int(value), None if cases is None else int(cases))
                      for tbl, row, col, value, cases in rows}

    def get(self, tbl: str, row: str = TOTAL, col: str = "") -> Raw:
        return self.cells.get((tbl, row, col), Raw(0, 0))

    def rows(self, tbl: str) -> set[str]:
        return {row for (t, row, _col) in self.cells if t == tbl}

    def histogram(self, tbl: str, row: str = TOTAL) -> dict[int, int]:
        return {int(col): raw.value for (t, r, col), raw in self.cells.items() if t == tbl and r == row}


def figures(period: Period, region_id: int | None = None) -> Figures:
    """Refresh what is stale, then read one region's cells, or the national sums."""
    refresh_stale([period], region_id)
    columns = (StatCell.tbl, StatCell.row, StatCell.col)
    if region_id is not None:
        query = select(*columns, StatCell.value, StatCell.cases).where(
            StatCell.region_id == region_id, StatCell.period == period.key)
    else:
        query = (select(*columns, func.sum(StatCell.value), func.sum(StatCell.cases))
                 .where(StatCell.period == period.key).group_by(*columns))
    return Figures(db.session.execute(query))


OVERVIEW_TABLES = ("overleg", "besproken", "actiepunten", "aanwezigheid", "wachttijd")


def figures_by_region(period: Period) -> dict[int, Figures]:
    """The headline cells of every region (for the national region × indicator table);
    call after `figures(period)`, which refreshed them."""
    rows = db.session.execute(
        select(StatCell.region_id, StatCell.tbl, StatCell.row, StatCell.col, StatCell.value, StatCell.cases)
        .where(StatCell.period == period.key, StatCell.tbl.in_(OVERVIEW_TABLES),
               or_(StatCell.row == TOTAL, StatCell.tbl == "besproken")))
    grouped: dict[int, list[tuple[str, str, str, int, int | None]]] = defaultdict(list)
    for region_id, *cell in rows:
        grouped[region_id].append(tuple(cell))  # type: ignore[arg-type]
    return {region_id: Figures(cells) for region_id, cells in grouped.items()}


# --- disclosure: the one rule ------------------------------------------------------------------

@dataclass(frozen=True)
class Published:
    """A number as every output shows it: `text` on page, chart label, CSV and print alike;
    `number` is the published value (None where suppressed or not shown)."""

    text: str
    number: int | None


def disclose(raw: Raw) -> Published:
    """The disclosure rule (product.md §5): judged on distinct cases where the figure rests on
    cases, on the count itself otherwise."""
    unit = raw.value if raw.cases is None else raw.cases
    if raw.value == 0 or unit == 0:
        return Published("0", 0)
    if unit < MIN_CASES:
        return Published(SUPPRESSED, None)
    rounded = 5 * ((raw.value + 2) // 5)
    return Published(str(rounded), rounded)


def percent(part: Published, whole: Published) -> Published:
    """A share computed from published counts only, so it reveals nothing they do not."""
    if part.number is None or not whole.number:
        return Published(NOT_SHOWN, None)
    share = round(100 * part.number / whole.number)
    return Published(f"{share}%", share)


def quantile(histogram: dict[int, int], q: float, cases: int | None) -> Published:
    """The nearest-rank quantile of a day histogram, only when it rests on ≥ 10 cases."""
    total = sum(histogram.values())
    if (cases or 0) < MIN_CASES or not total:
        return Published(NOT_SHOWN, None)
    rank = max(1, ceil(q * total))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            days = max(days, 0)
            return Published(str(days), days)
    raise AssertionError("unreachable: rank never exceeds the total")
