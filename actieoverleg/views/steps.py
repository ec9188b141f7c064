"""The meeting screen: the three steps per agenda item, attendance and the chairing organisation.

Every panel is its own form: htmx swaps the panel in place (422 with the messages when the
input is rejected, 409 when someone else changed the item meanwhile); without JavaScript the
form posts and the screen is shown again at the same item.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError

from .. import agenda, meeting_steps
from ..clock import utcnow
from ..extensions import db
from ..forms import ActionForm, AttendanceRowForm, ChairForm, Step1Form, Step3Form, options
from ..htmx import is_htmx, redirect_or_fragment
from ..models import AgendaItem, Meeting, Organisation, User
from ..permissions import allow, can_edit_record, is_member, item_or_404, require
from ..vocab import ActionKind, Assessment, AttendanceForm, AttendanceStatus, Handover
from .meetings import load_record

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
    action = overrides.get("action_form") or ActionForm(formdata=None)
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
    return {
        "step1": step1,
        "action_form": action,
        "step3": step3,
        "return_date_missing": meeting_steps.needs_return_date(item),
    }


def screen_context(meeting: Meeting, item: AgendaItem | None, **overrides: Any) -> dict[str, Any]:
    items = agenda.visible_items(meeting)
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
    """The meeting screen at one agenda item (the first, unless ?item= says otherwise)."""
    meeting = load_record(meeting_id)
    require(can_edit_record(meeting, current_user))
    items = agenda.visible_items(meeting)
    wanted = request.args.get("item", type=int)
    item = next((i for i in items if i.id == wanted), items[0] if items else None)
    return render_template("steps/screen.html", **screen_context(meeting, item))


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
