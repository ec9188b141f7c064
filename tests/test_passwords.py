"""The password rule (actieoverleg.passwords): long, hard to guess with the product's and the
person's own words, never truncated, Dutch advice."""

from __future__ import annotations

import pytest

from actieoverleg import passwords
from actieoverleg.passwords import password_problem

from .conftest import PASSWORD


@pytest.mark.parametrize(
    "weak",
    ["wachtwoord1", "actieoverleg2026", "1234567890", "veiligheidvoorop", "Veiligheidvoorop2026!", "abcdefabcdef"],
)
def test_product_words_and_common_passwords_are_refused(app, weak):
    problem = password_problem(weak)
    assert problem is not None and ("minstens 12 tekens" in problem or "te makkelijk te raden" in problem)


def test_too_short_says_how_long(app):
    assert password_problem("kort") == "Kies een wachtwoord van minstens 12 tekens."


def test_a_passphrase_passes(app):
    assert password_problem(PASSWORD) is None
    assert password_problem("paars kompas onder de brug") is None


def test_the_persons_own_name_and_address_and_the_tables_names_count_as_guesses(world):
    own = "sannedeboer1977"
    assert password_problem(own) is None  # unknown to zxcvbn on its own...
    assert "te makkelijk te raden" in password_problem(own, ("Sanne de Boer", "sanne.deboer@vt.example"))
    assert "te makkelijk te raden" in password_problem("rotterdam-rijnmond2026")  # a region's name


def test_feedback_is_dutch(app):
    problem = password_problem("qwertyuiopas")
    assert problem.startswith("Dit wachtwoord is te makkelijk te raden. ")
    assert "toets" in problem or "woorden" in problem
    assert not any(word in problem for word in ("easy", "guess", "Add another"))


def test_long_passwords_are_hashed_whole_and_capped_at_the_field(app):
    long = "paars kompas onder de brug " * 30  # 810 characters
    assert password_problem(long) is None
    digest = passwords.hash_password(long)
    assert passwords.verify(digest, long)
    assert not passwords.verify(digest, long[:-1])  # no truncation: the last character counts
    assert not passwords.verify(digest, long[:72])
    assert password_problem("x" * 1025) == "Een wachtwoord heeft hoogstens 1024 tekens."


def test_an_account_without_a_password_never_matches(app):
    assert not passwords.verify(passwords.UNUSABLE, "")
    assert not passwords.verify(None, PASSWORD)


def test_a_too_long_password_at_sign_in_is_a_dutch_message_not_an_error(client, world):
    response = client.post("/login", data={"email": world.chair.email, "password": "x" * 5000})
    assert response.status_code == 422
    assert "Een wachtwoord heeft hoogstens 1024 tekens." in response.get_data(as_text=True)
