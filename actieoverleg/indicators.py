"""The statistics report: published tables arranged under the headings of the national
*Werkset Indicatoren Kwaliteit en Impact* (seed 003), so a region can put its year report
straight into its annual review.

Every number here comes out of `disclosure.disclose`, `percent` or `quantile`; this module
only chooses rows, columns and Dutch words. Page, charts, CSV and print all render these
same `Table` objects.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterator

from sqlalchemy import select

from . import audit
from .aggregates import TOTAL, Figures, Raw, figures, figures_by_region, stale_figures
from .disclosure import EXPLANATION, NOT_SHOWN, Published, disclose, percent, quantile
from .extensions import db
from .models import Organisation, Region, User
from .periods import Period
from .vocab import ActionStatus, Assessment, AttendanceForm, AuditAction, CaseKind, Handover, MeetingForm


@dataclass
class Chart:
    """How a table is drawn: `kind` is 'bar', 'hbar' or 'stacked'; `columns` index the values.
    `unit` names the value axis ("aantal casussen"), `axis` the axis of the rows ("Organisatie");
    `title` names the indicator when the table's own title does not (the regions side by side)."""

    kind: str
    columns: list[int]
    percent: bool = False
    unit: str = ""
    axis: str = ""
    title: str = ""

    @property
    def described(self) -> list[object]:
        """Everything of the spec that changes the drawing (for the table's fingerprint)."""
        return [self.kind, self.columns, self.percent, self.unit, self.axis, self.title]


def _count_of(unit: str) -> str:
    """The value axis of a count: 'Casussen' → 'aantal casussen'."""
    return f"aantal {unit.lower()}"


WIDE_COLUMNS = 7


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]  # the first names the row labels
    rows: list[tuple[str, list[Published]]]
    note: str = ""
    chart: Chart | None = None
    total_last: bool = False  # the last row is a total (shown bold, left out of charts)
    parts_of_total: bool = False  # the columns after the first add up to it (attendance)

    @property
    def rounding_note(self) -> str:
        """Why rounded figures do not add up, next to the totals and percentages they concern."""
        notes = []
        if self.total_last or self.parts_of_total:
            notes.append("Door afronding tellen de aantallen niet altijd op tot het totaal.")
        if any(column.startswith("%") for column in self.columns):
            notes.append("Percentages rekenen we uit de afgeronde aantallen, afgerond op hele procenten.")
        return " ".join(notes)

    @property
    def wide(self) -> bool:
        """A table of many columns: it may need to scroll on a narrow screen, and prints smaller."""
        return len(self.columns) > WIDE_COLUMNS

    def _charted(self) -> list[Published]:
        rows = self.rows[:-1] if self.total_last else self.rows
        return [cells[i] for _label, cells in rows for i in self.chart.columns] if self.chart else []

    @property
    def chart_drawable(self) -> bool:
        """Whether the chart would show a bar at all (not when every cell is 0, <10 or –)."""
        return any(cell.number for cell in self._charted())

    @property
    def chart_has_gaps(self) -> bool:
        """Whether a suppressed cell is missing from the chart (the page says so)."""
        return any(cell.number is None for cell in self._charted())

    @property
    def fingerprint(self) -> str:
        """A hash of everything the table publishes, for chart URLs that change with any number:
        a browser may keep one chart for good, and never shows an outdated one."""
        chart = self.chart.described if self.chart else None
        content = [
            self.key,
            self.title,
            self.columns,
            chart,
            self.total_last,
            [[label, [cell.text for cell in cells]] for label, cells in self.rows],
        ]
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass
class Section:
    heading: str
    intro: str
    tables: list[Table]


@dataclass
class StatisticsReport:
    period: Period
    region: Region | None
    sections: list[Section]
    overview: Table | None = None  # national only: region × indicator
    without_meetings: list[str] = field(default_factory=list)  # national coverage
    complete: bool = True  # the period has ended

    @property
    def scope(self) -> str:
        return self.region.name if self.region else "Landelijk"

    @property
    def scope_key(self) -> str:
        return self.region.code if self.region else "landelijk"

    def tables(self) -> Iterator[Table]:
        if self.overview:
            yield self.overview
        for section in self.sections:
            yield from section.tables

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables() if t.key == key), None)

    @cached_property
    def fingerprint(self) -> str:
        """A hash of every table's fingerprint: the URL of the report's charts changes with any number."""
        return hashlib.sha256(" ".join(t.fingerprint for t in self.tables()).encode()).hexdigest()[:16]


def _rows(
    f: Figures, tbl: str, labels: list[tuple[str, str]], cells: Callable[[str], list[Published]]
) -> list[tuple[str, list[Published]]]:
    """One row per label that has data, then the total row."""
    present = f.rows(tbl)
    rows = [(label, cells(key)) for key, label in labels if key in present and key != TOTAL]
    return rows + [("Totaal", cells(TOTAL))]


