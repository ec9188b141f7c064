"""Builds the content guard's corpus (tests/corpus/*.tsv) from templates; deterministic.

    python tests/corpus/generate.py        # writes the files; tests/test_privacy_corpus.py checks them

Two parts, each with texts WITH personal data (`pd`) and ordinary texts WITHOUT (`clean`):
  - `tuned`: the names, streets, templates and vocabulary used while tuning the guard;
  - `heldout`: other names (none of them in actieoverleg/guard_lists/extra_names.txt), other
    templates, and place names drawn from the whole list of Dutch places, never looked at while
    tuning. Its figures say how the guard does on texts it was not tuned on.
`{part}_orgs_clean.tsv` holds ordinary texts that name organisations and programmes the
allowlist does not know (real ones and ones built from syllables) and methods with English names.
Each line is `field<TAB>text`; hand-written texts are in hand_*.tsv beside this script, and
realistic_clean.tsv holds a hand-written sample of ordinary texts naming organisations and
methods the lists do not know.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --- names: (first names, surnames) per background -------------------------------------------
TUNED_NAMES = {
    "dutch": (
        "Jan Kees Sanne Lotte Daan Thijs Femke Anouk Bram Ruud Ingrid Marieke",
        "Jansen|Bakker|Visser|de Vries|van den Berg|van Dijk|Hoekstra|Dekker|Mulder|de Jong",
    ),
    "turkish": (
        "Mehmet Ayşe Emre Zeynep Murat Elif Hüseyin Fatma",
        "Yılmaz|Kaya|Demir|Çelik|Öztürk|Arslan|Doğan|Yildiz",
    ),
    "moroccan": (
        "Mohamed Fatima Youssef Khadija Rachid Naima Bilal Samira",
        "El Idrissi|Benali|Bakkali|El Amrani|Ouali|Azzouzi|Boukhari|Tahiri",
    ),
    "surinamese": (
        "Stanley Sylvana Ashwin Soenita Romano Priya Radjesh Jerrel",
        "Ramdas|Kartosen|Jagessar|Pinas|Sardjoe|Doelwijt|Mahabier|Zaalman",
    ),
    "antillean": (
        "Shurandy Jurickson Ruthmila Gerwin Rigchelle Urvin",
        "Martina|Isenia|Cijntje|Winklaar|Maduro|Rosario|Croes",
    ),
    "polish": (
        "Piotr Katarzyna Tomasz Agnieszka Marek Wojciech",
        "Kowalski|Nowak|Wiśniewski|Lewandowska|Zieliński|Mazur",
    ),
    "syrian": ("Rania Khaled Bashar Lama Ammar Rahaf", "Haddad|Alhassan|Kassem|Darwish|Khoury|Sabbagh"),
    "eritrean": ("Selam Yonas Semhar Filmon Tesfaye Luwam", "Tesfamariam|Gebremedhin|Kidane|Tewelde|Berhane|Mehari"),
    "somali": ("Abdirahman Hodan Ayaan Abdi Sahra Hamdi", "Warsame|Mohamud|Hirsi|Farah|Jama|Abdullahi"),
}
HELDOUT_NAMES = {
    "dutch": (
        "Willemijn Gijs Marloes Joost Esmee Hidde Wietske Sjoerd",
        "Vermeulen|van der Linden|Koopman|Brouwer|de Graaf|Timmermans|ter Horst|Scholten",
    ),
    "turkish": ("Hakan Gül Serkan Melike Oğuz Tuba", "Yavuz|Güler|Aktaş|Koçak|Erdoğan|Polat"),
    "moroccan": (
        "Mounir Ilham Tarik Soumaya Nordin Hanane",
        "Bouchtaoui|El Fassi|Achahbar|Ouhaddou|Benhaddou|Boulayoun",
    ),
    "surinamese": (
        "Roshni Dinesh Jurgen Marciano Chandni Kishan",
        "Ramsoekh|Soerjopawiro|Kanhai|Bhagwandin|Tjon-A-Fat|Lachmon",
    ),
    "antillean": ("Jeandro Sherwin Yudeira Quincy Dyonne", "Rojer|Gijsbertha|Leito|Calmera|Wawoe"),
    "polish": ("Łukasz Magdalena Krzysztof Ewelina Paweł", "Kaczmarek|Sikora|Baran|Wróbel|Kowalczyk"),
    "syrian": ("Hiba Yamen Nour Fadi Ghadir", "Sarraf|Aljundi|Hamwi|Mardini|Al-Masri"),
    "eritrean": ("Aron Lidya Habtom Saron Mussie", "Woldu|Tesfai|Ghebrehiwet|Asmerom|Habte"),
    "somali": ("Fadumo Guled Mahad Sagal Ilhan", "Dualeh|Elmi|Samatar|Aden|Gedi"),
    "other": ("Kwabena Efua Farid Zahra Nilton Wei Georgi", "Ofori|Darko|Ahmadzai|Rahimi|Fortes|Zhou|Stoyanov"),
}
TITLES = ["mevrouw", "dhr.", "meneer", "mw.", "de heer", "mevr."]
ROLES = [
    "moeder",
    "vader",
    "ex-partner",
    "zoon",
    "dochter",
    "oma",
    "oom",
    "pleger",
    "slachtoffer",
    "stiefvader",
    "kind",
]
INITIALS = "ABCDEFGHJKMNPRSTW"


def _name(rng: random.Random, pools: dict[str, tuple[str, str]]) -> str:
    """A name in one of the ways people write them."""
    firsts, lasts = pools[rng.choice(sorted(pools))]
    first, last = rng.choice(firsts.split()), rng.choice(lasts.split("|"))
    form = rng.randrange(12)
    if form == 0:
        return f"{first} {last}".lower()
    if form == 1:
        return f"{rng.choice(INITIALS)}. {last}"
    if form == 2:
        return f"{rng.choice(INITIALS)}.{rng.choice(INITIALS)}. {last}"
    if form == 3:
        return f"{rng.choice(TITLES)} {last}"
    if form == 4:
        return f"{rng.choice(TITLES)} {rng.choice(INITIALS)}. {last}"
    if form == 5:
        return f"{rng.choice(ROLES)} {first}"
    if form == 6:
        return f"{rng.choice(ROLES)} {first} {last}".lower()
    if form == 7:
        return f"{rng.choice(ROLES)} {first.lower()}"
    if form == 8:
        return last if " " not in last else f"{first} {last}"
    return f"{first} {last}"


NAME_TEMPLATES = {
    "tuned": [
        "{N} komt op gesprek bij VT",
        "Gesprek met {N} plannen",
        "Politie spreekt {N} aan over het incident",
        "VT legt huisbezoek af bij {N}",
        "Reclassering neemt contact op met {N}",
        "OM beoordeelt strafzaak tegen {N}",
        "Afstemmen met school over {N}",
        "Check of {N} in beeld is bij Wijkteam",
        "{N} belt terug vóór vrijdag",
        "Huisverbod voor {N} beoordelen",
        "Wijkteam bespreekt hulpverlening met {N} en moeder",
        "Veiligheidsplan opstellen samen met {N}",
    ],
    "heldout": [
        "Lokaal team zoekt contact met {N} over schulden",
        "{N} wordt uitgenodigd voor het netwerkberaad",
        "Navragen bij GGZ of {N} zorg krijgt",
        "Raad start onderzoek, {N} wordt gehoord",
        "SVG screent {N} op middelengebruik",
        "Terugkoppeling aan {N} door Veilig Thuis",
        "Politie houdt {N} aan bij nieuw incident",
        "Contactverbod tussen {N} en het kind bewaken",
    ],
}
STREETS = {
    "tuned": [
        "Kerkstraat",
        "Crooswijkseweg",
        "Laan van Meerdervoort",
        "Dorpsstraat",
        "Molenweg",
        "Julianalaan",
        "Marktplein",
        "Parkkade",
        "Beukendreef",
        "Stationssingel",
    ],
    "heldout": [
        "Oranjeboomstraat",
        "Schiedamseweg",
        "Laan van Nieuw Oost-Indië",
        "Burgemeester Hoffmanplein",
        "Nieuwe Binnenweg",
        "Bergsingel",
        "Lijnbaan",
        "Vlietkade",
        "Eikenlaan",
        "Zuiderdijk",
    ],
}
OTHER_PD = {
    "tuned": [
        "Woont op {STREET} {HN}",
        "Huisbezoek op {street} {HN}",
        "Moeder verblijft {STREET} {HN} bij oma",
        "Adres {PC} {HN}",
        "Verhuisd naar {PC}",
        "Bel moeder op {PHONE}",
        "Vader bereikbaar via {PHONE}",
        "BSN {BSN} nagaan",
        "Mail aan {EMAIL} sturen",
        "Kind geboren {BDATE}",
        "Rekening {IBAN} blokkeren",
        "Auto {PLATE} gesignaleerd",
    ],
    "heldout": [
        "Kind logeert op {street} {HN}",
        "Postcode {PC}, huisbezoek plannen",
        "Contact via {PHONE} na 17:00",
        "Sofinummer {BSN} controleren",
        "Stuur verslag naar {EMAIL}",
        "Vader is van {BDATE}",
        "Ex-partner rijdt in {PLATE}",
        "Tijdelijk adres {STREET} {HN}, {PC}",
    ],
}


def _house_number(rng: random.Random) -> str:
    n = str(rng.randint(1, 350))
    return rng.choice(
        [n, n + rng.choice("abcAB"), f"{n}-{rng.choice('ABC')}", f"{n}-{rng.randint(1, 4)}", f"{n} hs", f"{n}-II"]
    )


def _postcode(rng: random.Random) -> str:
    digits = str(rng.randint(1000, 9999))
    letters = "".join(rng.choice("ABCEGHJKLMNPRTVWXZ") for _ in range(2))
    return rng.choice(
        [
            f"{digits}{letters}",
            f"{digits} {letters}",
            f"{digits} {letters.lower()}",
            f"{digits}{letters}-{_house_number(rng)}",
        ]
    )


def _bsn(rng: random.Random) -> str:
    while True:
        d = [rng.randint(0, 9) for _ in range(8)]
        last = sum(x * w for x, w in zip(d, range(9, 1, -1))) % 11
        if last < 10 and d[0]:
            digits = "".join(map(str, d + [last]))
            return rng.choice(
                [digits, f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", f"{digits[:4]} {digits[4:6]} {digits[6:]}"]
            )


def _phone(rng: random.Random) -> str:
    n = "".join(str(rng.randint(0, 9)) for _ in range(8))
    return rng.choice(
        [f"06-{n}", f"06 {n[:4]} {n[4:]}", f"+31 6 {n}", f"010-{n[1:]}", f"0031 6 {n[:2]} {n[2:5]} {n[5:]}"]
    )


def _fill_other(rng: random.Random, template: str, part: str) -> str:
    street = rng.choice(STREETS[part])
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1950, 2024)
    months = "januari februari maart april mei juni juli augustus september oktober november december".split()
    values = {
        "STREET": street,
        "street": street.lower(),
        "HN": _house_number(rng),
        "PC": _postcode(rng),
        "PHONE": _phone(rng),
        "BSN": _bsn(rng),
        "EMAIL": rng.choice(
            ["j.jansen@gmail.com", "moeder1985@hotmail.com", "s.ramdas@outlook.com", "info@familie-kaya.nl"]
        ),
        "BDATE": rng.choice(
            [f"{day:02d}-{month:02d}-{year}", f"{day} {months[month - 1]} {year}", f"{day}/{month}/{year % 100:02d}"]
        ),
        "IBAN": rng.choice(["NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "BE68 5390 0754 7034"]),
        "PLATE": rng.choice(["12-ABC-3", "AB-12-CD", "1-KTB-23", "GH-123-J"]),
    }
    return template.format(**values)


# --- ordinary texts --------------------------------------------------------------------------
ORGS = {
    "tuned": [
        "VT",
        "Politie",
        "OM",
        "RvdK",
        "Reclassering",
        "Wijkteam",
        "GGZ",
        "Lokaal team",
        "Veilig Thuis",
        "SVG",
        "Leger des Heils",
        "Raad voor de Kinderbescherming",
        "CJG",
        "Sociaal wijkteam",
        "GI",
        "ZVH",
    ],
    "heldout": [
        "Openbaar Ministerie",
        "Reclassering Nederland",
        "Verslavingsreclassering",
        "William Schrikker",
        "Jeugdbescherming",
        "Slachtofferhulp",
        "Huisarts",
        "School",
        "Vrouwenopvang",
        "3RO",
        "Gemeente",
        "Burgemeester",
        "Jeugdteam",
        "LJ&R",
    ],
}
ACTIONS = {
    "tuned": [
        "legt huisbezoek af bij {R}",
        "plant verhoor met {R}",
        "bespreekt veiligheidsplan met {R}",
        "neemt contact op met {R}",
        "start raadsonderzoek",
        "beoordeelt strafzaak tegen {R}",
        "bespreekt toezicht met {R}",
        "organiseert een netwerkberaad",
        "zet hulpverlening in voor {R}",
        "informeert {R} over de afspraken",
        "vraagt dossier op bij {O}",
        "stemt af met {O} over {R}",
    ],
    "heldout": [
        "adviseert over bijzondere voorwaarden voor {R}",
        "screent {R} op verslaving",
        "meldt zich bij de kinderrechter",
        "koppelt terug aan de voorzitter",
        "zoekt opvangplek voor {R} en kinderen",
        "legt tijdelijk huisverbod op aan {R}",
        "houdt {R} aan bij een nieuw incident",
        "deelt risicotaxatie met {O}",
        "vraagt ondertoezichtstelling aan voor {R}",
        "bezoekt {R} op school",
    ],
}
CLEAN_ROLES = [
    "moeder",
    "vader",
    "de ex-partner",
    "de jeugdige",
    "het kind",
    "de kinderen",
    "pleger",
    "slachtoffer",
    "beide ouders",
    "de stiefvader",
    "oma",
    "de zoon",
    "de dochter",
    "het gezin",
]
WHEN = {
    "tuned": [
        "",
        " vóór {d}-{m}",
        " in week {w}",
        " op {wd}",
        " binnen {n} weken",
        " om {hh}:{mm}",
        " voor 1 {mon}",
        " in {mon}",
    ],
    "heldout": [
        "",
        " uiterlijk {d}-{m}",
        " deze week",
        " vóór {wd} {hh}.{mm} uur",
        " in Q{q}",
        " voor de zitting op {d} {mon}",
        " na de kerstvakantie",
        " binnen 48 uur",
    ],
}
DISTRICTS = {
    "tuned": [
        "Prins Alexander",
        "Feijenoord",
        "Charlois",
        "Delfshaven",
        "Overvecht",
        "Escamp",
        "Nieuw-West",
        "Zuidoost",
    ],
    "heldout": [],  # the held-out part draws places from the whole list of Dutch places instead
}


def _places() -> list[str]:
    lines = (
        (HERE.parent.parent / "actieoverleg" / "guard_lists" / "places.txt").read_text(encoding="utf-8").splitlines()
    )
    return [line for line in lines if line and not line.startswith("#")]


def _clean(rng: random.Random, part: str, places: list[str]) -> str:
    org = rng.choice(ORGS[part])
    if rng.random() < 0.3:
        where = rng.choice(DISTRICTS[part]) if DISTRICTS[part] and rng.random() < 0.5 else rng.choice(places)
        org = f"{rng.choice(['Wijkteam', 'Lokaal team', 'Politie', 'Veilig Thuis', 'Sociaal team'])} {where}"
    action = rng.choice(ACTIONS[part]).format(R=rng.choice(CLEAN_ROLES), O=rng.choice(ORGS[part]))
    wd = rng.choice("maandag dinsdag woensdag donderdag vrijdag".split())
    months = "januari februari maart april mei juni juli augustus september oktober november december".split()
    when = rng.choice(WHEN[part]).format(
        d=rng.randint(1, 28),
        m=rng.randint(1, 12),
        w=rng.randint(1, 52),
        wd=wd,
        n=rng.randint(2, 6),
        hh=rng.randint(8, 17),
        mm=rng.choice(["00", "15", "30", "45"]),
        mon=rng.choice(months),
        q=rng.randint(1, 4),
    )
    text = f"{org} {action}{when}"
    if rng.random() < 0.1:
        text = text.lower()
    return text


# Organisations and programmes the allowlist does NOT know (real names and names built from
# syllables), and methods with English names: a capitalised unknown word is no name by itself.
UNLISTED_ORGS = {
    "tuned": [
        "Lumens",
        "Juzt",
        "Altra",
        "Elker",
        "Entrea",
        "Reinaerde",
        "Radar",
        "Kessler Stichting",
        "Blijf Groep",
        "Sterk Huis",
        "Oranje Huis",
        "De Waag",
        "Combinatie Jeugdzorg",
        "Ipse de Bruggen",
        "Kinderombudsman",
    ],
    "heldout": [
        "Sherpa",
        "Abrona",
        "Amarant",
        "Dichterbij",
        "Zozijn",
        "Severinus",
        "Aveleijn",
        "Talant",
        "Kentalis",
        "Koraal",
        "Dimence",
        "GGNet",
        "Pro Persona",
        "Rivierduinen",
        "Arkin",
        "Brijder",
        "Novadic-Kentron",
        "Victas",
        "IrisZorg",
        "Transfore",
        "Inforsa",
        "Palier",
        "Kenter",
        "Bascule",
        "Pactum",
        "Cordaan",
        "Careyn",
        "Gemiva",
        "Kwadraad",
        "Kompaan",
        "Trajectum",
        "Altrecht",
        "Yorneo",
        "Catamaran",
        "Parlan",
        "Hestia",
        "Sensoor",
        "Pameijer",
        "Aventurijn",
        "Ixta Noa",
        "Vincent van Gogh",
    ],
}
SYLLABLES = {  # (heads, tails) of invented organisation names: "Kwadrant", "Thuisbasis"
    "tuned": ("Kwa Lu Thuis Hori Zorg Vi Ve Ar Ca Jeugd", "drant menz basis zonzorg tree kracht nova lys dea"),
    "heldout": ("Bo Mira Sa Neo Ze Oost Tri Ko Pa El", "vita lan ris zo plus thuis mento dia venz lux"),
}
METHODS = {
    "tuned": [
        "Rapid Assessment",
        "Signs of Safety",
        "Functional Family Therapy",
        "Home-Start",
        "Triple P",
        "Family Group Conference",
        "Safety plan",
        "Crisis Intervention",
        "Intensive Home Treatment",
        "Wraparound care",
        "Stay-up",
        "Multi Systeem Therapie",
    ],
    "heldout": [
        "Parent Management Training Oregon",
        "Families First",
        "Multidimensional Family Therapy",
        "Video Home Training",
        "Motivational Interviewing",
        "Youth Initiated Mentoring",
        "Housing First",
        "Incredible Years",
        "Nonviolent Resistance",
        "Circle of Security",
        "Kids' Skills",
        "Let's Talk",
    ],
}
ORG_TEMPLATES = {
    "tuned": [
        "{ORG} start {METHOD} voor {R}",
        "Aanmelding bij {ORG} voor {METHOD}",
        "{METHOD} inzetten via {ORG}",
        "{ORG} informeren over het veiligheidsplan",
        "Overleg met {ORG} over {R}",
        "{ORG} neemt begeleiding van {R} over",
    ],
    "heldout": [
        "Doorverwijzing naar {ORG} ({METHOD})",
        "{ORG} en {ORG2} stemmen {METHOD} af",
        "Wachtlijst {ORG} navragen",
        "Intake bij {ORG} plannen voor {R}",
        "{METHOD}-traject van {ORG} evalueren",
        "{ORG} rapporteert over {METHOD}",
    ],
}


def _unlisted_org(rng: random.Random, part: str) -> str:
    if rng.random() < 0.35:
        heads, tails = SYLLABLES[part]
        return rng.choice(heads.split()) + rng.choice(tails.split())
    return rng.choice(UNLISTED_ORGS[part])


def _clean_unlisted(rng: random.Random, part: str) -> str:
    text = rng.choice(ORG_TEMPLATES[part]).format(
        ORG=_unlisted_org(rng, part),
        ORG2=_unlisted_org(rng, part),
        METHOD=rng.choice(METHODS[part]),
        R=rng.choice(CLEAN_ROLES),
    )
    return text[0].upper() + text[1:]


def _file_references(rng: random.Random) -> list[str]:
    return [
        rng.choice(
            [
                f"VT-{rng.randint(2020, 2027)}-{rng.randint(0, 999999):06d}",
                f"ZAAK {rng.randint(2020, 2027)}/{rng.randint(1, 9999):04d}",
                f"PL{rng.randint(1000, 9999)}-{rng.randint(2020, 2027)}{rng.randint(0, 999999):06d}",
                f"RvdK {rng.randint(2020, 2027)}.{rng.randint(1000, 9999)}.{rng.randint(1000, 9999)}",
                f"OM-{rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
            ]
        )
        for _ in range(60)
    ]


def build(part: str, seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    rng = random.Random(seed)
    names = TUNED_NAMES if part == "tuned" else HELDOUT_NAMES
    pd: list[tuple[str, str]] = []
    for _ in range(900):
        text = rng.choice(NAME_TEMPLATES[part]).replace("{N}", _name(rng, names))
        text = text[0].upper() + text[1:] if rng.random() < 0.8 else text
        if rng.random() < 0.03:
            text = text.upper()
        pd.append(("action", text))
    for _ in range(300):
        pd.append(("action", _fill_other(rng, rng.choice(OTHER_PD[part]), part)))
    places = _places()
    clean = [("action", _clean(rng, part, places)) for _ in range(1100)]
    clean += [("file_reference", ref) for ref in _file_references(rng)]
    return sorted(set(pd)), sorted(set(clean))


def build_orgs(part: str, seed: int) -> list[tuple[str, str]]:
    """Ordinary texts naming organisations, programmes and methods the lists do not know."""
    rng = random.Random(seed)
    return sorted(set(("action", _clean_unlisted(rng, part)) for _ in range(500)))


SEEDS = {"tuned": 14, "heldout": 1414}


def write() -> None:
    for part, seed in SEEDS.items():
        pd, clean = build(part, seed)
        for kind, rows in (("pd", pd), ("clean", clean)):
            (HERE / f"{part}_{kind}.tsv").write_text("".join(f"{f}\t{t}\n" for f, t in rows), encoding="utf-8")
            print(f"{part}_{kind}.tsv: {len(rows)} texts", file=sys.stderr)
        orgs = build_orgs(part, seed)
        (HERE / f"{part}_orgs_clean.tsv").write_text("".join(f"{f}\t{t}\n" for f, t in orgs), encoding="utf-8")
        print(f"{part}_orgs_clean.tsv: {len(orgs)} texts", file=sys.stderr)


if __name__ == "__main__":
    write()
