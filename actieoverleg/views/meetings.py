"""Meetings: the list, planning (move, cancel, extra), the record, closing and reopening."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import agenda, audit, ical, lifecycle, meeting_steps, planning
from ..actions import people_of_points
from ..addresses import external_url, mail_domain
from ..bounds import bounded_int
from ..extensions import db
from ..formatting import datumtijd, local
from ..forms import MeetingPlanForm, ReopenForm
from ..models import AgendaItem, Case, Meeting, Region
from ..permissions import (
    allow,
    can_edit_record,
    can_reopen,
    detail_item_ids,
    is_chair,
    is_member,
    meeting_or_404,
    require,
    viewable_case_ids,
)
from ..vocab import MeetingForm, MeetingStatus, ReopenReason

bp = Blueprint("meetings", __name__, url_prefix="/overleggen")


def record_options(guests: bool = False):
    """Everything the record and the meeting screen show, loaded in a fixed number of queries
    (`guests`: with each item's guests and preparation, as the live screens show)."""
    extra = (selectinload(AgendaItem.guests), selectinload(AgendaItem.preparations)) if guests else ()
    return (
        selectinload(Meeting.items).options(
            selectinload(AgendaItem.shared),
            selectinload(AgendaItem.actions).options(*people_of_points()),
            *extra,
        ),
        selectinload(Meeting.attendances),
        selectinload(Meeting.region).selectinload(Region.organisations),
    )


def involvement_options():
    """What need to know (`permissions.detail_item_ids`) reads of every item: its case's needed
    partners and points, and its guests, loaded up front so a partner's page costs no query per case."""
    cases = selectinload(Meeting.items).joinedload(AgendaItem.case)
    return (
        cases.selectinload(Case.needed),
        cases.selectinload(Case.actions),
        selectinload(Meeting.items).selectinload(AgendaItem.guests),
    )


def load_record(meeting_id: int) -> Meeting:
    return meeting_or_404(meeting_id, current_user, record_options())


@bp.route("/")
@allow(is_member)
def index():
    """Coming meetings and the last closed (or reopened) ones, per region of the user."""
    regions = current_user.region_ids
    coming = planning.coming_meetings(
        regions, limit=30, options=[selectinload(Meeting.items).lazyload(AgendaItem.case)]
    )
    recent = (
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.region_id.in_(regions),
                Meeting.status.in_([MeetingStatus.afgesloten, MeetingStatus.geannuleerd])
                | Meeting.reopened_at.is_not(None),  # a reopened record stays in the list, marked
            )
            .order_by(Meeting.starts_at.desc())
            .limit(20)
        )
        .unique()
        .all()
    )
    return render_template("meetings/index.html", coming=coming, recent=recent, is_chair=is_chair(current_user))


def _slot(form: MeetingPlanForm) -> tuple[dt.date, dt.time, int, str, MeetingForm]:
    """When, how long, where and in which form, as the planning form gives them."""
    return (
        form.day.data,
        form.time.data,
        form.duration_minutes.data,
        form.location.data or "",
        MeetingForm(form.form.data),
    )


@bp.route("/spoed", methods=["GET", "POST"])
@allow(is_member)
def extra():
    """A chair plans an extra (spoed) meeting in one of their regions."""
    require(is_chair(current_user))
    form = MeetingPlanForm()
    regions = current_user.regions
    region_id = request.values.get("region_id", type=bounded_int) or (regions[0].id if regions else None)
    if region_id not in current_user.region_ids:
        abort(404)
    if request.method == "GET":
        form.form.data = MeetingForm.online.value
    if form.validate_on_submit():
        try:
            meeting = lifecycle.plan_extra(region_id, *_slot(form), current_user, online_url=form.online_url.data)
        except lifecycle.InThePast as past:
            form.day.errors.append(past.message)
        else:
            db.session.commit()
            flash(f"Spoedoverleg gepland op {datumtijd(meeting.starts_at)}.", "success")
            return redirect(url_for("agenda.show", meeting_id=meeting.id), code=303)
    return render_template(
        "meetings/plan.html", form=form, meeting=None, regions=regions, region_id=region_id
    ), 422 if request.method == "POST" else 200


@bp.route("/<int:meeting_id>/wijzigen", methods=["GET", "POST"])
@allow(is_member)
def edit(meeting_id: int):
    """Move a planned meeting, or change its place and form."""
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_edit_record(meeting, current_user))
    form = MeetingPlanForm(obj=meeting)
    if request.method == "GET":
        start = local(meeting.starts_at)
        form.day.data, form.time.data = start.date(), start.time()
        form.form.data = meeting.form.value
    if form.validate_on_submit():
        try:
            informed = lifecycle.move(meeting, *_slot(form), current_user, online_url=form.online_url.data)
        except lifecycle.InThePast as past:
            form.day.errors.append(past.message)
            return render_template("meetings/plan.html", form=form, meeting=meeting), 422
        if informed is None:
            flash("Er is niets gewijzigd.", "info")
            return redirect(url_for("agenda.show", meeting_id=meeting.id), code=303)
        db.session.commit()
        message = f"Overleg gewijzigd: {datumtijd(meeting.starts_at)}."
        if informed:
            message += f" {informed} deelnemer(s) krijgen de bijgewerkte uitnodiging."
        flash(message, "success")
        return redirect(url_for("agenda.show", meeting_id=meeting.id), code=303)
    return render_template("meetings/plan.html", form=form, meeting=meeting), 422 if request.method == "POST" else 200


