"""The authorization matrix (docs/rules.md §8): every route of the URL map, for every role, on an
object of the user's own region and on one of another region, with the answer written down in
one table below. A route that is not in the table fails the test, so the table stays complete.

Roles: anoniem (not signed in); betrokken (a deelnemer of Politie, a needed partner that owns a
point of the case); onbetrokken (a deelnemer of OM, at the same table, taking no part in the
case); voorzitter (a chair of the region, OM); beheerder; landelijk. A cell is the status for an
object of the own region / another region (one number: the same for both, or the route names
no object). "login" is the redirect to the login page, 302 any other redirect; a rule is
written without its converters (<meeting_id>, not <int:meeting_id>). Form posts are sent empty: the
cell says whether the role gets past the permission checks (a form answer: 303, 400, 409, 422)
or not (403, 404). Every post's changes are undone before the next request (the database file
is restored from a snapshot), so each cell is answered against the same world.

Need to know is checked on the pages that show a case's details: the uninvolved member gets
the page (the agenda is shared by design) but not the action text, assessment or hand-over.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from typing import Any

import pytest
from flask import url_for

from actieoverleg.extensions import db
from actieoverleg.guests import add_guest
from actieoverleg.models import MeetingSeries, OutboxMessage
from actieoverleg.vocab import Assessment, Handover, MailKind, MeetingForm, OutboxStatus, Role

ROLES = ("anoniem", "betrokken", "onbetrokken", "voorzitter", "beheerder", "landelijk")

TABLE = """
#     route                                                                               anoniem      betrokken    onbetrokken  voorzitter   beheerder    landelijk
GET   /                                                                                   login        200          200          200          200          200
GET   /.well-known/security.txt                                                           200          200          200          200          200          200
GET   /account/<token>                                                                    404          404          404          404          404          404
POST  /account/<token>                                                                    404          404          404          404          404          404
GET   /actiepunten/                                                                       login        200          200          200          403          403
POST  /actiepunten/<action_id>/status                                                     login        400/404      403/404      403/404      403          403
GET   /agenda/<token>.ics                                                                 404          404          404          404          404          404
GET   /beheer/                                                                            login        403          403          403          200          403
GET   /beheer/auditlog                                                                    login        403          403          403          200          403
GET   /beheer/gebruikers                                                                  login        403          403          403          200          403
GET   /beheer/gebruikers/<user_id>                                                        login        403          403          403          200          403
POST  /beheer/gebruikers/<user_id>                                                        login        403          403          403          422          403
POST  /beheer/gebruikers/<user_id>/activeren                                              login        403          403          403          303          403
POST  /beheer/gebruikers/<user_id>/deactiveren                                            login        403          403          403          303          403
POST  /beheer/gebruikers/<user_id>/link-sturen                                            login        403          403          403          303          403
POST  /beheer/gebruikers/<user_id>/tweestapsverificatie-resetten                          login        403          403          403          303          403
GET   /beheer/gebruikers/nieuw                                                            login        403          403          403          200          403
POST  /beheer/gebruikers/nieuw                                                            login        403          403          403          422          403
GET   /beheer/organisaties                                                                login        403          403          403          200          403
GET   /beheer/organisaties/<organisation_id>                                              login        403          403          403          200          403
POST  /beheer/organisaties/<organisation_id>                                              login        403          403          403          422          403
GET   /beheer/organisaties/nieuw                                                          login        403          403          403          200          403
POST  /beheer/organisaties/nieuw                                                          login        403          403          403          422          403
GET   /beheer/outbox/                                                                     login        403          403          403          200          403
POST  /beheer/outbox/<message_id>/opnieuw                                                 login        403          403          403          303          403
GET   /beheer/overlegreeksen                                                              login        403          403          403          200          403
GET   /beheer/overlegreeksen/<series_id>                                                  login        403          403          403          200          403
POST  /beheer/overlegreeksen/<series_id>                                                  login        403          403          403          422          403
GET   /beheer/regios                                                                      login        403          403          403          200          403
GET   /beheer/regios/<region_id>                                                          login        403          403          403          200          403
POST  /beheer/regios/<region_id>                                                          login        403          403          403          303          403
GET   /beheer/regios/<region_id>/overlegreeksen/nieuw                                     login        403          403          403          200          403
POST  /beheer/regios/<region_id>/overlegreeksen/nieuw                                     login        403          403          403          422          403
GET   /beheer/regios/nieuw                                                                login        403          403          403          200          403
POST  /beheer/regios/nieuw                                                                login        403          403          403          422          403
GET   /casussen/<code>                                                                    login        200/404      404          200/404      403          403
POST  /casussen/herbespreking                                                             login        422          422          422          403          403
GET   /casussen/nieuw                                                                     login        200          200          200          403          403
POST  /casussen/nieuw                                                                     login        422          422          422          403          403
GET   /casussen/zoeken                                                                    login        200          200          200          403          403
GET   /login                                                                              200          302          302          302          302          302
POST  /login                                                                              422          302          302          302          302          302
GET   /login/code                                                                         303          303          303          303          303          303
POST  /login/code                                                                         303          303          303          303          303          303
GET   /login/instellen                                                                    303          303          303          303          303          303
POST  /login/instellen                                                                    303          303          303          303          303          303
POST  /logout                                                                             login        303          303          303          303          303
GET   /overleggen/                                                                        login        200          200          200          403          403
GET   /overleggen/<meeting_id>                                                            login        200/404      200/404      200/404      403          403
POST  /overleggen/<meeting_id>/afsluiten                                                  login        403/404      403/404      303/404      403          403
GET   /overleggen/<meeting_id>/agenda/                                                    login        200/404      200/404      200/404      403          403
POST  /overleggen/<meeting_id>/agenda/<item_id>/tijd                                      login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/agenda/<item_id>/verplaatsen                               login        403/404      403/404      422/404      403          403
POST  /overleggen/<meeting_id>/agenda/<item_id>/verwijderen                               login        403/404      403/404      409/404      403          403
POST  /overleggen/<meeting_id>/agenda/<item_id>/voorbereid/<organisation_id>              login        303/404      403/404      403/404      403          403
GET   /overleggen/<meeting_id>/agenda/afdrukken                                           login        200/404      200/404      200/404      403          403
POST  /overleggen/<meeting_id>/agenda/nieuwe-casussen                                     login        403/404      403/404      400/404      403          403
POST  /overleggen/<meeting_id>/agenda/versturen                                           login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/annuleren                                                  login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/heropenen                                                  login        403/404      403/404      403/404      403          403
GET   /overleggen/<meeting_id>/overleg.ics                                                login        200/404      200/404      200/404      403          403
GET   /overleggen/<meeting_id>/vergadering/                                               login        403/404      403/404      200/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/doorschuiven                         login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/gast                                 login        403/404      403/404      422/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/gast/<organisation_id>/verwijderen   login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap1                                login        403/404      403/404      409/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap2                                login        403/404      403/404      422/404      403          403
GET   /overleggen/<meeting_id>/vergadering/<item_id>/stap2/<action_id>                    login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap2/<action_id>/verwijderen        login        403/404      403/404      303/404      403          403
GET   /overleggen/<meeting_id>/vergadering/<item_id>/stap2/<action_id>/wijzigen           login        403/404      403/404      200/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap2/<action_id>/wijzigen           login        403/404      403/404      422/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap2/eerder/<action_id>/resultaat   login        403/404      403/404      400/404      403          403
GET   /overleggen/<meeting_id>/vergadering/<item_id>/stap2/eerder/<action_id>/wijzigen    login        403/404      403/404      200/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap2/eerder/<action_id>/wijzigen    login        403/404      403/404      422/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap2/ongedaan/<token>               login        403/404      403/404      409/404      403          403
GET   /overleggen/<meeting_id>/vergadering/<item_id>/stap2/verwijderd/<token>             login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/stap3                                login        403/404      403/404      409/404      403          403
POST  /overleggen/<meeting_id>/vergadering/<item_id>/terughalen                           login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/vergadering/aanwezigheid/<organisation_id>                 login        403/404      403/404      422/404      403          403
POST  /overleggen/<meeting_id>/vergadering/aanwezigheid/allen                             login        403/404      403/404      303/404      403          403
POST  /overleggen/<meeting_id>/vergadering/nu                                             login        403/404      403/404      303/404      403          403
GET   /overleggen/<meeting_id>/vergadering/volgen                                         login        200/404      200/404      200/404      403          403
POST  /overleggen/<meeting_id>/vergadering/voorzitter                                     login        403/404      403/404      303/404      403          403
GET   /overleggen/<meeting_id>/wijzigen                                                   login        403/404      403/404      200/404      403          403
POST  /overleggen/<meeting_id>/wijzigen                                                   login        403/404      403/404      422/404      403          403
GET   /overleggen/spoed                                                                   login        403          403          200          403          403
POST  /overleggen/spoed                                                                   login        403          403          422          403          403
GET   /profiel                                                                            login        200          200          200          200          200
POST  /profiel/agenda-abonnement                                                          login        303          303          303          403          403
POST  /profiel/agenda-abonnement/stoppen                                                  login        303          303          303          403          403
POST  /profiel/mail                                                                       login        422          422          422          403          403
GET   /profiel/tweestapsverificatie                                                       login        200          200          303          303          200
POST  /profiel/tweestapsverificatie                                                       login        422          422          303          303          422
POST  /profiel/tweestapsverificatie/uitzetten                                             login        422          422          422          422          422
POST  /profiel/wachtwoord                                                                 login        422          422          422          422          422
GET   /static/<filename>                                                                  200          200          200          200          200          200
GET   /statistieken/                                                                      login        403          403          302          403          302
GET   /statistieken/<period>                                                              login        403          403          403          403          200
GET   /statistieken/<period>/<region>                                                     login        403          403          200/404      403          200
GET   /statistieken/<period>/<region>/afdrukken                                           login        403          403          200/404      403          200
GET   /statistieken/<period>/<region>/export.csv                                          login        403          403          200/404      403          200
GET   /statistieken/<period>/<region>/export/<table>.csv                                  login        403          403          200/404      403          200
GET   /statistieken/<period>/<region>/grafieken/<version>.svg                             login        403          403          302/404      403          302
GET   /statistieken/<period>/afdrukken                                                    login        403          403          403          403          200
GET   /statistieken/<period>/export.csv                                                   login        403          403          403          403          200
GET   /statistieken/<period>/export/<table>.csv                                           login        403          403          403          403          200
GET   /statistieken/<period>/grafieken/<version>.svg                                      login        403          403          403          403          302
GET   /wachtwoord-vergeten                                                                200          200          200          200          200          200
POST  /wachtwoord-vergeten                                                                422          422          422          422          422          422
"""  # noqa: E501 (one line per route reads best)


def parse(table: str) -> dict[tuple[str, str], dict[str, tuple[str, str]]]:
    """{(method, rule): {role: (own, other)}} from the table's lines."""
    rows = {}
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        method, rule, *cells = line.split()
        assert len(cells) == len(ROLES), f"{method} {rule}: {len(cells)} cells for {len(ROLES)} roles"
        rows[(method, rule)] = {
            role: (own, other or own) for role, (own, _, other) in zip(ROLES, (c.partition("/") for c in cells))
        }
    return rows


