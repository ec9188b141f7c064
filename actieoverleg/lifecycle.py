"""A meeting's life cycle (docs/rules.md §1–§3, §6): planned from its series (`planning.py`) or
as an extra (spoed) meeting, moved, its agenda sent, cancelled, closed and reopened.

    gepland --move--> gepland (SEQUENCE + 1; the updated invite if the agenda went out)
    gepland --cancel--> geannuleerd   (the agenda moves to the next meeting; cancellations mailed)
    gepland --close--> afgesloten     (only when nothing is missing; the follow-up is mailed)
    afgesloten --reopen (a chair, with a reason)--> gepland

A closed or cancelled record is locked (`Meeting.is_locked`). Each function is an operation:
it makes the change and its consequences (audit entry, mail in the outbox, carry-over) and
flushes; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import agenda, audit, mail, planning
from .clock import utcnow
from .extensions import db
from .formatting import datumtijd, to_utc
from .meeting_steps import Problem, close_problems
from .models import Meeting, User
from .vocab import AuditAction, MeetingForm, MeetingStatus, ReopenReason

EARLY = "vink ‘Het overleg is al gehouden’ aan om het toch af te sluiten."


class NotReady(Exception):
    """The meeting cannot be closed yet; `problems` says what is missing (Dutch)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Cancelled:
    """What cancelling did: who was told, and where the agenda went."""

    informed: int
    moved: int
    target: Meeting | None


def plan_extra(
    region_id: int, day: dt.date, time: dt.time, duration: int, location: str, form: MeetingForm, user: User
) -> Meeting:
    """An extra (spoed) meeting outside the series."""
    meeting = Meeting(
        region_id=region_id,
        starts_at=to_utc(day, time),
        duration_minutes=duration,
        location=location,
        form=form,
        is_extra=True,
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record(AuditAction.create, meeting, user=user, detail="spoed")
    return meeting


def move(
    meeting: Meeting, day: dt.date, time: dt.time, duration: int, location: str, form: MeetingForm, user: User
) -> int | None:
    """Move a meeting or change its place and form. None if nothing changed; otherwise how
    many members got the updated invite (0 before the agenda went out)."""
    new = (to_utc(day, time), duration, location, form)
    if new == (meeting.starts_at, meeting.duration_minutes, meeting.location, meeting.form):
        return None
    meeting.starts_at, meeting.duration_minutes, meeting.location, meeting.form = new
    meeting.sequence += 1
    audit.record(AuditAction.change, meeting, user=user)
    return mail.change(meeting)


def send_agenda(meeting: Meeting, user: User) -> int:
    """Mail the agenda with the invite to everyone at the table (again: as an update)."""
    count = mail.agenda(meeting)
    audit.record(AuditAction.send_agenda, meeting, user=user, detail=str(count))
    return count


def cancel(meeting: Meeting, user: User | None) -> Cancelled:
    """Cancel a planned meeting: its agenda moves to the region's next meeting, everyone at the
    table gets the cancelling invite."""
    meeting.status = MeetingStatus.geannuleerd
    meeting.sequence += 1
    db.session.flush()
    target = planning.next_meeting(meeting.region_id)
    moved = agenda.carry_over(meeting, target) if target is not None else 0
    audit.record(AuditAction.cancel, meeting, user=user)
    return Cancelled(mail.cancellation(meeting), moved, target)


def close(meeting: Meeting, user: User, *, before_start: bool = False) -> None:
    """Lock the record and send the follow-up in the same transaction; refused (`NotReady`)
    while a step or the attendance is missing, and for a meeting that has not begun unless the
    chair says so (`before_start`: a closed record counts as held). The chairing organisation
    defaults to the closing chair's."""
    problems = close_problems(meeting)
    if meeting.starts_at > utcnow() and not before_start:
        problems.insert(0, Problem(f"Dit overleg begint pas op {datumtijd(meeting.starts_at)}: {EARLY}"))
    if problems:
        raise NotReady(problems)
    meeting.status = MeetingStatus.afgesloten
    meeting.closed_at = utcnow()
    meeting.closed_by_id = user.id
    if meeting.chair_organisation_id is None:
        meeting.chair_organisation_id = user.organisation_id
    audit.record(AuditAction.close, meeting, user=user)
    mail.follow_up(meeting)


def reopen(meeting: Meeting, reason: ReopenReason, user: User) -> None:
    """Unlock a closed record for a correction, logged with a reason code."""
    meeting.status = MeetingStatus.gepland
    meeting.closed_at = None
    meeting.closed_by_id = None
    audit.record(AuditAction.reopen, meeting, user=user, detail=reason.value)
