"""The audit log (docs/rules.md §8): who did what, to which object, when — never the object's
content. Every operation that changes something writes its own entry here, in the same
transaction; views never do.
"""

from __future__ import annotations

from .extensions import db
from .models import AuditEvent, User
from .vocab import AuditAction

# How Beheer › Auditlog names the object types (the model class names stored in the log).
OBJECT_LABELS = {
    "Region": "Regio",
    "Organisation": "Organisatie",
    "User": "Gebruiker",
    "MeetingSeries": "Overlegreeks",
    "Meeting": "Overleg",
    "Case": "Casus",
    "AgendaItem": "Agendapunt",
    "ActionPoint": "Actiepunt",
    "Attendance": "Aanwezigheid",
    "Preparation": "Voorbereiding",
    "OutboxMessage": "Mail",
}


def record(action: AuditAction, obj: db.Model | None, *, user: User | None, detail: str = "") -> None:
    """Add an event to the current transaction; `detail` is a code, never free text.

    `obj` must have its id: call after a flush for a new object. `user` is None for the CLI.
    """
    db.session.add(
        AuditEvent(
            user_id=user.id if user is not None else None,
            action=action.value,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=getattr(obj, "id", None),
            detail=detail,
        )
    )


def label(action: str) -> str:
    """The Dutch name of a stored action (an unknown old code shows as it is)."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action
