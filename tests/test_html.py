"""Every page, for every role, is valid HTML: html5lib parses it without a single error, no
`id` occurs twice, and every reference to an id (`for`, `aria-labelledby`,
`aria-describedby`, `aria-controls`, a same-page `href="#…"` and an htmx `hx-target="#…"`)
points to an element that is there. The world is the demo (`demo.load_demo`): closed meetings
with steps and points, a coming agenda, every role, every kind of mail in the outbox.
Forms are also checked as they come back rejected (422), with their messages and
`aria-describedby` links.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from types import SimpleNamespace
from typing import Iterator

import html5lib
import pytest
from sqlalchemy import select

from actieoverleg import auth_links, create_app, lifecycle, planning
from actieoverleg.clock import local_today
from actieoverleg.demo import load_demo
from actieoverleg.extensions import db
from actieoverleg.models import ActionPoint, Case, Meeting, MeetingSeries, Organisation, OutboxMessage, Region, User
from actieoverleg.periods import last_complete_quarter
from actieoverleg.permissions import can_view_case
from actieoverleg.vocab import MeetingStatus, ReopenReason, TokenPurpose

from .conftest import Auth, IsolatedClient

PASSWORD = "html-demo-wachtwoord"
REFERENCES = ("for", "aria-labelledby", "aria-describedby", "aria-controls")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The app on a demo database, and the objects whose pages are rendered."""
    folder = tmp_path_factory.mktemp("html")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "MAIL_DIR": str(folder / "mail"),
            "BASE_URL": "https://actieoverleg.test",
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        load_demo(password=PASSWORD)
        db.session.commit()
        rr = db.session.scalars(select(Region).filter_by(code="RR")).one()
        chair = db.session.scalars(select(User).filter_by(email="voorzitter.rr@demo.test")).one()
        member = db.session.scalars(select(User).filter_by(email="politie.rr@demo.test")).one()
        coming = planning.next_meeting(rr.id)
        closed = db.session.scalars(
            select(Meeting).filter_by(region_id=rr.id, status=MeetingStatus.afgesloten).order_by(Meeting.starts_at)
        ).all()
        # the last one open again: a meeting screen with steps, points and attendance recorded
        lifecycle.reopen(closed[-1], ReopenReason.correctie_actiepunt, chair)
        db.session.commit()
        case = next(
            (
                c
                for c in db.session.scalars(select(Case).where(Case.region_id == rr.id).order_by(Case.id))
                if can_view_case(c, member)
            ),
            None,
        )
        assert case is not None, "the demo's member must see a case of its region for the case page"
        world = SimpleNamespace(
            app=app,
            region=rr.id,
            coming=coming.id,
            item=coming.items[0].id,
            closed=closed[0].id,
            reopened=closed[-1].id,
            reopened_item=closed[-1].items[0].id,
            period=last_complete_quarter(local_today()).key,
            case=case.code,
            organisation=db.session.scalars(select(Organisation)).first().id,
            user=member.id,
            series=db.session.scalars(select(MeetingSeries).filter_by(region_id=rr.id)).one().id,
            action=db.session.scalars(select(ActionPoint).where(ActionPoint.case_id == case.id)).first().id,
            chair=chair.email,
        )
    yield world
    with app.app_context():
        db.engine.dispose()


ROLES = {
    "anoniem": None,
    "beheerder": "beheer@demo.test",
    "landelijk": "landelijk@demo.test",
    "voorzitter": "voorzitter.rr@demo.test",
    "deelnemer": "politie.rr@demo.test",
    "andere regio": "politie.zhz@demo.test",  # every RR page answers 404 (an error page)
}


