"""Content guard for every free-text field, and pseudonymous case codes.

The rule (docs/rules.md §8 "Privacy and security"; docs/domain.md "What must never be stored"):
the tool never holds personal data. A case exists only as a pseudonymous code, and every
free-text field (action text, file reference, location, remarks, reasons, names of
things) goes through :func:`check_text` before it is saved; nothing is saved when it
returns messages. Rejected: runs of 8 or more digits (in a file reference, which holds the
partners' own registration numbers, only a 9-digit run passing the 11-proef, i.e. a BSN),
phone numbers, e-mail addresses, postcodes (with or without house number), street plus
house number, IBANs, Dutch licence plates, dates with a year, personal names, and text
longer than the field allows. What professionals normally write passes: dates without a
year ("vóór 12-03"), times, week numbers, a year on its own, legal references
("art. 1:255 BW"), organisation and place names, case codes ("RR-7KQ4") and public service
numbers (0800/0900 numbers, 112, 144).

Messages are Dutch, one per kind of problem, and never quote the text: they may be logged
and must not carry case content.

The name detector is a guard against slips, not a guarantee. It flags
  (a) a title or role word directly followed by a capitalised word, optionally with a
      tussenvoegsel in between ("mevrouw Jansen", "dhr. De Vries", "moeder Fatima",
      "vader van Rossum");
  (b) capitalised word + tussenvoegsel + capitalised word ("Kees ter Horst", "Noah El
      Amrani"), unless the first word starts a sentence and is not a known first name;
  (c) whole capitalised words from built-in lists of common first names and surnames
      (surnames with a tussenvoegsel only together with it: "de Vries").
Known organisation, programme, law, region and place names, weekdays and months are
masked first (allowlist) and never count as names. Known limits: a name outside the lists
without a role word or tussenvoegsel in front passes ("gesprek met Dewi"); names in lower
case, or in capitals after a role word ("MOEDER FATIMA"), pass; first names and surnames
that are ordinary words (Max, Ben, Job, Storm; Bos, Vos, Groot) are not listed on their
own; an unlisted capitalised word right after a role word counts as a name even when it
is an organisation ("slachtoffer Fier"): add such names to the allowlist; capitalised
nouns around "van"/"de" mid-sentence ("over Aanpak van Huiselijk geweld") may be flagged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

FIELD_LIMITS: dict[str, int] = {
    "action": 200,
    "file_reference": 40,
    "location": 200,
    "remark": 500,
    "reason": 500,
    "name": 120,
}

# Case codes: no 0/O/1/I/L, so a code read aloud or copied by hand stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CASE_CODE_RE = re.compile(rf"[A-Z]{{2,4}}-[{CODE_ALPHABET}]{{4}}")
_MAX_CODE_TRIES = 50
# What a person may type for a code: "rr 7kq4", "RR–7KQ4", "rr7kq4". Longer input is no code.
CASE_CODE_TYPED_MAX = 40
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
_WITHOUT_DASH_RE = re.compile(rf"([A-Z]{{2,4}})([{CODE_ALPHABET}]{{4}})")

_SUBJECTS: dict[str, str] = {
    "action": "een actiepunt",
    "file_reference": "een dossiernummer",
    "location": "een locatie",
    "remark": "een opmerking",
    "reason": "een toelichting",
    "name": "dit veld",
}
# What to remove, per kind of problem (in the order the checks run).
_REMOVE: dict[str, str] = {
    "email": "het e-mailadres",
    "iban": "het rekeningnummer (IBAN)",
    "phone": "het telefoonnummer",
    "date": "het jaartal uit de datum",
    "postcode": "de postcode",
    "address": "het adres (straat en huisnummer)",
    "plate": "het kenteken",
    "bsn": "het BSN",
    "digits": "de reeks van 8 of meer cijfers",
    "name": "de naam en noem de rol (zoals pleger, slachtoffer, moeder of kind)",
}

# --- patterns -----------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)", re.I)
# Public service numbers (0800/0900/0906/0909 + 4 to 7 digits) are allowed: masked first.
_SERVICE = re.compile(r"(?<![\w+/.-])0(?:800|900|906|909)[ .-]?\d(?:[ .-]?\d){3,6}(?!\d)")
_SEP = r"[ \t.()/-]{0,3}"
_PHONE_NL = re.compile(  # 0 or +31 / 0031 (optionally "(0)") followed by exactly 9 digits
    rf"(?<![\w+/.-])(?:(?:\+|00)31[ \t.-]*(?:\(0\)[ \t.-]*)?|\(?0)(?:\d{_SEP}){{8}}\d(?!\d)"
)
_PHONE_INTL = re.compile(rf"(?<![\w+/.-])(?:\+|00)[1-9]\d{{0,2}}(?:{_SEP}\d){{6,12}}(?!\d)")

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d{2}"
_MONTH_NAMES = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
    "november|december|jan|febr|feb|mrt|mar|apr|jun|jul|aug|sept|sep|okt|nov|dec"
)
_DATES = (
    re.compile(
        rf"(?<![\d/.-]){_DAY}([-/.]){_MONTH}"
        rf"(?:\1'?(?:\d{{4}}|\d{{2}})|[ \t]+{_YEAR})(?!\d)"
    ),
    re.compile(rf"(?<![\d/.-]){_YEAR}([-/.]){_MONTH}\1{_DAY}(?!\d)"),
    re.compile(
        rf"(?<!\w)(?:{_DAY}(?:e|de|ste)?[ \t-]+)?(?:{_MONTH_NAMES})\.?[ \t-]+"
        rf"(?:'\d{{2}}|{_YEAR})(?!\d)",
        re.I,
    ),
)
# 4 digits (not starting with 0), optional space, 2 capitals; optionally a house number.
_POSTCODE = re.compile(
    r"(?<![\w-])[1-9]\d{3}[ \t]?(?P<letters>[A-Z]{2})(?![\w-])"
    r"(?:[ \t]*,?[ \t]*\d{1,4}[a-zA-Z]?(?!\d))?"
)
_NOT_POSTCODE_LETTERS = {"SA", "SD", "SS", "VT", "OM", "RN", "GI", "BW", "HG", "KM", "NL"}
# Street suffixes. Weak ones are also ordinary words, so they need a capitalised word.
_STRONG = "straatweg|straat|laan|plein|singel|gracht|kade|dreef|steeg|boulevard|plantsoen"
_WEAK = ("weg", "dijk", "hof", "park", "pad", "baan", "markt", "ring", "erf", "wal")
_ADDRESS = re.compile(
    rf"(?<![^\W\d_])(?P<word>[^\W\d_]*?(?P<suffix>{_STRONG}|{'|'.join(_WEAK)}))[ \t]+\d{{1,4}}"
    r"(?!\d)(?:[ \t]?-?[ \t]?(?:bis|hs|[IVX]{1,3}|[a-z])(?!\w))?",
    re.I,
)
# The 14 Dutch sidecodes (L = letter, D = digit).
_PLATE_SHAPES = {
    "LL-DD-DD",
    "DD-DD-LL",
    "DD-LL-DD",
    "LL-DD-LL",
    "LL-LL-DD",
    "DD-LL-LL",
    "DD-LLL-D",
    "D-LLL-DD",
    "LL-DDD-L",
    "L-DDD-LL",
    "LLL-DD-L",
    "L-DD-LLL",
    "D-LL-DDD",
    "DDD-LL-D",
}
# Without dashes only shapes with at least three letter/digit groups: "AB12CD" is a plate,
# "VT2026" (a reference) is not.
_PLATE_SHAPES_UNDASHED = {
    s.replace("-", "") for s in _PLATE_SHAPES if len(re.findall(r"L+|D+", s.replace("-", ""))) >= 3
}
_PLATE_DASHED = re.compile(
    r"(?<![\w-])(?:[A-Z]{1,3}|\d{1,3})(?:-(?:[A-Z]{1,3}|\d{1,3})){2}"
    r"(?![\w-])",
    re.I,
)
_PLATE_UNDASHED = re.compile(r"(?<![\w-])[A-Z0-9]{6}(?![\w-])")
_CASE_CODE = re.compile(rf"(?<![\w-]){CASE_CODE_RE.pattern}(?![\w-])")
_TIME = re.compile(r"(?<![\d.:])(?:[01]?\d|2[0-3])[:.][0-5]\d(?![\d:]|\.\d)")
_YEAR_RANGE = re.compile(rf"(?<![\d.-]){_YEAR}[ \t]?[-–/][ \t]?{_YEAR}(?!\d)")
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ .-]?\d)*")

# --- word lists for the name detector -------------------------------------------------------
_FIRST_NAMES = frozenset(
    """
