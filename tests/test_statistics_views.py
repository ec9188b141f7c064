"""The statistics pages as the national table and a chair use them: who sees what, and the
page, chart, CSV, print and command line all carry the same published numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from flask import url_for

from actieoverleg import aggregates
from actieoverleg.extensions import db
from actieoverleg.formatting import local_today
from actieoverleg.models import AuditEvent, Case, Organisation, Region, StatCell, StatStale
from actieoverleg.periods import Period, last_complete_quarter
from actieoverleg.vocab import ActionStatus, AttendanceForm, AttendanceStatus, CaseKind, OrganisationKind

from .stats_data import attend, discuss, held, new_case, point

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants

QUARTER = Period(2025, 2)
SVG = "http://www.w3.org/2000/svg"


def _fill(region: Region, organisations: list[Organisation], weeks: int, cases_per_meeting: int) -> None:
    """Weekly held meetings from April 2025 with new cases, points and attendance."""
    for week in range(weeks):
        day = dt.date(2025, 4, 1) + dt.timedelta(weeks=week)
        meeting = held(region, day, chair=organisations[week % len(organisations)])
        for org in organisations:
            attend(meeting, org, AttendanceStatus.aanwezig, True, AttendanceForm.online)
        for n in range(cases_per_meeting):
            owner = organisations[n % len(organisations)]
            item = discuss(
                meeting, new_case(region, owner, day - dt.timedelta(days=3), CaseKind.km), shared=tuple(organisations)
            )
            point(item, owner, day + dt.timedelta(days=7), ActionStatus.afgerond, day + dt.timedelta(days=5))
    db.session.commit()


@pytest.fixture
def stats_world(world):
    """The usual world, plus a quarter of held meetings in both regions."""
    _fill(world.rr, [world.vt, world.politie, world.om], weeks=12, cases_per_meeting=4)
    _fill(world.zhz, [world.vt, world.politie], weeks=3, cases_per_meeting=1)
    aggregates.refresh_all()
    db.session.commit()
    return world


class Tables(HTMLParser):
    """The statistics tables of a page, as lists of rows of cell texts, by figure id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.figure = self.row = self.cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and attrs.get("id", "").startswith("t-"):
            self.figure = attrs["id"][2:]
            self.tables[self.figure] = []
        elif tag == "tr" and self.figure:
            self.row = []
            self.tables[self.figure].append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "figure":
            self.figure = self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Dutch Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_national_overview_compares_regions_and_explains_the_rule(stats_world, login_as):
    client = login_as(stats_world.national)
    response = client.get("/statistieken/?periode=2025Q2")
    assert response.status_code == 302 and response.location.endswith("/statistieken/2025Q2")
    html = client.get("/statistieken/2025Q2").get_data(as_text=True)
    overview = Tables(html).tables["regios"]
    assert overview[0][:5] == ["Regio", "Overleggen", "waarvan spoed", "Weken met overleg", "Casussen besproken"]
    rows = {row[0]: row[1:] for row in overview[1:]}
    assert rows["Rotterdam-Rijnmond"][:4] == ["10", "0", "10", "50"]  # 12 meetings, 12 weeks, 48 cases
    assert rows["Zuid-Holland-Zuid"][:4] == ["<10", "0", "<10", "<10"]
    assert rows["Landelijk"][:4] == ["15", "0", "15", "50"]  # 15 meetings, 51 cases
    assert "Alle regio's hielden in deze periode overleg." in html
    assert "tonen we als ‘&lt;10’" in html and "afgerond op 5" in html
    for heading in (
        "Frequentie",
        "Vorm",
        "Aanwezige partners",
        "Deelnemers",
        "Mandaat",
        "Voorzitterschap en facilitering",
        "Informatiedeling en vastleggen",
    ):
        assert f">{heading}</h2>" in html


def _figure(html: str, key: str) -> str:
    found = re.search(rf'<figure class="stat[^"]*" id="t-{key}".*?</figure>', html, re.S)
    assert found, key
    return found[0]


def test_totals_and_percentages_say_why_they_do_not_add_up(stats_world, login_as):
    html = login_as(stats_world.national).get("/statistieken/2025Q2").get_data(as_text=True)
    sums = "Door afronding tellen de aantallen niet altijd op tot het totaal."
    shares = "Percentages rekenen we uit de afgeronde aantallen, afgerond op hele procenten."
    for key in ("regios", "aanwezigheid", "mandaat", "actiepunten"):  # a total row and percentages
        assert sums in _figure(html, key) and shares in _figure(html, key), key
    for key in ("ingebracht", "resultaten", "overdracht"):  # a total row only
        assert sums in _figure(html, key) and shares not in _figure(html, key), key
    for key in ("overleggen", "vorm", "wachttijd"):  # neither
        assert sums not in _figure(html, key) and shares not in _figure(html, key), key


