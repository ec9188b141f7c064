"""Bringing a case in (docs/rules.md §2): a fresh pseudonymous code, coarse categories, the
partners whose information is needed, and a place on a coming agenda. Nothing else about the
family is ever stored (docs/domain.md).
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select

from . import agenda, audit
from .extensions import db
from .models import Case, Meeting, Organisation, User
from .privacy import new_case_code
from .vocab import AuditAction, CaseKind, CaseReason, Children, ItemKind


def bring_in(
    meeting: Meeting,
    user: User,
    kind: CaseKind,
    children: Children,
    reason: CaseReason,
    needed: Iterable[Organisation],
    file_reference: str | None,
) -> Case:
    """Create a case for the user's organisation and put it on the meeting's agenda."""
    region = meeting.region
    code = new_case_code(
        region.code,
        exists=lambda c: db.session.scalar(select(func.count()).where(Case.code == c)) > 0,
    )
    case = Case(
        code=code,
        region_id=region.id,
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        kind=kind,
        children=children,
        reason=reason,
        file_reference=(file_reference or "").strip() or None,
        needed=list(needed),
    )
    db.session.add(case)
    agenda.add_item(meeting, case, ItemKind.nieuw)
    db.session.flush()
    audit.record(AuditAction.create, case, user=user)
    return case


def by_code(code: str) -> Case | None:
    """The case with this code (codes are shown upper case; people may type them otherwise)."""
    return db.session.execute(select(Case).filter_by(code=code.strip().upper())).scalar_one_or_none()
