"""The meeting screen: the three steps per agenda item, attendance and the chairing organisation.

Every panel is its own form: htmx swaps the panel in place (422 with the messages when the
input is rejected, 409 when someone else changed the item meanwhile); without JavaScript the
form posts and the screen is shown again at the same item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError

from .. import agenda, guests, live, meeting_steps
from ..clock import local_today, utcnow
from ..extensions import db
from ..formatting import datum
from ..forms import ActionForm, AttendanceRowForm, ChairForm, GuestForm, Step1Form, Step3Form, options
from ..htmx import is_htmx, redirect_or_fragment
from ..models import AgendaItem, Meeting, Organisation, User
from ..permissions import (
    allow,
    can_edit_record,
    followed_items,
    followed_meeting_or_404,
    is_member,
    item_or_404,
    meeting_or_404,
    require,
)
from ..vocab import ActionKind, Assessment, AttendanceForm, AttendanceStatus, Handover
from .meetings import load_record, record_options

bp = Blueprint("steps", __name__, url_prefix="/overleggen/<int:meeting_id>/vergadering")


def organisations(meeting: Meeting) -> list[Organisation]:
    return [o for o in meeting.region.organisations if o.active]


def members_by_organisation(meeting: Meeting) -> dict[int, list[User]]:
    """Named persons for step 2: the active members of each organisation in this region."""
    users = (
        db.session.scalars(
            db.select(User)
            .where(User.active.is_(True), User.regions.any(id=meeting.region_id))
            .options(lazyload(User.regions))
            .order_by(User.name)  # their regions are not shown
        )
        .unique()
        .all()
    )
    grouped: dict[int, list[User]] = {}
    for user in users:
        grouped.setdefault(user.organisation_id, []).append(user)
    return grouped


def step_forms(meeting: Meeting, item: AgendaItem, **overrides: Any) -> dict[str, Any]:
    """Fresh forms for the three panels of an item, unless a rejected one is passed in."""
    orgs = organisations(meeting)
    members = members_by_organisation(meeting)
    step1 = overrides.get("step1") or Step1Form(
        formdata=None,
        shared=[o.id for o in item.shared],
        assessment=item.assessment.value if item.assessment else "",
        seen=meeting_steps.step1_state(item),
    )
    step1.shared.choices = options((o.id, o.short_name) for o in orgs)
    # a week is the usual term: one field less to fill in at the table
    action = overrides.get("action_form") or ActionForm(formdata=None, due_date=local_today() + dt.timedelta(days=7))
    action.organisation_id.choices = options((o.id, o.name) for o in orgs)
    action.assignee_id.choices = options(
        [(0, "Geen persoon")]
        + [(u.id, f"{u.name} ({u.organisation.short_name})") for o in orgs for u in members.get(o.id, [])]
    )
    step3 = overrides.get("step3") or Step3Form(
        formdata=None,
        handover=item.handover.value if item.handover else "",
        return_date=item.return_date,
        seen=meeting_steps.step3_state(item),
    )
    guest = overrides.get("guest_form") or GuestForm(formdata=None, prefix="gast")
    guest.organisation_id.choices = options((o.id, o.name) for o in guests.candidates(item, all_organisations()))
    return {
        "step1": step1,
        "action_form": action,
        "step3": step3,
        "guest_form": guest,
        "return_date_missing": meeting_steps.needs_return_date(item),
    }


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(db.select(Organisation).order_by(Organisation.position, Organisation.name)))


def screen_context(meeting: Meeting, item: AgendaItem | None, **overrides: Any) -> dict[str, Any]:
    items = agenda.table_items(meeting)
    index = items.index(item) if item in items else 0
    chair_form = ChairForm(
        formdata=None, chair_organisation_id=meeting.chair_organisation_id or current_user.organisation_id
    )
    chair_form.chair_organisation_id.choices = options((o.id, o.name) for o in organisations(meeting))
    context = {
        "meeting": meeting,
        "items": items,
        "item": item,
        "steps": meeting_steps.STEPS,
        "previous": items[index - 1] if item and index > 0 else None,
        "next": items[index + 1] if item and index + 1 < len(items) else None,
        "progress": {i.id: meeting_steps.item_progress(i) for i in items},
        "attendance": meeting_steps.attendance_rows(meeting),
        "chair_form": chair_form,
        "attendance_forms": overrides.get("attendance_forms", {}),
        "editable": can_edit_record(meeting, current_user),
        "before_start": meeting.starts_at > utcnow(),
        "attendance_choices": AttendanceStatus.choices(),
        "attendance_forms_choices": AttendanceForm.choices(),
        "current_id": meeting.current_item_id,
        "live_version": meeting.live_version,
        "poll_seconds": live.POLL_SECONDS,
    }
    if item is not None:
        context.update(step_forms(meeting, item, **overrides))
    return context


def _editable(meeting_id: int) -> Meeting:
    meeting = load_record(meeting_id)
    require(can_edit_record(meeting, current_user))
    return meeting


def _screen_url(meeting: Meeting, item: AgendaItem | None = None, anchor: str | None = None) -> str:
    return url_for("steps.screen", meeting_id=meeting.id, item=item.id if item else None, _anchor=anchor)


def _panel(
    meeting: Meeting,
    item: AgendaItem,
    fragment: str,
    status: int = 200,
    message: str | None = None,
    conflict: str | None = None,
    **overrides: Any,
):
    """After a step post: the panel to htmx, the screen (again) otherwise."""
    context = screen_context(meeting, item, **overrides)
    if status == 200:
        return redirect_or_fragment(
            _screen_url(meeting, item, fragment), f"steps/_{fragment}.html", message=message, **context
        )
    if not is_htmx():
        return render_template("steps/screen.html", conflict=conflict, **context), status
    # Steps 1 and 3 save in the background (hx-swap="none"); a refusal replaces the whole panel.
    return render_template(f"steps/_{fragment}.html", conflict=conflict, **context), status, {"HX-Reswap": "outerHTML"}


CONFLICT = (
    "Iemand anders heeft deze casus intussen bijgewerkt. Hieronder staat de huidige stand; "
    "uw wijziging is niet opgeslagen."
)


@bp.route("/")
@allow(is_member)
def screen(meeting_id: int):
    """The meeting screen at one agenda item (?item=, else the one in discussion, else the first).

    The screen polls itself with the live version it shows (?v=): 204 while nothing changed
    (two indexed reads: the session, the meeting), else the page again, from which htmx takes
    the parts others can change (hx-select-oob; app.js keeps a part the chair is typing in)."""
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_edit_record(meeting, current_user))
    if _unchanged(meeting):
        return "", 204
    meeting = load_record(meeting_id)
    return render_template("steps/screen.html", **screen_context(meeting, _wanted_item(meeting)))


def _unchanged(meeting: Meeting) -> bool:
    """Whether a poll (?v=) already shows the meeting's current live version."""
    seen = request.args.get("v", type=int)
    return seen is not None and seen == meeting.live_version


