"""The request log names the route's pattern, the status and the user, never the URL: a path
holds case codes and the feed's token (docs/rules.md §8)."""

from __future__ import annotations

import logging

from actieoverleg.request_log import _not_an_access_line

from . import conftest


def test_a_request_is_logged_by_its_route_pattern_and_user_not_its_path(world, login_as, caplog):
    client = login_as(world.vt_user)
    with caplog.at_level(logging.INFO, logger="actieoverleg.requests"):
        assert client.get(f"/casussen/{world.case.code}").status_code == 200
        assert client.get("/casussen/zoeken", query_string={"code": world.case.code}).status_code == 303
    lines = [r.getMessage() for r in caplog.records if r.name == "actieoverleg.requests"][-2:]
    assert lines[0].startswith(f"GET /casussen/<code> 200 user={world.vt_user.id} ")
    assert lines[1].startswith(f"GET /casussen/zoeken 303 user={world.vt_user.id} ")
    assert not [line for line in lines if world.case.code in line]


def test_the_development_servers_access_lines_are_dropped_and_its_other_lines_kept():
    access = logging.LogRecord("werkzeug", logging.INFO, "", 0, '127.0.0.1 - - [%s] "%s" %s %s', (), None)
    running = logging.LogRecord("werkzeug", logging.INFO, "", 0, " * Running on %s", ("http://127.0.0.1:5000",), None)
    assert not _not_an_access_line(access) and _not_an_access_line(running)


def test_the_suite_watches_every_code_text_and_reference_it_writes(world):
    """The autouse check (tests/conftest.py) knows what to look for in the log lines."""
    assert {world.case.code, "VT-2026-0042", world.action.text} <= conftest._sensitive