EXPECTED = parse(TABLE)


def routes(app) -> list[tuple[str, str, Any]]:
    """(method, rule as the table writes it, werkzeug rule) for every route of the URL map;
    signing out last, as it ends the client's session."""
    found = [
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule), rule)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda r: (r[2].endpoint == "auth.logout", r[1], r[0]))


class Snapshot:
    """The database file as the world left it, put back after every request that may change it."""

    def __init__(self, path: str):
        self.live = sqlite3.connect(path)
        self.copy = sqlite3.connect(":memory:")
        self.live.backup(self.copy)

    def restore(self) -> None:
        db.session.commit()  # the test's own session holds no read transaction across the restore
        self.copy.backup(self.live)

    def close(self) -> None:
        self.live.close()
        self.copy.close()


# What the uninvolved member must not see of the world's case, and the involved one does.
DETAILS = ("Politie plant verhoor", Assessment.structureel.label, Handover.mda.label)
NO_INVOLVEMENT = "Geen betrokkenheid"
# The pages that show a case's details, by endpoint: they must hide them from the uninvolved member.
DETAIL_PAGES = {"meetings.record", "steps.follow"}
AGENDA_PAGES = {"agenda.show", "agenda.print_agenda"}  # the agenda: shared by design, never a detail


@pytest.fixture
def matrix(app, discussed_before, make_org, make_user, login_as):
    """The world (its case discussed before, with an earlier point), with an uninvolved OM member
    at the RR table, the world's item discussed (and in discussion) with a guest, a series per
    region and a mail in the outbox; a client per role."""
    world = discussed_before
    world.om_user = make_user(Role.deelnemer, world.om, [world.rr], email="om@rr.example")
    guest = make_org("GGZ")
    add_guest(world.item, guest, True, world.chair)
    world.item.shared = [world.vt, world.politie]
    world.item.assessment, world.item.handover = Assessment.structureel, Handover.mda
    world.meeting.current_item_id = world.item.id
    series = {
        region.code: MeetingSeries(region=region, weekday=1, start_time=dt.time(13), form=MeetingForm.fysiek)
        for region in (world.rr, world.zhz)
    }
    mail = OutboxMessage(
        kind=MailKind.agenda,
        dedup_key="matrix",
        message_id="<matrix@actieoverleg.test>",
        recipient="vt@rr.example",
        subject="Agenda",
        status=OutboxStatus.verzonden,
    )
    db.session.add_all([*series.values(), mail])
    db.session.commit()
    users = {
        "betrokken": world.politie_user,
        "onbetrokken": world.om_user,
        "voorzitter": world.chair,
        "beheerder": world.admin,
        "landelijk": world.national,
    }
    clients = {"anoniem": app.test_client(), **{role: login_as(user) for role, user in users.items()}}
    common = {"period": "2026Q1", "table": "actiepunten", "version": "0", "token": "onbekend", "filename": "app.css"}
    sides = {
        "own": {
            **common,
            "meeting_id": world.meeting.id,
            "item_id": world.item.id,
            "action_id": world.action.id,
            "organisation_id": world.politie.id,
            "code": world.case.code,
            "region": world.rr.code,
            "region_id": world.rr.id,
            "series_id": series["RR"].id,
            "user_id": world.politie_user.id,
            "message_id": mail.id,
            "earlier_id": world.earlier.id,
            "guest_id": guest.id,
        },
        "other": {
            **common,
            "meeting_id": world.other_meeting.id,
            "item_id": world.other_item.id,
            "action_id": world.other_action.id,
            "organisation_id": world.politie.id,
            "code": world.other_case.code,
            "region": world.zhz.code,
            "region_id": world.zhz.id,
            "series_id": series["ZHZ"].id,
            "user_id": world.other_politie.id,
            "message_id": mail.id,
            "earlier_id": world.other_action.id,
            "guest_id": guest.id,
        },
    }
    snapshot = Snapshot(db.engine.url.database)
    yield clients, sides, snapshot
    snapshot.close()


