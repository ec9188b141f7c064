"""Passwords (docs/rules.md §8): argon2 hashes, and the rule a new password must meet.

A new password has at least 12 characters and survives zxcvbn (score 3 or more) with the
product's own words, the person's name and address and the organisation and region names
as known guesses, so `actieoverleg2026` or `veiligheidvoorop` are refused. Nothing is ever
truncated: argon2 hashes the whole input; the form caps it at `MAX_LENGTH`, far above any
real passphrase, so a megabyte of text cannot tie up the hasher.
"""

from __future__ import annotations

import re
import secrets
from typing import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from zxcvbn import zxcvbn

from .extensions import db
from .models import Organisation, Region

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_SCORE = 3
# zxcvbn looks at this many characters; a longer password is scored on its start (and hashed whole).
_SCORED = 72
PRODUCT_WORDS = (
    "actieoverleg",
    "actie-overleg",
    "actie",
    "overleg",
    "veiligheid",
    "voorop",
    "veiligheidvoorop",
    "veilig",
    "thuis",
    "veiligthuis",
    "wachtwoord",
    "welkom",
    "geheim",
    "voorzitter",
    "deelnemer",
    "beheerder",
    "landelijk",
    "politie",
    "reclassering",
    "kinderbescherming",
    "ministerie",
)
# zxcvbn's English feedback, in Dutch (the texts it can give; others fall back to the generic line).
DUTCH = {
    "Use a few words, avoid common phrases.": "Gebruik een paar woorden, geen bekende uitdrukking.",
    "Add another word or two. Uncommon words are better.": (
        "Voeg nog een of twee woorden toe; ongewone woorden zijn beter."
    ),
    "Straight rows of keys are easy to guess.": "Een rij toetsen naast elkaar is makkelijk te raden.",
    "Short keyboard patterns are easy to guess.": "Korte patronen op het toetsenbord zijn makkelijk te raden.",
    "Use a longer keyboard pattern with more turns.": "Gebruik geen patroon op het toetsenbord.",
    'Repeats like "aaa" are easy to guess.': "Herhalingen zoals 'aaa' zijn makkelijk te raden.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "Herhalingen zoals 'abcabcabc' zijn nauwelijks moeilijker te raden dan 'abc'."
    ),
    "Avoid repeated words and characters.": "Vermijd herhaalde woorden en tekens.",
    'Sequences like "abc" or "6543" are easy to guess.': "Reeksen zoals 'abc' of '6543' zijn makkelijk te raden.",
    "Avoid sequences.": "Vermijd reeksen.",
    "Recent years are easy to guess.": "Recente jaartallen zijn makkelijk te raden.",
    "Avoid recent years.": "Vermijd recente jaartallen.",
    "Avoid years that are associated with you.": "Vermijd jaartallen die bij u horen.",
    "Dates are often easy to guess.": "Datums zijn vaak makkelijk te raden.",
    "Avoid dates and years that are associated with you.": "Vermijd datums en jaartallen die bij u horen.",
    "This is a top-10 common password.": "Dit is een van de meest gebruikte wachtwoorden.",
    "This is a top-100 common password.": "Dit is een van de meest gebruikte wachtwoorden.",
    "This is a very common password.": "Dit is een veelgebruikt wachtwoord.",
    "This is similar to a commonly used password.": "Dit lijkt op een veelgebruikt wachtwoord.",
    "A word by itself is easy to guess.": "Eén woord alleen is makkelijk te raden.",
    "Names and surnames by themselves are easy to guess.": "Namen alleen zijn makkelijk te raden.",
    "Common names and surnames are easy to guess.": "Veelvoorkomende namen zijn makkelijk te raden.",
    "Capitalization doesn't help very much.": "Hoofdletters helpen weinig.",
    "All-uppercase is almost as easy to guess as all-lowercase.": (
        "Alleen hoofdletters is bijna even makkelijk te raden."
    ),
    "Reversed words aren't much harder to guess.": "Woorden achterstevoren zijn niet veel moeilijker te raden.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.": (
        "Voorspelbare vervangingen, zoals '@' voor 'a', helpen weinig."
    ),
}
TOO_WEAK = "Dit wachtwoord is te makkelijk te raden."
ADVICE = "Kies bijvoorbeeld vier of vijf losse woorden die niet bij elkaar horen."

_hasher = PasswordHasher()
# Verifying against this keeps the timing of "unknown e-mail" equal to "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))
UNUSABLE = "!"  # the hash of an account whose owner has not chosen a password yet


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; an unknown account (None) or one without a password yet
    costs the same time as a wrong password."""
    usable = password_hash not in (None, "", UNUSABLE)
    try:
        return _hasher.verify(password_hash if usable else _DUMMY_HASH, password) and usable
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _known_words(personal: Iterable[str]) -> list[str]:
    """The guesses an attacker starts with: the product's words, the person, the tables."""
    names = db.session.execute(select(Organisation.name, Organisation.short_name)).all()
    names += db.session.execute(select(Region.name, Region.code)).all()
    words = list(PRODUCT_WORDS)
    for text in [*personal, *(part for row in names for part in row)]:
        text = (text or "").lower()
        words += [text, text.replace(" ", ""), *re.split(r"[\s@.\-_]+", text)]
    return [w for w in dict.fromkeys(words) if len(w) >= 2]


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """A Dutch message when a new password is too short, too long or too easy to guess, else None.

    `personal` is the person's own name and e-mail address, which a password must not lean on.
    """
    if len(password) < MIN_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_LENGTH} tekens."
    if len(password) > MAX_LENGTH:
        return f"Een wachtwoord heeft hoogstens {MAX_LENGTH} tekens."
    result = zxcvbn(password[:_SCORED], user_inputs=_known_words(personal))
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    lines = [DUTCH.get(feedback.get("warning") or "", "")] + [DUTCH.get(s, "") for s in feedback["suggestions"]]
    said = " ".join(dict.fromkeys(line for line in lines if line))
    return f"{TOO_WEAK} {said or ADVICE}"
