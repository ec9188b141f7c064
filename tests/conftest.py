"""Fixtures in the style of the Flask tutorial: an app on a SQLite file in a temp folder,
a client, a client signed in per role, and factories that return callables. Factories flush
and never commit: the test decides when its setup is done (`db.session.commit()`), as a view
would.

The clock is pinned for the whole run (time-machine, not ticking) at `TEST_NOW`, and put
back there before every test, so no test depends on the moment it runs. `make test-clock`
runs the date-touching tests (marker `clock`) again at awkward instants through
`ACTIEOVERLEG_TEST_NOW`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import sys
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import pyotp
import pytest
import time_machine
from flask import current_app
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import event

from actieoverleg import create_app, meeting_steps, outbox
from actieoverleg.auth import hash_password
from actieoverleg.cases import bring_in
from actieoverleg.clock import local_today
from actieoverleg.extensions import db
from actieoverleg.formatting import to_utc
from actieoverleg.meeting_steps import add_action
from actieoverleg.models import (
    ActionPoint,
    AgendaItem,
    Case,
    LoginSession,
    Meeting,
    Organisation,
    Region,
    TotpCredential,
    User,
)
from actieoverleg.permissions import must_use_two_factor
from actieoverleg.vocab import (
    ActionKind,
    ActionStatus,
    CaseKind,
    CaseReason,
    Children,
    MeetingForm,
    OrganisationKind,
    Role,
)

from .smtp_server import SMTPServer

# A Wednesday morning in winter time: an ordinary moment. `make test-clock` overrides it.
TEST_NOW = dt.datetime.fromisoformat(os.environ.get("ACTIEOVERLEG_TEST_NOW") or "2026-12-09T10:00:00+01:00")
PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_seq = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    """Pin the clock before anything reads it: session fixtures (the browser tests' demo) too."""
    if TEST_NOW.tzinfo is None:
        raise pytest.UsageError("ACTIEOVERLEG_TEST_NOW needs an offset, e.g. 2027-03-28T03:30:00+02:00")
    config.stash[_TRAVEL] = time_machine.travel(TEST_NOW, tick=False)
    config.stash[_CLOCK] = config.stash[_TRAVEL].start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TRAVEL in config.stash:
        config.stash[_TRAVEL].stop()


_TRAVEL = pytest.StashKey[time_machine.travel]()
_CLOCK = pytest.StashKey[time_machine.Traveller]()


# --- nothing sensitive in any log line -----------------------------------------------------

# What the suite's database ever held that must never reach a log line (or a traceback in one):
# case codes, file references, action texts, feed and session tokens. Collected as rows are
# written, by every app of the run, the browser tests' demo included.
SENSITIVE_FIELDS = {
    Case: ("code", "file_reference"),
    ActionPoint: ("text",),
    User: ("feed_token",),
    LoginSession: ("token",),
}
_sensitive: set[str] = set()


def _remember(_mapper: Any, _connection: Any, row: Any) -> None:
    for name in SENSITIVE_FIELDS[type(row)]:
        value = getattr(row, name, None)
        if isinstance(value, str) and len(value) >= 6:
            _sensitive.add(value)


for _model in SENSITIVE_FIELDS:
    event.listen(_model, "after_insert", _remember)
    event.listen(_model, "after_update", _remember)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # with its traceback, if any


@pytest.fixture(autouse=True)
def no_sensitive_value_in_logs() -> Iterator[None]:
    """Every test: no log line of the app (requests, errors, the outbox, the CLI) holds a code,
    a file reference, an action text or a token the run's databases held."""
    lines = _Lines()
    logging.getLogger().addHandler(lines)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(lines)
    logged = "\n".join(lines.lines)  # one search per value: the set holds thousands after a demo
    leaked = [value for value in _sensitive if value in logged] if logged else []
    assert not leaked, f"sensitive value in a log line: {[line for line in lines.lines if leaked[0] in line][:3]}"


@pytest.fixture(autouse=True)
def clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller]:
    """The pinned clock, back at TEST_NOW for every test; `clock.shift(...)` moves it."""
    coordinates = request.config.stash[_CLOCK]
    coordinates.move_to(TEST_NOW)
    yield coordinates
    coordinates.move_to(TEST_NOW)


