"""Beheer › Auditlog (docs/rules.md §8): who did what, with what outcome, from where; never any
content. Only the `beheerder` reaches it; it reads and never writes."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from .. import audit
from ..audit_log import Filters, events_query, object_names
from ..extensions import db
from ..models import Region, User
from ..permissions import allow, is_admin
from ..vocab import AuditAction, AuditOutcome
from .screens import page_of

bp = Blueprint("audit", __name__, url_prefix="/beheer/auditlog")


@bp.route("")
@allow(is_admin)
def index():
    """Newest first, paged, filtered by user, the account concerned, region, action, outcome and
    period; a fixed number of queries (the filters' lists, the page, one per kind of object shown)."""
    filters = Filters.parse(request.args)
    rows, page, pages = page_of(events_query(filters))
    account = db.session.get(User, filters.account_id) if filters.account_id is not None else None
    return render_template(
        "audit/index.html",
        events=rows,
        page=page,
        pages=pages,
        filters=filters,
        account=account,
        without_account={k: v for k, v in filters.args().items() if k != "account"},
        actions=AuditAction.choices(),
        outcomes=AuditOutcome.choices(),
        users=db.session.execute(select(User.id, User.name).order_by(User.name, User.id)).all(),
        regions=db.session.execute(select(Region.id, Region.name).order_by(Region.name)).all(),
        names=object_names(rows),
        label=audit.label,
        outcome_label=lambda value: dict(AuditOutcome.choices()).get(value, value),
        objects=audit.OBJECT_LABELS,
    )
