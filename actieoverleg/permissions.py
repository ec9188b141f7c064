"""Who may do what (docs/rules.md §1, §8). Every view goes through this module, nowhere else:
no role is compared anywhere but here.

Two layers: `allow(rule)` on every view says which roles reach it at all; the object rules
(`can_chair(meeting, user)`, …) are checked at the top of the view on the object itself.
Every predicate takes its object first and the user last.
Objects outside the user's regions answer 404, exactly as objects that do not exist, so
nobody can probe another region; an object in the user's own region that they may not
change answers 403.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, NoReturn, Sequence, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.exceptions import NotFound

from .extensions import db, login_manager
from .models import ActionPoint, AgendaItem, Case, ItemGuest, Meeting, Preparation, Region, User
from .vocab import MeetingStatus, Role

F = TypeVar("F", bound=Callable[..., Any])
Rule = Callable[[User], bool]


# --- role rules, for `allow` -------------------------------------------------------------


def signed_in(user: User) -> bool:
    return True


def is_member(user: User) -> bool:
    """Chairs and partner members work with cases; admins and the national table do not."""
    return user.role in (Role.voorzitter, Role.deelnemer)


def is_admin(user: User) -> bool:
    return user.role is Role.beheerder


def is_chair(user: User) -> bool:
    """Chairs plan extra meetings and hold the meeting; a partner member does not."""
    return user.role is Role.voorzitter


def can_see_statistics(user: User) -> bool:
    return user.role in (Role.landelijk, Role.voorzitter)


def can_see_national_statistics(user: User) -> bool:
    """The national overview compares regions: for the national chairs' meeting only."""
    return user.role is Role.landelijk


def can_see_region_statistics(region_id: int, user: User) -> bool:
    """The national table sees every region's figures; a chair their own region's."""
    return user.role is Role.landelijk or (is_chair(user) and region_id in user.region_ids)


def allow(rule: Rule) -> Callable[[F], F]:
    """Require a signed-in, active user for whom `rule(user)` holds; 403 otherwise."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission_rule = rule  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view as reachable without signing in (the login page)."""
    view.permission_rule = None  # type: ignore[attr-defined]
    return view


def require(allowed: bool) -> None:
    """Stop the request with 403 unless the object rule holds."""
    if not allowed:
        abort(403)


# --- object rules ------------------------------------------------------------------------


def in_region(region_id: int, user: User) -> bool:
    return is_member(user) and region_id in user.region_ids


def can_chair(meeting: Meeting, user: User) -> bool:
    """Chairs of the meeting's region plan it, hold it, close and reopen it."""
    return is_chair(user) and in_region(meeting.region_id, user)


def can_edit_record(meeting: Meeting, user: User) -> bool:
    """The record of a closed or cancelled meeting is locked, also for the chair."""
    return can_chair(meeting, user) and not meeting.is_locked


def can_reopen(meeting: Meeting, user: User) -> bool:
    """Only a chair reopens, and only a closed record (a cancelled meeting stays cancelled)."""
    return can_chair(meeting, user) and meeting.is_closed


def can_bring_in(meeting: Meeting, user: User) -> bool:
    """Members bring cases to the coming meetings of their own regions."""
    return in_region(meeting.region_id, user) and meeting.status is MeetingStatus.gepland


def is_guest_of(item: AgendaItem, user: User) -> bool:
    """A guest organisation invited to the table for this case only (ItemGuest)."""
    return is_member(user) and any(g.organisation_id == user.organisation_id for g in item.guests)


def followed_items(meeting: Meeting, items: Sequence[AgendaItem], user: User) -> list[AgendaItem]:
    """What a follower of the meeting sees: the region's members the whole table, a guest only
    the cases it was invited for."""
    if in_region(meeting.region_id, user):
        return list(items)
    return [i for i in items if is_guest_of(i, user)]


def involved_organisation_ids(case: Case) -> set[int]:
    """The bringing partner, the needed partners and every owner of one of its points."""
    return {case.organisation_id} | {o.id for o in case.needed} | {a.organisation_id for a in case.actions}


def organisation_involved(case: Case, organisation_id: int) -> bool:
    """Need to know, for an organisation rather than a person (a mail to its members): only an
    organisation that takes part in the case gets its details (docs/rules.md §8)."""
    return organisation_id in involved_organisation_ids(case)


def can_view_case(case: Case, user: User) -> bool:
    """The one need-to-know rule for a case's details (docs/rules.md §8, the table there): its
    points, assessment, sharing and hand-over, wherever they are shown. A chair of the region, or
    a member of an organisation that takes part; another member at the table sees only the
    agenda facts (code, kind, time, preparation)."""
    if not in_region(case.region_id, user):
        return False
    return is_chair(user) or organisation_involved(case, user.organisation_id)


def viewable_case_ids(cases: Iterable[Case], user: User) -> set[int]:
    """Which of these cases the user may open (`can_view_case`): their codes are links, the
    others plain text. Load each case's `needed` and `actions` first, or this lazy-loads."""
    return {case.id for case in cases if can_view_case(case, user)}