Jan Piet Kees Henk Gerrit Willem Johannes Cornelis Hendrik Pieter Klaas Dirk Gert Hans Peter
Paul Marco Erik Mark Martin Frank Richard Robert Rob Michel Marcel Patrick Dennis Jeroen Bart
Bas Joost Maarten Wouter Sander Ruud Arjan Remco Jasper Niels Thomas Tim Tom Kevin Mike Rick
Stefan Johan Theo Wim Ronald Edwin Vincent Roy Danny Jeffrey Raymond Daan Sem Lucas Levi Finn
Noah Luuk Bram Jesse Thijs Lars Ruben Sven Stijn Gijs Teun Mees Siem Liam Jayden Dylan Julian
Tygo Hugo Mats Sam Daniël Jens Jurre Niek Ties Olivier Boaz Koen Floris Joep Jelle Luca Adam
Tijn Maria Anna Johanna Cornelia Elisabeth Linda Sandra Monique Petra Ingrid Esther Marieke
Anja Karin Mirjam Nicole Bianca Chantal Kelly Natasja Angela Patricia Marloes Manon Annemarie
Ellen Wendy Judith Miranda Saskia Ilse Femke Anouk Lisa Laura Sophie Emma Julia Tess Zoë Sara
Sarah Nora Yara Eva Lotte Evi Saar Noor Lieke Fenna Sanne Fleur Isa Roos Lynn Esmee Demi Kim
Mila Olivia Nina Milou Jasmijn Iris Vera Amber Hanna Liv Sofie Mohamed Mohammed Muhammed
Mohammad Ahmed Ahmet Ahmad Ali Omar Youssef Yusuf Ayoub Bilal Hamza Ibrahim Ismail Mustafa
Mehmet Emre Hasan Hüseyin Murat Burak Rachid Karim Said Soufiane Anouar Mounir Rayan Amir
Ilias Mahmoud Abdullah Yonas Fatima Fatma Aisha Aïcha Khadija Zeynep Elif Ayşe Esra Merve
Samira Naima Malika Yasmina Yasmine Salma Meryem Hafsa Nadia Imane Lina Sofia Mariam Priya
Rajesh Sunita Ravi Anil Shanti Jermaine Dwayne Marvin Romano Giovanni Shirley Sharon Piotr
Tomasz Agnieszka Katarzyna
""".split()
)
_SURNAMES = """
Jansen, Janssen, Bakker, Visser, Smit, Smits, Meijer, Meyer, Mulder, Peters, Hendriks, Dekker,
Brouwer, Dijkstra, Jacobs, Vermeulen, Schouten, Willems, Hoekstra, Verhoeven, Koster, Prins,
Blom, Huisman, Peeters, Kuipers, Kuiper, Veenstra, Kramer, Scholten, Martens, Timmermans,
Gerritsen, Bosch, Jonker, Wouters, Verbeek, Evers, Hermans, Hofman, Koopman, Molenaar, Boersma,
Bouma, Postma, Sanders, Wolters, Mertens, Claassen, Hoogendoorn, Yilmaz, Yılmaz, Kaya, Demir,
Şahin, Sahin, Çelik, Celik, Yıldız, Yildiz, Öztürk, Ozturk, Aydın, Aydin, Arslan, Doğan, Dogan,
Benali, Bakkali, Amrani, Boukhari, Ouali, Ramdin, Mahabier, de Vries, van den Berg, van der Berg,
van Dijk, de Boer, de Groot, van Leeuwen, de Wit, de Graaf, van der Meer, van der Linden, de Haan,
van den Heuvel, van der Veen, van den Broek, de Bruijn, de Bruin, van der Heijden, van Beek,
van Vliet, van de Ven, van Dam, van der Wal, de Jong, de Jonge, van Wijk, van den Brink, van Loon,
de Lange, de Ruiter, van Doorn, de Kok, de Koning, de Vos, van Es, van Eijk, van der Laan,
van Dongen, de Klerk, van Rijn, el Idrissi, el Khatib, el Hamdaoui
"""
_ALLOWLIST = """
Veilig Thuis; VT; Politie; Openbaar Ministerie; OM; OvJ; Officier van Justitie; Justitie;
Raad voor de Kinderbescherming; RvdK; Raad; Reclassering Nederland; Reclassering; RN;
Leger des Heils; LJ&R; Jeugdbescherming & Reclassering; Verslavingsreclassering GGZ;
Verslavingsreclassering; SVG; 3RO; GGZ; GI; William Schrikker; Jeugdbescherming;
Jeugdreclassering; Kinderbescherming; Jeugdzorg; Zorg- en Veiligheidshuis; ZVH;
Slachtofferhulp; Vrouwenopvang; Lokaal team; Wijkteam; MDA++; Veiligheid Voorop;
Actie-overleg; BW; Sr; Sv; Wvggz; Wzd; Wmo; AVG; Ministerie; Rechtbank; Kinderrechter;
Gemeente; Burgemeester; Halt; CJG; BVH; Nederland; Holland; Brabant; Gelderland; Rijnmond;
Groningen; Friesland; Fryslân; Drenthe; IJsselland; Twente; Noord- en Oost-Gelderland;
Gelderland-Midden; Gelderland-Zuid; Utrecht; Noord-Holland-Noord; Noord-Holland;
Zaanstreek-Waterland; Kennemerland; Amsterdam-Amstelland; Gooi en Vechtstreek; Haaglanden;
Hollands Midden; Rotterdam-Rijnmond; Zuid-Holland-Zuid; Zuid-Holland; Zeeland;
Midden- en West-Brabant; Brabant-Noord; Brabant-Zuidoost; Limburg-Noord; Limburg-Zuid;
Limburg; Flevoland; Rotterdam; Dordrecht; Den Haag; 's-Gravenhage; Amsterdam; Eindhoven;
Tilburg; Breda; Nijmegen; Arnhem; Zwolle; Leiden; Haarlem; Almere; Schiedam; Vlaardingen;
Spijkenisse; Gouda; Zoetermeer; Delft; Maastricht; Enschede; Apeldoorn; Amersfoort;
's-Hertogenbosch; Den Bosch; Den Helder; Leeuwarden; Assen; Emmen; Deventer; Hengelo; Ede;
Venlo; Heerlen; Sittard; Roermond; Middelburg; Vlissingen; Lelystad; Alkmaar; Hoorn; Zaanstad;
Hilversum; Helmond; Oss; Roosendaal; Bergen op Zoom; Capelle aan den IJssel; Barendrecht;
Ridderkerk; Zwijndrecht; Gorinchem; Hoek van Holland; Land van Cuijk; Hof van Twente;
Alphen aan den Rijn; Purmerend; Haarlemmermeer; Nieuwegein; Veenendaal; Doetinchem; Zutphen;
Maandag; Dinsdag; Woensdag; Donderdag; Vrijdag; Zaterdag; Zondag; Januari; Februari; Maart;
April; Mei; Juni; Juli; Augustus; September; Oktober; November; December
"""
_TITLES = "mevrouw|mevr|mw|meneer|mijnheer|heer|dhr|juffrouw|juf|mr|drs|dr|ir"
_ROLES = "|".join(
    sorted(
        """
