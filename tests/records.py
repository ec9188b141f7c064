"""What the database holds, read back for the plain-function tests of the rule modules: the
audit trail, row counts, the agenda counter and statistics staleness."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

from actieoverleg import meeting_steps
from actieoverleg.extensions import db
from actieoverleg.models import AuditEvent, Region, StatStale
from actieoverleg.vocab import Assessment, AttendanceForm, AttendanceStatus, Handover


def entries(*objects: db.Model) -> list[tuple[str, int | None, str]]:
    """The audit trail of these objects, oldest first: (action, acting user's id, detail)."""
    keys = {(type(o).__name__, o.id) for o in objects}
    return [
        (e.action, e.user_id, e.detail)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if (e.object_type, e.object_id) in keys
    ]


def count(model: type[db.Model], *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def agenda_version(region: Region) -> int:
    """The region's counter as the database has it (written by SQL at flush, never in memory)."""
    return db.session.scalar(select(Region.agenda_version).where(Region.id == region.id))


def stale() -> set[tuple[int, str]]:
    """The (region, period) pairs this transaction marked stale; a commit recomputes and clears them."""
    return {(row.region_id, row.period) for row in db.session.execute(select(StatStale.region_id, StatStale.period))}


def make_ready(w: SimpleNamespace) -> None:
    """Everything closing asks for: both steps of the item, and one organisation's attendance."""
    meeting_steps.record_step1(w.item, [w.vt], Assessment.zorgelijk, w.chair)
    meeting_steps.record_step3(w.item, Handover.lokaal_team, None, w.chair)
    meeting_steps.record_attendance(w.meeting, w.vt, AttendanceStatus.aanwezig, True, AttendanceForm.fysiek, w.chair)
