"""The default demo (`make run`): its statistics read as the national table and a chair will
read them, with figures in every table over the last five complete quarters."""

from __future__ import annotations

import pytest

from actieoverleg import agenda, planning
from actieoverleg.clock import local_today
from actieoverleg.demo import load_demo
from actieoverleg.disclosure import NOT_SHOWN, SUPPRESSED
from actieoverleg.extensions import db
from actieoverleg.models import Region
from actieoverleg.periods import Period

from .conftest import Auth
from .test_statistics_views import Tables

PASSWORD = "demo-wachtwoord-1"


def _last_quarters(count: int) -> list[Period]:
    """The running quarter and the `count` complete ones before it, newest first."""
    quarters = [Period.quarter_of(local_today())]
    for _ in range(count):
        q = quarters[-1]
        quarters.append(Period(q.year - 1, 4) if q.quarter == 1 else Period(q.year, q.quarter - 1))
    return quarters


def _published(rows: list[list[str]]) -> list[str]:
    """The figures of a table that say something: not 0, `<10` or `–`."""
    return [cell for row in rows[1:] for cell in row[1:] if cell not in ("0", "0%", SUPPRESSED, NOT_SHOWN)]


def test_every_table_of_the_demo_report_has_figures_for_five_quarters(app):
    lines = [line.split("\t") for line in load_demo(PASSWORD)]
    db.session.commit()
    chairs = [(email, regions) for role, _org, regions, email, _pw, _totp in lines if role == "voorzitter"]
    national = next(email for role, _org, _regions, email, _pw, _totp in lines if role == "landelijk")
    codes = {"Rotterdam-Rijnmond": "RR", "Zuid-Holland-Zuid": "ZHZ"}
    readers = [(national, None)] + [(email, codes[regions]) for email, regions in chairs]
    assert len(readers) == 3
    empty = []
    for email, code in readers:
        client = app.test_client()
        assert Auth(client).login(email, PASSWORD).status_code == 303
        for period in _last_quarters(5)[1:]:  # the running quarter may still be too young to publish
            url = f"/statistieken/{period.key}" + (f"/{code}" if code else "")
            response = client.get(url)
            assert response.status_code == 200, url
            tables = Tables(response.get_data(as_text=True)).tables
            assert len(tables) >= 15 + (code is None), url  # every table of the report, and the overview
            empty += [f"{url} {key}" for key, rows in tables.items() if not _published(rows)]
    assert not empty, "tables without a published figure:\n" + "\n".join(empty)


@pytest.mark.clock  # make test-clock runs this at awkward instants
def test_each_regions_next_agenda_holds_a_follow_up_with_a_running_point(app):
    """What a chair practises with at the table: an earlier point still open on the next agenda."""
    load_demo(PASSWORD)
    db.session.commit()
    for region in db.session.scalars(db.select(Region)):
        items = agenda.visible_items(planning.next_meeting(region.id))
        running = [i for i in items if any(a.is_open and a.agenda_item_id != i.id for a in i.case.actions)]
        assert running, f"no case with an open earlier point on the next agenda of {region.name}"
