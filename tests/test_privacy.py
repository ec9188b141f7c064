"""Tests for the content guard and the pseudonymous case codes (docs/rules.md §8)."""

from __future__ import annotations

import re

import pytest

from actieoverleg.privacy import CODE_ALPHABET, FIELD_LIMITS, check_text, new_case_code, typed_case_code

# A fragment that identifies each kind of message; every message must carry exactly one.
KIND_FRAGMENTS = {
    "email": "e-mailadres",
    "iban": "rekeningnummer (IBAN)",
    "phone": "telefoonnummer",
    "date": "jaartal uit de datum",
    "postcode": "de postcode",
    "address": "adres (straat en huisnummer)",
    "plate": "kenteken",
    "bsn": "het BSN",
    "digits": "8 of meer cijfers",
    "name": "naam van een persoon",
    "length": "Maximaal",
}


def kinds_of(messages: list[str]) -> set[str]:
    """The kinds of the messages; fails when a message matches no kind or several."""
    found: set[str] = set()
    for message in messages:
        matching = [kind for kind, fragment in KIND_FRAGMENTS.items() if fragment in message]
        assert len(matching) == 1, message
        found.add(matching[0])
    return found


def elfproef(digits: str) -> bool:
    """Independent BSN check used to prove the test data are what they claim to be."""
    return sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1))) % 11 == 0


