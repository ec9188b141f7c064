"""Beheer: regions, organisations, users, meeting series (docs/rules.md §1; the audit log is
views/audit.py).

Only the `beheerder` role reaches these screens. Every change is one operation of
`administration` (or `auth` for passwords and deactivation), committed here. Each create
view doubles as the edit view: the object is None when creating.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from .. import administration, audit, auth, auth_links, auth_totp
from ..admin_forms import (
    WEEKDAYS,
    NewUserForm,
    OrganisationForm,
    RegionForm,
    SeriesForm,
    UserForm,
)
from ..audit_log import Filters, events_query
from ..bounds import bounded_int
from ..extensions import db
from ..forms import options
from ..models import AuditEvent, MeetingSeries, Organisation, OutboxMessage, Region, User
from ..permissions import allow, is_admin
from ..vocab import MeetingForm, OrganisationKind, OutboxStatus, Role, TokenPurpose
from .screens import get_or_404, page_of, status_code

bp = Blueprint("admin", __name__, url_prefix="/beheer")

PARTNERS_FIRST = (
    case((Organisation.kind == OrganisationKind.partner, 0), else_=1),
    Organisation.position,
    Organisation.name,
)


def organisations_in_order(*extra_ids: int) -> list[Organisation]:
    """Partners first, then guests, each in their fixed order; inactive ones only when chosen."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(or_(Organisation.active.is_(True), Organisation.id.in_(extra_ids)))
            .order_by(*PARTNERS_FIRST)
        )
    )


def regions_in_order(*extra_ids: int) -> list[Region]:
    return list(
        db.session.scalars(
            select(Region).where(or_(Region.active.is_(True), Region.id.in_(extra_ids))).order_by(Region.name)
        )
    )


def labelled(items: list[Any]) -> list[SelectChoice]:
    """Choices by id, with inactive items marked."""
    return options((o.id, o.name + ("" if o.active else " (inactief)")) for o in items)


# --- index -------------------------------------------------------------------------------


@bp.route("/")
@allow(is_admin)
def index():
    """The sections, each with a short count."""

    def count(model: type[Any], *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return render_template(
        "admin/index.html",
        regions=count(Region, Region.active.is_(True)),
        organisations=count(Organisation, Organisation.active.is_(True)),
        users=count(User, User.active.is_(True)),
        inactive_users=count(User, User.active.is_(False)),
        series=count(MeetingSeries, MeetingSeries.active.is_(True)),
        events=count(AuditEvent),
        outbox_failed=count(OutboxMessage, OutboxMessage.status == OutboxStatus.mislukt),
        outbox_waiting=count(OutboxMessage, OutboxMessage.status.in_([OutboxStatus.wachtend, OutboxStatus.bezig])),
    )


# --- regions -----------------------------------------------------------------------------


@bp.route("/regios")
@allow(is_admin)
def regions():
    items = db.session.scalars(select(Region).options(selectinload(Region.organisations)).order_by(Region.name))
    return render_template("admin/regions.html", regions=items.all())


@bp.route("/regios/nieuw", methods=["GET", "POST"])
@bp.route("/regios/<int:region_id>", methods=["GET", "POST"])
@allow(is_admin)
def region_form(region_id: int | None = None):
    """Create or edit a region and choose who sits at its table."""
    region = get_or_404(Region, region_id)
    current = [o.id for o in region.organisations] if region else []
    form = RegionForm(region=region, organisation_ids=current)
    organisations = organisations_in_order(*current)
    form.organisation_ids.choices = labelled(organisations)
    if form.validate_on_submit():
        created = region is None
        chosen = set(form.organisation_ids.data)
        region = administration.save_region(
            region,
            name=form.name.data,
            code=form.code.data,
            active=form.active.data,
            organisations=[o for o in organisations if o.id in chosen],
            by=current_user,
        )
        db.session.commit()
        flash(f"Regio {region.name} is {'aangemaakt' if created else 'opgeslagen'}.", "success")
        return redirect(url_for("admin.regions"), code=303)
    return render_template(
        "admin/region_form.html", form=form, region=region, code_locked=form.code_locked
    ), status_code()


# --- organisations -----------------------------------------------------------------------


@bp.route("/organisaties")
@allow(is_admin)
def organisations():
    items = db.session.scalars(select(Organisation).order_by(*PARTNERS_FIRST)).all()
    return render_template("admin/organisations.html", organisations=items)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@bp.route("/organisaties/<int:organisation_id>", methods=["GET", "POST"])
@allow(is_admin)
def organisation_form(organisation_id: int | None = None):
    """Create or edit a partner or guest organisation."""
    organisation = get_or_404(Organisation, organisation_id)
    form = OrganisationForm(organisation=organisation)
    if form.validate_on_submit():
        created = organisation is None
        organisation = administration.save_organisation(
            organisation,
            name=form.name.data,
            short_name=form.short_name.data,
            kind=OrganisationKind(form.kind.data),
            position=form.position.data,
            active=form.active.data,
            by=current_user,
        )
        db.session.commit()
        flash(f"Organisatie {organisation.name} is {'aangemaakt' if created else 'opgeslagen'}.", "success")
        return redirect(url_for("admin.organisations"), code=303)
    return render_template("admin/organisation_form.html", form=form, organisation=organisation), status_code()


# --- users -------------------------------------------------------------------------------


@bp.route("/gebruikers")
@allow(is_admin)
def users():
    """Every account, paged, filtered by region and role; a fixed number of queries."""
    region_id = request.args.get("regio", type=bounded_int)
    role = request.args.get("rol", "")
    query = select(User).order_by(User.name, User.id)  # organisation joined, regions selectin
    if region_id:
        query = query.where(User.regions.any(Region.id == region_id))
    role = role if role in dict(Role.choices()) else ""
    if role:
        query = query.where(User.role == Role(role))
    rows, page, pages = page_of(query)
    return render_template(
        "admin/users.html",
        users=rows,
        page=page,
        pages=pages,
        regions=db.session.scalars(select(Region).order_by(Region.name)).all(),
        roles=Role.choices(),
        region_id=region_id,
        role=role,
    )


def user_choices(form: UserForm, user: User | None) -> None:
    form.organisation_id.choices = options([(0, "Kies…")]) + labelled(
        organisations_in_order(*([user.organisation_id] if user else []))
    )
    form.region_ids.choices = labelled(regions_in_order(*(user.region_ids if user else ())))


def render_user(user: User | None, form: UserForm, status: int = 200) -> tuple[str, int]:
    """The create page, or the edit page with its sign-in, two-factor and status panels."""
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        is_self=user is not None and user.id == current_user.id,
        two_factor=user is not None and auth_totp.credential(user) is not None,
        has_password=user is not None and auth_links.has_password(user),
        history=account_history(user) if user is not None else [],
        label=audit.label,
    ), status


ACCOUNT_HISTORY = 10  # the newest events about an account on its page; the rest in the auditlog


def account_history(user: User) -> list[AuditEvent]:
    """What happened to this account lately (invitation, role and region changes, two-factor
    resets, lock-outs, deactivation), by whom: one query."""
    return list(db.session.scalars(events_query(Filters(account_id=user.id)).limit(ACCOUNT_HISTORY)).unique())


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@allow(is_admin)
def user_form(user_id: int | None = None):
    """Create an account, or change someone's name, role, organisation and regions."""
    user = get_or_404(User, user_id)
    form = (UserForm if user else NewUserForm)(user=user, acting=current_user)
    user_choices(form, user)
    if form.validate_on_submit():
        created = user is None
        wanted = set(form.region_ids.data)
        values = dict(
            name=form.name.data,
            role=Role(form.role.data),
            organisation=db.session.get(Organisation, form.organisation_id.data),
            regions=[r for r in regions_in_order(*wanted) if r.id in wanted],
            by=current_user,
        )
        if created:
            user = auth_links.invite(email=form.email.data, **values)
        else:
            administration.save_user(user, **values)
        db.session.commit()
        flash(
            f"Gebruiker {user.name} is uitgenodigd: er is een mail met een link om een wachtwoord te kiezen."
            if created
            else f"Gebruiker {user.name} is opgeslagen.",
            "success",
        )
        return redirect(url_for("admin.users"), code=303)
    return render_user(user, form, status=status_code())


