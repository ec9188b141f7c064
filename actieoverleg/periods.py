"""The fixed periods statistics are cut by (docs/rules.md §5): a calendar quarter or a year.

No other window exists, on purpose: free date ranges would let two overlapping windows
be subtracted down to a single week (see disclosure.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .formatting import to_utc

_PATTERN = re.compile(r"(\d{4})(?:Q([1-4]))?")
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # None: the whole year

    @classmethod
    def parse(cls, text: str) -> Period | None:
        """'2026Q3' or '2026'; None for anything else."""
        match = _PATTERN.fullmatch(text.strip().upper())
        if not match or not 2000 <= int(match[1]) <= 2100:
            return None
        return cls(int(match[1]), int(match[2]) if match[2] else None)

    @classmethod
    def quarter_of(cls, day: dt.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    @property
    def label(self) -> str:
        """'3e kwartaal 2026 (jul–sep)' or 'jaar 2026'."""
        if self.quarter is None:
            return f"jaar {self.year}"
        first = (self.quarter - 1) * 3
        return f"{self.quarter}e kwartaal {self.year} ({MONTHS[first]}–{MONTHS[first + 2]})"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.quarter is None else (self.quarter - 1) * 3 + 1, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        if self.quarter in (None, 4):
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, self.quarter * 3 + 1, 1)

    def utc_window(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware UTC moments: periods follow Amsterdam calendar days."""
        return to_utc(self.start, dt.time()), to_utc(self.end, dt.time())

    @property
    def weeks(self) -> int:
        """Meeting weeks in the period: Mondays that fall inside it."""
        first_monday = self.start + dt.timedelta(days=(7 - self.start.weekday()) % 7)
        return max(0, ((self.end - first_monday).days + 6) // 7)

    @property
    def year_period(self) -> Period:
        return Period(self.year)

    def next_quarters(self, count: int) -> list[Period]:
        """The `count` quarters after this one (for a quarter)."""
        year, quarter = self.year, self.quarter or 4
        result = []
        for _ in range(count):
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
            result.append(Period(year, quarter))
        return result

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def last_complete_quarter(today: dt.date) -> Period:
    current = Period.quarter_of(today)
    return Period(current.year - 1, 4) if current.quarter == 1 else Period(current.year, current.quarter - 1)


def choices(first: dt.date | None, today: dt.date) -> list[Period]:
    """Every year and quarter from the first held meeting to today, newest first."""
    start = Period.quarter_of(first or today)
    current = Period.quarter_of(today)
    result: list[Period] = []
    for year in range(current.year, start.year - 1, -1):
        result.append(Period(year))
        for quarter in range(4, 0, -1):
            period = Period(year, quarter)
            if start <= period <= current:
                result.append(period)
    return result