moeder vader ouder ouders zoon dochter kind kindje baby broer broertje zus zusje oma opa tante
oom neef nicht partner ex-partner ex ex-man ex-vrouw vriend vriendin ex-vriend ex-vriendin
stiefvader stiefmoeder pleegvader pleegmoeder pleegkind grootvader grootmoeder schoonvader
schoonmoeder halfbroer halfzus buurman buurvrouw man vrouw echtgenoot echtgenote pleger
slachtoffer verdachte betrokkene cliënt client jongen meisje jeugdige minderjarige melder
""".split(),
        key=len,
        reverse=True,
    )
)
_TUSSEN = r"van[ \t]+(?:der|den|de|het|'t)|in[ \t]+(?:'t|het)|van|den|der|de|ter|ten|el|al|da|dos"
_ROLE_NAME = re.compile(  # (a); a lookahead so that matches may overlap
    rf"(?=(?<![\w-])(?:(?P<title>(?i:{_TITLES}))\.?|(?P<role>(?i:{_ROLES})))"
    rf"(?:[ \t]+(?i:{_TUSSEN}))?[ \t]+(?P<word>[^\W\d_]+))"
)
_TUSSEN_NAME = re.compile(  # (b)
    rf"(?=(?<![^\W\d_])(?P<first>[^\W\d_]+)[ \t]+(?i:{_TUSSEN})[ \t]+(?P<last>[^\W\d_]+))"
)


def _words_regex(phrases: list[str], flexible_prefix: bool = False) -> re.Pattern[str]:
    """One alternation of whole phrases, longest first.

    With `flexible_prefix` every word but the last (the tussenvoegsel) ignores case and
    may be followed by any run of spaces: "de Vries", "De Vries", "de  Vries".
    """
    parts: list[str] = []
    for phrase in sorted(phrases, key=len, reverse=True):
        words = phrase.split()
        if flexible_prefix and len(words) > 1:
            head = r"[ \t]+".join(re.escape(w) for w in words[:-1])
            parts.append(rf"(?i:{head})[ \t]+{re.escape(words[-1])}")
        else:
            parts.append(re.escape(phrase))
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)")


_ALLOWED_NAMES = _words_regex([p.strip() for p in _ALLOWLIST.split(";")])
_LISTED_NAME = _words_regex(sorted(_FIRST_NAMES) + [s.strip() for s in _SURNAMES.split(",")], flexible_prefix=True)


# --- helpers ---------------------------------------------------------------------------------
def _passes_elfproef(digits: str) -> bool:
    """The BSN 11-proef: weights 9..2 and -1 for the last digit, sum divisible by 11."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    return sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1))) % 11 == 0