# --- texts that must pass ----------------------------------------------------------------
PASS_ACTION = [
    # from the brief and docs/domain.md
    "Politie spreekt pleger aan vóór 12-03",
    "VT neemt contact op met school",
    "Reclassering bespreekt meldplicht in week 14",
    "VT legt huisbezoek af",
    "OM beslist over vordering",
    "Politie plant verhoor",
    "RvdK start raadsonderzoek, zie art. 1:255 BW",
    "Veilig Thuis 0800-2000 informeert moeder over steunpunt",
    "Casus RR-7KQ4 terug op agenda op 3 april",
    "Overleg om 14:30 met Zorg- en Veiligheidshuis Rotterdam-Rijnmond",
    "Wijkteam Dordrecht plant gesprek met kind en moeder",
    "OvJ beoordeelt inzet art. 38v Sr gebiedsverbod",
    "Leger des Heils JR neemt contact op met ex-partner",
    "GGZ screent pleger voor 15-4",
    "Reclassering Nederland adviseert over toezicht (art. 14c Sr)",
    "In 2026 evalueren",
    "Q3 afronden",
    "Binnen 2 weken terugkoppeling aan voorzitter",
    "Slachtofferhulp biedt ondersteuning",
    "Politie registreert incident in BVH",
    "Politie plant verhoor in week 14",
    "Termijn 2 weken",
    "Wegwerk voorkomen",
    # the demo's action texts
    "VT bespreekt veiligheidsplan met moeder",
    "Politie zet extra surveillance in de wijk in",
    "OM bespreekt aanhouding met politie",
    "RvdK beoordeelt verzoek ondertoezichtstelling",
    "LJ&R neemt contact op met ex-partner over toezicht",
    "SVG screent pleger op verslaving",
    "ZVH plant MDA++-overleg",
    "Lokaal team start hulpverlening voor kind en moeder",
    # what professionals write
    "Huisbezoek door VT en Wijkteam op dinsdag",
    "Terugkoppeling op maandag 14:00 via Teams",
    "Gesprek in 's-Hertogenbosch met Jeugdbescherming Brabant",
    "Contact met Veilig Thuis via 0800-2000 of 0900-8844",
    "Bij escalatie: bel 112",
    "Dierenambulance (144) inschakelen voor huisdieren",
    "Politie en VT plannen gezamenlijk huisbezoek binnen 48 uur",
    "Kind wordt besproken in MDO op 7-6",
    "Moeder krijgt steun van Slachtofferhulp",
    "Overdracht naar MDA++ Rotterdam-Rijnmond",
    "Casus overdragen aan Zorg- en Veiligheidshuis Fryslân",
    "Politie stemt af met Den Haag",
    "Bespreken in week 14 van 2026",
    "Evaluatie Q1 2027",
    "William Schrikker neemt voogdij over",
    "Leger des Heils Jeugdbescherming & Reclassering neemt toezicht over",
    "RvdK vraagt voorlopige ondertoezichtstelling aan bij de kinderrechter",
    "GI zet jeugdbeschermer in binnen 5 werkdagen",
    "3RO levert vroeghulp binnen 24 uur",
    "Reclassering maakt adviesrapport voor zitting op 14-5",
    "OM vordert bijzondere voorwaarden (art. 14c Sr) vóór 1-6",
    "Vrouwenopvang zoekt plek voor moeder en kinderen",
    "Burgemeester legt tijdelijk huisverbod op",
    "Check bij Reclassering of ex-partner in beeld is",
    "Risicotaxatie met B-SAFER door Reclassering",
    "Vóór vrijdag 12-04 terugkoppeling",
    "Uiterlijk 1-4 plan van aanpak",
    "Actiepunt vervalt; casus overgedragen aan Wijkteam Gouda",
    "Zaak ligt bij ZSM-tafel",
    "Gesprek met kind, moeder en oma op school",
    "Politie Eenheid Rotterdam neemt over",
    "VT Hollands Midden stemt af met GGZ Rivierduinen",
    "Vader van kind meldt zich bij Reclassering",
    "Kind van 8 jaar gaat naar logeeradres",
    "Raad voor de Kinderbescherming start beschermingsonderzoek",
    "Vordering tot OTS indienen vóór 1 mei",
    "Termijn verlengd tot 30 juni",
    "Overleg 09.30 - 10.30 uur",
    "Overleg 14.30-15.30 in Rotterdam",
    "Schooljaar 2025-2026 evalueren",
    "In 2026 OM beslist over vervolging",
    "Wet verplichte ggz (Wvggz): crisismaatregel beoordelen",
    "Rapportage binnen 6 weken, zie art. 1:255 BW en art. 1:261 BW",
    "VT Noord- en Oost-Gelderland informeert GI",
    "Vink af na uitvoering",
    "Max. 2 weken wachten op reactie",
    "OM dient vordering 2 in",
    "Vordering 2 ingediend",
    "Aanhouding niet haalbaar; OvJ heroverweegt op 2-5",
    "Casus ZHZ-ABCD opnieuw agenderen in week 16",
    "Signs of Safety-gesprek plannen met gezin",
]
PASS_FILE_REFERENCE = [
    "VT-2026-004512",
    "12345678",
    "ZAAK 2026/0417",
    "PL1700-2026123456",
    "123456789",  # fails the 11-proef: a registration number, not a BSN
    "RvdK 2026.1234.5678",
]
PASS_LOCATION = [
    "Zorg- en Veiligheidshuis Rotterdam-Rijnmond, zaal 2",
    "Online (link in de uitnodiging)",
    "Stadhuis Dordrecht, zaal 3.14",
    "Politiebureau, spreekkamer 2",
]


@pytest.mark.parametrize("text", PASS_ACTION)
def test_action_texts_professionals_write_pass(text: str) -> None:
    assert check_text(text) == []


@pytest.mark.parametrize("text", PASS_FILE_REFERENCE)
def test_partner_registration_numbers_pass_in_file_reference(text: str) -> None:
    assert check_text(text, "file_reference") == []


@pytest.mark.parametrize("text", PASS_LOCATION)
def test_meeting_locations_pass(text: str) -> None:
    assert check_text(text, "location") == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_is_not_the_guards_business(text: str) -> None:
    assert check_text(text) == []


