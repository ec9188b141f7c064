"""`make bench`: server time and SQL queries per page on the regional demo and on five years of
national data, a whole statistics view (page and chart images, cold browser cache) against its
page alone, Onze actiepunten's requests/second against a bare Flask route, and the content
guard's catch rate, false alarms and time per check (bench/guard.py, also runnable alone).

Each page is requested through the WSGI app in this process (Flask's test client), signed in
through the real login form; the time is measured around the app's WSGI call. The databases
are built once under instance/bench/ (`--rebuild` to start over). The exit code is 0 even when
a target is missed: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics as stats
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import guard  # noqa: E402  (bench/guard.py, beside this script)

from actieoverleg import create_app, schema  # noqa: E402
from actieoverleg.extensions import db  # noqa: E402
from actieoverleg.formatting import local_today  # noqa: E402
from actieoverleg.models import Meeting, Region  # noqa: E402
from actieoverleg.periods import last_complete_quarter  # noqa: E402
from actieoverleg.planning import next_meeting  # noqa: E402
from actieoverleg.vocab import MeetingStatus  # noqa: E402

PASSWORD = "bench-wachtwoord-2026"
FOLDER = ROOT / "instance" / "bench"
TARGETS = {"stats": 50.0, "other": 10.0}
BARE = "bare Flask route"
VIEW_FACTOR = 2.0  # a whole view (page + its chart images) may cost at most this many times the page
CHART_SRC = re.compile(r'<img class="stat__chart" src="([^"]+)"')


class ServerTimer:
    """WSGI middleware: the time spent inside the app, without the test client's own work."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app, self.last_ms = wsgi_app, 0.0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        body = list(self.wsgi_app(environ, start_response))  # the whole response, as a server sends it
        self.last_ms = (time.perf_counter() - started) * 1000
        return body


def make_app(path: Path) -> Flask:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "OUTBOX_DELIVER_AFTER_COMMIT": False,
            "MAIL_DIR": tempfile.mkdtemp(prefix="bench-mail-"),
        }
    )
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")  # the yardstick: no login, no database
    app.wsgi_app = ServerTimer(app.wsgi_app)  # type: ignore[method-assign]
    return app


def build(name: str, loader: Callable[[], object], rebuild: bool) -> Path:
    path = FOLDER / f"{name}.sqlite"
    if path.exists() and not rebuild:
        with make_app(path).app_context():
            schema.upgrade()  # built by an older version: its migrations bring it up to date
        return path
    FOLDER.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    with make_app(path).app_context():
        schema.upgrade()
        loader()
        db.session.commit()
    print(f"built {path.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 303:
        raise SystemExit(f"cannot sign in as {email}: {response.status_code}")
    return client


def pages(app: Flask) -> list[tuple[str, str, str, str]]:
    """(label, kind, who, url) for the pages measured; kind 'view' is a page plus every chart
    image it references, fetched as a browser with a cold cache would."""
    today = local_today()
    quarter = last_complete_quarter(today)
    year = str(today.year - 1)
    with app.app_context(), app.test_request_context():
        rr = db.session.scalar(select(Region).where(Region.code == "RR"))
        upcoming = next_meeting(rr.id)
        last_closed = db.session.scalar(
            select(Meeting.id)
            .where(Meeting.region_id == rr.id, Meeting.status == MeetingStatus.afgesloten)
            .order_by(Meeting.starts_at.desc())
        )
        return [
            ("Statistieken landelijk, kwartaal", "stats", "landelijk", f"/statistieken/{quarter.key}"),
            ("Statistieken landelijk, jaar", "stats", "landelijk", f"/statistieken/{year}"),
            ("Statistieken regio, kwartaal", "stats", "landelijk", f"/statistieken/{quarter.key}/RR"),
            ("Statistieken regio, jaar", "stats", "landelijk", f"/statistieken/{year}/RR"),
            ("Statistieken CSV, landelijk jaar", "stats", "landelijk", f"/statistieken/{year}/export.csv"),
            ("Hele weergave landelijk, kwartaal", "view", "landelijk", f"/statistieken/{quarter.key}"),
            ("Hele weergave landelijk, jaar", "view", "landelijk", f"/statistieken/{year}"),
            ("Onze actiepunten (Politie)", "other", "politie", "/actiepunten/"),
            ("Onze actiepunten, filter Alle", "other", "politie", "/actiepunten/?status=alle"),
            ("Onze actiepunten, filter Afgerond", "other", "politie", "/actiepunten/?status=afgerond"),
            ("Overlegscherm (voorzitter)", "other", "voorzitter", url_for("steps.screen", meeting_id=upcoming.id)),
            ("Verslag laatste overleg", "other", "voorzitter", url_for("meetings.record", meeting_id=last_closed)),
            ("Start (voorzitter)", "other", "voorzitter", "/"),
        ]


def fetch(app: Flask, client: FlaskClient, url: str, count: list[int], images: bool) -> tuple[int, float, int]:
    """(status, server ms, queries) of one page, with every chart image it shows if `images`."""
    count[0] = 0
    response = client.get(url)
    status, ms = response.status_code, app.wsgi_app.last_ms
    if images and status == 200:  # as a browser: one request per image URL, the #fragment aside
        for src in dict.fromkeys(s.partition("#")[0] for s in CHART_SRC.findall(response.get_data(as_text=True))):
            image = client.get(src.replace("&amp;", "&"))
            assert image.status_code == 200 and image.mimetype == "image/svg+xml", (src, image.status_code)
            ms += app.wsgi_app.last_ms
    return status, ms, count[0]


def measure(app: Flask, runs: int) -> dict[str, tuple[float, float, int] | str]:
    """Per page: (median ms, p90 ms, queries per request), or why it could not be measured.

    The pages take turns, one request (or whole view) each per round, with the bare route
    among them: a busy neighbour on a shared machine then slows every page alike instead of one.
    """
    clients = {
        "landelijk": signed_in(app, "landelijk@demo.test"),
        "politie": signed_in(app, "politie.rr@demo.test"),
        "voorzitter": signed_in(app, "voorzitter.rr@demo.test"),
    }
    count = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: count.__setitem__(0, count[0] + 1))
    results: dict[str, tuple[float, float, int] | str] = {}
    timed = []
    for label, kind, who, url in [*pages(app), (BARE, "bare", "politie", "/bench/bare")]:
        status = clients[who].get(url).status_code
        if status != 200:  # a page not (yet) there is reported, not fatal
            results[label] = "missing" if status == 404 else f"HTTP {status}"
            continue
        for _ in range(2):  # warm up: compiled queries, templates, stale statistics
            fetch(app, clients[who], url, count, kind == "view")
        timed.append((label, clients[who], url, kind == "view"))
    times: dict[str, list[float]] = {label: [] for label, *_rest in timed}
    queries: dict[str, set[int]] = {label: set() for label, *_rest in timed}
    for _ in range(runs):
        for label, client, url, images in timed:
            status, ms, statements = fetch(app, client, url, count, images)
            assert status == 200, (label, url, status)
            times[label].append(ms)
            queries[label].add(statements)
    for label in times:
        results[label] = (stats.median(times[label]), stats.quantiles(times[label], n=10)[-1], max(queries[label]))
    return results