def flask_command(*args: str) -> list[str]:
    """`flask --app actieoverleg ARGS` as a separate process whose clock reads what the test's reads."""
    pinned = (
        "import sys, datetime, time_machine; "
        "time_machine.travel(datetime.datetime.fromisoformat(sys.argv.pop(1)), tick=False).start(); "
        "from flask.cli import main; sys.argv[0] = 'flask'; main()"
    )
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    return [sys.executable, "-c", pinned, now, "--app", "actieoverleg", *args]


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (and so its own db session, `g` and
    current_user), as in production, although the test keeps one pushed for its setup.
    What the test set up (factories flush) is committed first: a request, like another
    user, sees only committed data."""

    def open(self, *args: Any, **kwargs: Any):
        if _cv_app.get(None) is not None:
            db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            outbox.wait_for_background()  # mail goes out right after a commit, in a thread


@pytest.fixture
def config(tmp_path) -> dict[str, Any]:
    """The test app's settings; a test module may extend them (e.g. with a mail server)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "MAIL_DIR": str(tmp_path / "mail"),
        "BASE_URL": "https://actieoverleg.test",
        "MAIL_DEFAULT_SENDER": "Actie-overleg <noreply@actieoverleg.test>",
    }


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free port, running."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(config):
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app) -> Callable[..., Organisation]:
    def make(short_name: str | None = None, kind: OrganisationKind = OrganisationKind.partner, **kw: Any):
        n = next(_seq)
        short_name = short_name or f"Org{n}"
        org = Organisation(
            name=kw.pop("name", f"Organisatie {short_name}"), short_name=short_name, kind=kind, position=n, **kw
        )
        db.session.add(org)
        db.session.flush()
        return org

    return make


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    def make(role: Role, organisation: Organisation, regions: list[Region], totp: bool = True, **kw: Any) -> User:
        n = next(_seq)
        user = User(
            email=kw.pop("email", f"user{n}@test.example"),
            name=kw.pop("name", f"Gebruiker {n}"),
            role=role,
            organisation=organisation,
            regions=regions,
            password_hash=PASSWORD_HASH,
            **kw,
        )
        db.session.add(user)
        db.session.flush()
        if must_use_two_factor(user) and totp:  # as the demo: chairs and admins have their app set up
            db.session.add(TotpCredential(user_id=user.id, secret=pyotp.random_base32(), confirmed_at=TEST_NOW))
            db.session.flush()
        return user

    return make


def totp_code(user_or_email: User | str) -> str:
    """The code the user's authenticator app shows that the server has not taken yet.

    The clock stands still in tests, so this is the next unused step within the accepted
    drift (TOTP_DRIFT_STEPS); a test that signs one person in more often moves the clock."""
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    db.session.expire_all()
    user = db.session.scalar(db.select(User).filter(db.func.lower(User.email) == email.lower()))
    credential = db.session.get(TotpCredential, user.id)
    totp = pyotp.TOTP(credential.secret)
    now = int(dt.datetime.now(dt.timezone.utc).timestamp()) // totp.interval
    drift = current_app.config["TOTP_DRIFT_STEPS"]
    step = max(credential.last_step + 1, now - drift)
    assert step <= now + drift, "no unused TOTP step left at this instant: shift the clock"
    return totp.generate_otp(step)


@pytest.fixture
def make_meeting(app) -> Callable[..., Meeting]:
    def make(region: Region, days: int = 7, **kw: Any) -> Meeting:
        meeting = Meeting(
            region=region,
            starts_at=to_utc(local_today() + dt.timedelta(days=days), dt.time(13, 0)),
            form=kw.pop("form", MeetingForm.fysiek),
            **kw,
        )
        db.session.add(meeting)
        db.session.flush()
        return meeting

    return make


@pytest.fixture
def make_case(app) -> Callable[..., Case]:
    def make(
        meeting: Meeting,
        organisation: Organisation,
        user: User,
        needed: list[Organisation] | None = None,
        file_reference: str | None = None,
    ) -> Case:
        assert user.organisation_id == organisation.id, "a case is brought in by a member of its organisation"
        case = bring_in(
            meeting,
            user,
            CaseKind.hg,
            Children.ja,
            CaseReason.samenloop,
            needed if needed is not None else [organisation],
            file_reference,
        )
        return case

    return make