def _single(
    f: Figures,
    key: str,
    title: str,
    tbl: str,
    labels: list[tuple[str, str]],
    unit: str,
    chart: str | None = "hbar",
    note: str = "",
    axis: str = "Organisatie",
) -> Table:
    """A one-column table of distinct cases per category, with its total."""
    rows = _rows(f, tbl, labels, lambda row: [disclose(f.get(tbl, row))])
    drawn = Chart(chart, [0], unit=_count_of(unit), axis=axis) if chart else None
    return Table(key, title, ["", unit], rows, note, drawn, total_last=True)


def _by_column(
    f: Figures, key: str, title: str, tbl: str, labels: list[tuple[str, str]], unit: str, axis: str
) -> Table:
    """A one-column table read from the columns of a total row (e.g. meetings per form)."""
    return Table(
        key,
        title,
        ["", unit],
        [(label, [disclose(f.get(tbl, TOTAL, value))]) for value, label in labels],
        chart=Chart("bar", [0], unit=_count_of(unit), axis=axis),
    )


def _organisation_labels(orgs: list[Organisation]) -> list[tuple[str, str]]:
    return [(str(o.id), o.name) for o in orgs]


def _frequency(f: Figures, period: Period, national: bool) -> Table:
    weeks = (
        "Regio-weken met een gehouden overleg" if national else f"Weken met een gehouden overleg (van {period.weeks})"
    )
    rows = [
        ("Gehouden overleggen", "gehouden"),
        ("waarvan spoedoverleg", "spoed"),
        ("Afgelaste overleggen", "afgelast"),
        (weeks, "weken"),
    ]
    return Table(
        "overleggen",
        "Overleggen",
        ["", "Aantal"],
        [(label, [disclose(f.get("overleg", TOTAL, col))]) for label, col in rows],
    )


def _attendance_table(f: Figures, orgs: list[tuple[str, str]]) -> Table:
    def cells(row: str) -> list[Published]:
        expected, present = (disclose(f.get("aanwezigheid", row, c)) for c in ("verwacht", "aanwezig"))
        rest = [disclose(f.get("aanwezigheid", row, s)) for s in ("afgemeld", "informatie", "afwezig")]
        return [expected, present, *rest, percent(present, expected)]

    return Table(
        "aanwezigheid",
        "Aanwezigheid per partner (aantal overleggen)",
        [
            "Organisatie",
            "Verwacht",
            "Aanwezig",
            "Afwezig met bericht",
            "Informatie aangeleverd",
            "Afwezig",
            "% aanwezig",
        ],
        _rows(f, "aanwezigheid", orgs, cells),
        "Verwacht: de overleggen waarvoor de voorzitter de organisatie aan tafel registreerde.",
        Chart("stacked", [1, 2, 3, 4], unit="aantal overleggen", axis="Organisatie"),
        total_last=True,
        parts_of_total=True,
    )


def _mandate(f: Figures, orgs: list[tuple[str, str]]) -> Table:
    def cells(row: str) -> list[Published]:
        present, mandate = (disclose(f.get("aanwezigheid", row, c)) for c in ("aanwezig", "mandaat"))
        return [present, mandate, percent(mandate, present)]

    return Table(
        "mandaat",
        "Aanwezig met mandaat, per partner",
        ["Organisatie", "Aanwezig", "Met mandaat", "% met mandaat"],
        _rows(f, "aanwezigheid", orgs, cells),
        chart=Chart("hbar", [2], percent=True, unit="% van de aanwezigen", axis="Organisatie"),
        total_last=True,
    )


def _action_points(f: Figures, orgs: list[tuple[str, str]]) -> Table:
    def cells(row: str) -> list[Published]:
        number = disclose(f.get("actiepunten", row, "aantal"))
        done_raw = f.get("actiepunten", row, ActionStatus.afgerond.value)
        done, on_time = disclose(done_raw), disclose(f.get("actiepunten", row, "op_tijd"))
        median = quantile(f.histogram("afrondtijd", row), 0.5, done_raw.cases)
        return [number, done, percent(done, number), percent(on_time, number), median]

    return Table(
        "actiepunten",
        "Actiepunten per partner",
        ["Organisatie", "Aantal", "Afgerond", "% afgerond", "% op tijd afgerond", "Mediaan dagen tot afronding"],
        _rows(f, "actiepunten", orgs, cells),
        "Actiepunten uit de overleggen van deze periode. ‘Op tijd’: afgerond uiterlijk op de "
        "termijn, als deel van alle actiepunten. Een cel die op 1 tot 9 casussen berust, staat als ‘<10’.",
        Chart("hbar", [2, 3], percent=True, unit="% van alle actiepunten", axis="Organisatie"),
        total_last=True,
    )


