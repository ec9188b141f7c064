"""Aggregation for the national statistics (docs/rules.md §5): SQL sums per region and period.

`refresh(region, period)` runs SQL `GROUP BY` queries over one region's held meetings in one
fixed period and stores the raw sums as `StatCell` rows; no case row is ever loaded into
Python, so a national page reads a few thousand small rows whatever the history. A change
that affects a period marks it stale in the same transaction (`mark_stale`); the nightly
`stats refresh` stores it again. Reading never writes: until then a stale region's period is
computed in memory for each read (`stale_figures`), so pages are right all along. Years are
computed as their own period, because distinct cases do not add up over quarters; regions do
add up, because a case belongs to one region. Nothing here is fit to show: every number that
leaves the server goes through `disclosure.disclose` first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

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

TOTAL = "totaal"  # the row (or column) key of a table's total
REPEAT_DAYS = 365  # "repeat within 12 months of the last discussion"
Row = tuple[str, str, str, int, int | None]  # one cell: tbl, row, col, value, cases


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
    """Collects the raw cells of one region and period; zero cells are left out (absent means 0)."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], list[int | None]] = {}

    def rows(self) -> Iterator[Row]:
        for (tbl, row, col), (value, cases) in self.values.items():
            yield tbl, row, col, value, cases  # type: ignore[misc]

    def add(self, tbl: str, row: Any, col: Any, value: int, cases: int | None = None) -> None:
        if not value:
            return
        key = (tbl, _key(row), _key(col))
        cell = self.values.setdefault(key, [0, None])
        cell[0] += value
        if cases is not None:
            cell[1] = (cell[1] or 0) + cases

    def tally(
        self,
        tbl: str,
        source: Any,
        where: Iterable[Any],
        row: Any = None,
        col: Any = None,
        value: Any = None,
        cases: Any = None,
    ) -> None:
        """One GROUP BY over `source`, by row (and col), plus the same without row: the total.
        A `col` given as text is a fixed column name, not a grouping."""
        value = func.count() if value is None else value
        fixed_col = col if isinstance(col, str) else None
        col_expr = None if isinstance(col, str) else col
        for row_expr in [row, None] if row is not None else [None]:
            keys = [e for e in (row_expr, col_expr) if e is not None]
            query = (
                select(*keys, value, null() if cases is None else cases)
                .select_from(source)
                .where(*where)
                .group_by(*keys)
            )
            for *key, count, n_cases in db.session.execute(query):
                self.add(
                    tbl,
                    key[0] if row_expr is not None else TOTAL,
                    fixed_col if col_expr is None else key[-1],
                    count,
                    n_cases,
                )


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
        select(Meeting.starts_at).where(
            Meeting.region_id == region_id,
            Meeting.status == HELD,
            Meeting.starts_at >= start - week,
            Meeting.starts_at < end + week,
        )
    )
    mondays = {local(moment).date() - dt.timedelta(days=local(moment).weekday()) for moment in days}
    cells.add("overleg", TOTAL, "weken", sum(1 for monday in mondays if period.contains(monday)))