# --- texts that must fail ----------------------------------------------------------------
FAIL_ACTION = [
    ("Bel moeder op 06-12345678", "phone"),
    ("+31 6 1234 5678", "phone"),
    ("010-4123456", "phone"),
    ("06 1234 5678", "phone"),
    ("06-1234 5678", "phone"),
    ("0612345678", "phone"),
    ("+31(0)6-12345678", "phone"),
    ("0031 6 12345678", "phone"),
    ("070 123 4567", "phone"),
    ("+31 10 123 4567", "phone"),
    ("Bel (010) 123 45 67", "phone"),
    ("Vader verblijft in België, +32 470 12 34 56", "phone"),
    ("+49 30 12345678", "phone"),
    ("mail naar j.jansen@gmail.com", "email"),
    ("Stuur bericht naar info@voorbeeld.nl", "email"),
    ("contact via moeder_1985@hotmail.com", "email"),
    ("Woont op Kerkstraat 12a", "address"),
    ("Huisbezoek Van Speijkstraat 5", "address"),
    ("Burgemeester de Withstraat 12-II", "address"),
    ("Verblijft aan de Dorpsweg 3", "address"),
    ("Kind logeert op Stationsplein 1 bis", "address"),
    ("adres: kerkstraat 12", "address"),
    ("'s-Gravendijkwal 120", "address"),
    ("3012 AB 14", "postcode"),
    ("3012AB, 14", "postcode"),
    ("Woont in 1234 AB", "postcode"),
    ("postcode 2511CV", "postcode"),
    ("BSN 123456782", "bsn"),
    ("123.456.782 controleren", "bsn"),
    ("nummer 123 456 782", "bsn"),
    ("Dossier 12345678 bespreken", "digits"),
    ("ref 1234 5678 9", "digits"),
    ("VT-2026-004512", "digits"),  # fine as a file reference, not in an action text
    ("NL91 ABNA 0417 1643 00", "iban"),
    ("Rekening NL91ABNA0417164300", "iban"),
    ("BE68 5390 0754 7034", "iban"),
    ("nl91abna0417164300", "iban"),
    ("auto 12-ABC-3", "plate"),
    ("Auto AB-12-CD gezien", "plate"),
    ("kenteken 1-ABC-23", "plate"),
    ("GH-123-J", "plate"),
    ("12-AB-CD", "plate"),
    ("auto AB12CD", "plate"),
    ("geboren 12-03-2015", "date"),
    ("geb. 3 maart 2015", "date"),
    ("12/03/85", "date"),
    ("12.03.2019", "date"),
    ("1985-03-12", "date"),
    ("12 mrt. 2019", "date"),
    ("geboren in maart 1985", "date"),
    ("vóór 12-03 2026", "date"),
    ("geb. 03-03-'15", "date"),
    ("mevrouw Jansen bellen", "name"),
    ("Piet van Dijk wordt aangesproken", "name"),
    ("vader Mohamed komt op gesprek", "name"),
    ("dhr. De Vries", "name"),
    ("Jan heeft het kind meegenomen", "name"),
    ("mw. Jansen", "name"),
    ("meneer Bakker belt terug", "name"),
    ("Moeder Fatima komt op gesprek", "name"),
    ("kind Noah blijft bij oma", "name"),
    ("zoon Kevin", "name"),
    ("dochter Sanne", "name"),
    ("Gesprek met Sevda van Rossum", "name"),  # (b): tussenvoegsel, names not in lists
    ("Noah El Amrani", "name"),
    ("oom Dewi neemt kind op", "name"),  # (a): role word, name not in lists
    ("vader van Rossum komt", "name"),
    ("Politie spreekt Yilmaz aan", "name"),
    ("Gesprek met de Vries", "name"),
    ("Emre en Zeynep", "name"),
    ("Overleg met Kees ter Horst", "name"),
]
FAIL_FILE_REFERENCE = [
    ("111222333", "bsn"),
    ("dossier 123456782", "bsn"),
    ("123.456.782", "bsn"),
    ("0612345678", "phone"),
    ("j.jansen@gmail.com", "email"),
    ("Jansen 2026/0417", "name"),
]


