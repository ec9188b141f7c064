"""Beheer › Uitgaande mail: what the outbox holds, why a message failed, and a retry.

The beheerder sees recipients, subjects (codes and dates only), states and SMTP codes —
never a message body: that holds action texts, which only the partners read.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import administration
from ..extensions import db
from ..models import OutboxMessage
from ..permissions import allow, is_admin
from ..vocab import OutboxStatus
from .screens import get_or_404, page_of

bp = Blueprint("outbox", __name__, url_prefix="/beheer/outbox")
FILTERS = [(s.value, s.label) for s in OutboxStatus]


@bp.route("/")
@allow(is_admin)
def index():
    """Newest first, filtered by state; failed messages first in the menu of filters."""
    status = request.args.get("status", "")
    status = status if status in OutboxStatus.__members__ else ""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    rows, page, pages = page_of(query)
    return render_template("outbox/outbox.html", messages=rows, page=page, pages=pages, status=status, filters=FILTERS)


@bp.route("/<int:message_id>/opnieuw", methods=["POST"])
@allow(is_admin)
def retry(message_id: int):
    """Put a failed message back in the queue; it goes out right after this request."""
    message = get_or_404(OutboxMessage, message_id)
    if not administration.retry_mail(message, current_user):
        flash("Alleen een mislukte mail kan opnieuw worden verstuurd.", "error")
        return redirect(url_for("outbox.index"), code=303)
    db.session.commit()
    flash(f"De mail aan {message.recipient} staat weer in de wachtrij.", "success")
    return redirect(url_for("outbox.index", status=request.args.get("status") or None), code=303)