@pytest.fixture
def make_action(app) -> Callable[..., ActionPoint]:
    def make(
        item: AgendaItem,
        owner: Organisation,
        user: User,
        due_in: int = 7,
        status: ActionStatus = ActionStatus.open,
        text: str = "VT legt huisbezoek af",
    ) -> ActionPoint:
        """A point agreed at the item's meeting, due `due_in` days from today: an overdue one is
        agreed with the meeting's own day and then given its date, as time would have done."""
        action = add_action(item, owner, text, ActionKind.directe, meeting_steps.meeting_day(item.meeting), None, user)
        action.due_date = local_today() + dt.timedelta(days=due_in)
        action.status = status
        db.session.flush()
        return action

    return make


@pytest.fixture
def world(app, make_org, make_user, make_meeting, make_case, make_action) -> SimpleNamespace:
    """Two regions with the same partners; a chair, members and a case with points in each."""
    vt, politie, om = (
        make_org("VT", name="Veilig Thuis"),
        make_org("Politie"),
        make_org("OM", name="Openbaar Ministerie"),
    )
    rr = Region(name="Rotterdam-Rijnmond", code="RR", organisations=[vt, politie, om])
    zhz = Region(name="Zuid-Holland-Zuid", code="ZHZ", organisations=[vt, politie, om])
    db.session.add_all([rr, zhz])
    db.session.flush()
    w = SimpleNamespace(vt=vt, politie=politie, om=om, rr=rr, zhz=zhz)
    w.chair = make_user(Role.voorzitter, om, [rr], email="chair@rr.example")
    w.vt_user = make_user(Role.deelnemer, vt, [rr], email="vt@rr.example")
    w.politie_user = make_user(Role.deelnemer, politie, [rr], email="politie@rr.example")
    w.politie_user2 = make_user(Role.deelnemer, politie, [rr], email="politie2@rr.example")
    w.other_chair = make_user(Role.voorzitter, vt, [zhz], email="chair@zhz.example")
    w.other_politie = make_user(Role.deelnemer, politie, [zhz], email="politie@zhz.example")
    w.admin = make_user(Role.beheerder, vt, [rr, zhz], email="admin@example.test")
    w.national = make_user(Role.landelijk, om, [], email="landelijk@example.test")
    w.meeting = make_meeting(rr)
    w.case = make_case(w.meeting, vt, w.vt_user, needed=[vt, politie], file_reference="VT-2026-0042")
    w.item = w.meeting.items[0]
    w.action = make_action(w.item, politie, w.chair, due_in=-2, text="Politie plant verhoor")
    w.other_meeting = make_meeting(zhz)
    w.other_case = make_case(w.other_meeting, vt, w.other_chair, needed=[vt])
    w.other_item = w.other_meeting.items[0]
    w.other_action = make_action(w.other_item, politie, w.other_chair)
    db.session.commit()  # the world exists before any request
    return w


class Auth:
    """Sign a test client in and out."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email: User | str, password: str = PASSWORD, **kw: Any):
        """Both steps through the real forms: the password, then the app's code where asked."""
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        response = self.client.post("/login", data={"email": email, "password": password}, **kw)
        if response.status_code == 303 and response.headers["Location"] == "/login/code":
            response = self.client.post("/login/code", data={"code": totp_code(email)}, **kw)
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def login_as(app) -> Callable[[User], Any]:
    """A fresh client signed in as the given user (several can be open at once)."""

    def make(user: User):
        c = app.test_client()
        response = Auth(c).login(user)
        assert response.status_code == 303, response.get_data(as_text=True)
        return c

    return make


HX = {"HX-Request": "true"}


@pytest.fixture
def count_queries(app):
    """Context manager counting the SQL statements a block runs."""
    from contextlib import contextmanager

    @contextmanager
    def counter():
        statements: list[str] = []

        def on_execute(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)

    return counter


@pytest.fixture
def discussed_before(world, make_meeting, make_action) -> SimpleNamespace:
    """The world's case was discussed a fortnight ago too (a closed meeting), which agreed a VT
    point with a named person that is overdue now: an earlier point for the world's meeting."""
    from actieoverleg.agenda import add_item
    from actieoverleg.vocab import ItemKind, MeetingStatus

    past = make_meeting(world.rr, days=-14, status=MeetingStatus.afgesloten)
    item = add_item(past, world.case, ItemKind.nieuw)
    point = make_action(item, world.vt, world.chair, due_in=-3, text="VT legt huisbezoek af")
    point.assignee = world.vt_user
    db.session.commit()
    world.past_meeting, world.earlier = past, point
    return world
