"""The audit log: who did what, to which object, when — never the object's content (§8)."""
from __future__ import annotations

from flask_login import current_user

from .extensions import db
from .models import AuditEvent


def record(action: str, obj: db.Model | None, detail: str = "", user_id: int | None = None) -> None:
    """Add an audit event to the current transaction; `detail` is a code, never free text."""
    if user_id is None and current_user and current_user.is_authenticated:
        user_id = current_user.id
    db.session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=getattr(obj, "id", None),
            detail=detail,
        )
    )
