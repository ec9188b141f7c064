"""The statistics in real Chromium: the national table picks a region and a year, sees the
charts, downloads a table as CSV and prints; a chair lands on their own region."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_national_table_reads_exports_and_prints(ui):
    page = ui.sign_in("landelijk", "landelijk@demo.test")
    page.add_init_script("window.print = function () { window.__printed = true; };")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistieken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistieken: Landelijk")
    expect(page.get_by_role("heading", name="Regio's naast elkaar")).to_be_visible()
    ui.axe(page, "statistieken landelijk")

    year = page.get_by_label("Periode", exact=True).locator("option").filter(has_text="jaar").first.inner_text()
    page.get_by_label("Periode", exact=True).select_option(label=year)
    page.get_by_label("Regio of landelijk", exact=True).select_option(label="Rotterdam-Rijnmond")
    sheets: list[str] = []
    page.on("request", lambda request: sheets.append(request.url) if "/grafieken/" in request.url else None)
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistieken: Rotterdam-Rijnmond")
    expect(page.locator(".lead")).to_contain_text(year.capitalize())
    for heading in ("Frequentie", "Aanwezige partners", "Mandaat", "Informatiedeling en vastleggen"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    charts = page.locator("img.stat__chart")
    assert charts.count() >= 8
    charts.last.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(
        "[...document.querySelectorAll('img.stat__chart')].every(img => img.complete && img.naturalWidth > 0)"
    ), "every chart must load"
    assert len(sheets) == 1, f"all charts come in one request, not {sheets}"
    shapes = page.evaluate(
        """[...document.querySelectorAll('img.stat__chart')].map(img => {
            const box = img.getBoundingClientRect();
            const drawn = img.getAttribute('height') / img.getAttribute('width');
            return [img.src.split('#')[1], box.height / box.width, drawn];
        })"""
    )
    for view, shown, drawn in shapes:  # each image shows its own view of the sheet, not the whole sheet
        assert abs(shown - drawn) < 0.02, (view, shown, drawn)
    ui.axe(page, "statistieken regio")

    figure = page.locator("#t-actiepunten")
    shown = [[cell.strip() for cell in row.locator("th, td").all_inner_texts()] for row in figure.locator("tr").all()]
    with page.expect_download() as download:
        figure.get_by_role("link", name="‘Actiepunten per partner’ als CSV").click()
    raw = download.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and download.value.suggested_filename.startswith("actieoverleg-rr-")
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")) == shown

    page.get_by_role("link", name="Afdrukken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actie-overleg Rotterdam-Rijnmond:")
    page.wait_for_function("window.__printed === true")  # the print dialog opened by itself
    ui.shot(page, "statistieken-regio-afdrukken")
    ui.finish()


def test_chair_sees_their_own_region(ui):
    page = ui.sign_in("voorzitter", "voorzitter.rr@demo.test")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistieken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistieken: Rotterdam-Rijnmond")
    expect(page.get_by_label("Regio", exact=True).locator("option")).to_have_text(["Rotterdam-Rijnmond"])
    ui.axe(page, "statistieken voorzitter")
    ui.shot(page, "statistieken-voorzitter")
    ui.finish()


# What a table may need beyond its container (nothing), measured in Chromium.
OVERFLOW = """() => [...document.querySelectorAll('figure.stat')].map(figure => {
    const scroll = figure.querySelector('.stat__scroll');
    return [figure.id, figure.classList.contains('stat--wide'), scroll.scrollWidth - scroll.clientWidth];
}).concat([['page', false, document.documentElement.scrollWidth - document.documentElement.clientWidth]])"""
A4_PORTRAIT, A4_LANDSCAPE = 718, 1047  # printable width in CSS pixels with 1 cm margins


def test_no_statistics_table_overflows_at_1366_or_on_paper(ui):
    page = ui.sign_in("landelijk", "landelijk@demo.test")
    page.add_init_script("window.print = function () {};")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistieken").click()
    expect(page.get_by_role("heading", name="Regio's naast elkaar")).to_be_visible()
    national = page.url
    for url in (national, national + "/RR"):
        page.goto(url)
        measured = page.evaluate(OVERFLOW)
        assert len(measured) >= 16 and [m for m in measured if m[2] > 0] == [], url
        assert page.locator(".stat__hint").first.is_hidden()  # no need to scroll: no hint
    page.goto(national + "/afdrukken")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PORTRAIT, "height": 1000})
    portrait = [m for m in page.evaluate(OVERFLOW) if m[0] != "page" and not m[1]]
    assert len(portrait) >= 15 and [m for m in portrait if m[2] > 0] == []
    page.set_viewport_size({"width": A4_LANDSCAPE, "height": 1000})  # wide tables print landscape
    assert [m for m in page.evaluate(OVERFLOW) if m[2] > 0] == []
    ui.finish()


def test_chart_legends_are_never_cut_off(ui):
    page = ui.sign_in("landelijk", "landelijk@demo.test")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistieken").click()
    year = page.get_by_label("Periode", exact=True).locator("option").filter(has_text="jaar").first.inner_text()
    page.get_by_label("Periode", exact=True).select_option(label=year)
    page.get_by_role("button", name="Tonen").click()
    sheet = page.locator("img.stat__chart").first.get_attribute("src").partition("#")[0]
    page.goto(sheet)
    entries = page.evaluate(
        """[...document.querySelectorAll('.legends text')].map(text => {
            // in the units of the chart's own <svg>, which clips what lies beyond its width
            const m = text.getCTM(), x = text.x.baseVal[0].value, right = x + text.getComputedTextLength();
            const width = text.closest('svg').width.baseVal.value;
            return [text.textContent, m.e + m.a * x >= 0 && m.e + m.a * right <= width];
        })"""
    )
    assert "Niet mogelijk (omstandigheden gewijzigd)" in [text for text, _inside in entries]
    assert [text for text, inside in entries if not inside] == []
    ui.finish()
