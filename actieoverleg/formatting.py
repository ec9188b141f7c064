"""Dates and times for Dutch readers: dd-mm-jjjj, Europe/Amsterdam, in one place.

Numeric formats use strftime (a list of 50 action points formats 100 dates; Babel costs
tens of microseconds each); only names of days need the Dutch locale, through Flask-Babel.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_date, format_datetime

from .clock import AMSTERDAM, local_today


def to_utc(day: dt.date, time: dt.time) -> dt.datetime:
    """An Amsterdam wall-clock moment as aware UTC."""
    return dt.datetime.combine(day, time, tzinfo=AMSTERDAM).astimezone(dt.timezone.utc)


def local(moment: dt.datetime) -> dt.datetime:
    """A moment in Amsterdam time; a naive one is taken as UTC, as the database stores it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(AMSTERDAM)


def datum(value: dt.date | dt.datetime | None) -> str:
    """dd-mm-jjjj."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime("%d-%m-%Y")


def datum_lang(value: dt.date | dt.datetime) -> str:
    """'dinsdag 03-11-2026'."""
    if isinstance(value, dt.datetime):
        return format_datetime(value, "EEEE dd-MM-yyyy")
    return format_date(value, "EEEE dd-MM-yyyy")


def tijd(value: dt.datetime | None) -> str:
    """HH:mm in Amsterdam."""
    return "" if value is None else local(value).strftime("%H:%M")


def datumtijd(value: dt.datetime | None) -> str:
    """dd-mm-jjjj HH:mm in Amsterdam."""
    return "" if value is None else local(value).strftime("%d-%m-%Y %H:%M")


def init_app(app: Flask) -> None:
    """Register the filters and today's date for templates."""
    for f in (datum, datum_lang, tijd, datumtijd):
        app.add_template_filter(f)
    app.add_template_global(local_today, "today")
