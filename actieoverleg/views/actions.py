"""Onze actiepunten: the organisation's points, ticked off in one click (htmx or a plain post)."""

from __future__ import annotations

from math import ceil

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from ..actions import STATUS_FILTERS, Conflict, owned_points_query, tick_off
from ..bounds import bounded_int
from ..clock import local_today
from ..extensions import db
from ..htmx import is_htmx, redirect_or_fragment
from ..models import ActionPoint
from ..permissions import action_or_404, allow, can_update_action, is_member, require
from ..vocab import ActionStatus
from .auth import safe_next
from .screens import page_number

bp = Blueprint("actions", __name__, url_prefix="/actiepunten")


def list_context(conflict: ActionPoint | None = None) -> dict:
    """The filtered, paged list; filters come from the query string and are kept in every link."""
    status = request.args.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    region_id = request.args.get("regio", type=bounded_int)
    if region_id is not None and region_id not in current_user.region_ids:
        region_id = None
    size = current_app.config["PAGE_SIZE"]
    today = local_today()
    query = owned_points_query(current_user.organisation_id, current_user.region_ids, status, region_id, today)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(ceil(total / size), 1)
    page = page_number(pages)
    points = db.session.scalars(query.limit(size).offset((page - 1) * size)).unique().all()
    return {
        "points": points,
        "status": status,
        "region_id": region_id,
        "page": page,
        "pages": pages,
        "total": total,
        "today": today,
        "filters": STATUS_FILTERS,
        "regions": current_user.regions,
        "results": ActionStatus.results(),
        "back": request.full_path,
        "conflict": conflict,
    }


@bp.route("/")
@allow(is_member)
def ours():
    """Every point of the member's organisation in their regions, overdue first."""
    return render_template("actions/ours.html", **list_context())


@bp.route("/<int:action_id>/status", methods=["POST"])
@allow(is_member)
def update_status(action_id: int):
    """Tick off with a result, or reopen; a stale version answers 409 with the current state."""
    action = action_or_404(action_id, current_user)
    require(can_update_action(action, current_user))
    try:
        status = ActionStatus(request.form.get("status", ""))
        seen = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    back = safe_next(request.form.get("terug"))
    try:
        tick_off(action, status, seen, current_user)
        db.session.commit()
    except (Conflict, StaleDataError):
        db.session.rollback()
        action = action_or_404(action_id, current_user)
        context = {
            "point": action,
            "today": local_today(),
            "results": ActionStatus.results(),
            "back": back,
            "conflict": action,
            "editable": True,
        }
        if is_htmx():
            return render_template("actions/_row.html", **context), 409
        return render_template("actions/conflict.html", **context), 409
    message = "Actiepunt heropend." if status is ActionStatus.open else f"Actiepunt afgevinkt: {status.label.lower()}."
    return redirect_or_fragment(
        back,
        "actions/_row.html",
        point=action,
        today=local_today(),
        results=ActionStatus.results(),
        back=back,
        message=message,
        editable=True,
    )
