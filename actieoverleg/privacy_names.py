"""The name detector of the content guard (docs/rules.md §8): texts speak of roles, not people.

One pass over the words of a text, each looked up a bounded number of times in sets that are
loaded once per process (:func:`lexicon`, a lazy singleton): so the time grows linearly with
the text. The word lists (actieoverleg/guard_lists, see its README) are
  - Dutch words (OpenTaal): a word that is an ordinary word is no name by itself;
  - first names and surnames (from deduce), and a surname list "after a tussenvoegsel";
  - place names (from deduce), which never count as a name on their own;
  - the allowlist: organisations, teams, districts, places, methods and abbreviations in use,
    matched as whole phrases before anything else ("Wijkteam Prins Alexander").

A word counts as a name when its context says so (see :func:`_name_at`):
  (a) after a title ("mevrouw", "dhr.") or initials ("J.", "A.B."): any capitalised word or a
      word that is not Dutch;
  (b) after a role word ("moeder", "ex-partner"), optionally with a tussenvoegsel: a
      capitalised word that is not Dutch or is a listed name, or a lower-case word that is no
      Dutch word ("ex-partner sylvana kartosen"), or any capitalised word but the most common
      ones ("vader Roodhart", "moeder BAKKER"; not "moeder Zorgen bespreken");
  (c) tussenvoegsel + a listed surname ("de Vries", "van der meer") or a capitalised word
      that is no Dutch word ("van Rossum"); "van" after an ordinary noun is a preposition
      ("traject van Careyn");
  (d) two name-like words in a row ("Stanley Ramdas", "selam tesfamariam"); two capitalised
      words that neither list knows count only inside a sentence and when neither looks
      English, unless the first is a listed first name, the second a listed surname or shaped
      like one ("Xtra Kwadrant start", "Nonviolent Resistance" pass);
  (e) a single capitalised word that is a listed name: inside a sentence, or at its start when
      it is no Dutch word ("gesprek met Dewi", "Politie spreekt Bakker aan", "Fatima komt");
      an unknown capitalised word only when shaped like a surname (letters such as ş, ł, ö, or
      an ending like -aoui, -ski, -oekh: "Bouchtaoui", "Kaczmarek"). Organisation and method
      names are endless ("Lumens", "Juzt", "Kinderombudsman"), so an unknown word alone is no
      evidence. Never a name: a word right before "Stichting/Groep/Huis…" or after
      "Stichting/Buurtteam…" ("Kessler Stichting"), English care words (loanwords.txt) and
      abbreviations with an apostrophe ("IB'er", "GGD'ers");
  (f) a lower-case word, or one in capitals of four letters or more, that is no Dutch word but a
      listed name ("bel fatima", "spreekt KARTOSEN aan").
A text without lower-case letters is read as lower case (so capitals do not make every word
a name). Known limits: a name that is also a Dutch word, alone and without a role or title
in front ("gesprek met Roos"), passes; so does a lone surname no list knows and that has no
surname shape ("Politie houdt Sikora aan"); an organisation named like a person that the allowlist lacks
("Hestia") is taken for a name: add it to guard_lists/allowlist.txt.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from importlib import resources

# A word: letters, optionally joined by hyphens or apostrophes ("ex-partner", "Hendrik-Ido-Ambacht").
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = frozenset(".!?:;\n•|()")  # a bracket opens a phrase of its own: "Pactum (Circle of Security)"
_TITLES = frozenset(
    "mevrouw mevr mw mevrouwtje meneer mijnheer heer hr dhr juffrouw mej juf mr drs dr ir ing prof ds".split()
)
_ROLES = frozenset(
    """
