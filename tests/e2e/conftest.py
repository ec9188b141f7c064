"""Fixtures for the browser tests: a live server on a demo database, Chromium, axe-core.

- `live_server` (session): the real app (CSRF on) on a SQLite file in a temp folder, filled by
  the app's own demo loader, served by werkzeug in a daemon thread.
- `browser` (session): Debian's Chromium driven by Playwright. Playwright's own browser
  download is never used; a missing Chromium makes the tests FAIL with the install command.
- `ui` (per test): opens one browser context per person, runs axe-core on pages, collects
  "soft" findings (axe violations, uncaught JS errors, server errors, confirm dialogs) so a
  walk goes on to the end and reports everything at once in `ui.finish()`; on a failure it
  saves a screenshot of every open page and prints the paths in the report.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Response, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from actieoverleg import create_app
from actieoverleg.demo import load_demo
from actieoverleg.extensions import db
from actieoverleg.models import TotpCredential, User

from ..conftest import TEST_NOW

PASSWORD = "e2e-demo-wachtwoord"  # every demo account gets it (load_demo(password=...))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "Install it with `apt-get install -y chromium chromium-driver` (or run `make test` via "
    ".ci/run, which does). Set CHROMIUM=/path/to/chromium to use another binary. "
    "Never `playwright install`: its browser download is not available here."
)
# Where the two review screenshots go (meeting screen, Onze actiepunten).
SHOTS_DIR = Path(os.environ.get("E2E_SHOTS", "/tmp/e2e-shots"))
VIEWPORT = {"width": 1280, "height": 720}  # the chair's projector (docs/screens.md)
BLOCKING_IMPACTS = ("serious", "critical")

# Auto-waiting assertions wait at most this long (the default 5 s is tight on a busy CI box).
expect.set_options(timeout=10_000)


# --- live server --------------------------------------------------------------------------
class _QuietHandler(WSGIRequestHandler):
    """No access-log line per request (errors and tracebacks are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The app with CSRF enabled on a demo database, at http://127.0.0.1:<free port>."""
    folder = tmp_path_factory.mktemp("e2e-db")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-" + os.urandom(8).hex(),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.sqlite'}",
            "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
            # The server's clock is pinned (tests/conftest.py), Chromium's is not: a session cookie
            # must not expire by the browser's clock before the run is over (Chromium caps it at 400 days).
            "PERMANENT_SESSION_LIFETIME": dt.timedelta(days=365 * 50),
            "WTF_CSRF_ENABLED": True,  # real forms carry tokens, htmx sends X-CSRFToken (hx-headers)
            "MAIL_DIR": str(folder / "mail"),  # the embedded default: .eml files
            # The clock stands still, so every sign-in of one chair in the run needs its own step
            # of the authenticator code: a wide drift window gives each a fresh, unused step.
            "TOTP_DRIFT_STEPS": 30,
        }
    )
    with app.app_context():
        db.create_all()
        lines = load_demo(password=PASSWORD)
        db.session.commit()
    # the demo's printed secrets (last column), as a tester copies them into an authenticator app
    secrets = {fields[3]: fields[5] for fields in (line.split("\t") for line in lines) if fields[5]}
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(
            url=f"http://127.0.0.1:{server.server_port}", app=app, password=PASSWORD, totp_secrets=secrets
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


# --- Chromium -----------------------------------------------------------------------------
def chromium_executable() -> tuple[str | None, str]:
    """The Chromium to drive: $CHROMIUM or /usr/bin/chromium; (None, why) when missing."""
    wanted = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    path = wanted if os.sep in wanted else shutil.which(wanted)
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path, ""
    return None, f"Chromium not found at {wanted!r}. {INSTALL_HINT}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser | str]:
    """Headless Chromium; a string (the reason) when it is missing, so the test itself fails."""
    path, why = chromium_executable()
    if path is None:
        yield why
        return
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        except Exception as error:  # noqa: BLE001 - turned into a readable failure below
            yield f"Chromium at {path} did not start: {error}\n{INSTALL_HINT}"
            return
        try:
            yield chromium
        finally:
            chromium.close()


# --- per-test helper ------------------------------------------------------------------------
@dataclass
class Finding:
    kind: str  # "axe", "js", "server", "dialog"
    where: str
    text: str


@dataclass
class UI:
    """Browser contexts for the people in one test, axe-core, and the soft findings."""

    browser: Browser | str
    base_url: str
    password: str
    failure_dir: Path
    app: Any = None
    totp_secrets: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    axe_log: list[str] = field(default_factory=list)  # every page checked, with all its violations
    pages: dict[str, Page] = field(default_factory=dict)
    dialogs: list[str] = field(default_factory=list)
    _contexts: list[BrowserContext] = field(default_factory=list)
    _checked: set[str] = field(default_factory=set)

    def page(self, who: str) -> Page:
        """A fresh browser context (own cookies: one person) with one page."""
        if isinstance(self.browser, str):
            pytest.fail(self.browser, pytrace=False)
        context = self.browser.new_context(
            base_url=self.base_url, viewport=VIEWPORT, locale="nl-NL", timezone_id="Europe/Amsterdam"
        )
        context.set_default_timeout(15_000)
        self._contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: self._on_dialog(who, dialog))
        page.on("pageerror", lambda error: self.note("js", who, str(error)))
        page.on("response", lambda response: self._on_response(who, response))
        self.pages[who] = page
        return page

    def sign_in(self, who: str, email: str) -> Page:
        """A new person signs in at /login and lands on the start page."""
        page = self.page(who)
        page.goto("/login")
        expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
        self.axe(page, "inloggen")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(self.password)
        page.get_by_role("button", name="Inloggen").click()
        if email in self.totp_secrets:  # chairs and the admin: the code from the app
            expect(page.get_by_role("heading", level=1)).to_have_text("Code invullen")
            self.axe(page, "code invullen")
            page.get_by_label("Code").fill(self.totp_code(email, self.totp_secrets[email]))
            page.get_by_role("button", name="Inloggen").click()
        expect(page).to_have_url(self.base_url + "/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Goedendag, ")
        self.axe(page, f"start ({who})")
        return page

    def totp_code(self, email: str, secret: str) -> str:
        """What the authenticator app shows that the server has not taken yet (the server's
        clock stands still: the next unused step within its drift window)."""
        with self.app.app_context():
            user = db.session.scalar(db.select(User).filter_by(email=email))
            last = db.session.get(TotpCredential, user.id).last_step
        totp = pyotp.TOTP(secret)
        now = int(TEST_NOW.timestamp()) // totp.interval  # the server's pinned clock
        step = max(last + 1, now - self.app.config["TOTP_DRIFT_STEPS"])
        return totp.generate_otp(step)

    def _on_response(self, who: str, response: Response) -> None:
        if response.status >= 500:
            self.note("server", who, f"{response.status} {response.request.method} {response.url}")

    def _on_dialog(self, who: str, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept()

    def note(self, kind: str, where: str, text: str) -> None:
        """A soft finding: reported (and failed on) in finish(), the walk goes on."""
        self.findings.append(Finding(kind, where, text))

    def axe(self, page: Page, label: str) -> None:
        """Run axe-core once per distinct page (label); serious and critical ones are findings."""
        if label in self._checked:
            return
        self._checked.add(label)
        violations = Axe().run(page).response["violations"]
        self.axe_log.append(
            f"[{label}] {page.url}: "
            + (", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x)" for v in violations) or "no violations")
        )
        for v in violations:
            if v.get("impact") not in BLOCKING_IMPACTS:
                continue
            nodes = "\n".join(
                f"      - {' >> '.join(map(str, n['target']))}: {_first_line(n.get('failureSummary', ''))}"
                for n in v["nodes"]
            )
            self.findings.append(
                Finding(
                    "axe",
                    f"{label} ({page.url})",
                    f"{v['id']} [{v['impact']}]: {v['help']}\n      {v['helpUrl']}\n{nodes}",
                )
            )

    def shot(self, page: Page, name: str) -> Path:
        """A full-page screenshot for review, in SHOTS_DIR."""
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        path = SHOTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path

    def finish(self) -> None:
        """Fail with every soft finding of this test (axe, JS errors, 5xx, dialogs)."""
        if self.findings:
            pytest.fail(self.report(), pytrace=False)

    def report(self) -> str:
        lines = [f"{len(self.findings)} problem(s) found while walking through the app:"]
        for f in self.findings:
            lines.append(f"  * {f.kind} on {f.where}:\n      {f.text}")
        return "\n".join(lines)

    def failure_screenshots(self, test_name: str) -> list[Path]:
        paths = []
        for who, page in self.pages.items():
            if page.is_closed():
                continue
            path = self.failure_dir / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}-{who}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                paths.append(path)
            except Exception as error:  # noqa: BLE001 - a failing screenshot must not hide the failure
                print(f"no screenshot of {who}: {error}")
        return paths

    def close(self) -> None:
        for context in self._contexts:
            context.close()


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines[:2])[:300]


@pytest.fixture(scope="session")
def failure_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-failures")


@pytest.fixture
def ui(browser: Browser | str, live_server: SimpleNamespace, failure_dir: Path) -> Iterator[UI]:
    helper = UI(
        browser=browser,
        base_url=live_server.url,
        password=live_server.password,
        failure_dir=failure_dir,
        app=live_server.app,
        totp_secrets=live_server.totp_secrets,
    )
    yield helper
    helper.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]):
    """On a failed test: screenshots of every open page, the axe log and the soft findings."""
    report = yield
    helper = getattr(item, "funcargs", {}).get("ui")
    if report.when == "call" and report.failed and isinstance(helper, UI):
        paths = helper.failure_screenshots(item.name)
        if paths:
            report.sections.append(("e2e screenshots", "\n".join(map(str, paths))))
        if helper.axe_log:
            report.sections.append(("e2e axe-core", "\n".join(helper.axe_log)))
        if helper.findings and "problem(s) found while walking" not in str(report.longrepr):
            report.sections.append(("e2e findings", helper.report()))
    return report
