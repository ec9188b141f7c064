"""The one disclosure rule (docs/rules.md §5), applied to every number that leaves the server:
page, chart, CSV and print alike, so no output can say more than another.

* The unit is a **distinct case** wherever a count could point at one: a cell is judged on
  the cases it rests on, not on discussions or action points.
* A count that rests on 1 to 9 cases is shown as `<10`; every other count and every total is
  rounded to the nearest 5 (0 stays 0), so no difference between two cells or two periods
  reveals a small number.
* Percentages are computed from published counts only, so they say nothing the counts do not.
* Medians and percentiles are shown only where they rest on at least 10 cases, otherwise `–`.

The only cuts are the fixed ones (region or nation × quarter or year, `periods.py`): free
filters would let two overlapping cuts be subtracted down to one case.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from .aggregates import Raw

SUPPRESSED = "<10"
NOT_SHOWN = "–"
MIN_CASES = 10  # the smallest number of cases a published figure may rest on

EXPLANATION = (
    "Alle cijfers zijn geanonimiseerd. We tellen casussen, niet besprekingen of actiepunten, "
    "waar een aantal naar één casus zou kunnen wijzen. Een aantal van 1 tot en met 9 tonen we als "
    "‘<10’; alle andere aantallen en totalen zijn afgerond op 5 (0 blijft 0), zodat ook het "
    "verschil tussen twee cellen of periodes geen klein aantal verraadt. Percentages rekenen we "
    "uit de afgeronde aantallen. Een mediaan of percentiel staat er alleen als die op minstens 10 "
    "casussen berust, anders ‘–’. Er zijn alleen vaste indelingen: regio of landelijk, per "
    "kwartaal of per jaar."
)
COVERAGE_RULE = (
    "Een week zonder gehouden overleg telt als een week zonder overleg: we vullen niets aan en "
    "schatten niets bij. Een week hoort bij het kwartaal waarin de maandag valt. Een regio die in "
    "de periode geen overleg hield, staat hieronder bij ‘geen overleg’ en telt in de landelijke "
    "totalen mee als 0; een ontbrekend kwartaal telt zo ook in het jaar mee. Afgelaste overleggen "
    "tellen niet als gehouden."
)


@dataclass(frozen=True)
class Published:
    """A number as every output shows it: `text` on page, chart label, CSV and print alike;
    `number` is the published value (None where suppressed or not shown)."""

    text: str
    number: int | None


def disclose(raw: Raw) -> Published:
    """The disclosure rule (docs/rules.md §5): judged on distinct cases where the figure rests on
    cases, on the count itself otherwise."""
    unit = raw.value if raw.cases is None else raw.cases
    if raw.value == 0 or unit == 0:
        return Published("0", 0)
    if unit < MIN_CASES:
        return Published(SUPPRESSED, None)
    rounded = 5 * ((raw.value + 2) // 5)
    return Published(str(rounded), rounded)


def percent(part: Published, whole: Published) -> Published:
    """A share computed from published counts only, so it reveals nothing they do not."""
    if part.number is None or not whole.number:
        return Published(NOT_SHOWN, None)
    share = round(100 * part.number / whole.number)
    return Published(f"{share}%", share)


def quantile(histogram: dict[int, int], q: float, cases: int | None) -> Published:
    """The nearest-rank quantile of a day histogram, only when it rests on ≥ 10 cases."""
    total = sum(histogram.values())
    if (cases or 0) < MIN_CASES or not total:
        return Published(NOT_SHOWN, None)
    rank = max(1, ceil(q * total))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            days = max(days, 0)
            return Published(str(days), days)
    raise AssertionError("unreachable: rank never exceeds the total")