def test_a_table_of_many_columns_is_marked_wide_with_a_hint_to_scroll(stats_world, login_as):
    html = login_as(stats_world.national).get("/statistieken/2025Q2").get_data(as_text=True)
    assert _figure(html, "regios").startswith('<figure class="stat stat--wide"')
    assert "Deze tabel heeft 11 kolommen: schuif de tabel opzij om ze alle te zien." in _figure(html, "regios")
    assert "stat--wide" not in _figure(html, "aanwezigheid") and "stat__hint" not in _figure(html, "actiepunten")
    assert '><span class="nowrap">% op</span> tijd afgerond</th>' in _figure(html, "regios")  # "%" keeps its word


def test_a_region_without_meetings_is_named_in_the_coverage(stats_world, login_as):
    db.session.add(Region(name="Drenthe", code="DR"))
    db.session.commit()
    html = login_as(stats_world.national).get("/statistieken/2025Q2").get_data(as_text=True)
    assert "Geen gehouden overleg in deze periode:</strong> Drenthe." in html


def test_the_page_and_the_csv_carry_the_same_numbers(stats_world, login_as):
    client = login_as(stats_world.national)
    page = Tables(client.get("/statistieken/2025Q2/RR").get_data(as_text=True)).tables
    assert page["actiepunten"][1:] and page["aanwezigheid"][1:]
    for key, rows in page.items():
        response = client.get(f"/statistieken/2025Q2/RR/export/{key}.csv")
        assert response.headers["Content-Disposition"] == f'attachment; filename="actieoverleg-rr-2025Q2-{key}.csv"'
        exported = _csv(response)
        assert [r[1:] for r in exported] == [r[1:] for r in rows], key
        assert [r[0] for r in exported[1:]] == [r[0] for r in rows[1:]], key
    whole = _csv(client.get("/statistieken/2025Q2/RR/export.csv"))
    assert whole[0] == ["Actie-overleg statistiek: Rotterdam-Rijnmond, 2e kwartaal 2025 (apr–jun)"]
    assert ["Actiepunten per partner"] in whole and ["Regio's naast elkaar"] not in whole


def test_exports_and_prints_are_in_the_audit_log(stats_world, login_as):
    client = login_as(stats_world.national)
    client.get("/statistieken/2025Q2/export/actiepunten.csv")
    html = client.get("/statistieken/2025Q2/RR/afdrukken").get_data(as_text=True)
    assert "data-print-on-load" in html and "Actie-overleg Rotterdam-Rijnmond: 2e kwartaal 2025" in html
    events = db.session.execute(
        db.select(AuditEvent.action, AuditEvent.detail, AuditEvent.user_id).order_by(AuditEvent.id.desc()).limit(2)
    ).all()
    assert events == [
        ("print", "statistiek RR 2025Q2", stats_world.national.id),
        ("export", "statistiek landelijk 2025Q2 actiepunten", stats_world.national.id),
    ]


def _chart_src(html: str, key: str) -> str:
    found = re.search(rf'<figure class="stat[^"]*" id="t-{key}".*?<img class="stat__chart" src="([^"]+)"', html, re.S)
    assert found, key
    return found[1]


def _chart_of(sheet: str, key: str) -> ElementTree.Element:
    """The drawing the sheet's view `t-<key>` shows: the group placed at that view's top."""
    root = ElementTree.fromstring(sheet)
    view = root.find(f"{{{SVG}}}view[@id='t-{key}']")
    assert view is not None, key
    top = view.get("viewBox").split()[1]
    group = root.find(f"{{{SVG}}}g[@transform='translate(0 {top})']")
    assert group is not None, key
    return group


def _texts(chart: ElementTree.Element, css_class: str | None = None) -> list[str]:
    """The texts of a drawing, or only those of its <desc class="…"> elements."""
    if css_class is None:
        return [text.strip() for text in chart.itertext() if text.strip()]
    return [desc.text or "" for desc in chart.iter(f"{{{SVG}}}desc") if desc.get("class") == css_class]


