"""Retention (docs/rules.md §8): what a case's partners wrote is erased once the case has rested.

A case with no open point and no discussion for `RETENTION_MONTHS` (default 12) loses its
file reference and the texts of its action points; its code, categories, dates, owners and
results stay, so the statistics (which count those, never texts) are unchanged. The erased
texts read "Tekst verwijderd na de bewaartermijn.", which is no personal data and tells
the reader why. Run daily (`flask --app actieoverleg retention purge`); it is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import exists, or_, select, update

from . import audit
from .extensions import db
from .formatting import to_utc
from .models import ActionPoint, AgendaItem, Case, Meeting
from .vocab import ActionStatus, AuditAction

log = logging.getLogger(__name__)

ERASED = "Tekst verwijderd na de bewaartermijn."


@dataclass(frozen=True)
class Purge:
    """What a purge erased (or, dry, would erase): counts only, never which case."""

    cases: int
    file_references: int
    action_texts: int


def cutoff(today: dt.date, months: int) -> dt.datetime:
    """The start of the day `months` calendar months before today (the 31st becomes the month's
    last day), in UTC: a case discussed or created since then is kept."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return to_utc(dt.date(year, month, min(today.day, last)), dt.time())


def _resting_cases(since: dt.datetime):
    """Cases created before `since`, with no open point, on no agenda of a meeting since then
    (held or planned), that still hold a file reference or an unerased action text."""
    open_point = exists().where(ActionPoint.case_id == Case.id, ActionPoint.status == ActionStatus.open)
    recent_item = (
        exists()
        .where(AgendaItem.case_id == Case.id, AgendaItem.removed.is_(False))
        .where(exists().where(Meeting.id == AgendaItem.meeting_id, Meeting.starts_at >= since))
    )
    text_left = exists().where(ActionPoint.case_id == Case.id, ActionPoint.text != ERASED)
    return select(Case.id).where(
        Case.created_at < since, ~open_point, ~recent_item, or_(Case.file_reference.is_not(None), text_left)
    )


def purge(today: dt.date, months: int, dry_run: bool = False) -> Purge:
    """Erase the file references and action texts of the cases that have rested `months`.

    One audit entry with the counts (`retention`, no object); a dry run only counts."""
    resting = _resting_cases(cutoff(today, months))  # a subquery: no list of ids, however many
    cases = db.session.scalar(select(db.func.count()).select_from(resting.subquery())) or 0
    references = db.session.scalar(
        select(db.func.count()).where(Case.id.in_(resting), Case.file_reference.is_not(None))
    )
    texts = db.session.scalar(
        select(db.func.count()).where(ActionPoint.case_id.in_(resting), ActionPoint.text != ERASED)
    )
    result = Purge(cases=cases, file_references=references or 0, action_texts=texts or 0)
    if dry_run or not cases:
        return result
    # the texts first: a case whose texts are erased still rests by its file reference, and
    # the other way round (both are in the subquery's "something left")
    db.session.execute(
        update(ActionPoint)
        .where(ActionPoint.case_id.in_(resting), ActionPoint.text != ERASED)
        .values(text=ERASED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Case)
        .where(Case.id.in_(resting), Case.file_reference.is_not(None))
        .values(file_reference=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()  # the bulk updates bypassed the objects in the session
    detail = f"casussen={result.cases},verwijzingen={result.file_references},teksten={result.action_texts}"
    audit.record(AuditAction.retention, None, user=None, detail=detail)
    log.info("retention: %s", detail)
    db.session.flush()
    return result
