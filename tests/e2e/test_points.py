"""Step 2 at the table and attendance in fewer actions, in real Chromium, as the chair of
Zuid-Holland-Zuid (the cycle closes Rotterdam's meeting): an earlier point gets a new due date
(after one refused) and a result, a new point is corrected in its row, removed and brought back
with "Ongedaan maken", and "Allen aanwezig" fills in the attendance. After every htmx swap the
focus is on the result of the control that was used, never back at the top of the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NEW_TEXT = "OM beslist over vervolging vóór 12-03"
EDITED_TEXT = "OM beslist over vervolging in week 12"


def active(page: Page, script: str = "el => el.id"):
    """Something about document.activeElement (its id, unless told otherwise)."""
    return page.evaluate(f"({script})(document.activeElement)")


def focus_ends_with(page: Page, suffix: str) -> bool:
    """Whether the focused element's id ends with `suffix`, waiting for htmx to settle (it
    applies autofocus a moment after the swap)."""
    page.wait_for_function("s => (document.activeElement.id || '').endsWith(s)", arg=suffix, timeout=5000)
    return True


def row_focused(page: Page, row_id: str) -> bool:
    """Whether the focus is in (or on) that row, waiting for htmx to settle."""
    page.wait_for_function("id => (document.activeElement.closest('tr') || {}).id === id", arg=row_id, timeout=5000)
    return True


def meeting_day(page: Page) -> dt.date:
    when = page.get_by_role("heading", level=1).locator(".muted").inner_text()  # "dd-mm-jjjj HH:MM"
    return dt.datetime.strptime(when.split()[0], "%d-%m-%Y").date()


def open_item_with_earlier_points(page: Page) -> str:
    """Walk the agenda until a case shows open points of earlier meetings; its code."""
    agenda = page.get_by_role("navigation", name="Agenda van dit overleg")
    for code in agenda.locator(".code").all_inner_texts():
        agenda.get_by_role("link", name=code).click()
        expect(page.get_by_role("heading", level=2, name=f"Casus {code}")).to_be_visible()
        earlier = page.locator("#step2").get_by_role("table", name=re.compile("uit eerdere besprekingen"))
        if earlier.count() and earlier.get_by_role("link", name=re.compile("^Termijn of eigenaar wijzigen")).count():
            return code
    pytest.fail("no case on the demo's next Zuid-Holland-Zuid agenda has an open earlier point", pytrace=False)


def test_chair_settles_points_at_the_table_and_fills_in_attendance(ui):
    page = ui.sign_in("voorzitter", "voorzitter.zhz@demo.test")
    page.get_by_role("region", name="Volgend overleg Zuid-Holland-Zuid").get_by_role(
        "link", name="Overleg starten"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actie-overleg Zuid-Holland-Zuid")
    open_item_with_earlier_points(page)
    day = meeting_day(page)
    page.evaluate("window.__e2eMarker = 'geen nieuwe pagina'")
    live = page.get_by_role("status")
    step2 = page.locator("#step2")
    earlier = step2.get_by_role("table", name=re.compile("uit eerdere besprekingen"))
    ui.axe(page, "overlegscherm (eerdere actiepunten)")

    # An earlier point: a new due date, first one before the meeting (refused, kept, focused).
    row = (
        earlier.locator("tr.point").filter(has=page.get_by_role("link", name=re.compile("^Termijn of eigenaar"))).first
    )
    row_id = row.get_attribute("id")
    row.get_by_role("link", name=re.compile("^Termijn of eigenaar wijzigen")).click()
    edit = page.locator(f"#{row_id}")
    expect(edit.get_by_role("button", name="Afspraak opslaan")).to_be_visible()
    assert focus_ends_with(page, "-organisation_id"), "the form opens with the focus on its first field"
    ui.axe(page, "overlegscherm (termijn wijzigen)")
    too_early = day - dt.timedelta(days=1)
    edit.get_by_label("Termijn").fill(too_early.isoformat())
    edit.get_by_role("button", name="Afspraak opslaan").click()
    expect(edit.locator(".field__error")).to_contain_text("De termijn ligt vóór dit overleg.")
    expect(edit.get_by_label("Termijn")).to_have_value(too_early.isoformat())
    assert focus_ends_with(page, "-due_date"), "the refused field holds the focus"
    later = day + dt.timedelta(days=21)
    edit.get_by_label("Termijn").fill(later.isoformat())
    edit.get_by_role("button", name="Afspraak opslaan").click()
    expect(live).to_contain_text(f"termijn {later:%d-%m-%Y}")
    expect(page.locator(f"#{row_id}")).to_contain_text(later.strftime("%d-%m-%Y"))
    assert row_focused(page, row_id), "after saving, the changed row holds the focus"

    # Its result, in one click: the row says so and keeps the focus.
    page.locator(f"#{row_id}").get_by_role("button", name=re.compile("^Niet uitgevoerd")).click()
    expect(live).to_contain_text("Resultaat vastgelegd: niet uitgevoerd.")
    expect(page.locator(f"#{row_id}")).to_contain_text("Niet uitgevoerd")
    expect(page.locator(f"#{row_id}").get_by_role("button", name=re.compile("^Heropenen"))).to_be_visible()
    assert row_focused(page, row_id)

    # A new point of this meeting, corrected in its row.
    add = step2.locator("form.action-form")
    add.get_by_label("Eigenaar").select_option(label="Openbaar Ministerie")
    add.get_by_role("combobox", name=re.compile(r"^Soort\b")).select_option(label="Onderzoek")
    add.get_by_label("Termijn").fill((day + dt.timedelta(days=7)).isoformat())
    add.get_by_label("Afspraak").fill(NEW_TEXT)
    add.get_by_role("button", name="Actiepunt toevoegen").click()
    expect(live).to_contain_text("Actiepunt voor OM toegevoegd.")
    mine = step2.get_by_role("table", name=re.compile("in dit overleg")).locator("tr.point").filter(has_text=NEW_TEXT)
    expect(mine).to_have_count(1)
    point_id = mine.get_attribute("id")
    mine.get_by_role("link", name=re.compile("^Wijzigen")).click()
    form = page.locator(f"#{point_id}")
    expect(form.get_by_role("button", name="Wijziging opslaan")).to_be_visible()
    assert focus_ends_with(page, "-organisation_id")
    form.get_by_label("Afspraak").fill(EDITED_TEXT)
    form.get_by_role("button", name="Wijziging opslaan").click()
    expect(live).to_contain_text("Actiepunt gewijzigd.")
    expect(page.locator(f"#{point_id}")).to_contain_text(EDITED_TEXT)
    assert row_focused(page, point_id)

    # Removing asks nothing; "Ongedaan maken" takes its place and the focus, and brings it back.
    page.locator(f"#{point_id}").get_by_role("button", name=re.compile("^Verwijderen")).click()
    expect(live).to_contain_text("Actiepunt verwijderd.")
    undo = page.locator(f"#{point_id}").get_by_role("button", name="Ongedaan maken")
    expect(undo).to_be_focused()
    expect(step2).not_to_contain_text(EDITED_TEXT)
    ui.axe(page, "overlegscherm (actiepunt verwijderd)")
    undo.click()
    expect(live).to_contain_text("Actiepunt teruggezet.")
    back = step2.locator("tr.point").filter(has_text=EDITED_TEXT)
    expect(back).to_have_count(1)
    expect(back).to_contain_text("Onderzoek")
    assert row_focused(page, back.get_attribute("id"))

    # Attendance: one row saves as it changes, "Allen aanwezig" fills in the rest in one click.
    attendance = page.locator("#aanwezigheid")
    if not attendance.evaluate("details => details.open"):
        attendance.locator("summary").click()
    expect(attendance.get_by_text("Aanwezigheid", exact=True).first).to_be_visible()  # labels are visible
    rn = attendance.get_by_label("Aanwezigheid RN", exact=True)
    rn.focus()
    rn.select_option(label="Afwezig met bericht")
    expect(live).to_contain_text("Aanwezigheid RN opgeslagen.")
    expect(rn).to_be_focused()  # saved in the background: nothing is swapped under the user
    attendance.get_by_role("button", name="Allen aanwezig").click()
    expect(live).to_contain_text("vastgelegd als aanwezig, met mandaat.")
    total = re.search(r"van (\d+) organisaties", attendance.locator("summary").inner_text()).group(1)
    expect(attendance.locator("summary")).to_contain_text(f"{total} van {total} organisaties vastgelegd")
    expect(attendance.get_by_label("Aanwezigheid RN", exact=True)).to_have_value("afgemeld")  # kept
    expect(attendance.get_by_label("Aanwezigheid VT", exact=True)).to_have_value("aanwezig")
    expect(attendance.get_by_label("Vorm VT", exact=True)).to_have_value("online")  # the meeting is online
    page.wait_for_function("() => document.activeElement.tagName === 'SUMMARY'", timeout=5000)  # the panel's new state
    ui.axe(page, "overlegscherm (aanwezigheid)")

    assert page.evaluate("window.__e2eMarker") == "geen nieuwe pagina", "all of it without a page load"
    ui.shot(page, "overlegscherm-actiepunten")
    ui.finish()