def _count_attendance(cells: _Cells, held: list[Any]) -> None:
    rows = db.session.execute(
        select(Attendance.organisation_id, Attendance.status, Attendance.mandate, Attendance.form, func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(*held)
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
    in_period = (
        select(AgendaItem.case_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(*discussed, Meeting.starts_at >= start, Meeting.starts_at < end)
    )
    order = (Meeting.starts_at, AgendaItem.id)
    history = (
        select(
            AgendaItem.case_id,
            AgendaItem.id.label("item_id"),
            Meeting.starts_at,
            AgendaItem.assessment,
            AgendaItem.handover,
            func.lag(Meeting.starts_at).over(partition_by=AgendaItem.case_id, order_by=order).label("prev_at"),
            func.lag(AgendaItem.handover).over(partition_by=AgendaItem.case_id, order_by=order).label("prev_handover"),
        )
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(*discussed, Meeting.starts_at < end, AgendaItem.case_id.in_(in_period))
    ).subquery("history")
    h = history.c
    ranked = (
        select(
            h,
            func.row_number().over(partition_by=h.case_id, order_by=(h.starts_at, h.item_id)).label("nr_first"),
            func.row_number()
            .over(partition_by=h.case_id, order_by=(h.starts_at.desc(), h.item_id.desc()))
            .label("nr_last"),
        ).where(h.starts_at >= start)
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
    cells.tally("wachttijd", with_case, [first, brought_in], col=days_between(Case.created_at, r.starts_at), **one_each)
    cells.tally("soort", with_case, [last], row=Case.kind, **one_each)
    cells.tally("duiding", ranked, [last], row=r.assessment, **one_each)
    cells.tally("overdracht", ranked, [last], row=r.handover, **one_each)


def _shared_and_actions(cells: _Cells, held: list[Any]) -> None:
    per_case = {"value": func.count(distinct(AgendaItem.case_id)), "cases": func.count(distinct(AgendaItem.case_id))}
    shared = item_shared.join(AgendaItem, AgendaItem.id == item_shared.c.agenda_item_id).join(
        Meeting, Meeting.id == AgendaItem.meeting_id
    )
    cells.tally("gedeeld", shared, held, row=item_shared.c.organisation_id, **per_case)

    points = ActionPoint.__table__.join(AgendaItem, AgendaItem.id == ActionPoint.agenda_item_id).join(
        Meeting, Meeting.id == AgendaItem.meeting_id
    )
    counted = {"value": func.count(), "cases": func.count(distinct(ActionPoint.case_id))}
    owner = ActionPoint.organisation_id
    done = ActionPoint.status == ActionStatus.afgerond
    cells.tally("actiepunten", points, held, row=owner, col=ActionPoint.status, **counted)
    cells.tally("actiepunten", points, held, row=owner, col="aantal", **counted)
    cells.tally(
        "actiepunten",
        points,
        [*held, done, day_of(ActionPoint.result_at) <= ActionPoint.due_date],
        row=owner,
        col="op_tijd",
        **counted,
    )
    cells.tally(
        "afrondtijd", points, [*held, done], row=owner, col=days_between(Meeting.starts_at, ActionPoint.result_at)
    )


def _compute(region_id: int, period: Period) -> _Cells:
    cells = _Cells()
    window = period.utc_window()
    held = [
        Meeting.region_id == region_id,
        Meeting.status == HELD,
        Meeting.starts_at >= window[0],
        Meeting.starts_at < window[1],
    ]
    _meetings(cells, region_id, period, window)
    _count_attendance(cells, held)
    _cases(cells, region_id, window)
    _shared_and_actions(cells, [*held, AgendaItem.removed.is_(False)])
    return cells


def refresh(region_id: int, period: Period) -> None:
    """Recompute and store one region's cells for one period, in the current transaction."""
    cells = _compute(region_id, period)
    db.session.execute(delete(StatCell).where(StatCell.region_id == region_id, StatCell.period == period.key))
    db.session.execute(delete(StatStale).where(StatStale.region_id == region_id, StatStale.period == period.key))
    if cells.values:
        db.session.execute(
            StatCell.__table__.insert(),
            [
                {
                    "region_id": region_id,
                    "period": period.key,
                    "tbl": tbl,
                    "row": row,
                    "col": col,
                    "value": value,
                    "cases": cases,
                }
                for tbl, row, col, value, cases in cells.rows()
            ],
        )


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
    keys = {p.key for q in [quarter, *quarter.next_quarters(4)] if q.start <= today for p in (q, q.year_period)}
    _insert_ignoring_duplicates([{"region_id": region_id, "period": key} for key in sorted(keys)])


def refresh_stale() -> int:
    """Recompute and store every region's period marked stale, in the current transaction.
    The caller commits (the nightly `stats refresh`): reading statistics never writes."""
    stale = db.session.execute(
        select(StatStale.region_id, StatStale.period).order_by(StatStale.region_id, StatStale.period)
    ).all()
    for region_id, key in stale:
        refresh(region_id, Period.parse(key))
    return len(stale)


def mark_all_stale() -> int:
    """Every region and period with meetings, e.g. for a database filled before statistics existed."""
    firsts = db.session.execute(
        select(Meeting.region_id, func.min(Meeting.starts_at)).group_by(Meeting.region_id)
    ).all()
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
    """Recompute every region and period (after a bulk load or a correction), in the current
    transaction; the caller commits."""
    mark_all_stale()
    return refresh_stale()


# --- reading: raw sums for one scope, never writing ----------------------------------------------


@dataclass(frozen=True)
class Raw:
    value: int
    cases: int | None

    def __add__(self, other: Raw) -> Raw:
        """Two regions' sums of one cell, as SQL SUM adds them (cases never cross regions)."""
        cases = [c for c in (self.cases, other.cases) if c is not None]
        return Raw(self.value + other.value, sum(cases) if cases else None)


class Figures:
    """The raw sums for one scope (a region or the nation) and period. Never shown as they are:
    `indicators.py` turns them into published tables through `disclosure.disclose`."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.cells: dict[tuple[str, str, str], Raw] = {}
        for tbl, row, col, value, cases in rows:
            raw, key = Raw(int(value), None if cases is None else int(cases)), (tbl, row, col)
            self.cells[key] = self.cells[key] + raw if key in self.cells else raw

    def get(self, tbl: str, row: str = TOTAL, col: str = "") -> Raw:
        return self.cells.get((tbl, row, col), Raw(0, 0))

    def as_rows(self) -> Iterator[Row]:
        for (tbl, row, col), raw in self.cells.items():
            yield tbl, row, col, raw.value, raw.cases

    def rows(self, tbl: str) -> set[str]:
        return {row for (t, row, _col) in self.cells if t == tbl}

    def histogram(self, tbl: str, row: str = TOTAL) -> dict[int, int]:
        return {int(col): raw.value for (t, r, col), raw in self.cells.items() if t == tbl and r == row}


def stale_figures(period: Period, region_id: int | None = None) -> dict[int, Figures]:
    """The cells of each region (or of this one) whose period is marked stale, computed now in
    memory and not stored: a page is right before the nightly refresh, and reading never writes."""
    query = select(StatStale.region_id).where(StatStale.period == period.key).order_by(StatStale.region_id)
    if region_id is not None:
        query = query.where(StatStale.region_id == region_id)
    return {stale: Figures(_compute(stale, period).rows()) for stale in db.session.scalars(query)}


def _stored(query: Any, stale: dict[int, Figures]) -> Any:
    """Leave out the stored cells of stale regions (the condition only when there are any, so
    the usual query stays the one its covering index answers)."""
    return query.where(StatCell.region_id.not_in(list(stale))) if stale else query


def figures(
    period: Period,
    region_id: int | None = None,
    stale: dict[int, Figures] | None = None,
) -> Figures:
    """One region's cells, or (region None) the national sums, of every table.
    Pass `stale` as `stale_figures` gave it when reading the period more than once."""
    stale = stale_figures(period, region_id) if stale is None else stale
    stale = {r: f for r, f in stale.items() if region_id in (None, r)}
    columns = (StatCell.tbl, StatCell.row, StatCell.col)
    if region_id is not None:
        query = select(*columns, StatCell.value, StatCell.cases).where(
            StatCell.region_id == region_id, StatCell.period == period.key
        )
    else:
        query = (
            select(*columns, func.sum(StatCell.value), func.sum(StatCell.cases))
            .where(StatCell.period == period.key)
            .group_by(*columns)
        )
    fresh = [cell for f in stale.values() for cell in f.as_rows()]
    return Figures([*db.session.execute(_stored(query, stale)), *fresh])


OVERVIEW_TABLES = ("overleg", "besproken", "actiepunten", "aanwezigheid", "wachttijd")


def figures_by_region(period: Period, stale: dict[int, Figures] | None = None) -> dict[int, Figures]:
    """The headline cells of every region (for the national region × indicator table); a stale
    region's are its cells computed in memory (`stale_figures`)."""
    stale = stale_figures(period) if stale is None else stale
    rows = db.session.execute(
        _stored(
            select(StatCell.region_id, StatCell.tbl, StatCell.row, StatCell.col, StatCell.value, StatCell.cases).where(
                StatCell.period == period.key,
                StatCell.tbl.in_(OVERVIEW_TABLES),
                or_(StatCell.row == TOTAL, StatCell.tbl == "besproken"),
            ),
            stale,
        )
    )
    grouped: dict[int, list[Row]] = defaultdict(list)
    for region_id, *cell in rows:
        grouped[region_id].append(tuple(cell))  # type: ignore[arg-type]
    return {region_id: Figures(cells) for region_id, cells in grouped.items()} | stale