@pytest.mark.parametrize(("text", "kind"), FAIL_ACTION)
def test_personal_data_in_action_text_is_rejected(text: str, kind: str) -> None:
    assert kinds_of(check_text(text)) == {kind}


@pytest.mark.parametrize(("text", "kind"), FAIL_FILE_REFERENCE)
def test_personal_data_in_file_reference_is_rejected(text: str, kind: str) -> None:
    assert kinds_of(check_text(text, "file_reference")) == {kind}


def test_the_file_reference_bsn_examples_really_pass_the_elfproef() -> None:
    assert elfproef("111222333") and elfproef("123456782")
    assert not elfproef("123456789")


@pytest.mark.parametrize("field", ["location", "remark", "reason", "name"])
def test_every_free_text_field_is_guarded(field: str) -> None:
    assert kinds_of(check_text("Bel mevrouw Jansen op 06-12345678", field)) == {"phone", "name"}


@pytest.mark.parametrize(("text", "_kind"), [(t, k) for t, k in FAIL_ACTION + FAIL_FILE_REFERENCE if k != "name"])
def test_messages_never_echo_the_offending_text(text: str, _kind: str) -> None:
    """Only a suspected name is quoted, so the user knows which word to change
    (test_privacy_guard.py); numbers, addresses and e-mail addresses never are."""
    joined = " ".join(check_text(text) + check_text(text, "file_reference"))
    assert text not in joined
    for token in re.split(r"[\s,():]+", text):
        if len(token) >= 4 and (any(c.isdigit() for c in token) or "@" in token or token[0].isupper()):
            assert token not in joined


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Bel moeder op 06-12345678", "12345678"),
        ("mail naar j.jansen@gmail.com", "jansen"),
        ("Adres 3081WM-108B", "3081"),
        ("Woont op Kerkstraat 12a", "Kerkstraat"),
        ("BSN 123456782", "123456782"),
        ("auto 12-ABC-3", "ABC"),
    ],
)
def test_messages_do_not_contain_the_secret(text: str, secret: str) -> None:
    """Only the name message quotes what was typed (test_privacy_guard.py), so the user knows
    which word to change; the others say only what to remove."""
    messages = check_text(text)
    assert messages and all(secret not in m for m in messages)


# --- message texts -------------------------------------------------------------------------
def test_message_text_is_dutch_and_says_what_to_remove() -> None:
    assert check_text("Bel moeder op 06-12345678") == [
        "Verwijder het telefoonnummer: een actiepunt mag geen persoonsgegevens bevatten."
    ]
    assert check_text("111222333", "file_reference") == [
        "Verwijder het BSN: een dossiernummer mag geen persoonsgegevens bevatten."
    ]


def test_each_kind_of_problem_gives_one_message() -> None:
    messages = check_text("Bel 06-12345678 of 06-87654321, of mail a@b.nl of c@d.nl")
    assert len(messages) == 2
    assert kinds_of(messages) == {"phone", "email"}


def test_several_kinds_are_all_reported() -> None:
    text = "mevrouw Jansen, geb. 12-03-1985, Kerkstraat 5, 06-12345678, auto AB-12-CD"
    assert kinds_of(check_text(text)) == {"name", "date", "address", "phone", "plate"}


# --- length -------------------------------------------------------------------------------
def test_field_limits() -> None:
    assert FIELD_LIMITS == {
        "action": 200,
        "file_reference": 40,
        "location": 200,
        "remark": 500,
        "reason": 500,
        "name": 120,
    }


@pytest.mark.parametrize("field", sorted(FIELD_LIMITS))
def test_text_longer_than_the_field_allows(field: str) -> None:
    limit = FIELD_LIMITS[field]
    assert check_text("a" * limit, field) == []
    assert check_text("a" * (limit + 1), field) == [f"Maximaal {limit} tekens (nu {limit + 1})."]