def _wanted_item(meeting: Meeting) -> AgendaItem | None:
    """The item ?item= names, else the one in discussion, else the first."""
    items = agenda.table_items(meeting)
    wanted = request.args.get("item", type=int) or meeting.current_item_id
    return next((i for i in items if i.id == wanted), items[0] if items else None)


@bp.route("/volgen")
@allow(is_member)
def follow(meeting_id: int):
    """Following the meeting on one's own screen, read-only: the case in discussion with its
    three steps as they are recorded, and the agenda. For the region's members, and for a
    guest only the case it was invited to. Polls itself like the chair's screen (?v=)."""
    meeting = followed_meeting_or_404(meeting_id, current_user)
    if _unchanged(meeting):
        return "", 204
    return render_template("steps/follow.html", **_follow_context(meeting))


def _follow_context(meeting: Meeting) -> dict[str, Any]:
    meeting = followed_meeting_or_404(meeting.id, current_user, record_options(guests=True))
    items = followed_items(meeting, agenda.table_items(meeting), current_user)
    pinned = next((i for i in items if i.id == request.args.get("item", type=int)), None)
    return {
        "meeting": meeting,
        "items": items,
        "item": pinned or live.current_item(meeting, items),
        "pinned": pinned,
        "progress": {i.id: meeting_steps.item_progress(i) for i in items},
        "current_id": meeting.current_item_id,
        "poll_seconds": live.POLL_SECONDS,
        "chair": can_edit_record(meeting, current_user),
    }


