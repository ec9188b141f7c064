"""The content guard's cost and its newer rules (docs/rules.md §8): linear time, length first,
names of every background and in lower case, the allowlist, more postcode and street forms."""

from __future__ import annotations

import logging
import sys

import pytest

from actieoverleg.privacy import FIELD_LIMITS, check_text, scan


def calls(function, *args) -> int:
    """How many Python and C function calls `function(*args)` makes: a measure of work that,
    unlike a clock, does not depend on the machine or its load."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return count


SHAPES = {
    "ordinary sentences": "VT legt huisbezoek af bij moeder, Wijkteam Prins Alexander plant gesprek. ",
    "names and data": "Gesprek met Stanley Ramdas, bel 06-12345678, 3081WM-108B; mevrouw de Vries. ",
    "one huge word": "a",
    "digits": "1",
    "tussenvoegsels": "Aa van ",
    "at signs": "x@",
    "initials": "J. ",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_scan_grows_linearly(shape: str) -> None:
    """Doubling a 32 KB text to 64 KB at most doubles the work (plus a little), whatever its shape."""
    piece = SHAPES[shape]
    scan("warm up")
    small = piece * (32 * 1024 // len(piece))
    work_small, work_double = calls(scan, small), calls(scan, small * 2)
    assert work_double <= 2.1 * work_small + 100, (work_small, work_double)


def test_a_megabyte_is_scanned_to_its_end() -> None:
    text = "x" * 1_000_000 + " Politie belt de vader op 06-12345678"
    assert len(text) > 1_000_000
    assert list(scan(text)) == ["phone"]


def test_the_length_comes_first_and_costs_nothing_more_for_a_bigger_text() -> None:
    limit = FIELD_LIMITS["action"]
    just_over, huge = "Bel 06-12345678 " + "a" * limit, "Bel 06-12345678 " + "a" * 1_000_000
    assert check_text(huge) == [f"Maximaal {limit} tekens (nu {len(huge.strip())})."]
    assert calls(check_text, huge) == calls(check_text, just_over)


@pytest.mark.parametrize(
    "text",
    [
        "ex-partner sylvana kartosen",
        "Gesprek met Stanley Ramdas",
        "Selam Tesfamariam komt op gesprek",
        "Politie spreekt Yilmaz aan",
        "vader Youssef El Idrissi belt terug",
        "Katarzyna Nowak meldt zich bij Reclassering",
        "Hodan Warsame naar de opvang",
        "mw. A. de Groot bellen",
        "Gesprek met J.P. van den Broek",
        "Gesprek met de Vries",
        "Jurickson Martina wordt gehoord",
        "gesprek met fatima",
        "huisverbod voor kees bakker",
        "Haddad komt op gesprek",
        "MENEER R. OUHADDOU BELT",
        "Mohammed el Amrani belt terug",
        "gesprek met Dewi op school",
        "Mark de Vries komt op gesprek",
        "Gesprek met Öztürk plannen",
        "Politie spreekt Kwame Mensah aan",
        "Raad start onderzoek, Bouchtaoui wordt gehoord",
        "SVG screent Kaczmarek op middelengebruik",
        "Al-Masri wordt uitgenodigd",
        "Raad hoort Yudeira Calmera",
        "Kessler komt op gesprek",
    ],
)
def test_names_of_every_background_and_in_lower_case_are_refused(text: str) -> None:
    assert "name" in scan(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Politie plant verhoor met de vader",
        "VT legt huisbezoek af bij moeder",
        "Reclassering bespreekt toezicht met de jeugdige",
        "Raad start raadsonderzoek",
        "OM beoordeelt strafzaak tegen de ex-partner",
        "Wijkteam Prins Alexander organiseert een netwerkberaad",
        "Lokaal team Hendrik-Ido-Ambacht plant gesprek met moeder",
        "SVG/Verslavingsreclassering screent pleger",
        "Leger des Heils neemt toezicht over",
        "Raad voor de Kinderbescherming start beschermingsonderzoek",
        "CJG en Sociaal wijkteam bieden steun; huisarts en school zijn op de hoogte",
        "Overleg op maandag 14 april in Capelle aan den IJssel",
        "Tolk Tigrinya regelen voor gesprek met vader",
        "Wil VT de moeder bellen?",
        "Signs of Safety-gesprek met het netwerk",
        "Vader verblijft in België",
        "Kinderombudsman informeren",
        "Lumens start gezinscoaching",
        "Overleg met Juzt over de indicatie",
        "Politie voert Rapid Assessment uit",
        "School (IB'er) informeren over veiligheidsplan",
        "Pgb'er en GGD'er sluiten aan",
        "Kessler Stichting zoekt opvangplek voor vader",
        "Buurtteam Kwadrant doet intake bij moeder",
        "Xtra Kwadrant start begeleiding",
        "Family Group Conference organiseren",
    ],
)
def test_ordinary_action_texts_pass(text: str) -> None:
    assert check_text(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("3081WM-108B", "postcode"),
        ("2498AX-76-3", "postcode"),
        ("3081 wm", "postcode"),
        ("crooswijkseweg 188-A", "address"),
        ("laan van meerdervoort 12", "address"),
        ("Kind logeert op lijnbaan 72", "address"),
        ("Woont op nieuwe binnenweg 5", "address"),
    ],
)
def test_more_postcode_and_street_forms_are_refused(text: str, kind: str) -> None:
    assert kind in scan(text)


@pytest.mark.parametrize("text", ["In 2026 en 2027 evalueren", "Vordering 2 ingediend", "Onderweg 2 keer gebeld"])
def test_numbers_next_to_words_are_no_address(text: str) -> None:
    assert check_text(text) == []


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Gesprek met Stanley Ramdas plannen", "Stanley Ramdas"),
        ("Politie spreekt Ramdas aan", "Ramdas"),
        ("Bel mw. A. de Groot terug", "A. de Groot"),
        ("ex-partner sylvana kartosen belt", "sylvana kartosen"),
    ],
)
def test_the_name_message_quotes_the_suspected_name_and_says_what_to_write_instead(text: str, quoted: str) -> None:
    [message] = check_text(text)
    assert message == (
        f"Dit lijkt een naam van een persoon: ‘{quoted}’. Beschrijf de rol, zoals ‘moeder’ of ‘ex-partner’: "
        "een actiepunt mag geen persoonsgegevens bevatten."
    )


def test_the_guard_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        check_text("Bel mevrouw Tesfamariam op 06-12345678")
        scan("x" * 100_000 + " Stanley Ramdas")
    assert caplog.records == []
