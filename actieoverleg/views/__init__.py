"""Blueprints, registered in an explicit list, and the navigation each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, has_request_context, request, url_for
from flask_login import current_user

from .. import permissions


@dataclass
class NavItem:
    label: str
    url: str
    current: bool


NAV = [
    # (label, endpoint, rule, the endpoints (or blueprint prefixes) that mark it current)
    ("Start", "home.index", permissions.signed_in, ("home.",)),
    ("Overleggen", "meetings.index", permissions.is_member, ("meetings.", "agenda.", "steps.")),
    ("Casus aanmelden", "cases.new", permissions.is_member, ("cases.new",)),  # not the case page or search
    ("Onze actiepunten", "actions.ours", permissions.is_member, ("actions.",)),
    ("Statistieken", "stats.index", permissions.can_see_statistics, ("stats.",)),
    ("Beheer", "admin.index", permissions.is_admin, ("admin.", "outbox.", "audit.")),
]


def nav_items() -> dict[str, object]:
    """The menu for the signed-in user: only what their role reaches; and whether the header
    offers "Zoek casuscode" (members only, as the case page)."""
    if not has_request_context() or not current_user.is_authenticated:  # e.g. a mail from the CLI
        return {"nav_items": [], "case_search": False}
    endpoint = request.endpoint or ""
    return {
        "nav_items": [
            NavItem(label, url_for(target), endpoint.startswith(prefix))
            for label, target, rule, prefix in NAV
            if rule(current_user)
        ],
        "case_search": permissions.is_member(current_user),
    }


def register_blueprints(app: Flask) -> None:
    from . import actions, admin, agenda, audit, auth, cases, home, meetings, outbox, profile, stats, steps

    for module in (auth, home, cases, meetings, agenda, steps, actions, stats, profile, admin, audit, outbox):
        app.register_blueprint(module.bp)
    app.context_processor(nav_items)
