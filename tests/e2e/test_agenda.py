"""The agenda in real Chromium, as the chair of Zuid-Holland-Zuid (the cycle walks Rotterdam's):
why an automatic item is there, a drag and drop to another place, the keyboard's way (a place
typed in, with the focus staying on it), planned minutes against the duration, and the print view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def items(page: Page):
    return page.get_by_role("region", name=re.compile(r"casus\(sen\) op de agenda")).get_by_role("listitem")


def codes(page: Page) -> list[str]:
    return page.locator("#agenda .agenda__item .code").all_inner_texts()


def test_chair_orders_times_and_prints_the_agenda(ui):
    page = ui.sign_in("voorzitter", "voorzitter.zhz@demo.test")
    page.add_init_script("window.print = function () { window.__printed = true; };")
    page.get_by_role("region", name="Volgend overleg Zuid-Holland-Zuid").get_by_role(
        "link", name="Agenda bekijken"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda Actie-overleg Zuid-Holland-Zuid")
    automatic = items(page).filter(has_text="Automatisch").first
    expect(automatic).to_contain_text(
        re.compile(r"Waarom: (actiepunt \S+ (verlopen op|niet uitgevoerd \(gemeld) |terug op de agenda per )\d\d-\d\d")
    )
    ui.axe(page, "agenda (voorzitter)")
    status = page.get_by_role("status")

    # Drag and drop: the third item by "Slepen" onto the top half of the first.
    before = codes(page)
    assert len(before) >= 3, before
    items(page).nth(2).get_by_text("Slepen", exact=True).drag_to(items(page).first, target_position={"x": 30, "y": 4})
    expect(status).to_contain_text(f"{before[2]} staat nu op plaats 1.")
    dragged = [before[2], *before[:2], *before[3:]]
    assert codes(page) == dragged

    # The keyboard's way: a place typed in, Enter; the focus stays on the field, now further down.
    first = items(page).first
    field_id = "plaats-" + first.get_attribute("id").removeprefix("item-")
    place = page.locator(f"#{field_id}")
    place.fill("3")
    place.press("Enter")
    expect(status).to_contain_text(f"{dragged[0]} staat nu op plaats 3.")
    assert codes(page) == [dragged[1], dragged[2], dragged[0], *dragged[3:]]
    expect(page.locator(f"#{field_id}")).to_be_focused()
    expect(page.locator(f"#{field_id}")).to_have_value("3")

    # Planned minutes, and the total against the meeting's duration.
    duration = int(re.search(r"van (\d+) minuten", page.locator("#agenda-tijd").inner_text()).group(1))
    for item, minutes in ((items(page).nth(0), 50), (items(page).nth(1), duration - 40)):
        box = item.get_by_label(re.compile("^Minuten"))
        box.fill(str(minutes))
        box.press("Enter")
        expect(status).to_contain_text(f"{minutes} minuten gepland")
    expect(page.locator("#agenda-tijd")).to_contain_text(f"{duration + 10} van {duration} minuten")
    expect(page.locator("#agenda-tijd")).to_contain_text("10 minuten meer dan het overleg duurt")
    ui.axe(page, "agenda (na ordenen)")

    # The print view: the same order, the times, the print dialog opened by itself.
    order = codes(page)
    page.get_by_role("link", name="Agenda afdrukken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda Actie-overleg Zuid-Holland-Zuid")
    expect(page.locator("table .code")).to_have_text(order)
    expect(page.locator("#agenda-tijd")).to_contain_text("10 minuten meer dan het overleg duurt")
    page.wait_for_function("window.__printed === true")
    ui.axe(page, "agenda afdrukken")
    ui.finish()