moeder vader ouder ouders zoon zoontje dochter dochtertje kind kindje kinderen baby broer broertje zus zusje
zuster oma opa tante oom neef nicht nichtje partner ex-partner ex ex-man ex-vrouw vriend vriendin ex-vriend
ex-vriendin stiefvader stiefmoeder stiefzoon stiefdochter pleegvader pleegmoeder pleegkind pleegzoon
pleegdochter grootvader grootmoeder schoonvader schoonmoeder schoonzoon schoondochter halfbroer halfzus
buurman buurvrouw man vrouw echtgenoot echtgenote pleger slachtoffer verdachte betrokkene cliënt client
cliente jongen meisje jeugdige minderjarige melder jongere tiener peuter kleuter zwager schoonzus nieuwe
""".split()
)
_TUSSEN = frozenset("van de der den ter ten te het 't in op el al da dos du la le von".split())
# Tussenvoegsels that start a surname on their own ("El Amrani"); "de"/"het" are also articles.
_NAME_PREFIXES = frozenset("van der den ter ten el al da dos du von".split())
_ABBREVIATIONS = _TITLES | frozenset("art nr tel geb bijv evt ca zgn ivm tav zsm mbt resp incl excl wk jr".split())
# "IB'er", "pgb'er", "VO'er", "GGD'ers", "sms'je": an abbreviation with a Dutch ending.
_ABBREVIATION_ENDINGS = frozenset("er ers s je jes tje tjes en".split())
_MAX_ABBREVIATION = 5
# Words that make the capitalised word next to them the name of an organisation or programme:
# after it ("Kessler Stichting", "Sterk Huis", "Blijf Groep"), before it ("Stichting Thuisbasis",
# "Buurtteam Kwadrant").
_ORG_AFTER = frozenset(
    """stichting groep huis zorg zorggroep jeugdzorg thuiszorg instituut centrum kliniek team teams
    vereniging college academie foundation care opvang ggz partners school lyceum kinderopvang
    wonen welzijn begeleiding behandeling methode methodiek training traject programma""".split()
)
_ORG_WORDS = frozenset("stichting groep zorggroep instituut kliniek foundation vereniging".split())
_ORG_BEFORE = frozenset(
    """stichting buurtteam wijkteam jeugdteam zorggroep organisatie instelling aanbieder zorgaanbieder
    zorgpartner programma methode methodiek training traject project vereniging""".split()
)
# Where a single unknown word is likely a person: "gesprek met X", "huisbezoek bij X".
_PERSONAL_PREPOSITIONS = frozenset("met bij aan voor door tegen tussen over".split())
# Letters of Turkish, Polish and other alphabets that Dutch organisation names do not use
# (é, ë, ï do occur in them: "Youké", "Esdégé"), and endings and prefixes typical of the
# surnames of the Netherlands' larger migrant groups (Maghreb, Turkey, Poland, Suriname,
# Somalia, Eritrea, Afghanistan, Indonesia, Eastern Europe) that organisation names do not have.
_PERSON_WORDS = _PERSONAL_PREPOSITIONS | _TITLES | frozenset("en of naar heer".split())
_NAME_LETTERS = frozenset("şğıçłńśźżćąęőűøåñõãâêôîûäöüóáíúàìòù")
_SURNAME_ENDINGS = tuple(
    """i ou oun ouh ouch ach ski ska cki cka wicz czyk czak ak ek uk yk ik oglu soekh oekh oe sing singh
    dien din dat pawiro wiro redjo djo mariam medhin hiwet om eh ah ud ow ay ai zai zada ov ev
    enko shvili idis opoulos escu anto adi ono oto""".split()
)
_ENGLISH_ENDINGS = tuple("ing tion sion ment ness ance ence ity ive ful ship ed ers ight ble al".split())
_SURNAME_PREFIXES = ("al-", "el-", "abu-", "ben-", "bin-", "ibn-", "ait-", "ould-", "abd-", "abdel")
_MIN_COMPOUND_PART = 4
_MAX_NAME_LENGTH = 40
_SURNAME_TUSSEN = frozenset("van de der den ter ten el al da dos du la le von".split())  # not "op", "in"
_MAX_NAME_WORDS = 5  # quoted in the message: "J.P. van den Broek"
_MAX_NAME_PREFIX = 6  # initials and tussenvoegsels looked back over: "J.P.M. van der"


@dataclass(frozen=True)
class Lexicon:
    """The word lists, lower case. `allow` maps a phrase's first word to its phrases (tuples of
    words); `strong` phrases are never names, place names only block the weaker rules."""

    words: frozenset[str]
    common: frozenset[str]
    first: frozenset[str]
    surnames: frozenset[str]
    after_tussen: frozenset[str]
    allow: dict[str, tuple[tuple[tuple[str, ...], bool], ...]]

    def is_word(self, lower: str) -> bool:
        """An ordinary Dutch word: listed, every part of a hyphenated word listed, or a
        compound of two listed words ("raadsonderzoek" = raad + s + onderzoek)."""
        if lower in self.words or len(lower) > _MAX_NAME_LENGTH:
            return True  # no name is that long: a huge "word" is not looked into (linear time)
        if "-" in lower:
            return all(self.is_word(part) for part in lower.split("-") if part)
        head, apostrophe, tail = lower.partition("'")
        if apostrophe and tail in _ABBREVIATION_ENDINGS and 0 < len(head) <= _MAX_ABBREVIATION:
            return True
        n = len(lower)
        if self.is_name(lower):
            return False  # "willemijn" is no compound of "wille" and "mijn"
        for cut in range(_MIN_COMPOUND_PART, n - _MIN_COMPOUND_PART + 1):
            head, tail = lower[:cut], lower[cut:]
            if tail in self.words and (head in self.words or (head[-1] == "s" and head[:-1] in self.words)):
                return True
        return False

    def is_name(self, lower: str) -> bool:
        if lower in self.first or lower in self.surnames:
            return True
        parts = lower.split("-")
        return len(parts) > 1 and not all(p in self.words for p in parts) and any(self.is_name(p) for p in parts)

    def ambiguous(self, lower: str) -> bool:
        """A listed name that is also a Dutch word, but not one of the most common words
        ("roos", "kees"; not "wil" or "ben")."""
        return lower not in self.common and (lower in self.first or lower in self.surnames)


def _read(name: str) -> list[str]:
    path = resources.files("actieoverleg") / "guard_lists" / name
    data = path.read_bytes()
    text = gzip.decompress(data).decode() if name.endswith(".gz") else data.decode()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def words_of(text: str) -> list[str]:
    return [m.group().lower().replace("’", "'") for m in _WORD.finditer(text)]


@functools.cache
def lexicon() -> Lexicon:
    """Loaded once per process, at the first check (0.5 s or more, about 60 MB)."""
    first = {w.lower() for w in _read("first_names.txt")}
    surnames: set[str] = set()
    after_tussen: set[str] = set()
    for line in _read("surnames.txt") + _read("extra_names.txt"):
        if line.startswith("> "):
            after_tussen.add(line[2:].lower())
        elif line.startswith("first "):
            first.add(line[6:].lower())
        else:
            surnames.add(line.lower())
    allow: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
    for strong, file in ((False, "places.txt"), (True, "allowlist.txt")):
        for line in _read(file):
            phrase = tuple(words_of(line))
            if phrase:
                allow.setdefault(phrase[0], []).append((phrase, strong))
    return Lexicon(
        words=frozenset(_read("words.txt.gz")) | {w.lower() for w in _read("loanwords.txt")},
        common=frozenset(w.lower() for w in _read("common_words.txt")),
        first=frozenset(first),
        surnames=frozenset(surnames),
        after_tussen=frozenset(after_tussen),
        allow={k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in allow.items()},
    )


@dataclass
class _Token:
    text: str
    lower: str
    start: int
    starts_sentence: bool
    initial: bool  # one capital followed by a dot: "J."
    label: bool  # followed by a dot or colon: "Zorgmijding:", "Max."
    allowed: int = 0  # 2: on the allowlist, 1: a place name, 0: neither
    cap: bool = False
    word: bool = False  # an ordinary Dutch word
    listed: bool = False  # a listed first name or surname


def _ends_sentence(gap: str, before: _Token) -> bool:
    """Whether the characters between two words end a sentence; the dot of an initial or an
    abbreviation ("J.", "dhr.", "art.", "o.a.") does not."""
    if not any(c in _SENTENCE_END for c in gap):
        return False
    if gap.strip(" \t") == "." and (len(before.lower) == 1 or before.lower in _ABBREVIATIONS):
        return False
    return True


def _tokens(text: str, lex: Lexicon) -> list[_Token]:
    shouting = not any(c.islower() for c in text)  # all capitals: capitals say nothing
    tokens: list[_Token] = []
    end = 0
    for m in _WORD.finditer(text):
        gap = text[end : m.start()]
        word = m.group().replace("’", "'")
        initial = len(word) == 1 and word.isupper() and text.startswith(".", m.end())
        if shouting:
            word = word.lower()
        tokens.append(
            _Token(
                text=word,
                lower=word.lower(),
                start=m.start(),
                starts_sentence=not tokens or _ends_sentence(gap, tokens[-1]),
                initial=initial,
                label=text.startswith((".", ":"), m.end()),
            )
        )
        end = m.end()
    i = 0
    while i < len(tokens):  # allowlisted phrases, longest first
        after_tussen = i > 0 and tokens[i - 1].lower in _TUSSEN
        head = tokens[i].lower.partition("-")[0]  # "Pluryn-traject" starts with "Pluryn"
        for phrase, strong in lex.allow.get(tokens[i].lower, ()) + lex.allow.get(head, ()) * (head != tokens[i].lower):
            if not strong and after_tussen and phrase[0] in _TUSSEN:
                continue  # "van den Berg" holds no place "Den Berg"
            if _phrase_at(tokens, i, phrase):
                for t in tokens[i : i + len(phrase)]:
                    t.allowed = 2 if strong or len(phrase) > 1 else 1
                i += len(phrase) - 1
                break
        i += 1
    for t in tokens:
        w = t.text
        t.cap = w[0].isupper() and not (len(w) > 1 and w.isupper())
        t.word = lex.is_word(t.lower)
        t.listed = lex.is_name(t.lower)
    return tokens


def _phrase_at(tokens: list[_Token], i: int, phrase: tuple[str, ...]) -> bool:
    """Whether the words from i on are the phrase; its last word may start a hyphenated word
    ("Signs of Safety-gesprek")."""
    words = tokens[i : i + len(phrase)]
    if len(words) < len(phrase):
        return False
    *head, last = phrase
    return all(t.lower == w for t, w in zip(words, head)) and (
        words[-1].lower == last or words[-1].lower.startswith(last + "-")
    )


def _in_organisation_name(tokens: list[_Token], i: int) -> bool:
    """A word right before "Stichting", "Groep", a capitalised "Huis" or "Zorg"…, or right after
    "Stichting", "Buurtteam"… names an organisation ("Kessler Stichting", "Buurtteam Kwadrant")."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].starts_sentence else None
    if nxt is not None and nxt.lower in _ORG_AFTER and (nxt.cap or nxt.lower in _ORG_WORDS):
        return True  # "Kessler Stichting", "Sterk Huis"; not "of X zorg krijgt"
    return i > 0 and not tokens[i].starts_sentence and tokens[i - 1].lower in _ORG_BEFORE


