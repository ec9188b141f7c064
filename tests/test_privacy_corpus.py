"""The content guard on its corpus (tests/corpus): catch rate and false alarms (docs/rules.md §8).

The bars: at least 99 % of the texts with personal data refused, at most 2 % of the ordinary
texts refused, on the part the guard was tuned on and on the held-out part alike; and on a
hand-written sample of realistic ordinary texts naming organisations and methods the lists do
not know (realistic_clean.tsv) and on the generated texts of that kind (*_orgs_clean.tsv);
the held-out ones of those do not meet the bar yet (KNOWN_GAP).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from actieoverleg.privacy import check_text

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS))
import generate  # noqa: E402

PARTS = ["hand", "tuned", "heldout"]


def texts(part: str, kind: str) -> list[tuple[str, str]]:
    lines = (CORPUS / f"{part}_{kind}.tsv").read_text(encoding="utf-8").splitlines()
    return [(field, text) for field, text in (line.split("\t", 1) for line in lines)]


def refused(rows: list[tuple[str, str]]) -> list[str]:
    return [text for field, text in rows if check_text(text, field)]


@pytest.mark.parametrize("part", PARTS)
def test_texts_with_personal_data_are_refused(part: str) -> None:
    rows = texts(part, "pd")
    missed = sorted(set(text for _f, text in rows) - set(refused(rows)))
    assert len(missed) <= 0.01 * len(rows), missed


KNOWN_GAP = pytest.mark.xfail(
    reason="known gap (docs/rules.md §8): organisations named like a person that no list knows "
    "(Hestia, Savita) are refused until they are on the allowlist",
    strict=True,  # passing one day fails here: then drop the marker
)


@pytest.mark.parametrize("part", [*PARTS, "tuned_orgs", pytest.param("heldout_orgs", marks=KNOWN_GAP), "realistic"])
def test_ordinary_texts_pass(part: str) -> None:
    rows = texts(part, "clean")
    false_alarms = refused(rows)
    assert len(false_alarms) <= 0.02 * len(rows), false_alarms


@pytest.mark.parametrize("part", ["tuned", "heldout"])
def test_the_generated_corpus_is_large_and_up_to_date(part: str) -> None:
    pd, clean = generate.build(part, generate.SEEDS[part])
    assert len(pd) >= 1000 and len(clean) >= 1000
    assert texts(part, "pd") == pd and texts(part, "clean") == clean, "run python tests/corpus/generate.py"
    orgs = generate.build_orgs(part, generate.SEEDS[part])
    assert len(orgs) >= 400 and texts(f"{part}_orgs", "clean") == orgs, "run python tests/corpus/generate.py"


def test_held_out_names_were_not_added_to_the_guards_own_list() -> None:
    """Held-out names may be in the third-party lists, never in the list written while tuning."""
    own = (Path(__file__).resolve().parent.parent / "actieoverleg" / "guard_lists" / "extra_names.txt").read_text(
        encoding="utf-8"
    )
    own_words = {w.lower() for line in own.splitlines() if not line.startswith("#") for w in line.split()}
    held_out = {
        w.lower()
        for firsts, lasts in generate.HELDOUT_NAMES.values()
        for w in f"{firsts} {lasts}".replace("|", " ").split()
    }
    assert not (held_out - {"van", "der", "de", "ter", "el", "al"}) & own_words