def _results(f: Figures, orgs: list[tuple[str, str]]) -> Table:
    def cells(row: str) -> list[Published]:
        return [disclose(f.get("actiepunten", row, s.value)) for s in ActionStatus]

    return Table(
        "resultaten",
        "Resultaat van actiepunten per partner",
        ["Organisatie", *[s.label for s in ActionStatus]],
        _rows(f, "actiepunten", orgs, cells),
        chart=Chart("stacked", list(range(len(ActionStatus))), unit="aantal actiepunten", axis="Organisatie"),
        total_last=True,
    )


def _waiting(f: Figures) -> Table:
    histogram = f.histogram("wachttijd")
    cases = sum(histogram.values())
    return Table(
        "wachttijd",
        "Van aanmelding tot eerste bespreking",
        ["", "Waarde"],
        [
            ("Nieuw ingebrachte casussen", [disclose(Raw(cases, cases))]),
            ("Mediaan (dagen)", [quantile(histogram, 0.5, cases)]),
            ("90e percentiel (dagen)", [quantile(histogram, 0.9, cases)]),
        ],
        "Dagen van de aanmelding van een casus tot het eerste overleg waarin die besproken is.",
    )


HOW = [("nieuw", "Nieuw"), ("vervolg", "Vervolgbespreking"), ("herhaling", "Herhaling binnen 12 maanden")]


@dataclass
class _Input:
    """What a table is built from: one scope's figures and the labels of its rows."""

    f: Figures
    period: Period
    national: bool
    orgs: list[tuple[str, str]]


# Each table, and how it is made.
TABLES: dict[str, Callable[[_Input], Table]] = {
    "overleggen": lambda i: _frequency(i.f, i.period, i.national),
    "vorm": lambda i: _by_column(
        i.f, "vorm", "Vorm van het overleg", "overleg", MeetingForm.choices(), "Overleggen", "Vorm"
    ),
    "deelname": lambda i: _by_column(
        i.f,
        "deelname",
        "Vorm van deelname van aanwezige partners",
        "aanwezigheid",
        AttendanceForm.choices(),
        "Aanwezigheden",
        "Vorm van deelname",
    ),
    "aanwezigheid": lambda i: _attendance_table(i.f, i.orgs),
    "ingebracht": lambda i: _single(
        i.f, "ingebracht", "Nieuw ingebrachte casussen per partner", "ingebracht", i.orgs, "Casussen"
    ),
    "gedeeld": lambda i: _single(
        i.f,
        "gedeeld",
        "Informatie gedeeld in stap 1, per partner",
        "gedeeld",
        i.orgs,
        "Casussen",
        note="Het totaal telt elke casus één keer, ook als meer partners deelden.",
    ),
    "mandaat": lambda i: _mandate(i.f, i.orgs),
    "voorzitter": lambda i: _single(
        i.f,
        "voorzitter",
        "Voorzitterschap per organisatie",
        "voorzitter",
        i.orgs + [("onbekend", "Niet vastgelegd")],
        "Overleggen",
    ),
    "wachttijd": lambda i: _waiting(i.f),
    "besproken": lambda i: _single(
        i.f,
        "besproken",
        "Besproken casussen",
        "besproken",
        HOW,
        "Casussen",
        chart="bar",
        axis="Bespreking",
        note="Naar de eerste bespreking in de periode. Nieuw: niet eerder besproken, of langer dan "
        "12 maanden geleden. Vervolg: vorige keer ‘terug op de agenda’. Herhaling: eerder "
        "overgedragen of afgesloten en binnen 12 maanden terug.",
    ),
    "soort": lambda i: _single(i.f, "soort", "Soort casus", "soort", CaseKind.choices(), "Casussen", axis="Soort"),
    "duiding": lambda i: _single(
        i.f,
        "duiding",
        "Gezamenlijke duiding",
        "duiding",
        Assessment.choices(),
        "Casussen",
        note="De duiding bij de laatste bespreking in de periode.",
        axis="Duiding",
    ),
    "actiepunten": lambda i: _action_points(i.f, i.orgs),
    "resultaten": lambda i: _results(i.f, i.orgs),
    "overdracht": lambda i: _single(
        i.f,
        "overdracht",
        "Overdracht",
        "overdracht",
        Handover.choices(),
        "Casussen",
        note="De overdracht bij de laatste bespreking in de periode.",
        axis="Overdracht",
    ),
}
OVERVIEW = "regios"  # the national region × indicator table
SECTIONS = [
    ("Frequentie", "Hoe vaak het Actie-overleg is gehouden.", ["overleggen"]),
    ("Vorm", "Fysiek, online of hybride; en hoe de aanwezige partners deelnamen.", ["vorm", "deelname"]),
    (
        "Aanwezige partners",
        "Welke partners aan tafel zaten, zich afmeldden of informatie aanleverden.",
        ["aanwezigheid"],
    ),
    ("Deelnemers", "Wie casussen inbracht en wie in stap 1 informatie deelde.", ["ingebracht", "gedeeld"]),
    ("Mandaat", "Of de aanwezigen mochten beslissen namens hun organisatie.", ["mandaat"]),
    (
        "Voorzitterschap en facilitering",
        "Wie voorzat en hoe snel een casus op tafel kwam.",
        ["voorzitter", "wachttijd"],
    ),
    (
        "Informatiedeling en vastleggen",
        "Wat besproken, geduid, afgesproken en overgedragen is.",
        ["besproken", "soort", "duiding", "actiepunten", "resultaten", "overdracht"],
    ),
]


