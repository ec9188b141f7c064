"""The meeting's life cycle as plain functions: each operation makes its change and owns its
consequences (audit entry, mail in the outbox, carry-over) and leaves the commit to its caller."""

from __future__ import annotations

import datetime as dt
import email
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from actieoverleg import actions, lifecycle, mail, meeting_steps
from actieoverleg.extensions import db
from actieoverleg.formatting import local
from actieoverleg.models import AuditEvent, Meeting, OutboxMessage
from actieoverleg.vocab import (
    ActionStatus,
    Assessment,
    AttendanceStatus,
    Handover,
    MailKind,
    MeetingForm,
    MeetingStatus,
    ReopenReason,
    Role,
)

from .conftest import TEST_NOW
from .records import make_ready

NOW = TEST_NOW.astimezone(dt.timezone.utc)  # the pinned instant every test starts at

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


def test_cancelling_a_later_meeting_moves_its_cases_forward_never_back(world, make_meeting):
    later = make_meeting(world.rr, days=14)
    latest = make_meeting(world.rr, days=28)
    world.item.meeting = later
    db.session.flush()
    done = lifecycle.cancel(later, world.chair)
    assert done.target is latest and [i.case for i in latest.items] == [world.case]
    assert world.meeting.items == []


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


def test_no_meeting_is_planned_or_moved_to_a_moment_that_has_passed(world, make_meeting):
    now = local(NOW)
    for moment in (now - dt.timedelta(days=2), now - dt.timedelta(minutes=5), now):
        day, time = moment.date(), moment.time().replace(second=0, microsecond=0)
        with pytest.raises(lifecycle.InThePast, match="Kies een moment in de toekomst."):
            lifecycle.plan_extra(world.rr.id, day, time, 60, "", MeetingForm.online, world.chair)
        with pytest.raises(lifecycle.InThePast):
            lifecycle.move(world.meeting, day, time, 120, "", MeetingForm.fysiek, world.chair)
    assert world.meeting.sequence == 0 and audit_of(world.meeting) == []
    # a meeting under way keeps its start while its place or link is corrected
    started = make_meeting(world.rr, days=0)
    started.starts_at = NOW - dt.timedelta(minutes=30)
    start = local(started.starts_at)
    assert lifecycle.move(started, start.date(), start.time(), 120, "Zaal 3", MeetingForm.fysiek, world.chair) == 0
    assert started.location == "Zaal 3" and started.starts_at == NOW - dt.timedelta(minutes=30)


def queued(kind: MailKind) -> dict[str, EmailMessage]:
    """The queued messages of a kind by recipient, as they will go out."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
    return {row.recipient: email.message_from_bytes(row.raw, policy=default_policy) for row in rows}


def has_invite(message: EmailMessage) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in message.walk())


def test_sending_the_agenda_records_who_has_the_invite_and_only_they_get_the_cancel(world, make_user):
    lifecycle.send_agenda(world.meeting, world.chair)
    assert mail.invitees(world.meeting) == {
        world.chair.id,
        world.vt_user.id,
        world.politie_user.id,
        world.politie_user2.id,
    }
    newcomer = make_user(Role.deelnemer, world.om, [world.rr], email="om@rr.example")
    done = lifecycle.cancel(world.meeting, world.chair)
    assert done.informed == 5
    cancels = queued(MailKind.afgelast)
    assert not has_invite(cancels["om@rr.example"]) and newcomer.id not in mail.invitees(world.meeting)
    assert all(has_invite(cancels[address]) for address in ("chair@rr.example", "vt@rr.example", "politie@rr.example"))


def test_move_after_the_agenda_mails_the_changes_and_invites_newcomers(world, make_user):
    lifecycle.send_agenda(world.meeting, world.chair)
    newcomer = make_user(Role.deelnemer, world.om, [world.rr], email="om@rr.example")
    start = local(world.meeting.starts_at) + dt.timedelta(days=1)
    informed = lifecycle.move(world.meeting, start.date(), start.time(), 120, "", MeetingForm.fysiek, world.chair)
    assert informed == 5 and newcomer.id in mail.invitees(world.meeting)
    change = queued(MailKind.wijziging)["om@rr.example"]
    text = change.get_body(("plain",)).get_content()
    assert "Wat is er veranderd:\r\n- Wanneer: " in text and " → " in text and "- Vorm:" not in text


def test_closing_again_queues_corrections_only_for_changed_organisations(world, make_action):
    make_ready(world)
    assert lifecycle.close(world.meeting, world.chair, before_start=True) == 4
    lifecycle.reopen(world.meeting, ReopenReason.correctie_actiepunt, world.chair)
    assert world.meeting.reopened_at == NOW and not world.meeting.is_locked
    assert lifecycle.close(world.meeting, world.chair, before_start=True) == 0  # nothing changed: no mail
    assert mails(MailKind.verslag) == 4 and [a for a, _ in audit_of(world.meeting)][-3:] == ["close", "reopen", "close"]
    lifecycle.reopen(world.meeting, ReopenReason.correctie_actiepunt, world.chair)
    world.action.due_date += dt.timedelta(days=7)  # a correction of Politie's point
    assert lifecycle.close(world.meeting, world.chair, before_start=True) == 2  # both Politie members
    corrections = [m for m in queued(MailKind.verslag).values() if m["Subject"].startswith("Correctie: ")]
    assert sorted(m["To"].addresses[0].addr_spec for m in corrections) == ["politie2@rr.example", "politie@rr.example"]
    lifecycle.reopen(world.meeting, ReopenReason.correctie_actiepunt, world.chair)
    world.action.organisation = world.vt  # the point changes hands: both owners hear of it
    assert lifecycle.close(world.meeting, world.chair, before_start=True) == 3


def test_a_result_recorded_between_closings_is_no_correction(world):
    make_ready(world)
    lifecycle.close(world.meeting, world.chair, before_start=True)
    actions.tick_off(world.action, ActionStatus.afgerond, world.action.version, world.politie_user)
    lifecycle.reopen(world.meeting, ReopenReason.te_vroeg_afgesloten, world.chair)
    assert lifecycle.close(world.meeting, world.chair, before_start=True) == 0
