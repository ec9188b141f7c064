"""The agenda of a meeting: order, planned time, removal, preparation per needed partner, print.

Reading it never writes: the automatic items are stored when something changes (`derived.py`)
and by the daily `flask meetings plan`. Every chair's control is a plain form that htmx
enhances by swapping the whole list (`agenda/_agenda.html`); a rejected value comes back with
422 and its message next to the field, the value kept.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import agenda, lifecycle
from ..extensions import db
from ..forms import MinutesForm, PlacementForm, PositionForm, PreparedForm
from ..htmx import is_htmx, redirect_or_fragment
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
    viewable_case_ids,
)

bp = Blueprint("agenda", __name__, url_prefix="/overleggen/<int:meeting_id>/agenda")

CONFLICT = "Iemand anders heeft de agenda intussen gewijzigd. Hieronder staat de huidige volgorde; kies opnieuw."


def agenda_context(meeting_id: int) -> dict:
    """The meeting with its items, preparations and open points, in a fixed number of queries."""
    meeting = (
        db.session.scalars(
            select(Meeting)
            .where(Meeting.id == meeting_id)
            .options(
                selectinload(Meeting.items).options(
                    selectinload(AgendaItem.preparations),
                    joinedload(AgendaItem.case).options(selectinload(Case.actions), selectinload(Case.needed)),
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
        "timetable": agenda.timetable(meeting, items),
        "may_chair": can_edit_record(meeting, current_user),
        "may_prepare": {
            (i.id, p.organisation_id) for i in items for p in i.preparations if can_prepare(meeting, p, current_user)
        },
        "editable": not meeting.is_locked,
        "may_view": viewable_case_ids((i.case for i in items), current_user),
        "rejected": {},
    }


@bp.route("/")
@allow(is_member)
def show(meeting_id: int):
    """The ordered agenda, as stored."""
    meeting = meeting_or_404(meeting_id, current_user)
    return render_template(
        "agenda/agenda.html", **agenda_context(meeting.id), may_plan=can_chair(meeting, current_user)
    )


@bp.route("/afdrukken")
@allow(is_member)
def print_agenda(meeting_id: int):
    """The agenda on paper: order, planned times, reasons and preparation; the print dialog opens."""
    meeting = meeting_or_404(meeting_id, current_user)
    return render_template("agenda/print.html", **agenda_context(meeting.id))


def _chaired(meeting_id: int) -> Meeting:
    """A meeting whose agenda the user may change: a chair of its region, while it is planned."""
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_edit_record(meeting, current_user))
    return meeting


def _chair_item(meeting_id: int, item_id: int) -> tuple[Meeting, AgendaItem]:
    meeting = _chaired(meeting_id)
    item = item_or_404(meeting, item_id)
    if item.removed:
        abort(404)
    return meeting, item


def _agenda_response(meeting: Meeting, message: str):
    return redirect_or_fragment(
        url_for("agenda.show", meeting_id=meeting.id),
        "agenda/_agenda.html",
        **agenda_context(meeting.id),
        message=message,
    )


def _rejected(meeting: Meeting, status: int, **context: Any):
    """The agenda again, with a message next to the rejected field (422) or on top (409)."""
    template = "agenda/_agenda.html" if is_htmx() else "agenda/agenda.html"
    page = agenda_context(meeting.id) | context
    return render_template(template, **page, may_plan=can_chair(meeting, current_user)), status


def _field_rejected(meeting: Meeting, item: AgendaItem, form: FlaskForm, name: str):
    field = form[name]
    return _rejected(
        meeting, 422, rejected={(item.id, name): (field.raw_data[0] if field.raw_data else "", field.errors)}
    )


@bp.route("/<int:item_id>/verplaatsen", methods=["POST"])
@allow(is_member)
def move(meeting_id: int, item_id: int):
    """Move an item to any place in one step (dragged there, or the place typed in)."""
    meeting, item = _chair_item(meeting_id, item_id)
    form = PositionForm()
    if not form.validate_on_submit():
        return _field_rejected(meeting, item, form, "position")
    try:
        position = agenda.move_to(meeting, item, form.position.data, current_user)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _rejected(meeting, 409, conflict=CONFLICT)
    return _agenda_response(meeting, f"{item.case.code} staat nu op plaats {position}.")


@bp.route("/<int:item_id>/tijd", methods=["POST"])
@allow(is_member)
def minutes(meeting_id: int, item_id: int):
    """Plan the minutes for an item; empty clears them."""
    meeting, item = _chair_item(meeting_id, item_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        return _field_rejected(meeting, item, form, "minutes")
    agenda.plan_minutes(item, form.minutes.data, current_user)
    db.session.commit()
    planned = f"{form.minutes.data} minuten gepland" if form.minutes.data else "geen tijd gepland"
    return _agenda_response(meeting, f"{item.case.code}: {planned}.")


@bp.route("/nieuwe-casussen", methods=["POST"])
@allow(is_member)
def placement(meeting_id: int):
    """Where new cases go on the region's agendas: the chair's choice."""
    meeting = _chaired(meeting_id)
    form = PlacementForm()
    if not form.validate_on_submit():
        abort(400)  # a select of two fixed values: only a hand-made request gets here
    first = form.new_items_first.data == "boven"
    agenda.place_new_items(meeting.region, first, current_user)
    db.session.commit()
    return _agenda_response(meeting, f"Nieuwe casussen komen voortaan {'bovenaan' if first else 'onderaan'} de agenda.")


@bp.route("/<int:item_id>/verwijderen", methods=["POST"])
@allow(is_member)
def remove(meeting_id: int, item_id: int):
    """Take an item off this meeting's agenda; refused (409) once it was discussed in it."""
    meeting, item = _chair_item(meeting_id, item_id)
    try:
        agenda.remove(item, current_user)
    except agenda.Discussed as refused:
        return _rejected(meeting, 409, conflict=f"{item.case.code}: {refused.message}")
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
    require(can_prepare(meeting, preparation, current_user))
    form = PreparedForm()
    agenda.set_prepared(preparation, form.prepared.data, current_user)
    db.session.commit()
    state = "voorbereid" if form.prepared.data else "nog niet voorbereid"
    return _agenda_response(meeting, f"{item.case.code}: {preparation.organisation.short_name} {state}.")


@bp.route("/versturen", methods=["POST"])
@allow(is_member)
def send(meeting_id: int):
    """Mail the agenda with the invite to every member at the table; again, as an update."""
    meeting = _chaired(meeting_id)
    update = meeting.agenda_sent_at is not None
    count = lifecycle.send_agenda(meeting, current_user)
    db.session.commit()
    what = "De gewijzigde agenda" if update else "De agenda"
    flash(f"{what} is verstuurd naar {count} deelnemer(s), met de uitnodiging voor hun agenda.", "success")
    return redirect(url_for("agenda.show", meeting_id=meeting.id), code=303)
