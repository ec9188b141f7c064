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

The length is checked first: a text over the field's limit gets only the length message and
is not scanned. The scan (:func:`scan`) is linear: every pattern starts at a word or digit
boundary with bounded repeats, and the name detector (privacy_names.py, which documents its
rules and word lists) makes one pass over the words.

Messages are Dutch, one per kind of problem. Only the name message quotes the text: the
words taken for a name, so the user knows what to change (they typed them; the message is
shown in the form, next to the field, and never logged). The guard itself logs nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from . import privacy_names

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
}

# --- patterns -----------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
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
# 4 digits (not starting with 0), optional space, 2 letters; optionally a house number with
# an addition ("3081WM-108B", "2498AX-76-3"). Lower-case letters that form a word ("2026 en")
# are no postcode.
_HOUSE_NUMBER = r"\d{1,4}(?!\d)(?:[ \t]?-?[ \t]?(?:bis|hs|[IVX]{1,3}|[a-z]|\d{1,3})(?!\w))?"
_POSTCODE = re.compile(
    rf"(?<![\w-])[1-9]\d{{3}}[ \t]?(?P<letters>[A-Z]{{2}})(?![^\W\d_])(?:[ \t]*[,-]?[ \t]*{_HOUSE_NUMBER})?",
    re.I,
)
_NOT_POSTCODE_LETTERS = {"SA", "SD", "SS", "VT", "OM", "RN", "GI", "BW", "HG", "KM", "NL"}
_NOT_POSTCODE_LOWER = set(
    "en in op om te is of al af na nu zo de ja je we ze ik uw ex km cm mm kg mg ml gr st nr pm am ca uu ct".split()
)
# Street suffixes. Weak ones are also ordinary words, so they need a capitalised or non-Dutch word.
_STRONG = "straatweg|straat|laan|plein|singel|gracht|kade|dreef|steeg|boulevard|plantsoen"
_WEAK = ("weg", "dijk", "hof", "park", "pad", "baan", "markt", "ring", "erf", "wal")
_ADDRESS = re.compile(
    rf"(?<![^\W\d_])(?P<word>[^\W\d_]*?(?P<suffix>{_STRONG}|{'|'.join(_WEAK)}))[ \t]+{_HOUSE_NUMBER}",
    re.I,
)
_WHERE_WORDS = {"op", "aan", "naar", "adres", "adres:", "woont", "verblijft", "logeert", "via", "bij"}
_STREET_ADJECTIVES = {
    "nieuwe",
    "oude",
    "lange",
    "korte",
    "grote",
    "kleine",
    "hoge",
    "lage",
    "eerste",
    "tweede",
    "derde",
}
# A street word in front: "Laan van Meerdervoort 12", "plein de Vries 3".
_ADDRESS_PREFIX = re.compile(
    rf"(?<![^\W\d_])(?:{_STRONG}|{'|'.join(_WEAK)})(?:[ \t]+(?:van|der|den|de|het|'t|op|aan|te|ter|ten|in))+"
    rf"(?:[ \t]+[^\W\d_]+(?:[-'][^\W\d_]+)*){{1,2}}[ \t]+{_HOUSE_NUMBER}",
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


def _is_postcode(match: re.Match[str]) -> bool:
    letters = match["letters"]
    if letters.isupper():
        return letters not in _NOT_POSTCODE_LETTERS
    return letters.lower() not in _NOT_POSTCODE_LOWER and letters.upper() not in _NOT_POSTCODE_LETTERS


def _is_address(match: re.Match[str]) -> bool:
    """Weak suffixes count only in a capitalised word that is not "onderweg"/"-ering", or in a
    lower-case word that is no Dutch word ("crooswijkseweg 188-A")."""
    word = match["word"]
    if match["suffix"].lower() not in _WEAK:
        return True
    if word.lower() == match["suffix"].lower() or word.lower().endswith("ering"):
        return False
    if (word[0].isupper() and word.lower() != "onderweg") or not privacy_names.lexicon().is_word(word.lower()):
        return True
    before = match.string[max(0, match.start() - 12) : match.start()].split()  # "op lijnbaan 72"
    while before and before[-1].lower() in _STREET_ADJECTIVES:
        before.pop()
    return bool(before) and before[-1].lower() in _WHERE_WORDS


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


# --- public API ------------------------------------------------------------------------------
PUBLIC_IN_LOCATION = ("postcode", "address")


# (kind, pattern, accept) in the order they run; kind "" = allowed content, masked so that no
# later check sees it again.
_STEPS: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], bool] | None]] = [
    ("", _CASE_CODE, None),
    ("email", _EMAIL, None),
    ("iban", _IBAN, _is_iban),
    ("", _SERVICE, None),
    ("phone", _PHONE_NL, None),
    ("phone", _PHONE_INTL, None),
    *(("date", pattern, None) for pattern in _DATES),
    ("postcode", _POSTCODE, _is_postcode),
    ("address", _ADDRESS_PREFIX, None),
    ("address", _ADDRESS, _is_address),
    ("plate", _PLATE_DASHED, _is_plate),
    ("plate", _PLATE_UNDASHED, _is_plate),
    ("", _TIME, None),
    ("", _YEAR_RANGE, None),
]


def scan(text: str, field: str = "action") -> dict[str, str | None]:
    """The kinds of personal data in `text`, in the order found, whatever its length.

    Every step is one regex pass (each pattern starts only at a word or digit boundary and has
    bounded repeats, so no pass backtracks over the text) or one pass over its words: the time
    grows linearly. The value is, for a name, the words taken for a name (quoted in the
    message, so the user knows what to change); None for the other kinds.
    """
    found: dict[str, str | None] = {}
    work = text
    for kind, pattern, accept in _STEPS:
        if field == "location" and kind in PUBLIC_IN_LOCATION:
            kind = ""  # a meeting's venue is a public office address, not a person's
        work, hit = _mask(work, pattern, accept)
        if hit and kind:
            found.setdefault(kind, None)
    for run in _DIGIT_RUN.finditer(work):
        problem = _digit_problem(run.group(), field)
        if problem:
            found.setdefault(problem, None)
    span = privacy_names.first_name(work)
    if span is not None:
        found["name"] = text[span[0] : span[1]]
    return found


def check_text(text: str, field: str = "action") -> list[str]:
    """Dutch messages for every problem found; empty list when the text is acceptable.

    The length comes first: a text over the field's limit gets only that message, without
    being scanned (so the cost of a check is bounded by the longest field).
    """
    if field not in FIELD_LIMITS:
        raise ValueError(f"unknown field {field!r}; expected one of {sorted(FIELD_LIMITS)}")
    stripped = text.strip()
    limit = FIELD_LIMITS[field]
    if len(stripped) > limit:
        return [f"Maximaal {limit} tekens (nu {len(stripped)})."]
    if not stripped:
        return []
    subject = _SUBJECTS[field]
    messages = []
    for kind, word in scan(stripped, field).items():
        if kind == "name":
            messages.append(
                f"Dit lijkt een naam van een persoon: ‘{word}’. Beschrijf de rol, zoals ‘moeder’ of "
                f"‘ex-partner’: {subject} mag geen persoonsgegevens bevatten."
            )
        else:
            messages.append(f"Verwijder {_REMOVE[kind]}: {subject} mag geen persoonsgegevens bevatten.")
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
