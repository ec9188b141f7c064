"""The agenda of a meeting: order, removal, preparation per needed partner."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import agenda, lifecycle
from ..extensions import db
from ..forms import PreparedForm
from ..htmx import redirect_or_fragment
from ..models import AgendaItem, Case, Meeting
from ..permissions import (
    allow,
    can_chair,
    can_edit_record,
    can_prepare,
    is_member,
    item_or_404,
    meeting_or_404,
    require,
)

bp = Blueprint("agenda", __name__, url_prefix="/overleggen/<int:meeting_id>/agenda")


def agenda_context(meeting_id: int) -> dict:
    """The meeting with its items, preparations and open points, in a fixed number of queries."""
    meeting = (
        db.session.scalars(
            select(Meeting)
            .where(Meeting.id == meeting_id)
            .options(
                selectinload(Meeting.items).options(
                    selectinload(AgendaItem.preparations),
                    joinedload(AgendaItem.case).selectinload(Case.actions),
                )
            )
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )
    items = agenda.visible_items(meeting)
    return {
        "meeting": meeting,
        "items": items,
        "may_chair": can_edit_record(meeting, current_user),
        "may_prepare": {
            (i.id, p.organisation_id) for i in items for p in i.preparations if can_prepare(i, p, current_user)
        },
        "editable": not meeting.is_locked,
    }


@bp.route("/")
@allow(is_member)
def show(meeting_id: int):
    """The ordered agenda; the region's next meeting first takes in the automatic items."""
    meeting = meeting_or_404(meeting_id, current_user)
    if agenda.sync(meeting):
        db.session.commit()
    return render_template(
        "agenda/agenda.html", **agenda_context(meeting.id), may_plan=can_chair(meeting, current_user)
    )


def _chair_item(meeting_id: int, item_id: int) -> tuple[Meeting, AgendaItem]:
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_edit_record(meeting, current_user))
    return meeting, item_or_404(meeting, item_id)


def _agenda_response(meeting: Meeting, message: str):
    return redirect_or_fragment(
        url_for("agenda.show", meeting_id=meeting.id),
        "agenda/_agenda.html",
        **agenda_context(meeting.id),
        message=message,
    )


@bp.route("/<int:item_id>/verplaatsen", methods=["POST"])
@allow(is_member)
def move(meeting_id: int, item_id: int):
    """Move an item one place up or down."""
    meeting, item = _chair_item(meeting_id, item_id)
    direction = request.form.get("richting")
    if direction not in ("op", "neer"):
        abort(400)
    agenda.move(meeting, item, -1 if direction == "op" else 1)
    db.session.commit()
    return _agenda_response(meeting, f"{item.case.code} is verplaatst.")


@bp.route("/<int:item_id>/verwijderen", methods=["POST"])
@allow(is_member)
def remove(meeting_id: int, item_id: int):
    """Take an item off this meeting's agenda."""
    meeting, item = _chair_item(meeting_id, item_id)
    agenda.remove(item, current_user)
    db.session.commit()
    return _agenda_response(meeting, f"{item.case.code} is van de agenda gehaald.")


@bp.route("/<int:item_id>/voorbereid/<int:organisation_id>", methods=["POST"])
@allow(is_member)
def prepare(meeting_id: int, item_id: int, organisation_id: int):
    """A needed partner marks 'informatie voorbereid' for its own organisation."""
    meeting = meeting_or_404(meeting_id, current_user)
    item = item_or_404(meeting, item_id)
    preparation = next((p for p in item.preparations if p.organisation_id == organisation_id), None)
    if preparation is None:
        abort(404)
    require(can_prepare(item, preparation, current_user))
    form = PreparedForm()
    agenda.set_prepared(preparation, form.prepared.data, current_user)
    db.session.commit()
    state = "voorbereid" if form.prepared.data else "nog niet voorbereid"
    return _agenda_response(meeting, f"{item.case.code}: {preparation.organisation.short_name} {state}.")


@bp.route("/versturen", methods=["POST"])
@allow(is_member)
def send(meeting_id: int):
    """Mail the agenda with the invite to every member at the table; again, as an update."""
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_edit_record(meeting, current_user))
    update = meeting.agenda_sent_at is not None
    count = lifecycle.send_agenda(meeting, current_user)
    db.session.commit()
    what = "De gewijzigde agenda" if update else "De agenda"
    flash(f"{what} is verstuurd naar {count} deelnemer(s), met de uitnodiging voor hun agenda.", "success")
    return redirect(url_for("agenda.show", meeting_id=meeting.id), code=303)