def _of_a_thing(tokens: list[_Token], i: int) -> bool:
    """Whether "van" at i is a preposition after an ordinary noun ("traject van Careyn",
    "begeleiding van Lumens") rather than a tussenvoegsel ("met van Rossum", "vader van Dijk")."""
    if tokens[i].lower != "van" or i == 0 or tokens[i].starts_sentence:
        return False
    before = tokens[i - 1]
    tail = before.text.rpartition("-")[2]  # "Housing First-traject"
    noun = (before.word and not before.cap) or (tail.islower() and lexicon().is_word(tail))
    return noun and before.lower not in _ROLES and before.lower not in _PERSON_WORDS


def _english(lower: str) -> bool:
    """Spelled like an English word ("Interviewing", "Resistance", "Youth"): method names."""
    return lower.endswith(_ENGLISH_ENDINGS) or "th" in lower or "ea" in lower or lower.endswith("y")


def _surname_shape(lower: str) -> bool:
    """Spelled like a surname rather than an organisation: letters no Dutch brand uses
    ("Aktaş", "Wróbel") or an ending typical of surnames ("Bouchtaoui", "Kaczmarek", "Ramsoekh")."""
    if len(lower) < 4:
        return False
    return (
        any(c in _NAME_LETTERS for c in lower)
        or lower.endswith(_SURNAME_ENDINGS)
        or lower.startswith(_SURNAME_PREFIXES)
    )


