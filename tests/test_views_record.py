"""The record's own form: Heropenen, with the Dutch message from the server, never the browser's."""

from __future__ import annotations

import re

from actieoverleg import lifecycle
from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, Meeting
from actieoverleg.vocab import MeetingStatus

from .records import make_ready


def closed(world) -> Meeting:
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    db.session.commit()
    return world.meeting


def test_the_reopen_form_leaves_checking_to_the_server(world, login_as):
    meeting = closed(world)
    html = login_as(world.chair).get(f"/overleggen/{meeting.id}").text
    form = re.search(r'<form method="post" action="/overleggen/\d+/heropenen#heropenen"[^>]*>', html).group(0)
    assert "novalidate" in form  # no English browser bubble


def test_reopening_without_a_reason_says_so_in_dutch_next_to_the_field(world, login_as):
    meeting = closed(world)
    response = login_as(world.chair).post(f"/overleggen/{meeting.id}/heropenen", data={"reason": ""})
    html = response.text
    assert response.status_code == 422
    assert "Kies een reden om het overleg te heropenen." in html
    assert 'id="reason-error"' in html and 'aria-invalid="true"' in html and "Er is één probleem" in html
    assert "Verslag Actie-overleg" in html  # the record itself, still read-only
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.afgesloten
    assert db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "reopen")) == 0