def test_the_charts_are_one_svg_of_the_same_numbers_without_script(stats_world, login_as):
    client = login_as(stats_world.national)
    html = client.get("/statistieken/2025Q2/RR").get_data(as_text=True)
    srcs = re.findall(r'<img class="stat__chart" src="([^"]+)"', html)
    sheet_url, _, view = _chart_src(html, "ingebracht").partition("#")
    assert re.fullmatch(r"/statistieken/2025Q2/RR/grafieken/[0-9a-f]{16}\.svg", sheet_url) and view == "t-ingebracht"
    assert len(srcs) > 3 and {src.partition("#")[0] for src in srcs} == {sheet_url}  # one request for all
    response = client.get(sheet_url)
    svg = response.get_data(as_text=True)
    assert response.mimetype == "image/svg+xml" and "<script" not in svg
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert sorted(re.findall(r'<view id="([^"]+)"', svg)) == sorted(src.partition("#")[2] for src in srcs)
    texts = _texts(_chart_of(svg, "ingebracht"))
    assert "Nieuw ingebrachte casussen per partner (aantal casussen)" in texts
    assert any("Politie" in text for text in texts)
    assert 'id="t-wachttijd"' not in svg  # a table without a chart has no view
    assert client.get("/statistieken/2025Q2/RR/grafieken/.svg").status_code == 404  # no fingerprint


def test_a_chart_draws_exactly_its_tables_numbers(stats_world, login_as):
    client = login_as(stats_world.national)
    html = client.get("/statistieken/2025Q2").get_data(as_text=True)
    tables = Tables(html).tables
    sheet = client.get(_chart_src(html, "regios").partition("#")[0]).get_data(as_text=True)
    for key in ("actiepunten", "aanwezigheid", "regios"):
        header, *rows = tables[key]
        charted = {"actiepunten": [2, 3], "aanwezigheid": [1, 2, 3, 4], "regios": [3]}[key]
        published = [i for i in charted if any(row[1 + i] not in ("0", "<10", "–") for row in rows[:-1])]
        shown = sorted(row[1 + i] for row in rows[:-1] for i in published if row[1 + i] not in ("<10", "–"))
        drawn = _texts(_chart_of(sheet, key), "value")
        assert sorted(drawn) == shown, key  # a column of zeros only is no series at all
        assert _legend(_chart_of(sheet, key)) == ([header[1 + i] for i in published] if len(charted) > 1 else [])


def _legend(chart: ElementTree.Element) -> list[str]:
    """The entries of a drawing's legend."""
    legends = [g for g in chart.iter(f"{{{SVG}}}g") if g.get("class") == "legends"]
    return [text.strip() for g in legends for text in g.itertext() if text.strip()]


def _titles(chart: ElementTree.Element) -> tuple[str, list[str]]:
    """A drawing's `<title>` (what a screen reader gets) and its visible titles: the chart's
    title first, then the axes'."""
    svg = chart.find(f"{{{SVG}}}svg")
    group = next(g for g in svg.iter(f"{{{SVG}}}g") if g.get("class") == "titles")
    return svg.find(f"{{{SVG}}}title").text, [" ".join(t.itertext()).strip() for t in group]


def test_every_chart_names_its_indicator_its_unit_and_both_axes(stats_world, login_as):
    client = login_as(stats_world.national)
    for page in ("/statistieken/2025Q2", "/statistieken/2025Q2/RR"):
        html = client.get(page).get_data(as_text=True)
        tables = Tables(html).tables
        keys = re.findall(r'<img class="stat__chart" src="[^"]+#t-([a-z]+)"', html)
        sheet = client.get(_chart_src(html, keys[0]).partition("#")[0]).get_data(as_text=True)
        assert len(keys) >= 8
        for key in keys:
            spoken, (shown, *axes) = _titles(_chart_of(sheet, key))
            assert spoken == shown and re.search(r"\((aantal [a-z]+|% van [a-z ]+)\)$", shown), (key, shown)
            assert len(axes) == 2 and all(axes), (key, axes)
            title = re.search(rf'<figure class="stat[^"]*" id="t-{key}".*?<h3[^>]*>([^<]+)</h3>', html, re.S)[1]
            assert shown.startswith(title) or key == "regios", (key, shown)
            assert tables[key][0]  # the same figure has its table
        if page == "/statistieken/2025Q2":
            _spoken, (shown, *axes) = _titles(_chart_of(sheet, "regios"))
            assert shown == "Casussen besproken per regio (aantal casussen)"
            assert sorted(axes) == ["Regio", "aantal casussen"]


