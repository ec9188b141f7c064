"""No input gives a 500 (docs/rules.md §8): a property test generated from `app.url_map`
sends hostile values to every route, GET and POST (with a valid CSRF token), as every role,
and requires an answer below 500 that never carries the injected `<script` unescaped.

Hostile means: ids and page numbers past the 64-bit range, negative and non-numeric ones,
long and odd unicode, NUL bytes, duplicate query parameters, wrong types, big form fields
(below 64 KB: the content guard's own speed is another test's concern). A few examples per
route keep it quick; every run draws new ones.
"""

from __future__ import annotations

import inspect
import os
import random
import re
import sqlite3
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from actieoverleg import admin_forms, forms
from actieoverleg.errors import database_busy
from actieoverleg.extensions import db
from actieoverleg.models import Region

from .conftest import PASSWORD, totp_code

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "3"))  # per route and role
PAYLOAD = "<script>alert('x')</script>"
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"|name="csrf_token" value="([^"]+)"')

# The names the views read besides the forms' fields (query string and plain posts).
PLAIN_NAMES = ["pagina", "regio", "rol", "actie", "status", "periode", "item", "v", "overleg", "code", "next"]
PLAIN_NAMES += ["region_id", "item_id", "version", "terug", "al_gehouden", "gebruiker", "van", "tot"]
FIELD_NAMES = sorted(
    {
        name
        for module in (forms, admin_forms)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, FlaskForm) and cls is not FlaskForm
        for name in dir(cls)
        if not name.startswith("_") and hasattr(getattr(cls, name), "field_class")
    }
)
NAMES = sorted(set(PLAIN_NAMES + FIELD_NAMES))

HUGE = [str(2**63), str(2**64), str(-(2**63) - 1), "9" * 30, "9" * 5000, "-1", "0", "1.5", "1e309"]
ODD = ["\x00", "a\x00b", "\u202e", "\ufeff", "\U0001d54f", "e\u0301", "\r\n", "%00", "../../etc/passwd", "'", '"']
ODD += ["{{7*7}}", "\\", "NaN", "0x10", "\u0661\u0662", "true", "[]", "{}", "ja", "nee", " ", ""]
odd_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
hostile = st.one_of(
    st.sampled_from(HUGE + ODD),
    odd_text,
    st.builds(lambda a, b: a + PAYLOAD + b, odd_text, odd_text),
    st.integers(1_000, 60_000).map(lambda n: "x" * n),
    st.integers(-(2**70), 2**70).map(str),
)


def id_values(valid: list[Any]) -> st.SearchStrategy[str]:
    """A path id: mostly one that exists (so the view runs on), else out of range or odd."""
    real = [str(v) for v in valid]
    return st.sampled_from(real * 3 + ["9" * 20, str(2**63), "0", "-1", "9" * 400]) if real else st.sampled_from(HUGE)


def path_values(world: SimpleNamespace) -> dict[str, st.SearchStrategy[str]]:
    ids = {
        "meeting_id": [world.meeting.id, world.other_meeting.id],
        "item_id": [world.item.id],
        "action_id": [world.action.id],
        "organisation_id": [world.vt.id, world.politie.id],
        "user_id": [world.vt_user.id],
        "region_id": [world.rr.id],
        "series_id": [],
        "message_id": [],
    }
    texts = {
        "code": [world.case.code],
        "period": ["2026Q3", "2026"],
        "region": ["RR"],
        "filename": ["app.css"],
    }
    values = {name: id_values(valid) for name, valid in ids.items()}
    for name, valid in texts.items():
        values[name] = st.one_of(st.sampled_from(valid), hostile)
    return values


def routes(app) -> list[tuple[str, str, Any]]:
    """(method, endpoint, rule) for every rule of the app, GET and POST."""
    return [
        (method, rule.endpoint, rule)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
        for method in ("GET", "POST")
        if method in rule.methods
    ]


def csrf_token(client, path: str) -> str:
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def signed_in(app, user) -> tuple[Any, str]:
    """A client signed in through the real login form, CSRF on, and its token."""
    client = app.test_client()
    if user is None:
        return client, csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
    )
    if response.status_code == 303 and response.headers["Location"] == "/login/code":  # chairs, beheerders
        token = csrf_token(client, "/login/code")
        response = client.post("/login/code", data={"code": totp_code(user), "csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client, csrf_token(client, "/profiel")


@pytest.fixture
def config(config, request):
    """CSRF on, as in production; a short SQLite busy timeout for the tests that hold a lock."""
    config["WTF_CSRF_ENABLED"] = True
    if request.node.get_closest_marker("busy_timeout"):
        timeout = request.node.get_closest_marker("busy_timeout").args[0]
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, "connect_args": {"timeout": timeout}}
    return config


def check(response, where: str) -> None:
    body = response.get_data(as_text=True)
    response.close()  # a static file's handle
    assert response.status_code < 500, f"{where} answered {response.status_code}"
    assert PAYLOAD not in body and "<script>alert(" not in body, f"{where} echoes the script unescaped"


def probe(client, token: str, method: str, rule, arguments: st.SearchStrategy) -> Any:
    """The property for one route: whatever is sent, the answer is below 500 and escaped."""
    pairs = st.lists(st.tuples(st.sampled_from(NAMES), hostile), max_size=6)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: the failure names the route, the traceback the cause
        suppress_health_check=list(HealthCheck),
    )
    @given(arguments=arguments, query=pairs, form=pairs, htmx=st.booleans())
    def send(arguments: dict[str, str], query: list, form: list, htmx: bool) -> None:
        # Hypothesis seeds the global `random` alike for every example, and the clock is pinned:
        # email.utils.make_msgid (time + random) would repeat a Message-ID, which no real
        # process does. Hypothesis restores its own state afterwards.
        random.seed()
        path = rule.rule
        for name, value in arguments.items():
            path = re.sub(rf"<(?:\w+:)?{name}>", quote(value, safe=""), path)
        url = path + ("?" + urlencode(query) if query else "")
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, data=MultiDict([*form, ("csrf_token", token)]), headers=headers)
        check(response, f"{method} {rule.rule}")

    return send


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # a failure's big repr
@pytest.mark.parametrize("role", ["anonymous", "deelnemer", "voorzitter", "beheerder", "landelijk"])
def test_no_route_answers_500_to_hostile_input(app, world, role):
    user = {
        "anonymous": None,
        "deelnemer": world.vt_user,
        "voorzitter": world.chair,
        "beheerder": world.admin,
        "landelijk": world.national,
    }[role]
    client, token = signed_in(app, user)
    values = path_values(world)
    failures = []
    for method, endpoint, rule in routes(app):
        if endpoint == "auth.logout" and user is not None:
            continue  # signing out is tested in test_auth; here it would end the run's session
        arguments = st.fixed_dictionaries({name: values.get(name, hostile) for name in rule.arguments})
        try:
            probe(client, token, method, rule, arguments)()
        except Exception as failed:  # an assertion, or what a view raised (TESTING propagates it)
            failures.append(f"{method} {rule.rule}: {type(failed).__name__}: {str(failed)[:200]}")
    assert failures == [], "\n".join(failures)