def _name_like(t: _Token, lex: Lexicon) -> bool:
    """Could be a name in a context that expects one (after a role, next to another name)."""
    if t.allowed == 2 or (t.allowed == 1 and not t.listed) or len(t.lower) < 2:
        return False
    if t.cap:
        return t.listed or not t.word
    if t.text.isupper():
        return False  # an acronym
    return not t.word and (t.listed or len(t.lower) > 3)


def _name_at(tokens: list[_Token], i: int, lex: Lexicon) -> bool:
    """Whether token i is (the start of) a personal name; rules (a)-(f) of the module docstring."""
    t = tokens[i]
    if t.allowed == 2 or t.lower in _TUSSEN or t.lower in _TITLES or t.lower in _ROLES:
        return False
    prev = tokens[i - 1] if i and not t.starts_sentence else None
    j = i - 1  # skip tussenvoegsels and initials back to the word that sets the context
    initials = False
    while (
        j >= max(0, i - _MAX_NAME_PREFIX)
        and (tokens[j].lower in _TUSSEN or tokens[j].initial)
        and not tokens[j + 1].starts_sentence
    ):
        initials = initials or tokens[j].initial
        j -= 1
    context = tokens[j] if j >= 0 and j < i and not tokens[j + 1].starts_sentence else None
    after_tussen = prev is not None and prev.lower in _TUSSEN and prev.allowed == 0 and not _of_a_thing(tokens, i - 1)
    after_initial = prev is not None and prev.initial or initials
    if context is not None and (context.lower in _TITLES or after_initial):  # (a)
        if t.cap or t.listed or not t.word:
            return True
    if after_initial and (t.cap or t.listed) and t.allowed != 1:
        return True
    if _in_organisation_name(tokens, i):
        return False
    if context is not None and context.lower in _ROLES:  # (b)
        if _name_like(t, lex) or (t.lower in lex.first and lex.ambiguous(t.lower) and t.allowed == 0):
            return True
        capitals = t.cap or (t.text.isupper() and len(t.lower) > 3)
        if capitals and t.allowed == 0 and t.lower not in lex.common:
            return True  # "vader Roodhart", "moeder BAKKER": mid-sentence capitals after a role
    if after_tussen:  # (c)
        if t.lower in lex.after_tussen and (t.cap or not t.word):
            return True
        if t.cap and not t.word and t.allowed == 0:
            return True
    nxt = tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].starts_sentence else None
    if nxt is not None and _name_like(t, lex) and _name_like(nxt, lex):  # (d)
        # Two unknown capitalised words that open a sentence ("Xtra Kwadrant start …") or look
        # English ("Nonviolent Resistance") name an organisation or a method, unless one is a
        # listed name or the second is shaped like a surname.
        listed = t.lower in lex.first or nxt.lower in lex.surnames or (t.listed and nxt.listed)
        listed = listed or _surname_shape(nxt.lower)  # not "Ixta Noa": a first name comes first
        evidence = listed or not t.cap or not (t.starts_sentence or _english(t.lower) or _english(nxt.lower))
        if evidence and t.cap == nxt.cap and (t.cap or not (t.word and nxt.word)):
            if t.lower in lex.first or not t.word or not t.starts_sentence:
                return True
    if nxt is not None and not t.cap and not nxt.cap and t.allowed == nxt.allowed == 0:
        if t.lower in lex.first and nxt.lower in lex.surnames and lex.ambiguous(t.lower) and lex.ambiguous(nxt.lower):
            return True  # "kees bakker"
    if t.cap and t.allowed == 0:  # (e)
        if t.starts_sentence and t.label:
            return False  # "Zorgmijding: ...", "Max. 2 weken"
        if t.listed and (not t.word or not t.starts_sentence):
            return True
        if t.starts_sentence and t.lower in lex.first and lex.ambiguous(t.lower):
            return True
        return not t.word and _surname_shape(t.lower)
    if not t.cap and not t.word and t.listed and t.allowed == 0 and len(t.lower) > (3 if t.text.isupper() else 2):
        return True  # (f), also in capitals: "spreekt KARTOSEN aan" (not "GGD", "MDA")
    return False