@bp.route("/<int:item_id>/doorschuiven", methods=["POST"])
@allow(is_member)
def defer(meeting_id: int, item_id: int):
    """ "Niet besproken — doorschuiven": the case goes to the next regular meeting."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    if item.removed:
        return _item_panel(meeting, item, "Deze casus is al doorgeschoven.")
    try:
        target = agenda.defer(item, current_user)
    except agenda.NoNextMeeting as refused:
        return _item_panel(meeting, item, refused.message, category="error")
    db.session.commit()
    return _item_panel(
        meeting, item, f"{item.case.code} is doorgeschoven naar het overleg van {datum(target.starts_at)}."
    )


@bp.route("/<int:item_id>/terughalen", methods=["POST"])
@allow(is_member)
def undefer(meeting_id: int, item_id: int):
    """ "Toch bespreken": take a deferral back."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    if item.deferred_to_id is not None:
        agenda.undefer(item, current_user)
        db.session.commit()
    return _item_panel(meeting, item, f"{item.case.code} wordt toch in dit overleg besproken.")


@bp.route("/nu", methods=["POST"])
@allow(is_member)
def current(meeting_id: int):
    """The chair marks the case "nu in bespreking" (or, with no item, none)."""
    meeting = _editable(meeting_id)
    wanted = request.form.get("item_id", type=int)
    item = item_or_404(meeting, wanted) if wanted else None
    live.set_current(meeting, item, current_user)
    db.session.commit()
    shown = item or _wanted_item(meeting)
    return _item_panel(
        meeting, shown, f"{item.case.code} is nu in bespreking." if item else "Geen casus in bespreking."
    )


@bp.route("/<int:item_id>/gast", methods=["POST"])
@allow(is_member)
def add_guest(meeting_id: int, item_id: int):
    """A guest organisation joins this case's discussion, after its confidentiality acknowledgement."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    form = GuestForm(prefix="gast")
    form.organisation_id.choices = options((o.id, o.name) for o in guests.candidates(item, all_organisations()))
    if not form.validate_on_submit():
        return _item_panel(meeting, item, status=422, guest_form=form)
    organisation = db.session.get(Organisation, form.organisation_id.data)
    try:
        guests.add_guest(item, organisation, form.acknowledged.data, current_user)
    except guests.NotAcknowledged as refused:
        form.acknowledged.errors = [refused.message]
        return _item_panel(meeting, item, status=422, guest_form=form)
    db.session.commit()
    return _item_panel(meeting, item, f"{organisation.short_name} schuift aan als gast voor {item.case.code}.")


@bp.route("/<int:item_id>/gast/<int:organisation_id>/verwijderen", methods=["POST"])
@allow(is_member)
def remove_guest(meeting_id: int, item_id: int, organisation_id: int):
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    guest = next((g for g in item.guests if g.organisation_id == organisation_id), None)
    if guest is None:
        abort(404)
    name = guest.organisation.short_name
    guests.remove_guest(item, guest, current_user)
    db.session.commit()
    return _item_panel(meeting, item, f"{name} is geen gast meer bij {item.case.code}.")


def _item_panel(
    meeting: Meeting,
    item: AgendaItem,
    message: str | None = None,
    category: str = "success",
    status: int = 200,
    **overrides: Any,
):
    """After an action on the whole item: the item (with the agenda list out of band) to htmx,
    the screen at that item otherwise."""
    context = screen_context(meeting, item, **overrides)
    if is_htmx():
        return render_template(
            "steps/_item.html", message=message, message_category=category, oob=True, **context
        ), status
    if status != 200:
        return render_template("steps/screen.html", **context), status
    if message:
        flash(message, category)
    return redirect(_screen_url(meeting, item), code=303)


@bp.route("/<int:item_id>/stap1", methods=["POST"])
@allow(is_member)
def step1(meeting_id: int, item_id: int):
    """Step 1: which partners shared, and the joint assessment."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    form = Step1Form()
    form.shared.choices = options((o.id, o.short_name) for o in organisations(meeting))
    if not form.validate_on_submit():
        return _panel(meeting, item, "step1", 422, step1=form)
    if form.seen.data != meeting_steps.step1_state(item):
        return _panel(meeting, item, "step1", 409, conflict=CONFLICT)
    by_id = {o.id: o for o in organisations(meeting)}
    meeting_steps.record_step1(
        item,
        [by_id[i] for i in form.shared.data],
        Assessment(form.assessment.data) if form.assessment.data else None,
        current_user,
    )
    return _commit_step(meeting, item, "step1", "Stap 1 opgeslagen.")