def test_length_examples_and_surrounding_whitespace() -> None:
    assert check_text("x" * 231) == ["Maximaal 200 tekens (nu 231)."]
    assert check_text("x" * 41, "file_reference") == ["Maximaal 40 tekens (nu 41)."]
    assert check_text("   " + "x" * 200 + "\n  ") == []


def test_a_text_over_the_limit_gets_only_the_length_message() -> None:
    """The length is checked first, before any scanning: the cost of a check is bounded."""
    assert check_text("Bel 0612345678 " + "a" * 200) == ["Maximaal 200 tekens (nu 215)."]


def test_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        check_text("VT legt huisbezoek af", "description")


# --- case codes ----------------------------------------------------------------------------
FORBIDDEN = set("0O1IL")


def test_alphabet_is_unambiguous() -> None:
    assert not FORBIDDEN & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET)


@pytest.mark.parametrize("prefix", ["RR", "ZHZ", "AAHM"])
def test_case_code_format(prefix: str) -> None:
    pattern = re.compile(rf"{prefix}-[{CODE_ALPHABET}]{{4}}")
    for _ in range(200):
        code = new_case_code(prefix)
        assert pattern.fullmatch(code), code
        assert not FORBIDDEN & set(code.split("-")[1])


def test_case_code_prefix_is_upper_cased() -> None:
    assert new_case_code("rr").startswith("RR-")


@pytest.mark.parametrize("prefix", ["R", "ROTTE", "R1", "", "R-R"])
def test_case_code_prefix_must_be_2_to_4_letters(prefix: str) -> None:
    with pytest.raises(ValueError):
        new_case_code(prefix)


def test_case_codes_are_random() -> None:
    assert len({new_case_code("RR") for _ in range(200)}) > 190


def test_case_code_retries_while_the_code_exists() -> None:
    asked: list[str] = []

    def exists(code: str) -> bool:
        asked.append(code)
        return len(asked) <= 3

    code = new_case_code("RR", exists)
    assert len(asked) == 4
    assert code == asked[-1]


def test_case_code_gives_up_when_everything_exists() -> None:
    asked: list[str] = []

    def exists(code: str) -> bool:
        asked.append(code)
        return True

    with pytest.raises(RuntimeError):
        new_case_code("RR", exists)
    assert 10 <= len(asked) <= 100


@pytest.mark.parametrize("field", sorted(FIELD_LIMITS))
def test_case_codes_pass_the_guard(field: str) -> None:
    for _ in range(100):
        code = new_case_code("ZHZ")
        assert check_text(f"Casus {code} terug op agenda", field) == [], code


@pytest.mark.parametrize(
    "text", ["Stadhuisplein 1, Rotterdam", "Zorg- en Veiligheidshuis, Dordtsestraatweg 10, 3317 AB Dordrecht"]
)
def test_meeting_location_may_be_a_public_office_address(text):
    assert check_text(text, "location") == []
    assert check_text(text, "action") != []


def test_location_still_refuses_phone_numbers():
    assert check_text("Zaal 2, bel 06-12345678", "location") != []


@pytest.mark.parametrize(
    "typed, code",
    [
        ("RR-7KQ4", "RR-7KQ4"),
        ("  rr-7kq4\n", "RR-7KQ4"),
        ("rr 7kq4", "RR-7KQ4"),
        ("R R - 7 K Q 4", "RR-7KQ4"),
        ("rr7kq4", "RR-7KQ4"),
        ("zhzabcd", "ZHZ-ABCD"),
        ("RR\u20137KQ4", "RR-7KQ4"),
        ("RR-7KQ", None),  # too short
        ("RR-7KQ0", None),  # 0 is not in the alphabet
        ("R-7KQ4", None),
        ("RRRRR-7KQ4", None),
        ("", None),
        ("RR-7KQ4" + " " * 40, None),  # longer than anyone types a code
        ("<script>", None),
    ],
)
def test_a_typed_case_code_is_read_as_the_tool_writes_it(typed, code):
    assert typed_case_code(typed) == code