@bp.route("/gebruikers/<int:user_id>/link-sturen", methods=["POST"])
@allow(is_admin)
def user_send_link(user_id: int):
    """A new invitation (no password chosen yet) or a password link; no admin sees a password."""
    user = get_or_404(User, user_id)
    if not user.active:
        flash("Activeer het account eerst.", "error")
        return redirect(url_for("admin.user_form", user_id=user.id), code=303)
    purpose = auth_links.send_again(user, by=current_user)
    db.session.commit()
    what = "nieuwe uitnodiging" if purpose is TokenPurpose.uitnodiging else "link om een nieuw wachtwoord te kiezen"
    flash(f"Er is een {what} gestuurd naar {user.email}.", "success")
    return redirect(url_for("admin.user_form", user_id=user.id), code=303)


@bp.route("/gebruikers/<int:user_id>/tweestapsverificatie-resetten", methods=["POST"])
@allow(is_admin)
def user_two_factor_reset(user_id: int):
    """Someone lost their phone and codes: their app is forgotten, they set it up at the next sign-in."""
    user = get_or_404(User, user_id)
    if auth_totp.disable(user, by=current_user):
        db.session.commit()
        flash(
            f"Tweestapsverificatie van {user.name} is gereset; bij het volgende inloggen stelt die de app opnieuw in.",
            "success",
        )
    return redirect(url_for("admin.user_form", user_id=user.id), code=303)


@bp.route("/gebruikers/<int:user_id>/deactiveren", methods=["POST"])
@bp.route("/gebruikers/<int:user_id>/activeren", methods=["POST"], endpoint="user_activate")
@allow(is_admin)
def user_deactivate(user_id: int):
    """Deactivate (signed out at once, cannot sign in) or reactivate an account."""
    user = get_or_404(User, user_id)  # CSRF is checked globally (CSRFProtect)
    activate = request.endpoint == "admin.user_activate"
    try:
        auth.set_active(user, activate, by=current_user)
    except auth.OwnAccount as refused:
        flash(refused.message, "error")
        return redirect(url_for("admin.user_form", user_id=user.id), code=303)
    db.session.commit()
    flash(f"Gebruiker {user.name} is {'geactiveerd' if activate else 'gedeactiveerd en direct uitgelogd'}.", "success")
    return redirect(url_for("admin.user_form", user_id=user.id), code=303)


# --- meeting series ----------------------------------------------------------------------


@bp.route("/overlegreeksen")
@allow(is_admin)
def series_list():
    """Every region with its weekly series."""
    items = db.session.scalars(select(Region).order_by(Region.name)).all()
    by_region: dict[int, list[MeetingSeries]] = {r.id: [] for r in items}
    for series in db.session.scalars(select(MeetingSeries).order_by(MeetingSeries.weekday, MeetingSeries.start_time)):
        by_region[series.region_id].append(series)
    return render_template("admin/series.html", regions=items, by_region=by_region, weekdays=WEEKDAYS)


@bp.route("/regios/<int:region_id>/overlegreeksen/nieuw", methods=["GET", "POST"])
@bp.route("/overlegreeksen/<int:series_id>", methods=["GET", "POST"])
@allow(is_admin)
def series_form(region_id: int | None = None, series_id: int | None = None):
    """Create or edit a series; saving an active one plans the coming weeks' meetings."""
    series = get_or_404(MeetingSeries, series_id)
    region = series.region if series else get_or_404(Region, region_id)
    form = SeriesForm(obj=series)
    if form.validate_on_submit():
        weeks = current_app.config["PLANNING_WEEKS"]
        series, planned = administration.save_series(
            series,
            region=region,
            weekday=form.weekday.data,
            start_time=form.start_time.data,
            duration_minutes=form.duration_minutes.data,
            form=MeetingForm(form.form.data),
            location=form.location.data or "",
            online_url=form.online_url.data,
            active=form.active.data,
            weeks=weeks,
            by=current_user,
        )
        db.session.commit()
        message = f"Overlegreeks van {region.name} is opgeslagen."
        if series.active:
            message += f" {len(planned)} overleg(gen) nieuw gepland voor de komende {weeks} weken."
        flash(message, "success")
        return redirect(url_for("admin.series_list"), code=303)
    return render_template("admin/series_form.html", form=form, series=series, region=region), status_code()