def url_of(rule, args: dict[str, Any]) -> str:
    """The rule's URL for these objects (a rule's defaults, as in /beheer/gebruikers/nieuw, are not in its path)."""
    args = args | {name: args[key] for name, key in OBJECT_OF.get(rule.endpoint, {}).items()}
    return url_for(rule.endpoint, **{name: args[name] for name in rule.arguments - set(rule.defaults or ())})


def answer(response) -> str:
    """The status as the table writes it: "login" for the redirect to the login page."""
    if response.status_code == 302 and response.headers.get("Location", "").startswith("/login"):
        return "login"
    return str(response.status_code)


def check_details(endpoint: str, role: str, body: str) -> list[str]:
    """What a page that answered 200 on the own region's meeting shows of the world's case."""
    problems = []
    if endpoint in DETAIL_PAGES and role == "onbetrokken":
        problems += [f"{endpoint}: {role} sees {d!r}" for d in DETAILS if d in body]
        if NO_INVOLVEMENT not in body:
            problems.append(f"{endpoint}: {role} is not told why the details are missing")
    if endpoint in DETAIL_PAGES and role in ("betrokken", "voorzitter"):
        problems += [f"{endpoint}: {role} misses {d!r}" for d in DETAILS if d not in body]
    if endpoint in AGENDA_PAGES and role == "onbetrokken":
        problems += [f"{endpoint}: {role} sees {d!r}" for d in DETAILS if d in body]
    return problems