def pages(w: SimpleNamespace) -> list[str]:
    """Every page a person opens, with the demo's objects filled in."""
    meeting = f"/overleggen/{w.coming}"
    return [
        "/login",
        "/",
        "/overleggen/",
        f"{meeting}/agenda/",
        f"{meeting}/agenda/afdrukken",
        f"{meeting}/vergadering/",
        f"{meeting}/vergadering/?item={w.item}",
        f"{meeting}/wijzigen",
        "/overleggen/spoed",
        f"/overleggen/{w.closed}",
        f"/overleggen/{w.closed}/agenda/",
        f"/overleggen/{w.closed}/agenda/afdrukken",
        f"/overleggen/{w.reopened}",
        f"/overleggen/{w.reopened}/agenda/",
        f"/overleggen/{w.reopened}/vergadering/?item={w.reopened_item}",
        f"/casussen/{w.case}",
        "/casussen/nieuw",
        f"/casussen/zoeken?code={w.case.lower()}",
        "/casussen/zoeken?code=RR-0000",
        "/actiepunten/",
        "/actiepunten/?status=alle",
        "/profiel",
        "/statistieken/",
        f"/statistieken/{w.period}",
        f"/statistieken/{w.period}/RR",
        f"/statistieken/{w.period}/RR/afdrukken",
        "/beheer/",
        "/beheer/regios",
        "/beheer/regios/nieuw",
        f"/beheer/regios/{w.region}",
        "/beheer/organisaties",
        "/beheer/organisaties/nieuw",
        f"/beheer/organisaties/{w.organisation}",
        "/beheer/gebruikers",
        "/beheer/gebruikers/nieuw",
        f"/beheer/gebruikers/{w.user}",
        "/beheer/overlegreeksen",
        f"/beheer/regios/{w.region}/overlegreeksen/nieuw",
        f"/beheer/overlegreeksen/{w.series}",
        "/beheer/outbox/",
        "/beheer/auditlog",
        "/bestaat-niet",
    ]


def rejected_forms(w: SimpleNamespace) -> list[tuple[str, dict]]:
    """Forms posted empty or wrong, so they come back with their messages."""
    meeting = f"/overleggen/{w.coming}"
    return [
        ("/login", {"email": "iemand@demo.test", "password": "fout"}),
        ("/casussen/nieuw", {"meeting_id": str(w.coming)}),
        ("/casussen/herbespreking", {"code": "XX-0000", "meeting_id": str(w.coming)}),
        ("/overleggen/spoed", {"day": "", "time": ""}),
        (f"{meeting}/wijzigen", {"day": "", "duration_minutes": "5"}),
        (f"{meeting}/agenda/{w.item}/tijd", {"minutes": "999"}),
        (f"{meeting}/vergadering/{w.item}/stap2", {"text": ""}),
        (f"/overleggen/{w.reopened}/vergadering/{w.reopened_item}/stap3", {"handover": "onzin"}),
        (f"/overleggen/{w.closed}/heropenen", {"reason": ""}),
        ("/beheer/regios/nieuw", {"name": "", "code": "x"}),
        ("/beheer/organisaties/nieuw", {"name": ""}),
        ("/beheer/gebruikers/nieuw", {"email": "geen-adres"}),
        (f"/beheer/regios/{w.region}/overlegreeksen/nieuw", {"duration_minutes": "1"}),
    ]


def problems(html: str) -> list[str]:
    """What is wrong with a page: parse errors, duplicate ids, references to missing ids."""
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    document = parser.parse(html)
    lines = html.splitlines()
    found = [
        f"parse error {code} {data or ''} at line {line}: {lines[line - 1].strip()[:160] if line else ''}"
        for (line, _column), code, data in parser.errors
    ]
    elements = list(document.iter())
    ids: dict[str, int] = {}
    for element in elements:
        if "id" in element.attrib:
            ids[element.attrib["id"]] = ids.get(element.attrib["id"], 0) + 1
    found += [f"id {name!r} occurs {n} times" for name, n in ids.items() if n > 1]
    for element in elements:
        for attribute in REFERENCES:
            for target in element.attrib.get(attribute, "").split():
                if target not in ids:
                    found.append(f"<{element.tag} {attribute}={target!r}> points to no element")
        for attribute in ("href", "hx-target"):
            value = element.attrib.get(attribute, "")
            if value.startswith("#") and len(value) > 1 and value[1:] not in ids:
                found.append(f"<{element.tag} {attribute}={value!r}> points to no element")
    return found