def build(period: Period, region: Region | None, today: dt.date) -> StatisticsReport:
    """The report for one region or (region None) the nation."""
    national = region is None
    stale = stale_figures(period, None if national else region.id)
    f = figures(period, None if national else region.id, stale)
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.position, Organisation.name))
    made = _Input(f, period, national, _organisation_labels(list(organisations)))
    sections = [Section(heading, intro, [TABLES[key](made) for key in keys]) for heading, intro, keys in SECTIONS]
    report = StatisticsReport(period, region, sections, complete=period.end <= today)
    if national:
        regions = list(db.session.scalars(select(Region).where(Region.active.is_(True)).order_by(Region.name)))
        report.overview, report.without_meetings = _overview(figures_by_region(period, stale), regions, f)
    return report


OVERVIEW_COLUMNS = [
    "Regio",
    "Overleggen",
    "waarvan spoed",
    "Weken met overleg",
    "Casussen besproken",
    "waarvan nieuw",
    "Actiepunten",
    "% afgerond",
    "% op tijd afgerond",
    "% aanwezig",
    "Mediaan dagen tot bespreking",
]


def _overview_cells(f: Figures) -> list[Published]:
    meeting = [disclose(f.get("overleg", TOTAL, c)) for c in ("gehouden", "spoed", "weken")]
    points = disclose(f.get("actiepunten", TOTAL, "aantal"))
    done = disclose(f.get("actiepunten", TOTAL, ActionStatus.afgerond.value))
    on_time = disclose(f.get("actiepunten", TOTAL, "op_tijd"))
    expected, present = (disclose(f.get("aanwezigheid", TOTAL, c)) for c in ("verwacht", "aanwezig"))
    waiting = f.histogram("wachttijd")
    return [
        *meeting,
        disclose(f.get("besproken")),
        disclose(f.get("besproken", "nieuw")),
        points,
        percent(done, points),
        percent(on_time, points),
        percent(present, expected),
        quantile(waiting, 0.5, sum(waiting.values())),
    ]


def _overview(by_region: dict[int, Figures], regions: list[Region], national: Figures) -> tuple[Table, list[str]]:
    empty = Figures([])
    rows = [(r.name, _overview_cells(by_region.get(r.id, empty))) for r in regions]
    rows.append(("Landelijk", _overview_cells(national)))
    without = [r.name for r in regions if not by_region.get(r.id, empty).get("overleg", TOTAL, "gehouden").value]
    table = Table(
        OVERVIEW,
        "Regio's naast elkaar",
        OVERVIEW_COLUMNS,
        rows,
        "Per regio dezelfde regel als overal: <10, afgerond op 5, percentages uit de afgeronde "
        "aantallen, een mediaan alleen bij minstens 10 casussen (anders ‘" + NOT_SHOWN + "’).",
        Chart("hbar", [3], unit="aantal casussen", axis="Regio", title="Casussen besproken per regio"),
        total_last=True,
    )
    return table, without


def record_use(action: AuditAction, report: StatisticsReport, what: str, user: User | None) -> None:
    """Exports and prints go to the audit log: scope, period and table, nothing else."""
    audit.record(
        action, report.region, user=user, detail=f"statistiek {report.scope_key} {report.period.key} {what}".strip()
    )


def csv_bytes(report: StatisticsReport, key: str | None = None) -> bytes:
    """One table (header and rows only, for a clean import), or the whole report with a title
    line per table; `;`-separated UTF-8 with a BOM so Dutch Excel opens it as it is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    tables = [t for t in report.tables() if key in (None, t.key)]
    if key is None:
        writer.writerow([f"Actie-overleg statistiek: {report.scope}, {report.period.label}"])
        writer.writerow([EXPLANATION])
    for table in tables:
        if key is None:
            writer.writerow([])
            writer.writerow([table.title])
        writer.writerow([table.columns[0] or "Categorie", *table.columns[1:]])
        writer.writerows([label, *(cell.text for cell in cells)] for label, cells in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