def rate(client: FlaskClient, url: str, seconds: float = 3.0) -> float:
    """Requests per second, sequentially, for `seconds`."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        client.get(url)
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page (default 50)")
    args = parser.parse_args()

    from actieoverleg.demo import load_demo
    from actieoverleg.demo_national import load_national

    small = build("small", lambda: load_demo(PASSWORD), args.rebuild)
    national = build("national", lambda: load_national(PASSWORD), args.rebuild)
    apps = {"small": make_app(small), "national": make_app(national)}
    with apps["national"].app_context():
        counts = {
            name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name]))
            for name in ("meeting", "agenda_item", "action_point", "case", "stat_cell")
        }
    print(f"\nnational data: {', '.join(f'{k} {v:,}' for k, v in counts.items())}")
    print(f"{args.runs} requests per page after warm-up; {dt.datetime.now():%d-%m-%Y %H:%M}\n")

    results = {name: measure(app, args.runs) for name, app in apps.items()}
    measured = pages(apps["small"])
    kinds = {label: kind for label, kind, _who, _url in measured}
    page_of = {url: label for label, kind, _who, url in measured if kind == "stats"}  # a view's page alone
    view_pages = {label: page_of[url] for label, kind, _who, url in measured if kind == "view"}
    bare_ms = results["national"][BARE][0]  # type: ignore[index]
    print(
        f"a bare Flask route takes {bare_ms:.2f} ms here (national run); 'x bare' divides by it, "
        "for comparing with other machines\n"
    )
    header = (
        f"{'page':36} {'small: q':>9} {'ms':>7} {'national: q':>12} {'ms':>7} {'p90':>7} {'x bare':>7}"
        f" {'target':>7}  result"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for label, kind in kinds.items():
        small_result, national_result = results["small"][label], results["national"][label]
        if isinstance(small_result, str) or isinstance(national_result, str):
            verdict = f"MISSING (small: {_text(small_result)}, national: {_text(national_result)})"
            print(f"{label:36} {'-':>9} {'-':>7} {'-':>12} {'-':>7} {'-':>7} {'-':>7} {'-':>7}  {verdict}")
            missed.append(f"{label} (missing)")
            continue
        s_ms, _s90, s_q = small_result
        n_ms, n90, n_q = national_result
        if kind == "view":  # at most VIEW_FACTOR times the page alone, on both databases
            page = view_pages[label]
            factors = [results[name][label][0] / results[name][page][0] for name in ("small", "national")]
            target = VIEW_FACTOR * results["national"][page][0]
            verdict = ("ok" if max(factors) <= VIEW_FACTOR else "TOO SLOW") + f" ({factors[1]:.1f}x the page)"
        else:
            target = TARGETS[kind]
            verdict = "ok" if max(s_ms, n_ms) <= target else "TOO SLOW"
        if s_q != n_q and kind != "view":  # a view's images depend on which charts have data
            verdict += f", queries differ ({s_q} vs {n_q})"
        if not verdict.startswith("ok") or "," in verdict:
            missed.append(f"{label} ({verdict})")
        print(
            f"{label:36} {s_q:9d} {s_ms:7.1f} {n_q:12d} {n_ms:7.1f} {n90:7.1f} {n_ms / bare_ms:7.0f}"
            f" {target:7.0f}  {verdict}"
        )

    app = apps["national"]
    client = signed_in(app, "politie.rr@demo.test")  # both through the same client, cookie and all
    ours = rate(client, "/actiepunten/")
    bare = rate(client, "/bench/bare")
    print("\nrequests/second, one after another in this process (national data):")
    print(f"  Onze actiepunten {ours:8.0f}/s")
    print(f"  bare Flask route {bare:8.0f}/s")
    print(f"  ratio            {ours / bare:8.3f}  (Onze actiepunten does {bare / ours:.1f}x the work of a bare route)")
    print("\n" + ("every page met its target" if not missed else "MISSED:\n  " + "\n  ".join(missed)))
    print()
    guard.report()  # the content guard: corpus figures and time per check (bench/guard.py)


def _text(result: tuple[float, float, int] | str) -> str:
    return result if isinstance(result, str) else "ok"


if __name__ == "__main__":
    main()
