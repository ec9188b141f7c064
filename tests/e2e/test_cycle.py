"""The weekly cycle in real Chromium, as three people, with axe-core on every page.

1. A Veilig Thuis member brings a case in (after one rejected file reference) and gets its code.
2. The chair finds the code on the next meeting's agenda, holds the meeting (steps 1-3 for the
   new case with one rejected and one accepted action point, attendance, steps 1 and 3 for every
   other item), closes it and reads the record.
3. A Politie member ticks the new action point off in "Onze actiepunten"; the row changes in place.

The three tests share one live server and run in file order: each hands the next what it made.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from actieoverleg.clock import local_today

pytestmark = pytest.mark.browser

CODE = re.compile(r"\bRR-[A-Z0-9]{4}\b")
FILE_REFERENCE = "VT-2026-0042"
BAD_FILE_REFERENCE = "VT-2026-0042 zie a.b@voorbeeld.nl"  # an e-mail address: refused
ACTION_TEXT = "Politie plant verhoor vóór 12-03"
BAD_ACTION_TEXT = "Bel 06-12345678"  # a phone number: refused
CLOSE_CONFIRM = "Het overleg afsluiten?"
# (organisation, attendance, mandate, form): mandate and form only for those present.
ATTENDANCE = [
    ("VT", "Aanwezig", "Ja", "Fysiek"),
    ("Politie", "Aanwezig", "Ja", "Fysiek"),
    ("OM", "Aanwezig", "Ja", "Online"),
    ("RvdK", "Aanwezig", "Nee", "Online"),
    ("RN", "Afwezig met bericht", None, None),
    ("LJ&R", "Aanwezig", "Ja", "Fysiek"),
    ("SVG", "Informatie aangeleverd", None, None),
    ("ZVH", "Aanwezig", "Ja", "Fysiek"),
]


def nl(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


@pytest.fixture(scope="module")
def story() -> SimpleNamespace:
    """What one step of the cycle hands to the next."""
    return SimpleNamespace(case_code=None, meeting_when=None, action_added=False)


def needs(value, what: str):
    if not value:
        pytest.fail(f"{what} is missing: run the whole module, the tests follow one another.", pytrace=False)
    return value


def live_region(page: Page):
    """The page's aria-live region (#meldingen): confirmations and refusals land here. By id:
    the case panel has a status line of its own (#item-melding), shown when it holds a message."""
    return page.locator("#meldingen")


def test_member_brings_in_a_case(ui, story):
    page = ui.sign_in("vt", "vt.rr@demo.test")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Casus aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casus aanmelden")
    ui.axe(page, "casus aanmelden")

    form = page.get_by_role("region", name="Nieuwe casus")
    meeting = form.get_by_label("Voor het overleg van")
    soonest = meeting.locator("option").first  # the region's next meeting comes first
    meeting_value, meeting_label = soonest.get_attribute("value"), soonest.inner_text()
    story.meeting_when = meeting_label.split(" — ")[-1]  # "dd-mm-jjjj HH:MM"
    meeting.select_option(meeting_value)
    form.get_by_label("Soort casus").select_option(label="Huiselijk geweld")
    form.get_by_label("Kinderen betrokken").select_option(label="Ja")
    form.get_by_label("Reden van aanmelden").select_option(label="Dreigende escalatie")
    partners = form.get_by_role("group", name="Partners nodig aan tafel")
    expect(partners.get_by_label("Veilig Thuis")).to_be_checked()  # the own organisation is preselected
    partners.get_by_label("Politie", exact=True).check()
    partners.get_by_label("Openbaar Ministerie").check()
    form.get_by_label("Eigen dossiernummer (optioneel)").fill(BAD_FILE_REFERENCE)
    form.get_by_role("button", name="Casus aanmelden").click()

    # Refused: the Dutch message next to the field and summarised on top; every choice kept.
    file_reference = form.get_by_label("Eigen dossiernummer (optioneel)")
    expect(form.get_by_role("alert")).to_contain_text("Er is één probleem")
    expect(form.get_by_role("alert").get_by_role("link")).to_contain_text(
        "Eigen dossiernummer (optioneel): Verwijder het e-mailadres"
    )
    expect(file_reference).to_have_attribute("aria-invalid", "true")
    expect(file_reference).to_have_accessible_description(re.compile("Verwijder het e-mailadres"))
    expect(form.locator("#file_reference-error")).to_have_text(
        "Fout: Verwijder het e-mailadres: een dossiernummer mag geen persoonsgegevens bevatten."
    )
    expect(file_reference).to_have_value(BAD_FILE_REFERENCE)
    expect(meeting).to_have_value(meeting_value)
    expect(form.get_by_label("Soort casus")).to_have_value("hg")
    expect(form.get_by_label("Kinderen betrokken")).to_have_value("ja")
    expect(form.get_by_label("Reden van aanmelden")).to_have_value("escalatie")
    for partner in ("Veilig Thuis", "Politie", "Openbaar Ministerie"):
        expect(partners.get_by_label(partner, exact=True)).to_be_checked()
    expect(partners.get_by_label("Raad voor de Kinderbescherming")).not_to_be_checked()
    ui.axe(page, "casus aanmelden (met fout)")

    file_reference.fill(FILE_REFERENCE)
    form.get_by_role("button", name="Casus aanmelden").click()

    expect(page).to_have_url(re.compile(r"/casussen/RR-[A-Z0-9]{4}$"))
    expect(live_region(page)).to_contain_text(
        re.compile(rf"Casus RR-[A-Z0-9]{{4}} is aangemeld voor het overleg van {re.escape(story.meeting_when)}")
    )
    code = CODE.search(live_region(page).inner_text()).group()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Casus {code}")
    expect(page.get_by_role("definition").filter(has_text=FILE_REFERENCE)).to_be_visible()  # own org sees it
    ui.axe(page, "casus")
    story.case_code = code
    ui.finish()


def test_chair_holds_the_meeting(ui, story, live_server):
    code = needs(story.case_code, "The case code from test_member_brings_in_a_case")
    page = ui.sign_in("voorzitter", "voorzitter.rr@demo.test")
    coming = page.get_by_role("region", name="Volgend overleg Rotterdam-Rijnmond")
    expect(coming).to_contain_text(story.meeting_when.split()[0])
    coming.get_by_role("link", name="Agenda bekijken").click()

    # The agenda: the new case is on it, with its needed partners.
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda Actie-overleg Rotterdam-Rijnmond")
    expect(page.locator(".lead")).to_contain_text(story.meeting_when.split()[0])
    item = (
        page.get_by_role("region", name=re.compile(r"casus\(sen\) op de agenda"))
        .get_by_role("listitem")
        .filter(has_text=code)
    )
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Nieuw")
    expect(item).to_contain_text("Huiselijk geweld")
    for chip in ("VT: nee", "Politie: nee", "OM: nee"):
        expect(item).to_contain_text(chip)
    ui.axe(page, "agenda")

    # Agenda versturen: the .eml files are there within seconds, with no extra command.
    mail_dir = Path(live_server.app.config["MAIL_DIR"])
    before = set(mail_dir.glob("*-agenda.eml"))
    page.get_by_role("button", name=re.compile("agenda versturen", re.I)).click()
    expect(live_region(page)).to_contain_text("agenda is verstuurd naar")
    deadline = time.monotonic() + 5
    while len(set(mail_dir.glob("*-agenda.eml")) - before) < 9 and time.monotonic() < deadline:
        time.sleep(0.1)
    new = set(mail_dir.glob("*-agenda.eml")) - before
    assert len(new) == 9, f"expected one per member (8 organisations + the chair), found {len(new)}"
    assert all(code in path.read_text() for path in new)  # the new case is on it (a code, nothing else)

    page.get_by_role("link", name="Overleg starten").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actie-overleg Rotterdam-Rijnmond")
    agenda = page.get_by_role("navigation", name="Agenda van dit overleg")
    ui.axe(page, "overlegscherm")

    # The new case, chosen in the agenda on the left.
    link = agenda.get_by_role("link", name=code)
    link.click()
    expect(page).to_have_url(re.compile(r"[?&]item=\d+"))
    expect(page.get_by_role("heading", level=2, name=f"Casus {code}")).to_be_visible()
    expect(link).to_have_attribute("aria-current", "step")
    screen_url = page.url
    page.evaluate("window.__e2eMarker = 'geen nieuwe pagina'")
    live = live_region(page)

    # Step 1: who shared, and the joint assessment; htmx swaps the panel and announces it.
    step1 = page.locator("#step1")
    for short in ("VT", "Politie", "OM"):
        step1.get_by_label(short, exact=True).check()
    step1.get_by_label("Gezamenlijke duiding").select_option(label="Structureel onveilig")
    expect(step1.get_by_role("button", name="Stap 1 opslaan")).to_be_hidden()  # it saves as it changes
    expect(step1.locator(".autosave__saved")).to_have_text("Opgeslagen")
    expect(live).to_contain_text("Stap 1 opgeslagen.")
    expect(step1.get_by_label("Politie", exact=True)).to_be_checked()
    expect(step1.get_by_label("Gezamenlijke duiding")).to_have_value("structureel")

    # Step 2: a phone number is refused (text kept), then the real action point is added.
    due = local_today() + dt.timedelta(days=10)
    step2 = page.locator("#step2")
    step2.get_by_label("Eigenaar").select_option(label="Politie")
    step2.get_by_role("combobox", name=re.compile(r"^Soort\b")).select_option(label="Directe veiligheid")
    step2.get_by_label("Termijn").fill(due.isoformat())
    step2.get_by_label("Afspraak").fill(BAD_ACTION_TEXT)
    step2.get_by_role("button", name="Actiepunt toevoegen").click()
    expect(step2.locator("#text-error")).to_have_text(
        "Fout: Verwijder het telefoonnummer: een actiepunt mag geen persoonsgegevens bevatten."
    )
    expect(step2.get_by_role("alert")).to_contain_text("Er is één probleem")
    expect(step2.get_by_label("Afspraak")).to_have_value(BAD_ACTION_TEXT)
    expect(step2.get_by_label("Afspraak")).to_have_accessible_description(re.compile("Verwijder het telefoonnummer"))
    expect(step2.get_by_label("Eigenaar").locator("option:checked")).to_have_text("Politie")
    expect(step2.get_by_label("Termijn")).to_have_value(due.isoformat())
    expect(step2).to_contain_text("Nog geen afspraken voor deze casus.")
    ui.axe(page, "overlegscherm (stap 2 met fout)")

    step2.get_by_label("Afspraak").fill(ACTION_TEXT)
    step2.get_by_role("button", name="Actiepunt toevoegen").click()
    expect(live).to_contain_text("Actiepunt voor Politie toegevoegd.")
    row = step2.get_by_role("row").filter(has_text=ACTION_TEXT)
    expect(row).to_have_count(1)
    for cell in ("Politie", "Directe veiligheid", nl(due)):
        expect(row).to_contain_text(cell)
    expect(step2.get_by_label("Afspraak")).to_have_value("")
    story.action_added = True

    # Step 3: the hand-over.
    back_on = local_today() + dt.timedelta(days=28)
    step3 = page.locator("#step3")
    step3.get_by_label("Overdracht").select_option(label="Terug op de agenda op datum")
    step3.get_by_label("Terug op de agenda op").fill(back_on.isoformat())
    expect(live).to_contain_text("Stap 3 opgeslagen.")
    expect(step3.get_by_label("Overdracht")).to_have_value("terug")

    # Attendance, one organisation at a time: every field saves as it changes (no "Opslaan").
    attendance = page.locator("#aanwezigheid")
    expect(attendance.get_by_role("button", name="Opslaan VT", exact=True)).to_be_hidden()
    for org, status, mandate, form in ATTENDANCE:
        attendance.get_by_label(f"Aanwezigheid {org}", exact=True).select_option(label=status)
        if mandate:
            attendance.get_by_label(f"Mandaat {org}", exact=True).select_option(label=mandate)
            attendance.get_by_label(f"Vorm {org}", exact=True).select_option(label=form)
        row = attendance.get_by_role("row").filter(has=page.get_by_role("rowheader", name=org, exact=True))
        expect(row.locator(".autosave__saved")).to_have_text("Opgeslagen")  # rows save side by side
    expect(attendance).to_contain_text(f"{len(ATTENDANCE)} van {len(ATTENDANCE)} organisaties vastgelegd")
    page.wait_for_load_state("networkidle")  # the last row's queued saves too

    # All of that without a page load.
    assert page.evaluate("window.__e2eMarker") == "geen nieuwe pagina"
    assert page.url == screen_url
    page.goto(screen_url)  # a fresh load, at the top (a reload would restore the scroll position)
    expect(link).to_contain_text("3/3 stappen")
    for short in ("VT", "Politie", "OM"):  # every quick click was saved, none lost to a swap
        expect(page.locator("#step1").get_by_label(short, exact=True)).to_be_checked()
    expect(page.locator("#step1").get_by_label("Gezamenlijke duiding")).to_have_value("structureel")
    expect(page.locator("#step3").get_by_label("Terug op de agenda op")).to_have_value(back_on.isoformat())
    ui.shot(page, "overlegscherm")

    # Closing now is refused, with the list of what is missing (the other items).
    page.get_by_role("button", name="Overleg afsluiten").click()
    expect(live).to_contain_text(re.compile(r"RR-[A-Z0-9]{4}: stap 1, de duiding, ontbreekt\."))
    expect(live).to_contain_text(re.compile(r"RR-[A-Z0-9]{4}: stap 3, de overdracht, ontbreekt\."))
    expect(live).not_to_contain_text(f"{code}: stap")
    expect(live).not_to_contain_text("aanwezigheid")
    expect(live).to_contain_text("Dit overleg begint pas op")  # the demo's next meeting lies ahead
    expect(live.get_by_role("link", name=re.compile(r"stap 1, de duiding, ontbreekt")).first).to_be_visible()

    # Every other item: step 1 and step 3, so the meeting can close.
    others = [c for c in agenda.locator(".code").all_inner_texts() if c != code]
    assert others, "the demo's next meeting has other items on its agenda"
    # Straight on to the next case after the last choice: leaving waits for the save, nothing is lost
    # (closing below is refused if any of these did not arrive).
    for other in others:
        agenda.get_by_role("link", name=other).click()
        expect(page.get_by_role("heading", level=2, name=f"Casus {other}")).to_be_visible()
        page.locator("#step1").get_by_label("Gezamenlijke duiding").select_option(label="Zorgelijk, niet onveilig")
        page.locator("#step3").get_by_label("Overdracht").select_option(label="Reguliere aanpak bij partner")

    page.get_by_label(re.compile(r"^Het overleg is al gehouden")).check()
    page.get_by_role("button", name="Overleg afsluiten").click()

    # The record.
    expect(page.get_by_role("heading", level=1)).to_have_text("Verslag Actie-overleg Rotterdam-Rijnmond")
    expect(page).to_have_url(re.compile(r"/overleggen/\d+$"))
    expect(live).to_contain_text("Overleg afgesloten. Het verslag is vastgelegd.")
    expect(page.get_by_role("definition").filter(has_text="Afgesloten op")).to_be_visible()
    record = page.get_by_role("article").filter(has_text=code)
    expect(record).to_contain_text("Gedeeld door: VT, Politie, OM. Duiding: Structureel onveilig.")
    point = record.get_by_role("row").filter(has_text=ACTION_TEXT)
    for cell in ("Politie", "Directe veiligheid", nl(due), "Open"):
        expect(point).to_contain_text(cell)
    expect(record).to_contain_text(f"Terug op de agenda op datum: {nl(back_on)}.")
    present = (
        page.get_by_role("region", name="Aanwezigheid")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="Politie", exact=True))
    )
    expect(present).to_contain_text("Aanwezig")
    expect(page.get_by_role("article")).to_have_count(len(others) + 1)
    ui.axe(page, "verslag")

    # Both clicks on "Overleg afsluiten" (refused, then accepted) ask for confirmation first.
    confirms = [d for d in ui.dialogs if CLOSE_CONFIRM in d]
    if len(confirms) != 2:
        ui.note(
            "dialog",
            "overlegscherm",
            f"expected 2 confirm dialogs '{CLOSE_CONFIRM} …' before "
            f"'Overleg afsluiten', got {len(confirms)} (all dialogs: {ui.dialogs})",
        )
    ui.finish()