@bp.route("/<int:meeting_id>/annuleren", methods=["POST"])
@allow(is_member)
def cancel(meeting_id: int):
    """Cancel a planned meeting; its agenda moves to the region's next meeting."""
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_edit_record(meeting, current_user))
    done = lifecycle.cancel(meeting, current_user)
    db.session.commit()
    message = f"Overleg geannuleerd; {done.informed} deelnemer(s) krijgen de afzegging."
    if done.moved and done.target is not None:
        message += f" {done.moved} casus(sen) staan nu op de agenda van {datumtijd(done.target.starts_at)}."
    flash(message, "success")
    return redirect(url_for("meetings.index"), code=303)


@bp.route("/<int:meeting_id>")
@allow(is_member)
def record(meeting_id: int):
    """The record of a meeting, read-only and printable; the chair can reopen it. Opening it is
    audit-logged (who read which record)."""
    page = _record_page(meeting_id, ReopenForm(formdata=None))
    audit.viewed(db.session.get(Meeting, meeting_id), current_user)
    db.session.commit()
    return page


def _record_page(meeting_id: int, reopen_form: ReopenForm, status: int = 200):
    """The record, with the reopening form as given (a rejected one with its message)."""
    # each case's code is a link, and its details shown, only for whoever may see them (need to know)
    meeting = meeting_or_404(meeting_id, current_user, (*record_options(), *involvement_options()))
    items = agenda.visible_items(meeting)
    return render_template(
        "meetings/record.html",
        meeting=meeting,
        items=items,
        may_view=viewable_case_ids((i.case for i in items), current_user),
        details=detail_item_ids(items, current_user),
        attendance=meeting_steps.attendance_rows(meeting),
        steps=meeting_steps.STEPS,
        can_reopen=can_reopen(meeting, current_user),
        can_hold=can_edit_record(meeting, current_user),
        reopened_now=meeting.reopened_at is not None and not meeting.is_locked,
        reopen_form=reopen_form,
    ), status


@bp.route("/<int:meeting_id>/overleg.ics")
@allow(is_member)
def ics(meeting_id: int):
    """One meeting as a calendar file, for whoever did not get (or lost) the invite."""
    meeting = meeting_or_404(meeting_id, current_user)
    body = ical.single(meeting, domain=mail_domain(), url=external_url("agenda.show", meeting_id=meeting.id))
    name = f"actie-overleg-{meeting.region.code.lower()}-{local(meeting.starts_at):%Y%m%d}.ics"
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:meeting_id>/afsluiten", methods=["POST"])
@allow(is_member)
def close(meeting_id: int):
    """Close the record; refused with the list of what is missing."""
    meeting = load_record(meeting_id)
    require(can_edit_record(meeting, current_user))
    try:
        sent = lifecycle.close(meeting, current_user, before_start=request.form.get("al_gehouden") == "ja")
    except lifecycle.NotReady as missing:
        listed = Markup("").join(_problem_item(meeting, problem) for problem in missing.problems)
        flash(
            Markup("Het overleg kan nog niet worden afgesloten. Nog vast te leggen:<ul>{}</ul>").format(listed), "error"
        )
        return redirect(url_for("steps.screen", meeting_id=meeting.id), code=303)
    db.session.commit()
    if meeting.reopened_at is None:
        flash("Overleg afgesloten. Het verslag is vastgelegd.", "success")
    elif sent:
        flash(f"Overleg opnieuw afgesloten. {sent} deelnemer(s) krijgen een correctie van hun actiepunten.", "success")
    else:
        flash("Overleg opnieuw afgesloten. Er zijn geen actiepunten veranderd: er gaat geen correctie uit.", "success")
    return redirect(url_for("meetings.record", meeting_id=meeting.id), code=303)


def _problem_item(meeting: Meeting, problem: meeting_steps.Problem) -> Markup:
    """One missing thing in the closing message, a link to its agenda item where it has one."""
    if problem.item_id is None:
        return Markup("<li>{}</li>").format(problem)
    href = url_for("steps.screen", meeting_id=meeting.id, item=problem.item_id)
    return Markup('<li><a href="{}">{}</a></li>').format(href, problem)


@bp.route("/<int:meeting_id>/heropenen", methods=["POST"])
@allow(is_member)
def reopen(meeting_id: int):
    """Only a chair reopens a closed record, with a reason code; it is logged."""
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_reopen(meeting, current_user))
    form = ReopenForm()
    if not form.validate_on_submit():
        return _record_page(meeting.id, form, 422)
    lifecycle.reopen(meeting, ReopenReason(form.reason.data), current_user)
    db.session.commit()
    flash("Overleg heropend. Sluit het opnieuw af als de correctie klaar is.", "success")
    return redirect(url_for("steps.screen", meeting_id=meeting.id), code=303)