@bp.route("/<int:item_id>/stap2", methods=["POST"])
@allow(is_member)
def add_action(meeting_id: int, item_id: int):
    """Step 2: add an action point; a rejected text is kept with the messages next to it."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    form = ActionForm()
    forms = step_forms(meeting, item, action_form=form)
    form = forms["action_form"]
    if not form.validate_on_submit():
        return _panel(meeting, item, "step2", 422, action_form=form)
    owner = next(o for o in organisations(meeting) if o.id == form.organisation_id.data)
    assignee = None
    if form.assignee_id.data:
        assignee = db.session.get(User, form.assignee_id.data)
        if assignee is None or assignee.organisation_id != owner.id:
            form.assignee_id.errors.append("Kies een persoon van de eigenaar, of geen persoon.")
            return _panel(meeting, item, "step2", 422, action_form=form)
    action = meeting_steps.add_action(
        item, owner, form.text.data, ActionKind(form.kind.data), form.due_date.data, assignee, current_user
    )
    db.session.commit()
    db.session.refresh(item)
    return _panel(meeting, item, "step2", message=f"Actiepunt voor {action.organisation.short_name} toegevoegd.")


@bp.route("/<int:item_id>/stap2/<int:action_id>/verwijderen", methods=["POST"])
@allow(is_member)
def remove_action(meeting_id: int, item_id: int, action_id: int):
    """Step 2: remove an action point agreed in this (still open) meeting."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    action = next((a for a in item.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    meeting_steps.remove_action(action, current_user)
    db.session.commit()
    db.session.refresh(item)
    return _panel(meeting, item, "step2", message="Actiepunt verwijderd.")


@bp.route("/<int:item_id>/stap3", methods=["POST"])
@allow(is_member)
def step3(meeting_id: int, item_id: int):
    """Step 3: where the case goes next, and whether it returns to the agenda."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    form = Step3Form()
    if not form.validate_on_submit():
        return _panel(meeting, item, "step3", 422, step3=form)
    if form.seen.data != meeting_steps.step3_state(item):
        return _panel(meeting, item, "step3", 409, conflict=CONFLICT)
    meeting_steps.record_step3(
        item, Handover(form.handover.data) if form.handover.data else None, form.return_date.data, current_user
    )
    return _commit_step(meeting, item, "step3", "Stap 3 opgeslagen.")


def _commit_step(meeting: Meeting, item: AgendaItem, fragment: str, message: str):
    """Commit a step; someone else's save between our read and write (the item's version) is a conflict."""
    meeting_id, item_id = meeting.id, item.id
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        meeting = _editable(meeting_id)
        return _panel(meeting, item_or_404(meeting, item_id), fragment, 409, conflict=CONFLICT)
    return _panel(meeting, item, fragment, message=message)


@bp.route("/aanwezigheid/<int:organisation_id>", methods=["POST"])
@allow(is_member)
def attendance(meeting_id: int, organisation_id: int):
    """Attendance of one organisation: status, mandate, form."""
    meeting = _editable(meeting_id)
    organisation = next((o for o in organisations(meeting) if o.id == organisation_id), None)
    if organisation is None:
        abort(404)
    form = AttendanceRowForm()
    item = next(iter(agenda.visible_items(meeting)), None)
    if not form.validate_on_submit():
        context = screen_context(meeting, item, attendance_forms={organisation_id: form})
        template = "steps/_attendance.html" if is_htmx() else "steps/screen.html"
        return render_template(template, **context), 422
    meeting_steps.record_attendance(
        meeting,
        organisation,
        AttendanceStatus(form.status.data),
        {"ja": True, "nee": False}.get(form.mandate.data or ""),
        AttendanceForm(form.form.data) if form.form.data else None,
        current_user,
    )
    db.session.commit()
    return redirect_or_fragment(
        _screen_url(meeting, anchor="aanwezigheid"),
        "steps/_attendance.html",
        **screen_context(meeting, item),
        message=f"Aanwezigheid {organisation.short_name} opgeslagen.",
    )


@bp.route("/voorzitter", methods=["POST"])
@allow(is_member)
def chair(meeting_id: int):
    """Which organisation chairs this meeting (a national indicator; the chair often rotates)."""
    meeting = _editable(meeting_id)
    form = ChairForm()
    form.chair_organisation_id.choices = options((o.id, o.name) for o in organisations(meeting))
    if form.validate_on_submit():
        chosen = next(o for o in organisations(meeting) if o.id == form.chair_organisation_id.data)
        meeting_steps.set_chair(meeting, chosen, current_user)
        db.session.commit()
    return redirect_or_fragment(
        _screen_url(meeting), "steps/_chair.html", **screen_context(meeting, None), message="Voorzitter vastgelegd."
    )
