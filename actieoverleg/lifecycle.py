"""A meeting's life cycle (docs/rules.md §1–§3, §6): planned from its series (`planning.py`) or
as an extra (spoed) meeting, moved, its agenda sent, cancelled, closed and reopened.

    gepland --move--> gepland (SEQUENCE + 1; what changed and the updated invite, if the agenda went out)
    gepland --cancel--> geannuleerd   (the agenda moves to the next meeting; cancellations mailed)
    gepland --close--> afgesloten     (only when nothing is missing; the follow-up is mailed)
    afgesloten --reopen (a chair, with a reason)--> gepland, "heropend"
        --close--> afgesloten         (a correction only to organisations whose points changed)

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
from .meeting_steps import Problem, close_problems, forget_removed
from .models import Meeting, User
from .vocab import AuditAction, MeetingForm, MeetingStatus, ReopenReason

EARLY = "vink ‘Het overleg is al gehouden’ aan om het toch af te sluiten."
PAST = "Kies een moment in de toekomst."


class InThePast(Exception):
    """A meeting cannot be planned, or moved, to a moment that has passed (`PAST` says so)."""

    def __init__(self) -> None:
        super().__init__(PAST)
        self.message = PAST


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


def online_link(form: MeetingForm, link: str) -> str:
    """The join link is kept for an online or hybride meeting only (forms.OnlineLink checks it)."""
    return "" if form is MeetingForm.fysiek else link.strip()


def plan_extra(
    region_id: int,
    day: dt.date,
    time: dt.time,
    duration: int,
    location: str,
    form: MeetingForm,
    user: User,
    *,
    online_url: str = "",
) -> Meeting:
    """An extra (spoed) meeting outside the series; never in the past (`InThePast`)."""
    starts_at = to_utc(day, time)
    if starts_at <= utcnow():
        raise InThePast()
    meeting = Meeting(
        region_id=region_id,
        starts_at=starts_at,
        duration_minutes=duration,
        location=location,
        form=form,
        online_url=online_link(form, online_url),
        is_extra=True,
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record(AuditAction.create, meeting, user=user, detail="spoed")
    return meeting


def move(
    meeting: Meeting,
    day: dt.date,
    time: dt.time,
    duration: int,
    location: str,
    form: MeetingForm,
    user: User,
    *,
    online_url: str | None = None,
) -> int | None:
    """Move a meeting or change its place, form or link (None keeps the link). None if nothing
    changed; otherwise how many members got what changed with the updated invite (0 before the
    agenda went out). A new start must lie ahead (`InThePast`); a meeting whose start has passed
    keeps it while its place, form or link is corrected."""
    before = mail.Facts.of(meeting)
    link = online_link(form, meeting.online_url if online_url is None else online_url)
    new = mail.Facts(to_utc(day, time), duration, location, form, link)
    if new == before:
        return None
    if new.starts_at != before.starts_at and new.starts_at <= utcnow():
        raise InThePast()
    meeting.starts_at, meeting.duration_minutes = new.starts_at, duration
    meeting.location, meeting.form, meeting.online_url = location, form, link
    meeting.sequence += 1
    audit.record(AuditAction.change, meeting, user=user)
    return mail.change(meeting, before)


def send_agenda(meeting: Meeting, user: User) -> int:
    """Mail the agenda with the invite to everyone at the table (again: as an update)."""
    count = mail.agenda(meeting)
    audit.record(AuditAction.send_agenda, meeting, user=user, detail=str(count))
    return count


def cancel(meeting: Meeting, user: User | None) -> Cancelled:
    """Cancel a planned meeting: its agenda moves to the region's next regular meeting (a spoed
    meeting holds only what the chair puts on it), everyone at the table gets the cancelling invite."""
    meeting.status = MeetingStatus.geannuleerd
    meeting.sequence += 1
    db.session.flush()
    target = planning.next_meeting(meeting.region_id, regular=True, after=meeting)
    moved = agenda.carry_over(meeting, target) if target is not None else 0
    audit.record(AuditAction.cancel, meeting, user=user)
    return Cancelled(mail.cancellation(meeting, target, moved), moved, target)


def close(meeting: Meeting, user: User, *, before_start: bool = False) -> int:
    """Lock the record and send the follow-up in the same transaction; refused (`NotReady`)
    while a step or the attendance is missing, and for a meeting that has not begun unless the
    chair says so (`before_start`: a closed record counts as held). The chairing organisation
    defaults to the closing chair's. Returns how many follow-ups were queued: after a reopening
    only the corrections for organisations whose points changed, possibly none."""
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
    forget_removed(meeting)  # "ongedaan maken" ends with the meeting: no removed text is kept
    return mail.follow_up(meeting)


def reopen(meeting: Meeting, reason: ReopenReason, user: User) -> None:
    """Unlock a closed record for a correction, logged with a reason code; from now on the
    record says it was reopened."""
    meeting.status = MeetingStatus.gepland
    meeting.closed_at = None
    meeting.closed_by_id = None
    meeting.reopened_at = utcnow()
    audit.record(AuditAction.reopen, meeting, user=user, detail=reason.value)