def _is_iban(match: re.Match[str]) -> bool:
    """A Dutch-shaped IBAN, or any IBAN whose mod-97 check digits are right."""
    compact = re.sub(r"\s", "", match.group()).upper()
    for end in range(len(compact), 14, -1):  # a greedy match may include a following word
        candidate = compact[:end]
        if re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", candidate):
            return True
        if int("".join(str(int(c, 36)) for c in candidate[4:] + candidate[:4])) % 97 == 1:
            return True
    return False


def _is_address(match: re.Match[str]) -> bool:
    """Weak suffixes count only in a capitalised word that is not "onderweg"/"-ering"."""
    word = match["word"]
    if match["suffix"].lower() not in _WEAK:
        return True
    return word[0].isupper() and word.lower() != "onderweg" and not word.endswith("ering")


def _is_plate(match: re.Match[str]) -> bool:
    shape = "".join("D" if c.isdigit() else "L" if c.isalpha() else c for c in match.group())
    return shape in _PLATE_SHAPES or shape in _PLATE_SHAPES_UNDASHED


def _mask(
    text: str, pattern: re.Pattern[str], accept: Callable[[re.Match[str]], bool] | None = None
) -> tuple[str, bool]:
    """Blank out accepted matches (so later checks do not see them again); report a hit."""
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        if accept is not None and not accept(match):
            return match.group()
        found = True
        return "#" * len(match.group())

    return pattern.sub(replace, text), found


