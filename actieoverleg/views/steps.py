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
from ..actions import Conflict, tick_off
from ..bounds import bounded_int
from ..clock import utcnow
from ..extensions import db
from ..formatting import datum
from ..forms import (
    ActionEditForm,
    ActionForm,
    AttendanceRowForm,
    ChairForm,
    GuestForm,
    ReviseActionForm,
    Step1Form,
    Step3Form,
    options,
)
from ..htmx import is_htmx, redirect_or_fragment
from ..models import ActionPoint, AgendaItem, Meeting, Organisation, User
from ..permissions import (
    allow,
    can_edit_record,
    detail_item_ids,
    followed_items,
    followed_meeting_or_404,
    is_member,
    item_or_404,
    meeting_or_404,
    require,
)
from ..vocab import ActionKind, ActionStatus, Assessment, AttendanceForm, AttendanceStatus, Handover
from .meetings import involvement_options, load_record, record_options

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
    # a week after the meeting is the usual term: one field less to fill in at the table
    week = meeting_steps.meeting_day(meeting) + dt.timedelta(days=7)
    action = overrides.get("action_form") or ActionForm(formdata=None, due_date=week)
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
    if not is_htmx():  # the whole screen again: a notice at its top leads to the step
        return render_template("steps/screen.html", conflict=conflict, not_saved=fragment, **context), status
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
    the parts others change (the agenda list, preparation and guests: hx-select-oob). The step
    panels are the chair's own: another chair's save meanwhile is a 409 conflict on saving."""
    meeting = meeting_or_404(meeting_id, current_user)
    require(can_edit_record(meeting, current_user))
    if _unchanged(meeting):
        return "", 204
    meeting = load_record(meeting_id)
    return render_template("steps/screen.html", **screen_context(meeting, _wanted_item(meeting)))


def _unchanged(meeting: Meeting) -> bool:
    """Whether a poll (?v=) already shows the meeting's current live version."""
    seen = request.args.get("v", type=bounded_int)
    return seen is not None and seen == meeting.live_version


def _wanted_item(meeting: Meeting) -> AgendaItem | None:
    """The item ?item= names, else the one in discussion, else the first."""
    items = agenda.table_items(meeting)
    wanted = request.args.get("item", type=bounded_int) or meeting.current_item_id
    return next((i for i in items if i.id == wanted), items[0] if items else None)


@bp.route("/volgen")
@allow(is_member)
def follow(meeting_id: int):
    """Following the meeting on one's own screen, read-only: the case in discussion with its
    three steps as they are recorded, and the agenda. For the region's members, and for a
    guest only the case it was invited to. Polls itself like the chair's screen (?v=)."""
    if _unchanged(followed_meeting_or_404(meeting_id, current_user)):
        return "", 204
    meeting = followed_meeting_or_404(meeting_id, current_user, (*record_options(guests=True), *involvement_options()))
    return render_template("steps/follow.html", **_follow_context(meeting))