# Routes that name another object than the table's usual one: an earlier meeting's point, the guest.
OBJECT_OF = {
    "steps.revise_action": {"action_id": "earlier_id"},
    "steps.record_result": {"action_id": "earlier_id"},
    "steps.remove_guest": {"organisation_id": "guest_id"},
}


def test_authorization_matrix(app, matrix):
    clients, sides, snapshot = matrix
    all_routes = routes(app)
    actual: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    problems: list[str] = []
    with app.test_request_context():
        urls = {(m, r, side): url_of(rule, args) for m, r, rule in all_routes for side, args in sides.items()}
    for method, rule, werkzeug_rule in all_routes:
        row = {}
        for role in ROLES:
            got = {}
            for side in ("own", "other"):
                url = urls[(method, rule, side)]
                if side == "other" and url == urls[(method, rule, "own")]:
                    got[side] = got["own"]
                    continue
                response = clients[role].open(url, method=method)
                got[side] = answer(response)
                if method != "GET":
                    snapshot.restore()
                elif side == "own" and response.status_code == 200:
                    problems += check_details(werkzeug_rule.endpoint, role, response.get_data(as_text=True))
                response.close()
            row[role] = (got["own"], got["other"])
        actual[(method, rule)] = row
    assert EXPECTED == actual, "\n" + diff(EXPECTED, actual)
    assert problems == []


def cell(own_other: tuple[str, str]) -> str:
    own, other = own_other
    return own if own == other else f"{own}/{other}"


def line(key: tuple[str, str], row: dict[str, tuple[str, str]]) -> str:
    method, rule = key
    return (f"{method:<6}{rule:<84}" + "".join(f"{cell(row[role]):<13}" for role in ROLES)).rstrip()


def diff(expected: dict, actual: dict) -> str:
    """The table's lines that differ, as they should read now (ready to paste), and the stale ones."""
    out = [f"+ {line(key, actual[key])}" for key in actual if expected.get(key) != actual[key]]
    out += [f"- {line(key, expected[key])}" for key in expected if actual.get(key) != expected[key]]
    return "\n".join(out)
