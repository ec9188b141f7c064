"""Zoek casuscode: the header's search goes to the case page under that page's own rule; an
unknown code and a case out of reach answer alike."""

from __future__ import annotations

import re

import pytest

from actieoverleg.vocab import Role

NOT_FOUND = "Geen casus gevonden met code"


def search(client, typed: str):
    return client.get("/casussen/zoeken", query_string={"code": typed})


@pytest.mark.parametrize("typed", ["{code}", " {lower} ", "{prefix} {rest}", "{prefix}{rest}", "{prefix}\u2013{rest}"])
def test_a_member_finds_a_case_however_the_code_is_typed(world, login_as, typed):
    code = world.case.code
    prefix, rest = code.split("-")
    client = login_as(world.politie_user)
    response = search(client, typed.format(code=code, lower=code.lower(), prefix=prefix.lower(), rest=rest))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/casussen/{code}"
    assert f'Casus <span class="code code--large">{code}</span>' in client.get(response.headers["Location"]).text


def test_a_chair_finds_every_case_of_the_region(world, login_as):
    response = search(login_as(world.chair), world.case.code)
    assert response.status_code == 303 and response.headers["Location"] == f"/casussen/{world.case.code}"


def test_unknown_and_out_of_reach_codes_answer_the_same(world, login_as, make_user):
    """A partner not involved in the case, a member of another region and a code that does
    not exist all read the same page: nothing tells whether the code exists."""
    outsider = make_user(Role.deelnemer, world.om, [world.rr])  # same region, not involved
    unknown = "RR-2222" if world.case.code != "RR-2222" else "RR-3333"
    pages = {}
    for name, user, code in [
        ("not involved", outsider, world.case.code),
        ("other region", world.politie_user, world.other_case.code),
        ("unknown", world.politie_user, unknown),
    ]:
        client = login_as(user)
        response = search(client, code.lower())
        assert response.status_code == 404, name
        assert f"{NOT_FOUND} {code}." in response.text, name
        assert client.get(f"/casussen/{code}").status_code == 404  # the case page says the same
        main = re.search(r"<main.*</main>", response.text, re.S).group(0)
        pages[name] = re.sub(r"[A-Z]{2,4}-[A-Z0-9]{4}", "CODE", main, flags=re.I)
    assert pages["not involved"] == pages["other region"] == pages["unknown"]


def test_what_was_typed_stays_in_the_field(world, login_as):
    response = search(login_as(world.politie_user), "rr-2222")
    assert response.status_code == 404
    assert 'value="rr-2222"' in response.text and 'aria-invalid="true"' in response.text


@pytest.mark.parametrize(
    "typed",
    [
        "x" * 100_000,
        "<script>alert(1)</script>",
        "RR-7KQ4' OR '1'='1",
        "\x00RR-2222",
        "ẞẞ-ǅǅǅǅ",
        "%",
        "RR-7KQ4" * 30,
    ],
)
def test_hostile_or_huge_input_is_no_case_and_never_an_error(world, login_as, typed):
    response = search(login_as(world.politie_user), typed)
    assert response.status_code == 404
    assert NOT_FOUND in response.text
    assert "<script>alert" not in response.text
    assert len(response.text) < 20_000  # a huge input is not echoed back whole


def test_an_empty_search_asks_for_a_code(world, login_as):
    client = login_as(world.politie_user)
    response = search(client, "   ")
    assert response.status_code == 422 and "Vul een casuscode in" in response.text
    page = client.get("/casussen/zoeken")
    assert page.status_code == 200 and NOT_FOUND not in page.text and "Vul een casuscode in" not in page.text


def test_the_header_offers_the_search_to_members_only(world, login_as):
    for user in (world.chair, world.politie_user):
        html = login_as(user).get("/").text
        form = re.search(r'<form method="get" action="/casussen/zoeken"[^>]*role="search"', html)
        assert form, "a plain GET form: works without JavaScript"
        assert '<label for="zoek-casuscode"' in html and "Zoek casuscode" in html
    for user in (world.admin, world.national):
        client = login_as(user)
        assert "Zoek casuscode" not in client.get("/").text
        assert search(client, world.case.code).status_code == 403


def test_the_menu_marks_casus_aanmelden_only_on_its_own_page(world, login_as):
    """The case page and the search are not "Casus aanmelden": the menu marks nothing there."""
    client = login_as(world.vt_user)
    current = re.compile(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>')
    assert current.findall(client.get("/casussen/nieuw").text) == [("/casussen/nieuw", "Casus aanmelden")]
    assert current.findall(client.get(f"/casussen/{world.case.code}").text) == []
    assert current.findall(search(client, "XX-0000").text) == []
