"""What the list and form screens of several blueprints share: the object a URL names, one
page of a list, and the status of a form shown again.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from flask import abort, current_app, request
from sqlalchemy import func, select

from ..bounds import bounded_int
from ..extensions import db


def status_code() -> int:
    """A form shown again after a POST was rejected."""
    return 422 if request.method == "POST" else 200


def get_or_404(model: type[Any], ident: int | None) -> Any:
    """The object to edit, or None when creating."""
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def page_number(pages: int) -> int:
    """The page asked for (`pagina`), within 1..pages: a bad, negative or huge number gives the
    first page, one past the end the last, so no offset ever overflows."""
    return min(max(request.args.get("pagina", 1, type=bounded_int), 1), pages)


def page_of(query: Any) -> tuple[list[Any], int, int]:
    """One page of a select (`pagina` in the query string): rows, page, number of pages."""
    size = current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(ceil(total / size), 1)
    page = page_number(pages)
    rows = db.session.scalars(query.limit(size).offset((page - 1) * size)).unique().all()
    return list(rows), page, pages