def _digit_problem(run: str, field: str) -> str | None:
    digits = re.sub(r"\D", "", run)
    if field == "file_reference":  # partners' own numbers are fine; a BSN is not
        nine_runs = [digits] + re.findall(r"(?<!\d)\d{9}(?!\d)", run)
        return "bsn" if any(_passes_elfproef(d) for d in nine_runs) else None
    if len(digits) >= 8:
        return "bsn" if _passes_elfproef(digits) else "digits"
    return None


def _starts_sentence(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'(‘“*•–-")
    return not before or before[-1] in ".!?:;\n"


def _contains_name(text: str) -> bool:
    """The name detector (a), (b), (c) of the module docstring."""
    masked = _ALLOWED_NAMES.sub(lambda m: "x" * len(m.group()), text)
    for m in _ROLE_NAME.finditer(masked):
        word = m["word"]
        if word[0].isupper() and (m["title"] or not word.isupper()):
            return True  # after a plain role word, an acronym ("pleger BVH") is no name
    for m in _TUSSEN_NAME.finditer(masked):
        first, last = m["first"], m["last"]
        if (
            first[0].isupper()
            and not first.isupper()
            and last[0].isupper()
            and (first in _FIRST_NAMES or not _starts_sentence(masked, m.start("first")))
        ):
            return True
    return _LISTED_NAME.search(masked) is not None


# --- public API ------------------------------------------------------------------------------
PUBLIC_IN_LOCATION = ("postcode", "address")


def check_text(text: str, field: str = "action") -> list[str]:
    """Dutch messages for every problem found; empty list when the text is acceptable."""
    if field not in FIELD_LIMITS:
        raise ValueError(f"unknown field {field!r}; expected one of {sorted(FIELD_LIMITS)}")
    stripped = text.strip()
    if not stripped:
        return []
    # (kind, pattern, accept); kind "" = allowed content, masked so no later check sees it.
    steps: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], bool] | None]] = [
        ("", _CASE_CODE, None),
        ("email", _EMAIL, None),
        ("iban", _IBAN, _is_iban),
        ("", _SERVICE, None),
        ("phone", _PHONE_NL, None),
        ("phone", _PHONE_INTL, None),
        *(("date", pattern, None) for pattern in _DATES),
        ("postcode", _POSTCODE, lambda m: m["letters"] not in _NOT_POSTCODE_LETTERS),
        ("address", _ADDRESS, _is_address),
        ("plate", _PLATE_DASHED, _is_plate),
        ("plate", _PLATE_UNDASHED, _is_plate),
        ("", _TIME, None),
        ("", _YEAR_RANGE, None),
    ]
    kinds: list[str] = []
    work = stripped
    for kind, pattern, accept in steps:
        if field == "location" and kind in PUBLIC_IN_LOCATION:
            kind = ""  # a meeting's venue is a public office address, not a person's
        work, found = _mask(work, pattern, accept)
        if found and kind and kind not in kinds:
            kinds.append(kind)
    for run in _DIGIT_RUN.finditer(work):
        problem = _digit_problem(run.group(), field)
        if problem and problem not in kinds:
            kinds.append(problem)
    if _contains_name(work):
        kinds.append("name")
    subject = _SUBJECTS[field]
    messages = [f"Verwijder {_REMOVE[k]}: {subject} mag geen persoonsgegevens bevatten." for k in kinds]
    limit = FIELD_LIMITS[field]
    if len(stripped) > limit:
        messages.append(f"Maximaal {limit} tekens (nu {len(stripped)}).")
    return messages


