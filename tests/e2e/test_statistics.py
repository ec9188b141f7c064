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