def first_name(text: str) -> tuple[int, int] | None:
    """Where the first words that look like a personal name start and end, or None: the word
    that sets off a rule, with the initials and tussenvoegsels right before it and the
    initials, tussenvoegsels and name-like words right after it ("A. de Groot", "J.P. van
    den Broek", "Stanley Ramdas"), at most _MAX_NAME_WORDS words after it."""
    lex = lexicon()
    tokens = _tokens(text, lex)
    for i in range(len(tokens)):
        if _name_at(tokens, i, lex):
            first = i
            while (
                first > 0
                and not tokens[first].starts_sentence
                and (tokens[first - 1].initial or tokens[first - 1].lower in _SURNAME_TUSSEN)
            ):
                first -= 1
            last = i
            for j in range(i + 1, min(len(tokens), i + _MAX_NAME_WORDS)):
                t, before = tokens[j], tokens[j - 1]
                after_tussen = before.lower in _TUSSEN and (t.cap or not t.word)
                if t.starts_sentence or not (t.lower in _TUSSEN or t.initial or after_tussen or _name_like(t, lex)):
                    break
                last = j
            while last > i and tokens[last].lower in _TUSSEN:
                last -= 1
            end = tokens[last].start + len(tokens[last].text) + tokens[last].initial  # "A." with its dot
            return tokens[first].start, end
    return None
