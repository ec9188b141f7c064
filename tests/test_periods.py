"""periods.py: the only cuts statistics know, a calendar quarter or a year, in Amsterdam days."""

from __future__ import annotations

import datetime as dt

import pytest

from actieoverleg.periods import Period, choices, last_complete_quarter

D = dt.date


@pytest.mark.parametrize(
    "text, period",
    [
        ("2026Q3", Period(2026, 3)),
        ("2026q1", Period(2026, 1)),
        (" 2026 ", Period(2026)),
        ("2000", Period(2000)),
        ("2026Q5", None),
        ("2026Q0", None),
        ("26Q1", None),
        ("2026-Q1", None),
        ("Q3", None),
        ("", None),
        ("1999", None),
        ("2101Q1", None),
        ("2026Q3/RR", None),
    ],
)
def test_parse_accepts_a_quarter_or_a_year_and_nothing_else(text, period):
    assert Period.parse(text) == period


def test_key_and_label_as_the_page_shows_them():
    assert Period(2026, 3).key == "2026Q3" and Period(2026).key == "2026"
    assert [Period(2026, q).label for q in (1, 4)] == ["1e kwartaal 2026 (jan–mrt)", "4e kwartaal 2026 (okt–dec)"]
    assert Period(2026).label == "jaar 2026"
    assert Period.parse(Period(2026, 2).key) == Period(2026, 2)


@pytest.mark.parametrize(
    "period, start, end",
    [
        (Period(2026, 1), D(2026, 1, 1), D(2026, 4, 1)),
        (Period(2026, 2), D(2026, 4, 1), D(2026, 7, 1)),
        (Period(2026, 3), D(2026, 7, 1), D(2026, 10, 1)),
        (Period(2026, 4), D(2026, 10, 1), D(2027, 1, 1)),
        (Period(2026), D(2026, 1, 1), D(2027, 1, 1)),
    ],
)
def test_start_and_end_the_day_after(period, start, end):
    assert (period.start, period.end) == (start, end)
    assert period.contains(start) and period.contains(end - dt.timedelta(days=1)) and not period.contains(end)


def test_utc_window_follows_amsterdam_midnight_across_summer_time():
    assert [moment.isoformat() for moment in Period(2026, 1).utc_window()] == [
        "2025-12-31T23:00:00+00:00",
        "2026-03-31T22:00:00+00:00",
    ]  # winter time in, summer time out
    assert [moment.isoformat() for moment in Period(2026, 4).utc_window()] == [
        "2026-09-30T22:00:00+00:00",
        "2026-12-31T23:00:00+00:00",
    ]
    assert Period(2026, 1).utc_window()[1] == Period(2026, 2).utc_window()[0]  # no gap, no overlap


def test_a_week_counts_in_the_quarter_of_its_monday():
    assert [Period(2026, q).weeks for q in range(1, 5)] == [13, 13, 13, 13] and Period(2026).weeks == 52
    # 2024 began on a Monday: the year has 53 Mondays (the last on 30 December), its third quarter 14
    assert D(2024, 1, 1).weekday() == 0
    assert [Period(2024, q).weeks for q in range(1, 5)] == [13, 13, 14, 13] and Period(2024).weeks == 53
    for year in range(2020, 2031):  # every Monday in exactly one quarter
        assert sum(Period(year, q).weeks for q in range(1, 5)) == Period(year).weeks


def test_next_quarters_run_into_the_next_year():
    assert [p.key for p in Period(2025, 3).next_quarters(4)] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert Period(2025, 4).next_quarters(1) == [Period(2026, 1)] and Period(2025, 1).next_quarters(0) == []
    assert Period(2025).next_quarters(2) == [Period(2026, 1), Period(2026, 2)]  # a year: after its last quarter
    assert Period.quarter_of(D(2025, 12, 31)) == Period(2025, 4) and Period(2025, 4).year_period == Period(2025)


@pytest.mark.parametrize(
    "today, quarter",
    [
        (D(2026, 1, 1), Period(2025, 4)),
        (D(2026, 3, 31), Period(2025, 4)),
        (D(2026, 4, 1), Period(2026, 1)),
        (D(2026, 12, 31), Period(2026, 3)),
    ],
)
def test_last_complete_quarter(today, quarter):
    assert last_complete_quarter(today) == quarter


def test_choices_run_from_the_first_meeting_to_today_newest_first():
    assert [p.key for p in choices(D(2025, 11, 20), D(2026, 2, 1))] == ["2026", "2026Q1", "2025", "2025Q4"]
    assert [p.key for p in choices(D(2024, 5, 1), D(2025, 4, 2))] == [
        "2025",
        "2025Q2",
        "2025Q1",
        "2024",
        "2024Q4",
        "2024Q3",
        "2024Q2",
    ]
    assert [p.key for p in choices(None, D(2026, 8, 1))] == ["2026", "2026Q3"]  # no meeting yet
