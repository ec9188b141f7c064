"""The content guard's figures: catch rate and false alarms on its corpus, and time per check.

    python bench/guard.py        (also part of `make bench`)

Prints, per part of tests/corpus (hand-written, tuned, held-out), how many texts with personal
data are refused and how many ordinary texts are refused by mistake, and the false alarms on
the ordinary texts naming organisations the lists do not know (tuned_orgs, heldout_orgs,
realistic); then the time of one
check of a 200-character action text, of a scan of 64 KB, and their ratio per character
(1.0 = exactly linear). A report, not a test: tests/test_privacy_corpus.py holds the bars.
"""

from __future__ import annotations

import statistics as stats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actieoverleg import privacy_names  # noqa: E402
from actieoverleg.privacy import check_text, scan  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
TEXT_200 = ("VT legt huisbezoek af bij moeder; Politie plant verhoor met de ex-partner vóór 12-03. " * 3)[:200]


def _rows(part: str, kind: str) -> list[tuple[str, str]]:
    lines = (CORPUS / f"{part}_{kind}.tsv").read_text(encoding="utf-8").splitlines()
    return [(field, text) for field, text in (line.split("\t", 1) for line in lines)]


def _best_ms(function, *args, runs: int) -> float:
    """The median of `runs` timings, in ms."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function(*args)
        times.append((time.perf_counter() - started) * 1000)
    return stats.median(times)


def report() -> None:
    started = time.perf_counter()
    privacy_names.lexicon()
    print(f"content guard: word lists loaded in {time.perf_counter() - started:.2f} s (once per process)")
    checked, spent = 0, 0.0
    for part in ("hand", "tuned", "heldout"):
        figures = []
        for kind in ("pd", "clean"):
            rows = _rows(part, kind)
            started = time.perf_counter()
            refused = sum(1 for field, text in rows if check_text(text, field))
            spent += time.perf_counter() - started
            checked += len(rows)
            figures.append((refused, len(rows)))
        (caught, pd), (alarms, clean) = figures
        print(
            f"  {part:8} caught {caught}/{pd} ({100 * caught / pd:.1f} %, bar 99 %), "
            f"false alarms {alarms}/{clean} ({100 * alarms / clean:.1f} %, bar 2 %)"
        )
    for part in ("tuned_orgs", "heldout_orgs", "realistic"):  # ordinary texts naming unknown organisations
        rows = _rows(part, "clean")
        alarms = sum(1 for field, text in rows if check_text(text, field))
        print(f"  {part:12} false alarms {alarms}/{len(rows)} ({100 * alarms / len(rows):.1f} %, bar 2 %)")
    print(f"  {checked} corpus texts, {1000 * spent / checked:.3f} ms per check")
    short = _best_ms(check_text, TEXT_200, runs=200)
    big_text = (TEXT_200 + " ") * (64 * 1024 // (len(TEXT_200) + 1))
    big = _best_ms(scan, big_text, runs=5)
    per_char = (big / len(big_text)) / (short / len(TEXT_200))
    print(f"  check of 200 characters {short:.3f} ms; scan of 64 KB {big:.1f} ms ({big / short:.0f}x)")
    print(f"  time per character, 64 KB against 200 characters: {per_char:.2f} (1.00 = linear)")


if __name__ == "__main__":
    report()
