"""Numbers from a request fit the database's signed 64-bit integers, or count as absent.

An id in the path, a page number or an id in the query string or a form that does not fit
would reach SQLite (OverflowError) or PostgreSQL (out of range) and answer 500. Out of range
is treated like any other bad number: an id that names nothing (404), a page or filter
that falls back to its default.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, ValidationError

INT64_MAX = 2**63 - 1
_DIGITS = len(str(INT64_MAX))  # longer text is out of range; int() of thousands of digits is slow


def bounded_int(text: str) -> int:
    """`int(text)` within the signed 64-bit range; ValueError otherwise, so werkzeug's
    `request.args.get(name, default, type=bounded_int)` falls back to the default."""
    text = text.strip()
    if len(text.lstrip("+-")) > _DIGITS:
        raise ValueError("out of range")
    value = int(text)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise ValueError("out of range")
    return value


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: an id past the 64-bit range does not match, so it answers 404."""

    def to_python(self, value: str) -> int:
        if len(value) > _DIGITS or int(value) > INT64_MAX:
            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Make the bounded converter the default `int`; before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntConverter
