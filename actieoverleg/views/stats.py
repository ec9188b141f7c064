"""Statistics for the national chairs' meeting (docs/rules.md §5): pages, charts, CSV and print.

Every figure comes from `indicators.build`, which reads only the aggregates of
`aggregates.py` through the rule of `disclosure.py`; no view here touches a case, meeting
record or action point.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import charts, indicators, periods
from ..disclosure import COVERAGE_RULE, EXPLANATION
from ..extensions import db
from ..formatting import local, local_today
from ..models import Meeting, Region
from ..periods import Period
from ..permissions import (
    allow,
    can_see_national_statistics,
    can_see_statistics,
    require,
    statistics_region_or_404,
)
from ..vocab import AuditAction, MeetingStatus

bp = Blueprint("stats", __name__, url_prefix="/statistieken")


@bp.route("/")
@allow(can_see_statistics)
def index():
    """The period picker's target (a plain GET form) and the menu link: to the canonical page.
    The national table starts nationally, a chair in their own region; both at the last
    complete quarter."""
    period = Period.parse(request.args.get("periode", "")) or periods.last_complete_quarter(local_today())
    code = request.args.get("regio", "").strip()
    if not can_see_national_statistics(current_user) and code in ("", "landelijk"):
        if not current_user.regions:
            abort(403)
        code = current_user.regions[0].code
    return redirect(_url("stats.report", period, code if code not in ("", "landelijk") else None))


def _url(endpoint: str, period: Period, code: str | None) -> str:
    return url_for(endpoint, period=period.key, region=code)


def _scope(period_key: str, code: str | None) -> tuple[Period, Region | None]:
    """A period and scope the user may see; 404 for an unknown period or region."""
    period = Period.parse(period_key)
    if period is None:
        abort(404)
    if code is None:
        require(can_see_national_statistics(current_user))
        return period, None
    return period, statistics_region_or_404(code, current_user)


def _report(period_key: str, code: str | None) -> indicators.StatisticsReport:
    return indicators.build(*_scope(period_key, code), local_today())


def _scopes() -> list[tuple[str, str]]:
    """What the picker offers: the nation and every region, or the chair's own regions."""
    if can_see_national_statistics(current_user):
        regions = db.session.scalars(select(Region).where(Region.active.is_(True)).order_by(Region.name))
        return [("landelijk", "Landelijk")] + [(r.code, r.name) for r in regions]
    return [(r.code, r.name) for r in current_user.regions]


def _periods() -> list[Period]:
    first = db.session.scalar(select(func.min(Meeting.starts_at)).where(Meeting.status == MeetingStatus.afgesloten))
    return periods.choices(local(first).date() if first else None, local_today())


@bp.route("/<period>", defaults={"region": None})
@bp.route("/<period>/<region>")
@allow(can_see_statistics)
def report(period: str, region: str | None):
    """The national overview (region × indicator, coverage, national tables) or a region's page."""
    report = _report(period, region)
    return render_template(
        "stats/report.html",
        report=report,
        scopes=_scopes(),
        periods=_periods(),
        explanation=EXPLANATION,
        coverage_rule=COVERAGE_RULE,
        printing=False,
    )


@bp.route("/<period>/afdrukken", defaults={"region": None})
@bp.route("/<period>/<region>/afdrukken")
@allow(can_see_statistics)
def print_report(period: str, region: str | None):
    """The printable report: the same tables and charts, print dialog opened on load."""
    report = _report(period, region)
    _log(AuditAction.print, report, "")
    return render_template(
        "stats/print.html", report=report, explanation=EXPLANATION, coverage_rule=COVERAGE_RULE, printing=True
    )


@bp.route("/<period>/export.csv", defaults={"region": None, "table": None})
@bp.route("/<period>/export/<table>.csv", defaults={"region": None})
@bp.route("/<period>/<region>/export.csv", defaults={"table": None})
@bp.route("/<period>/<region>/export/<table>.csv")
@allow(can_see_statistics)
def export(period: str, region: str | None, table: str | None):
    """One table, or the whole report, as CSV for Dutch Excel (`;`, UTF-8 with BOM)."""
    report = _report(period, region)
    if table is not None and report.table(table) is None:
        abort(404)
    _log(AuditAction.export, report, table or "alle")
    name = "-".join(filter(None, ["actieoverleg", report.scope_key.lower(), report.period.key, table])) + ".csv"
    return Response(
        indicators.csv_bytes(report, table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/<period>/grafieken/<version>.svg", defaults={"region": None})
@bp.route("/<period>/<region>/grafieken/<version>.svg")
@allow(can_see_statistics)
def charts_sheet(period: str, region: str | None, version: str):
    """Every chart of a report in one SVG, for the <img src="…#t-key"> beside each table that
    holds the same numbers. The URL carries the report's fingerprint, so the browser keeps it for
    good; an old fingerprint is sent on to the current URL, never answered with the old numbers."""
    report = _report(period, region)
    if version != report.fingerprint:
        return redirect(charts_url(report))
    response = Response(charts.sheet(report.tables()), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"  # signed-in roles only
    return response


@bp.app_template_global()
def charts_url(report: indicators.StatisticsReport) -> str:
    """Where the report's charts are, for these very numbers."""
    code = report.region.code if report.region else None
    return url_for("stats.charts_sheet", period=report.period.key, region=code, version=report.fingerprint)


@bp.app_template_global()
def chart_src(report: indicators.StatisticsReport, table: indicators.Table) -> str:
    """One table's chart: its view in the report's sheet."""
    return f"{charts_url(report)}#{charts.view_id(table)}"


@bp.app_template_global()
def chart_height(table: indicators.Table) -> int:
    return charts.height(table)


def _log(action: AuditAction, report: indicators.StatisticsReport, what: str) -> None:
    indicators.record_use(action, report, what, current_user)
    db.session.commit()
