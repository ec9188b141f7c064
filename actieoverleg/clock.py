"""The one source of "now". Everything that asks what time or day it is asks here, so a test
pins every reading at once (time-machine) and a rule never mixes UTC with the local calendar.

Moments are aware UTC (`utcnow`); due dates, meeting days and statistics periods are
Amsterdam calendar days (`local_today`).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utcnow() -> dt.datetime:
    """The current moment, timezone-aware (UTC)."""
    return dt.datetime.now(dt.timezone.utc)


def local_now() -> dt.datetime:
    """Now, in Amsterdam."""
    return dt.datetime.now(AMSTERDAM)


def local_today() -> dt.date:
    """Today's date in Amsterdam (due dates are Amsterdam dates)."""
    return local_now().date()