def test_the_charts_url_changes_with_the_numbers_and_an_old_one_is_sent_on(stats_world, login_as, runner):
    client = login_as(stats_world.national)
    old_src = _chart_src(client.get("/statistieken/2025Q2/RR").get_data(as_text=True), "ingebracht")
    _fill(stats_world.rr, [stats_world.politie], weeks=1, cases_per_meeting=9)  # nine more from Politie
    assert runner.invoke(args=["stats", "refresh", "--all"]).exit_code == 0
    src = _chart_src(client.get("/statistieken/2025Q2/RR").get_data(as_text=True), "ingebracht")
    assert src != old_src
    moved = client.get(old_src.partition("#")[0])
    assert moved.status_code == 302 and moved.location == src.partition("#")[0]
    assert "immutable" not in moved.headers.get("Cache-Control", "")
    assert client.get(src.partition("#")[0]).status_code == 200


def test_a_chair_fetches_only_their_own_regions_charts(stats_world, login_as):
    overview = _chart_src(login_as(stats_world.national).get("/statistieken/2025Q2").get_data(as_text=True), "regios")
    chair = login_as(stats_world.chair)
    own = _chart_src(chair.get("/statistieken/2025Q2/RR").get_data(as_text=True), "aanwezigheid")
    assert chair.get(own).status_code == 200
    assert chair.get(own.replace("/RR/", "/ZHZ/")).status_code == 404  # like an unknown region
    assert chair.get(overview).status_code == 403
    assert login_as(stats_world.vt_user).get(own).status_code == 403


def _stored() -> tuple[list, list]:
    """Every stale mark and stored cell, to see that reading wrote nothing."""
    cells = StatCell.__table__
    return (
        db.session.execute(
            db.select(StatStale.region_id, StatStale.period).order_by(StatStale.region_id, StatStale.period)
        ).all(),
        db.session.execute(db.select(cells).order_by(*cells.primary_key)).all(),
    )


def test_a_stale_period_is_read_fresh_without_writing_and_stats_refresh_stores_it(stats_world, login_as, runner):
    client = login_as(stats_world.national)
    old = Tables(client.get("/statistieken/2025Q2/RR").get_data(as_text=True)).tables
    _fill(stats_world.rr, [stats_world.politie], weeks=1, cases_per_meeting=9)  # nine more from Politie
    aggregates.mark_stale(stats_world.rr.id, dt.date(2025, 4, 1), today=dt.date(2025, 7, 1))
    db.session.commit()
    written = _stored()
    assert "2025Q2" in {period for _region, period in written[0]}

    html = client.get("/statistieken/2025Q2/RR").get_data(as_text=True)
    fresh = Tables(html).tables
    assert fresh["ingebracht"] != old["ingebracht"] and fresh["besproken"] != old["besproken"]
    assert _csv(client.get("/statistieken/2025Q2/RR/export/ingebracht.csv"))[1:] == fresh["ingebracht"][1:]
    national = Tables(client.get("/statistieken/2025Q2").get_data(as_text=True)).tables["regios"]
    assert {row[0]: row[5] for row in national[1:]}["Rotterdam-Rijnmond"] == fresh["besproken"][-1][1]
    svg = client.get(_chart_src(html, "ingebracht")).get_data(as_text=True)
    politie = {row[0]: row[1] for row in fresh["ingebracht"]}[stats_world.politie.name]
    assert politie in re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert _stored() == written  # no stale mark cleared, no cell stored

    result = runner.invoke(args=["stats", "refresh"])
    assert result.exit_code == 0 and "3 region-period(s) recomputed" in result.output
    assert _stored()[0] == []  # (the cells were already current: the change recomputed them at its commit)
    assert Tables(client.get("/statistieken/2025Q2/RR").get_data(as_text=True)).tables == fresh


def test_a_chair_sees_only_their_own_region(stats_world, login_as):
    client = login_as(stats_world.chair)
    response = client.get("/statistieken/?periode=2025Q2&regio=landelijk")
    assert response.location.endswith("/statistieken/2025Q2/RR")
    html = client.get("/statistieken/2025Q2/RR").get_data(as_text=True)
    assert "Statistieken: Rotterdam-Rijnmond" in html and 'value="landelijk"' not in html
    assert client.get("/statistieken/2025Q2/ZHZ").status_code == 404
    assert client.get("/statistieken/2025Q2/ZHZ/export.csv").status_code == 404
    forbidden = client.get("/statistieken/2025Q2")
    assert forbidden.status_code == 403 and "Geen toegang" in forbidden.get_data(as_text=True)


@pytest.mark.parametrize("who", ["vt_user", "admin"])
def test_members_and_admins_see_no_statistics(stats_world, login_as, who):
    client = login_as(getattr(stats_world, who))
    assert client.get("/statistieken/2025Q2/RR").status_code == 403
    assert client.get("/statistieken/2025Q2/export.csv").status_code == 403


def test_an_unknown_period_is_a_dutch_404(stats_world, login_as):
    response = login_as(stats_world.national).get("/statistieken/2025Q7")
    assert response.status_code == 404 and "Niet gevonden" in response.get_data(as_text=True)


def test_every_statistics_route_shows_the_national_table_no_case(app, stats_world, login_as):
    """The landelijk role reads aggregates only: no case code or action text on any output."""
    client = login_as(stats_world.national)
    codes = db.session.scalars(db.select(Case.code)).all()
    with app.test_request_context():
        urls = [
            url_for(rule.endpoint, period="2025Q2", region=region, table=table)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("stats.") and rule.arguments and rule.endpoint != "stats.charts_sheet"
            for region in ("RR", None)
            for table in ("actiepunten", "aanwezigheid", "regios")
        ]
    for page in ("/statistieken/2025Q2", "/statistieken/2025Q2/RR"):
        srcs = re.findall(r'<img class="stat__chart" src="([^"]+)"', client.get(page).get_data(as_text=True))
        urls += [src.partition("#")[0] for src in srcs]
    assert any("/grafieken/" in url for url in urls)
    for url in sorted(set(urls)):
        if "regios" in url and "/RR/" in url:
            continue  # the region × indicator table exists nationally only
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert not [code for code in codes if code in body], url
        assert "Politie plant verhoor" not in body and "Huisbezoek plannen" not in body, url


def test_the_command_line_writes_the_same_csv(stats_world, login_as, runner):
    web = login_as(stats_world.national).get("/statistieken/2025Q2/RR/export.csv").get_data()
    result = runner.invoke(args=["stats", "export", "--period", "2025Q2", "--region", "rotterdam-rijnmond"])
    assert result.exit_code == 0 and result.stdout_bytes == web
    national = runner.invoke(args=["stats", "export", "--period", "2025Q2"])
    assert "Regio's naast elkaar" in national.stdout_bytes.decode("utf-8-sig")
    assert runner.invoke(args=["stats", "export", "--period", "Q3"]).exit_code == 2


def test_pages_run_a_fixed_number_of_queries(stats_world, login_as, count_queries, make_org):
    client = login_as(stats_world.national)
    urls = ["/statistieken/2025Q2", "/statistieken/2025", "/statistieken/2025Q2/RR"]
    for url in urls:
        client.get(url)  # computes what is stale
    before = []
    for url in urls:
        with count_queries() as statements:
            client.get(url)
        before.append(len(statements))
    guest = make_org("Gast", kind=OrganisationKind.guest)
    extra = Region(name="Twente", code="TW", organisations=[guest, stats_world.vt])
    db.session.add(extra)
    db.session.flush()
    _fill(extra, [guest, stats_world.vt], weeks=12, cases_per_meeting=6)
    _fill(stats_world.rr, [stats_world.vt, stats_world.politie], weeks=1, cases_per_meeting=9)
    aggregates.refresh_all()
    db.session.commit()
    after = []
    for url in urls:
        with count_queries() as statements:
            client.get(url)
        after.append(len(statements))
    assert before == after


def test_the_national_start_page_shows_the_latest_quarter(world, login_as):
    quarter = last_complete_quarter(local_today())
    for week in range(11):
        meeting = held(world.rr, quarter.start + dt.timedelta(days=2 + 7 * week), chair=world.vt)
        discuss(meeting, new_case(world.rr, world.vt, quarter.start))
    aggregates.mark_all_stale()  # as closing each meeting would have done
    db.session.commit()
    html = login_as(world.national).get("/").get_data(as_text=True)
    assert f"Landelijk overzicht: {quarter.label}" in html
    assert "<dt>Overleggen</dt><dd>10</dd>" in html and "<dt>Casussen besproken</dt><dd>10</dd>" in html
    assert "Geen gehouden overleg in dit kwartaal: Zuid-Holland-Zuid." in html
    assert f'href="/statistieken/{quarter.key}"' in html