def test_police_member_ticks_off_the_point(ui, story):
    code = needs(story.case_code, "The case code from test_member_brings_in_a_case")
    needs(story.action_added, "The action point from test_chair_holds_the_meeting")
    page = ui.sign_in("politie", "politie.rr@demo.test")
    name = page.get_by_role("heading", level=1).inner_text().removeprefix("Goedendag, ").strip()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Onze actiepunten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actiepunten Politie")

    row = page.get_by_role("row").filter(has_text=ACTION_TEXT).filter(has_text=code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Open")
    expect(row).not_to_contain_text(name)
    page.evaluate("window.__e2eMarker = 'geen nieuwe pagina'")
    list_url = page.url

    row.get_by_role("button", name="Afvinken: afgerond").click()

    expect(row).to_contain_text("Afgerond")
    expect(row).to_contain_text(name)
    expect(row.get_by_role("button", name=re.compile("^Afvinken"))).to_have_count(0)
    expect(row.get_by_role("button", name=re.compile("^Heropenen"))).to_be_visible()
    expect(live_region(page)).to_contain_text("Actiepunt afgevinkt: afgerond.")
    assert page.evaluate("window.__e2eMarker") == "geen nieuwe pagina", "the row must change without a page load"
    assert page.url == list_url
    ui.axe(page, "onze actiepunten (na afvinken)")
    ui.shot(page, "onze-actiepunten")
    ui.finish()