def test_an_id_past_64_bits_answers_404(app, world, login_as):
    client, _ = signed_in(app, world.chair)
    for path in (
        "/overleggen/99999999999999999999999",
        f"/overleggen/{2**63}/agenda/",
        f"/overleggen/{world.meeting.id}/vergadering/{2**63}/stap2/{2**64}",
        "/overleggen/" + "9" * 5000,
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Niet gevonden" in response.get_data(as_text=True)
    assert client.get(f"/overleggen/{2**63 - 1}").status_code == 404  # the largest id that fits: unknown


def test_a_page_number_past_64_bits_gives_the_first_page(app, world):
    client, _ = signed_in(app, world.politie_user)
    for page in ("99999999999999999999", str(2**62), "-5", "abc"):
        response = client.get(f"/actiepunten/?pagina={page}")
        assert response.status_code == 200, page
        assert "Politie plant verhoor" in response.get_data(as_text=True)
    admin, _ = signed_in(app, world.admin)
    assert admin.get("/beheer/gebruikers?pagina=99999999999999999999&regio=99999999999999999999").status_code == 200


def test_a_request_over_the_size_limit_answers_413_in_dutch(app, world):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    client, token = signed_in(app, world.chair)
    response = client.post(
        f"/overleggen/{world.meeting.id}/wijzigen", data={"location": "x" * 100_000, "csrf_token": token}
    )
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)


@pytest.mark.busy_timeout(0.2)
def test_a_database_locked_past_the_timeout_answers_503_and_saves_nothing(app, world, tmp_path):
    client, token = signed_in(app, world.admin)
    blocker = sqlite3.connect(tmp_path / "test.sqlite", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        response = client.post(
            "/beheer/regios/nieuw",
            data={
                "name": "Haaglanden",
                "code": "HL",
                "organisation_ids": [world.vt.id],
                "active": "y",
                "csrf_token": token,
            },
        )
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "De database is even bezet. Probeer het zo opnieuw." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Region)) == 2  # nothing half-saved
    # the lock is gone: the same post goes through
    assert (
        client.post(
            "/beheer/regios/nieuw",
            data={
                "name": "Haaglanden",
                "code": "HL",
                "organisation_ids": [world.vt.id],
                "active": "y",
                "csrf_token": token,
            },
        ).status_code
        == 303
    )


def test_postgresql_lock_timeouts_count_as_busy_and_other_faults_do_not():
    """PostgreSQL is not run here: its driver's error carries the SQLSTATE that decides."""

    class DriverError(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__("canceling statement")
            self.sqlstate = sqlstate

    assert database_busy(OperationalError("UPDATE", {}, DriverError("55P03")))  # lock_not_available
    assert database_busy(OperationalError("UPDATE", {}, DriverError("40P01")))  # deadlock_detected
    assert not database_busy(OperationalError("UPDATE", {}, DriverError("08006")))  # connection failure