def new_case_code(region_prefix: str, exists: Callable[[str], bool] | None = None) -> str:
    """Random pseudonymous case code like 'RR-7KQ4'.

    The prefix (2-4 letters, upper-cased) is followed by '-' and 4 characters from
    CODE_ALPHABET, drawn with `secrets`. While `exists(code)` is true a new code is drawn;
    after 50 tries RuntimeError is raised (the region's code space is then nearly full).
    """
    prefix = region_prefix.strip().upper()
    if not re.fullmatch(r"[A-Z]{2,4}", prefix):
        raise ValueError(f"region prefix must be 2-4 letters, got {region_prefix!r}")
    for _ in range(_MAX_CODE_TRIES):
        code = prefix + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
        if exists is None or not exists(code):
            return code
    raise RuntimeError(f"no free case code for prefix {prefix} after {_MAX_CODE_TRIES} tries")


def typed_case_code(text: str) -> str | None:
    """The case code someone typed, written as the tool writes it ('RR-7KQ4'), or None when the
    text cannot be one. Case and spacing do not matter, nor which dash (or none) was typed;
    text longer than CASE_CODE_TYPED_MAX characters is never a code."""
    if len(text) > CASE_CODE_TYPED_MAX:
        return None
    code = "".join(text.split()).translate(_DASHES).upper()
    if "-" not in code and (parts := _WITHOUT_DASH_RE.fullmatch(code)):
        code = f"{parts[1]}-{parts[2]}"
    return code if CASE_CODE_RE.fullmatch(code) else None
