"""The meeting as it happens, for every screen that follows it (docs/rules.md §3, "Live").

Every change to a meeting, its items, points, attendance, preparation or guests raises the
meeting's `live_version` in the same transaction (`derived._watch`, by SQL). A following screen
polls with the version it shows and gets nothing (204) until the number moved: the signal
comes from the database, so it works across any number of workers and processes.
"""

from __future__ import annotations

from . import audit
from .models import AgendaItem, Meeting, User
from .vocab import AuditAction

POLL_SECONDS = 1  # a change reaches every follower within about a second and a request


def set_current(meeting: Meeting, item: AgendaItem | None, user: User) -> None:
    """The chair marks the case "nu in bespreking" (None: no case at the moment)."""
    meeting.current_item_id = item.id if item is not None else None
    audit.record(AuditAction.current, meeting, user=user, detail=str(item.id) if item is not None else "")


def current_item(meeting: Meeting, items: list[AgendaItem]) -> AgendaItem | None:
    """The case followers see: the one the chair marked, else the first one not yet recorded."""
    marked = next((i for i in items if i.id == meeting.current_item_id), None)
    if marked is not None:
        return marked
    return next((i for i in items if not i.removed and (i.assessment is None or i.handover is None)), None)
