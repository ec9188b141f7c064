"""The start page: what needs this user now (docs/screens.md)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from ..actions import count_due, owned_points_query
from ..clock import local_today
from ..extensions import db
from ..indicators import build
from ..models import AgendaItem, ItemGuest, Meeting, Preparation
from ..periods import last_complete_quarter
from ..permissions import (
    allow,
    can_see_national_statistics,
    can_see_statistics,
    is_admin,
    is_chair,
    is_member,
    signed_in,
)
from ..planning import next_meeting, start_of_today_utc
from ..vocab import MeetingStatus

bp = Blueprint("home", __name__)


def awaiting_preparation(organisation_id: int, region_ids: set[int]) -> list[Preparation]:
    """Agenda items of coming meetings where this organisation has not yet prepared."""
    return list(
        db.session.scalars(
            select(Preparation)
            .join(AgendaItem, AgendaItem.id == Preparation.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(
                Preparation.organisation_id == organisation_id,
                Preparation.prepared.is_(False),
                AgendaItem.removed.is_(False),
                Meeting.status == MeetingStatus.gepland,
                Meeting.region_id.in_(region_ids),
                Meeting.starts_at >= start_of_today_utc(),
            )
            .options(contains_eager(Preparation.item).contains_eager(AgendaItem.meeting))
            .order_by(Meeting.starts_at, AgendaItem.position)
            .limit(20)
        ).unique()
    )


def guest_items(organisation_id: int) -> list[AgendaItem]:
    """The cases of coming (or today's) meetings the organisation is a guest for (guests.py)."""
    return list(
        db.session.scalars(
            select(AgendaItem)
            .join(ItemGuest, ItemGuest.agenda_item_id == AgendaItem.id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(
                ItemGuest.organisation_id == organisation_id,
                Meeting.status == MeetingStatus.gepland,
                Meeting.starts_at >= start_of_today_utc(),
            )
            .options(selectinload(AgendaItem.meeting))
            .order_by(Meeting.starts_at)
        )
    )


@bp.route("/")
@allow(signed_in)
def index():
    """One start page, its blocks chosen by role."""
    user = current_user
    national = can_see_national_statistics(user)
    context: dict = {"show_stats": can_see_statistics(user), "show_admin": is_admin(user), "is_national": national}
    if is_member(user):
        today = local_today()
        regions = user.region_ids
        overdue, soon = count_due(user.organisation_id, regions, today)
        points = (
            db.session.scalars(owned_points_query(user.organisation_id, regions, "open", None, today).limit(8))
            .unique()
            .all()
        )
        chaired = []
        if is_chair(user):
            for region in user.regions:
                meeting = next_meeting(region.id)
                if meeting is not None:
                    meeting = (
                        db.session.scalars(
                            select(Meeting)
                            .where(Meeting.id == meeting.id)
                            .options(selectinload(Meeting.items).selectinload(AgendaItem.preparations))
                        )
                        .unique()
                        .one()
                    )
                chaired.append((region, meeting))
        context.update(
            member=True,
            overdue=overdue,
            soon=soon,
            points=points,
            today=today,
            chaired=chaired,
            awaiting=awaiting_preparation(user.organisation_id, regions),
            guest_of=guest_items(user.organisation_id),
        )
    if national:
        context["latest"] = build(last_complete_quarter(local_today()), None, local_today())
    return render_template("home/index.html", **context)