def can_see_item_details(item: AgendaItem, user: User) -> bool:
    """A case's details as discussed in one meeting: for whoever may open the case, and for a
    guest invited to this item (who sees nothing else of it)."""
    return can_view_case(item.case, user) or is_guest_of(item, user)


def detail_item_ids(items: Iterable[AgendaItem], user: User) -> set[int]:
    """Which items' details (`can_see_item_details`) a page may show; the others show their agenda
    facts and "Geen betrokkenheid". Load each item's case with `needed` and `actions`, and its
    `guests`, first (`views.meetings.involvement_options`), or this lazy-loads per item."""
    return {item.id for item in items if can_see_item_details(item, user)}


def can_see_file_reference(case: Case, user: User) -> bool:
    """A file reference is the bringing partner's own: only its members see it."""
    return in_region(case.region_id, user) and user.organisation_id == case.organisation_id


def can_update_action(action: ActionPoint, user: User) -> bool:
    """Only members of the owner organisation tick off a point."""
    return in_region(action.region_id, user) and user.organisation_id == action.organisation_id


def can_prepare(meeting: Meeting, preparation: Preparation, user: User) -> bool:
    """Each needed partner marks its own preparation, before the meeting is closed. The meeting is
    passed in, not read from the item, so checking a whole agenda loads nothing per item."""
    return (
        in_region(meeting.region_id, user)
        and user.organisation_id == preparation.organisation_id
        and not meeting.is_locked
    )


# --- loaders that hide other regions -----------------------------------------------------


class OutOfReach(NotFound):
    """The same 404 as an unknown object, raised where the object exists but lies outside the
    user's reach, so the audit log records the denial (errors.py)."""


def _hidden(obj: Any) -> NoReturn:
    """404 for both; only the log learns which it was."""
    raise NotFound() if obj is None else OutOfReach()


def _get_in_region(
    model: type[Any], ident: int, region_of: Callable[[Any], int], user: User, options: Sequence[ORMOption] = ()
) -> Any:
    # An object already in the session would skip the loader options: read it afresh then.
    # Not always, as that would also reset whatever else the rows touch (the signed-in user).
    again = bool(options) and db.session.identity_key(model, ident) in db.session.identity_map
    obj = db.session.get(model, ident, options=options, populate_existing=again)
    if obj is None or not in_region(region_of(obj), user):
        _hidden(obj)
    return obj


def meeting_or_404(meeting_id: int, user: User, options: Sequence[ORMOption] = ()) -> Meeting:
    """A meeting in the user's regions, loaded with `options` (e.g. the whole record at once)."""
    return _get_in_region(Meeting, meeting_id, lambda m: m.region_id, user, options)


def followed_meeting_or_404(meeting_id: int, user: User, options: Sequence[ORMOption] = ()) -> Meeting:
    """A meeting to follow live: in the user's regions, or one where the user's organisation is
    a guest for a case. 404 otherwise, so a guest learns of no other meeting."""
    again = bool(options) and db.session.identity_key(Meeting, meeting_id) in db.session.identity_map
    meeting = db.session.get(Meeting, meeting_id, options=options, populate_existing=again)
    if meeting is None or not (in_region(meeting.region_id, user) or _is_guest_in(meeting, user)):
        _hidden(meeting)
    return meeting


def _is_guest_in(meeting: Meeting, user: User) -> bool:
    """One indexed query, not one per item: is the user's organisation a guest for a case here?"""
    guest = (
        select(ItemGuest.agenda_item_id)
        .join(AgendaItem, AgendaItem.id == ItemGuest.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting.id, ItemGuest.organisation_id == user.organisation_id)
    )
    return is_member(user) and db.session.scalar(select(guest.exists())) is True


def item_or_404(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def action_or_404(action_id: int, user: User) -> ActionPoint:
    return _get_in_region(ActionPoint, action_id, lambda a: a.region_id, user)


def _case_by_code(code: str) -> Case | None:
    return db.session.execute(db.select(Case).filter_by(code=code.upper())).scalar_one_or_none()


def viewable_case(code: str, user: User) -> Case | None:
    """The case with this code if the user may see it; None alike for an unknown code and for a
    case out of reach, so nobody learns whether a code exists."""
    case = _case_by_code(code)
    return case if case is not None and can_view_case(case, user) else None


def case_or_404(code: str, user: User) -> Case:
    """A case the user may see, by code; 404 for unknown codes and for cases out of reach."""
    case = _case_by_code(code)
    if case is None or not can_view_case(case, user):
        _hidden(case)
    return case


def statistics_region_or_404(code: str, user: User) -> Region:
    """A region whose statistics the user may see, by code; others answer 404 like unknown codes."""
    region = db.session.execute(db.select(Region).filter_by(code=code.upper())).scalar_one_or_none()
    if region is None or not can_see_region_statistics(region.id, user):
        _hidden(region)
    return region


def must_use_two_factor(user: User) -> bool:
    """Chairs and admins sign in with a second factor (TOTP); for the others it is optional."""
    return user.role in (Role.voorzitter, Role.beheerder)