def signed_in(w: SimpleNamespace, role: str):
    client = w.app.test_client()
    if ROLES[role]:
        with w.app.app_context():  # the code step reads the chair's app secret
            response = Auth(client).login(ROLES[role], PASSWORD)
        assert response.status_code == 303, f"{role} could not sign in"
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_valid_html(demo, role):
    client = signed_in(demo, role)
    failures = {}
    seen = 0
    for url in pages(demo):
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
        if response.mimetype != "text/html":
            continue
        seen += 1
        found = problems(response.get_data(as_text=True))
        if found:
            failures[url] = found
    assert seen >= len(pages(demo)) // 2
    assert failures == {}, f"as {role}: {failures}"


@pytest.mark.parametrize("role", ["anoniem", "beheerder", "voorzitter", "deelnemer"])
def test_rejected_forms_are_valid_html(demo, role):
    client = signed_in(demo, role)
    failures = {}
    for url, data in rejected_forms(demo):
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
        found = problems(response.get_data(as_text=True))
        if found:
            failures[url] = found
    assert failures == {}, f"as {role}: {failures}"


def test_the_checker_finds_what_it_looks_for():
    """The check itself can fail: a duplicate id, a dangling label and a stray end tag."""
    page = (
        '<!doctype html><html lang="nl"><head><title>t</title></head><body>'
        '<p id="a">x</p><p id="a">y</p><label for="b">z</label></div></body></html>'
    )
    found = problems(page)
    assert "id 'a' occurs 2 times" in found
    assert "<label for='b'> points to no element" in found
    assert any(f.startswith("parse error end-tag-too-early") for f in found)


def account_link(w: SimpleNamespace, email: str) -> str:
    """A fresh password link for this demo account, read from the mail in the outbox."""
    with w.app.app_context():
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        auth_links.send_link(user, TokenPurpose.wachtwoord)
        db.session.commit()
        raw = db.session.scalars(select(OutboxMessage.raw).order_by(OutboxMessage.id.desc()).limit(1)).one()
    body = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return re.search(r"https://actieoverleg\.test(/account/\S+)", body).group(1)


def test_sign_in_and_account_screens_are_valid_html(demo):
    """The screens around signing in, as they first show and as they come back refused."""
    client = demo.app.test_client()
    answers = {
        "forgotten": client.get("/wachtwoord-vergeten"),
        "forgotten refused": client.post("/wachtwoord-vergeten", data={"email": ""}),
        "link gone": client.get("/account/bestaat-niet"),
    }
    link = account_link(demo, "landelijk@demo.test")
    answers["choose password"] = client.get(link)
    answers["choose password refused"] = client.post(link, data={"password": "kort", "confirm": "anders"})
    client.post("/login", data={"email": demo.chair, "password": PASSWORD})
    answers["code"] = client.get("/login/code")
    answers["code refused"] = client.post("/login/code", data={"code": "000000"})
    member = signed_in(demo, "deelnemer")
    answers["set up two-factor"] = member.get("/profiel/tweestapsverificatie")
    answers["password change refused"] = member.post("/profiel/wachtwoord", data={"current": "fout"})
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == {
        "forgotten": 200,
        "forgotten refused": 422,
        "link gone": 404,
        "choose password": 200,
        "choose password refused": 422,
        "code": 200,
        "code refused": 422,
        "set up two-factor": 200,
        "password change refused": 422,
    }
    failures = {name: found for name, r in answers.items() if (found := problems(r.get_data(as_text=True)))}
    assert failures == {}
