"""The meeting's life cycle as plain functions: each operation makes its change and owns its
consequences (audit entry, mail in the outbox, carry-over) and leaves the commit to its caller."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actieoverleg import lifecycle, meeting_steps
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import AuditEvent, Meeting, OutboxMessage
from actieoverleg.vocab import (
    Assessment,
    AttendanceStatus,
    Handover,
    MailKind,
    MeetingForm,
    MeetingStatus,
    ReopenReason,
)

pytestmark = pytest.mark.clock  # make test-clock runs these at awkward instants


def audit_of(meeting: Meeting) -> list[tuple[str, str]]:
    return [
        (e.action, e.detail)
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "Meeting", AuditEvent.object_id == meeting.id)
            .order_by(AuditEvent.id)
        )
    ]


def mails(kind: MailKind) -> int:
    return len(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == kind)).all())


def test_cancel_carries_the_agenda_over_tells_everyone_and_is_audited(world, make_meeting):
    later = make_meeting(world.rr, days=14)
    done = lifecycle.cancel(world.meeting, world.chair)
    assert world.meeting.status is MeetingStatus.geannuleerd and world.meeting.sequence == 1
    assert done.target is later and done.moved == 1 and [i.case for i in later.items] == [world.case]
    assert done.informed == mails(MailKind.afgelast) == 4  # chair, VT and two Politie members of RR
    assert audit_of(world.meeting) == [("cancel", "")]
    db.session.rollback()  # the caller decides: nothing of it stays
    assert db.session.get(Meeting, world.meeting.id).status is MeetingStatus.gepland and mails(MailKind.afgelast) == 0


def test_close_refuses_with_what_is_missing_and_changes_nothing(world):
    with pytest.raises(lifecycle.NotReady) as refused:
        lifecycle.close(world.meeting, world.chair, before_start=True)
    code = world.case.code
    assert refused.value.problems == [
        f"{code}: stap 1, de duiding, ontbreekt.",
        f"{code}: stap 3, de overdracht, ontbreekt.",
        "De aanwezigheid is nog niet vastgelegd.",
    ]
    assert world.meeting.status is MeetingStatus.gepland and mails(MailKind.verslag) == 0


def test_close_then_reopen_with_a_reason(world):
    meeting_steps.record_step1(world.item, [world.vt], Assessment.acuut, world.chair)
    meeting_steps.record_step3(world.item, Handover.mda, None, world.chair)
    meeting_steps.record_attendance(world.meeting, world.vt, AttendanceStatus.aanwezig, True, None, world.chair)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    assert world.meeting.is_locked and world.meeting.chair_organisation_id == world.om.id
    assert mails(MailKind.verslag) == 4
    lifecycle.reopen(world.meeting, ReopenReason.correctie_stappen, world.chair)
    assert world.meeting.status is MeetingStatus.gepland and world.meeting.closed_at is None
    assert [a for a, _ in audit_of(world.meeting)][-2:] == ["close", "reopen"]
    assert audit_of(world.meeting)[-1] == ("reopen", ReopenReason.correctie_stappen.value)


def test_move_says_nothing_changed_or_raises_the_sequence(world):
    start = local(world.meeting.starts_at)
    same = (start.date(), start.time(), world.meeting.duration_minutes, world.meeting.location, world.meeting.form)
    assert lifecycle.move(world.meeting, *same, world.chair) is None and audit_of(world.meeting) == []
    later = start + dt.timedelta(hours=1)
    informed = lifecycle.move(world.meeting, later.date(), later.time(), 90, "Zaal 3", MeetingForm.online, world.chair)
    assert informed == 0  # the agenda has not gone out: no updated invite yet
    assert world.meeting.sequence == 1 and local(world.meeting.starts_at) == later
    assert audit_of(world.meeting) == [("change", "")]


def test_an_extra_meeting_is_planned_and_audited(world):
    day = dt.date.fromisoformat("2030-01-07")
    meeting = lifecycle.plan_extra(world.rr.id, day, dt.time(9), 60, "", MeetingForm.online, world.chair)
    assert meeting.is_extra and local(meeting.starts_at).date() == day
    assert audit_of(meeting) == [("create", "spoed")]
