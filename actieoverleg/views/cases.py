"""Casus aanmelden, herbespreking by code, and the case page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from .. import agenda, cases, privacy
from ..bounds import bounded_int
from ..extensions import db
from ..formatting import datumtijd
from ..forms import CaseForm, CaseSearchForm, FollowUpForm, options
from ..models import AgendaItem, Meeting, Organisation, region_organisation
from ..permissions import (
    allow,
    can_bring_in,
    can_see_file_reference,
    case_or_404,
    is_member,
    meeting_or_404,
    require,
    viewable_case,
)
from ..planning import coming_meetings

bp = Blueprint("cases", __name__, url_prefix="/casussen")


def meeting_choices(region_ids: set[int] | None = None) -> list[SelectChoice]:
    """Coming meetings in the user's regions (or some of them), soonest first."""
    return options(
        (m.id, f"{m.region.name} — {datumtijd(m.starts_at)}{' (spoed)' if m.is_extra else ''}")
        for m in coming_meetings(region_ids or current_user.region_ids)
    )


def region_organisations() -> list[Organisation]:
    """The organisations at the tables of the user's regions."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(region_organisation, region_organisation.c.organisation_id == Organisation.id)
            .where(Organisation.active.is_(True), region_organisation.c.region_id.in_(current_user.region_ids))
            .order_by(Organisation.position)
            .distinct()
        )
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@allow(is_member)
def new():
    """Bring a case in: categories only; the tool issues the code."""
    form = CaseForm()
    form.meeting_id.choices = meeting_choices()
    organisations = region_organisations()
    form.needed.choices = options((o.id, o.name) for o in organisations)
    if request.method == "GET":
        form.needed.data = [current_user.organisation_id]
        if request.args.get("overleg", type=bounded_int) in {c.value for c in form.meeting_id.choices}:
            form.meeting_id.data = request.args.get("overleg", type=bounded_int)
    if form.validate_on_submit():
        meeting = meeting_or_404(form.meeting_id.data, current_user)
        require(can_bring_in(meeting, current_user))
        at_table = {o.id: o for o in meeting.region.organisations}
        wrong = [i for i in form.needed.data if i not in at_table]
        if wrong:
            form.needed.errors.append("Kies alleen partners die aan tafel zitten in deze regio.")
        else:
            case = cases.bring_in(
                meeting,
                current_user,
                form.kind.data,
                form.children.data,
                form.reason.data,
                [at_table[i] for i in form.needed.data],
                form.file_reference.data,
            )
            db.session.commit()
            flash(f"Casus {case.code} is aangemeld voor het overleg van {datumtijd(meeting.starts_at)}.", "success")
            return redirect(url_for("cases.detail", code=case.code), code=303)
    follow_up = FollowUpForm(formdata=None, meeting_id=form.meeting_id.data)
    follow_up.meeting_id.choices = form.meeting_id.choices
    status = 422 if request.method == "POST" else 200
    return render_template(
        "cases/new.html", form=form, follow_up=follow_up, has_meetings=bool(form.meeting_id.choices)
    ), status


@bp.route("/herbespreking", methods=["POST"])
@allow(is_member)
def follow_up():
    """Put an existing case on a coming agenda again, by its code."""
    form = FollowUpForm()
    form.meeting_id.choices = meeting_choices()
    if form.validate_on_submit():
        meeting = meeting_or_404(form.meeting_id.data, current_user)
        case = cases.by_code(form.code.data)
        if case is None or case.region_id != meeting.region_id:
            form.code.errors.append("Onbekende casuscode in de regio van dit overleg.")
        elif not can_bring_in(meeting, current_user):
            form.meeting_id.errors.append("Dit overleg is niet meer gepland.")
        else:
            agenda.follow_up(meeting, case, current_user)
            db.session.commit()
            flash(f"Casus {case.code} staat op de agenda van {datumtijd(meeting.starts_at)}.", "success")
            return redirect(url_for("cases.detail", code=case.code), code=303)
    case_form = CaseForm(formdata=None)
    case_form.meeting_id.choices = form.meeting_id.choices
    case_form.needed.choices = options((o.id, o.name) for o in region_organisations())
    return render_template(
        "cases/new.html", form=case_form, follow_up=form, has_meetings=bool(form.meeting_id.choices)
    ), 422


@bp.route("/zoeken")
@allow(is_member)
def search():
    """Zoek casuscode: straight to the case page, with that page's own permission rule. An
    unknown code and a case the user may not see get the same answer."""
    form = CaseSearchForm(request.args)
    if "code" not in request.args:
        return render_template("cases/search.html", form=form)
    typed = request.args["code"][: privacy.CASE_CODE_TYPED_MAX * 2]  # never echo a huge input back
    form.code.data = typed
    code = privacy.typed_case_code(typed)
    case = viewable_case(code, current_user) if code else None
    if case is not None:
        return redirect(url_for("cases.detail", code=case.code), code=303)
    if not typed.strip():
        form.code.errors = ["Vul een casuscode in, bijvoorbeeld RR-7KQ4."]
        return render_template("cases/search.html", form=form), 422
    shown = code or typed.strip()[:20] + ("…" if len(typed.strip()) > 20 else "")
    form.code.errors = [f"Geen casus gevonden met code {shown}."]
    return render_template("cases/search.html", form=form, well_formed=code is not None), 404


@bp.route("/<code>")
@allow(is_member)
def detail(code: str):
    """Code, categories, discussions and all action points, for organisations involved."""
    case = case_or_404(code, current_user)
    items = (
        db.session.scalars(
            select(AgendaItem)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.case_id == case.id, AgendaItem.removed.is_(False))
            .options(selectinload(AgendaItem.shared), selectinload(AgendaItem.meeting))
            .order_by(Meeting.starts_at.desc())
        )
        .unique()
        .all()
    )
    follow_up = FollowUpForm(formdata=None, code=case.code)
    follow_up.meeting_id.choices = meeting_choices({case.region_id})
    return render_template(
        "cases/detail.html",
        case=case,
        items=items,
        actions=sorted(case.actions, key=lambda a: (not a.is_open, a.due_date)),
        open_points=agenda.open_points(case),
        show_file_reference=can_see_file_reference(case, current_user),
        follow_up=follow_up,
    )