def _follow_context(meeting: Meeting) -> dict[str, Any]:
    items = followed_items(meeting, agenda.table_items(meeting), current_user)
    pinned = next((i for i in items if i.id == request.args.get("item", type=bounded_int)), None)
    return {
        "meeting": meeting,
        "items": items,
        "item": pinned or live.current_item(meeting, items),
        "pinned": pinned,
        "progress": {i.id: meeting_steps.item_progress(i) for i in items},
        "details": detail_item_ids(items, current_user),
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
    wanted = request.form.get("item_id", type=bounded_int)
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
            "steps/_item.html", item_message=message, message_category=category, oob=True, **context
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
        return _panel(meeting, item, "step2", 422, action_form=_focus_first(form))
    owner = next(o for o in organisations(meeting) if o.id == form.organisation_id.data)
    assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
    try:
        action = meeting_steps.add_action(
            item, owner, form.text.data, ActionKind(form.kind.data), form.due_date.data, assignee, current_user
        )
    except meeting_steps.Refused as refusal:
        form[refusal.field].errors.append(refusal.message)
        return _panel(meeting, item, "step2", 422, action_form=_focus_first(form))
    db.session.commit()
    db.session.refresh(item)
    return _panel(meeting, item, "step2", message=f"Actiepunt voor {action.organisation.short_name} toegevoegd.")


@bp.route("/<int:item_id>/stap2/<int:action_id>/verwijderen", methods=["POST"])
@allow(is_member)
def remove_action(meeting_id: int, item_id: int, action_id: int):
    """Step 2: remove an action point agreed in this (still open) meeting; its row becomes
    "Actiepunt verwijderd. [Ongedaan maken]" (without JavaScript: the screen with that row)."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    action = next((a for a in item.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    removed = meeting_steps.remove_action(action, current_user)
    db.session.commit()
    db.session.refresh(item)
    return redirect_or_fragment(
        url_for("steps.removed_point", meeting_id=meeting.id, item_id=item.id, token=removed.token),
        "steps/_removed.html",
        message="Actiepunt verwijderd.",
        removed=removed,
        **screen_context(meeting, item),
    )


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
    """Attendance of one organisation: status, mandate, form; saved in the background on every
    change (only the row's status comes back, out of band), or posted with "Opslaan" without
    JavaScript, back at the same item."""
    meeting = _editable(meeting_id)
    organisation = next((o for o in organisations(meeting) if o.id == organisation_id), None)
    if organisation is None:
        abort(404)
    form = AttendanceRowForm()
    item = _current_item(meeting)
    if not form.validate_on_submit():
        context = screen_context(meeting, item, attendance_forms={organisation_id: form})
        if is_htmx():  # the row saves in the background: a refusal replaces the whole panel
            return render_template("steps/_attendance.html", **context), 422, {"HX-Reswap": "outerHTML"}
        return render_template("steps/screen.html", **context), 422
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
        _screen_url(meeting, item, anchor="aanwezigheid"),
        "steps/_attendance.html",
        **screen_context(meeting, item),
        saved=organisation.id,
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


# --- step 2: the points at the table; attendance in one click ------------------------------
# Each point is a row of its own (steps/_point.html for this meeting's, _earlier_point.html for
# an earlier meeting's open ones): htmx swaps that row, and the focus goes to the result (the
# row, its form, or "Ongedaan maken"); without JavaScript the screen comes back at that row.


@bp.context_processor
def step2_helpers() -> dict[str, Any]:
    """What the step 2 panel reads from the case it already loaded: the earlier points, the results."""
    return {"earlier_points": meeting_steps.earlier_points, "point_results": ActionStatus.results()}


POINT_CONFLICT = (
    "Iemand anders heeft dit actiepunt intussen gewijzigd. Hieronder staat de huidige stand; "
    "uw wijziging is niet opgeslagen. Kies opnieuw als u die toch wilt vastleggen."
)
UNDO_GONE = "Dit actiepunt kan niet meer worden teruggezet: het is al teruggezet of een ander punt is verwijderd."


def _current_item(meeting: Meeting) -> AgendaItem | None:
    """The item the screen was at (the form's `item`), so a plain post comes back there."""
    items = agenda.visible_items(meeting)
    wanted = request.form.get("item", type=bounded_int)
    return next((i for i in items if i.id == wanted), items[0] if items else None)


def _point_of(item: AgendaItem, action_id: int, earlier: bool) -> ActionPoint:
    """A point of this item (earlier=False) or of the case from an earlier meeting; 404 otherwise."""
    points = item.case.actions if earlier else item.actions
    action = next((a for a in points if a.id == action_id and (a.agenda_item_id == item.id) is not earlier), None)
    if action is None:
        abort(404)
    return action


def _point(
    meeting: Meeting, item: AgendaItem, action: ActionPoint, status: int = 200, message: str | None = None, **extra: Any
):
    """One point's row for htmx. Without JavaScript: after a change POST/redirect/GET to the
    screen at that row; a form, a refusal or a conflict is the screen itself with that row."""
    template = "steps/_point.html" if action.agenda_item_id == item.id else "steps/_earlier_point.html"
    context = screen_context(meeting, item)
    context.update(a=action, **extra)
    if message is not None:
        anchor = f"punt-{action.id}"
        return redirect_or_fragment(
            _screen_url(meeting, item, anchor), template, message=message, focus=action.id, **context
        )
    if is_htmx():
        return render_template(template, **context), status
    return render_template("steps/screen.html", **context), status


def _focus_first(form: Any) -> Any:
    """htmx (and the browser, on a full page) put the focus on the first field with an error, or the first field."""
    fields = [f for f in form if getattr(f.widget, "input_type", None) != "hidden"]
    target = next((f for f in fields if f.errors), fields[0])
    target.render_kw = {**(target.render_kw or {}), "autofocus": True}  # a copy: render_kw is shared per class
    return form


def _edit_form(meeting: Meeting, item: AgendaItem, action: ActionPoint, posted: bool = True) -> ActionEditForm:
    prefix = f"punt{action.id}"
    form = (
        ActionEditForm(prefix=prefix)
        if posted
        else ActionEditForm(
            formdata=None,
            prefix=prefix,
            organisation_id=action.organisation_id,
            text=action.text,
            kind=action.kind.value,
            due_date=action.due_date,
            assignee_id=action.assignee_id or 0,
            version=action.version,
        )
    )
    step_forms(meeting, item, action_form=form)  # the owner and person choices of the add form
    return form


def _revise_form(meeting: Meeting, action: ActionPoint, posted: bool = True) -> ReviseActionForm:
    prefix = f"eerder{action.id}"
    form = (
        ReviseActionForm(prefix=prefix)
        if posted
        else ReviseActionForm(
            formdata=None,
            prefix=prefix,
            organisation_id=action.organisation_id,
            due_date=action.due_date,
            version=action.version,
        )
    )
    form.organisation_id.choices = options((o.id, o.name) for o in organisations(meeting))
    return form


def _reloaded(meeting_id: int, item_id: int, action_id: int, earlier: bool):
    """After a conflict: the transaction rolled back, the point read again as it is now."""
    db.session.rollback()
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    return meeting, item, _point_of(item, action_id, earlier)


@bp.route("/<int:item_id>/stap2/<int:action_id>")
@allow(is_member)
def point_row(meeting_id: int, item_id: int, action_id: int):
    """A point's row as it is ("Annuleren" in its form); without JavaScript the screen at that row."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    action = next((a for a in item.case.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    if not is_htmx():
        return redirect(_screen_url(meeting, item, f"punt-{action.id}"), code=303)
    return _point(meeting, item, action, focus=action.id)


@bp.route("/<int:item_id>/stap2/<int:action_id>/wijzigen", methods=["GET", "POST"])
@allow(is_member)
def edit_action(meeting_id: int, item_id: int, action_id: int):
    """Step 2: correct a point of this meeting in its row (text, owner, kind, due date, person)."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    action = _point_of(item, action_id, earlier=False)
    if request.method == "GET":
        return _point(
            meeting, item, action, editing={action.id: _focus_first(_edit_form(meeting, item, action, False))}
        )
    form = _edit_form(meeting, item, action)
    if not form.validate_on_submit():
        return _point(meeting, item, action, 422, editing={action.id: _focus_first(form)})
    owner = next(o for o in organisations(meeting) if o.id == form.organisation_id.data)
    assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
    try:
        changed = meeting_steps.edit_action(
            action,
            owner,
            form.text.data,
            ActionKind(form.kind.data),
            form.due_date.data,
            assignee,
            form.version.data,
            current_user,
        )
        db.session.commit()
    except meeting_steps.Refused as refusal:
        form[refusal.field].errors.append(refusal.message)
        return _point(meeting, item, action, 422, editing={action.id: _focus_first(form)})
    except (Conflict, StaleDataError):
        meeting, item, action = _reloaded(meeting_id, item_id, action_id, earlier=False)
        form = _focus_first(_edit_form(meeting, item, action, False))
        return _point(
            meeting, item, action, 409, editing={action.id: form}, point_conflicts={action.id: POINT_CONFLICT}
        )
    return _point(meeting, item, action, message="Actiepunt gewijzigd." if changed else "Er is niets gewijzigd.")


@bp.route("/<int:item_id>/stap2/eerder/<int:action_id>/wijzigen", methods=["GET", "POST"])
@allow(is_member)
def revise_action(meeting_id: int, item_id: int, action_id: int):
    """Step 2: an earlier meeting's open point gets a new due date or another owner at the table."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    action = _point_of(item, action_id, earlier=True)
    if request.method == "GET":
        return _point(meeting, item, action, revising={action.id: _focus_first(_revise_form(meeting, action, False))})
    form = _revise_form(meeting, action)
    if not form.validate_on_submit():
        return _point(meeting, item, action, 422, revising={action.id: _focus_first(form)})
    owner = next(o for o in organisations(meeting) if o.id == form.organisation_id.data)
    try:
        changed = meeting_steps.revise_action(
            meeting, action, owner, form.due_date.data, form.version.data, current_user
        )
        db.session.commit()
    except meeting_steps.Refused as refusal:
        form[refusal.field].errors.append(refusal.message)
        return _point(meeting, item, action, 422, revising={action.id: _focus_first(form)})
    except (Conflict, StaleDataError):
        meeting, item, action = _reloaded(meeting_id, item_id, action_id, earlier=True)
        extra = {"revising": {action.id: _focus_first(_revise_form(meeting, action, False))}} if action.is_open else {}
        return _point(meeting, item, action, 409, point_conflicts={action.id: POINT_CONFLICT}, **extra)
    if not changed:
        return _point(meeting, item, action, message="Er is niets gewijzigd.")
    return _point(
        meeting,
        item,
        action,
        message=f"Nieuwe afspraak vastgelegd: {owner.short_name}, termijn {datum(action.due_date)}.",
    )


@bp.route("/<int:item_id>/stap2/eerder/<int:action_id>/resultaat", methods=["POST"])
@allow(is_member)
def record_result(meeting_id: int, item_id: int, action_id: int):
    """Step 2: the table records what became of an earlier point (the results of ticking off), or reopens it."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    action = _point_of(item, action_id, earlier=True)
    try:
        status = ActionStatus(request.form.get("status", ""))
        seen = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    try:
        tick_off(action, status, seen, current_user)
        db.session.commit()
    except (Conflict, StaleDataError):
        meeting, item, action = _reloaded(meeting_id, item_id, action_id, earlier=True)
        return _point(meeting, item, action, 409, point_conflicts={action.id: POINT_CONFLICT})
    message = "Actiepunt heropend." if status is ActionStatus.open else f"Resultaat vastgelegd: {status.label.lower()}."
    return _point(meeting, item, action, message=message)


@bp.route("/<int:item_id>/stap2/verwijderd/<token>")
@allow(is_member)
def removed_point(meeting_id: int, item_id: int, token: str):
    """Without JavaScript, after "Verwijderen": the screen with "Ongedaan maken" where the point was."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    removed = meeting_steps.removed_action(item, token)
    if removed is None:
        return redirect(_screen_url(meeting, item, "step2"), code=303)
    return render_template("steps/screen.html", removed=removed, **screen_context(meeting, item))


@bp.route("/<int:item_id>/stap2/ongedaan/<token>", methods=["POST"])
@allow(is_member)
def undo_remove(meeting_id: int, item_id: int, token: str):
    """ "Ongedaan maken": the removed point back in its place, as it was."""
    meeting = _editable(meeting_id)
    item = item_or_404(meeting, item_id)
    removed = meeting_steps.removed_action(item, token)
    if removed is None:
        context = screen_context(meeting, item)
        if not is_htmx():
            return render_template("steps/screen.html", conflict=UNDO_GONE, **context), 409
        headers = {"HX-Retarget": "#step2", "HX-Reswap": "outerHTML"}
        return render_template("steps/_step2.html", conflict=UNDO_GONE, **context), 409, headers
    action = meeting_steps.restore_action(removed, current_user)
    db.session.commit()
    db.session.refresh(item)
    return _point(meeting, item, action, message="Actiepunt teruggezet.")


@bp.route("/aanwezigheid/allen", methods=["POST"])
@allow(is_member)
def all_present(meeting_id: int):
    """ "Allen aanwezig": every organisation without attendance yet, present with mandate, in one click."""
    meeting = _editable(meeting_id)
    item = _current_item(meeting)
    recorded = meeting_steps.record_all_present(meeting, current_user)
    db.session.commit()
    message = (
        f"{len(recorded)} organisatie(s) vastgelegd als aanwezig, met mandaat."
        if recorded
        else "Elke organisatie heeft al een aanwezigheid; er is niets veranderd."
    )
    return redirect_or_fragment(
        _screen_url(meeting, item, anchor="aanwezigheid"),
        "steps/_attendance.html",
        message=message,
        focus_attendance=True,
        **screen_context(meeting, item),
    )
