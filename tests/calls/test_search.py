"""Finding the record: by phone, reference, postcode, name, name and postcode."""

import re

import pytest

from app.references import format_reference
from tests import factories
from tests.helpers import statements_run


@pytest.fixture
def residents():
    return {
        "stephen": factories.make_resident(
            forename="Stephen", surname="Smith", postcode="LE2 7QR", phones=["+447700900201"],
            address_line_1="3 Church Street",
        ),
        "katherine": factories.make_resident(
            forename="Katherine", surname="McDonald", postcode="LE3 9PL",
            phones=["+441164960111"], address_line_1="Flat 4, 22 Oak Road",
        ),
        "other": factories.make_resident(
            forename="Ahmed", surname="Patel", postcode="LE2 7QR", phones=["+447700900301"]
        ),
    }  # fmt: skip


def _search(call, query: str) -> str:
    return call.post("/search", {"q": query}, htmx=True).get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("07700 900201", "Stephen Smith"),
        ("+44 7700 900201", "Stephen Smith"),
        ("le27qr", "Stephen Smith"),
        ("LE2  7QR", "Ahmed Patel"),
        ("Steven Smyth", "Stephen Smith"),
        ("stephen smith", "Stephen Smith"),
        ("Smith, Stephen", "Stephen Smith"),
        ("Kathryn MacDonald", "Katherine McDonald"),
        ("Kate Mcdonald", "Katherine McDonald"),
        ("Stephen Smith LE2 7QR", "Stephen Smith"),
        ("Stefan Smithe le27qr", "Stephen Smith"),
    ],
    ids=[
        "phone-national", "phone-international", "postcode-compact", "postcode-spaced",
        "misspelt-name", "lower-case", "surname-first", "mac-variant", "nickname",
        "name-and-postcode", "misspelt-with-postcode",
    ],
)  # fmt: skip
def test_search_finds_the_record(signed_in_handler, start_call, residents, query, expected):
    call = start_call(signed_in_handler)

    html = _search(call, query)

    assert expected in html


def test_search_by_reference_accepts_hyphens_and_lower_case(
    signed_in_handler, start_call, residents
):
    call = start_call(signed_in_handler)
    typed = format_reference(residents["katherine"].reference).lower()

    assert "Katherine McDonald" in _search(call, typed)


def test_results_show_only_name_street_and_outward_postcode(
    signed_in_handler, start_call, residents
):
    call = start_call(signed_in_handler)

    html = _search(call, "Katherine McDonald")

    assert "Oak Road, LE3" in html
    assert "22 Oak Road" not in html
    assert "LE3 9PL" not in html
    assert "14 March 1948" not in html
    assert "496 0111" not in html


def test_caller_id_matching_a_number_on_file_is_a_hint_not_proof(
    signed_in_handler, start_call, residents
):
    call = start_call(signed_in_handler, "07700 900201")

    html = _search(call, "Smith")

    assert "Caller ID matches a number on file" in html
    assert "not proof of identity" in html


@pytest.mark.parametrize(
    "query", ["LE2 7QR", "Stephen Smith LE2 7QR", "Smith LE2", "07700 900201", "Smith", "ref"]
)
def test_the_caller_id_hint_is_beside_the_record_with_the_number_and_no_other(
    signed_in_handler, start_call, residents, query
):
    call = start_call(signed_in_handler, "07700 900201")
    if query == "ref":
        query = format_reference(residents["stephen"].reference)

    html = _search(call, query)

    records = html.split('<li class="app-results__item">')[1:]
    hinted = [r for r in records if "Caller ID matches a number on file" in r]
    assert len(hinted) == 1 and "Stephen Smith" in hinted[0]


def test_a_search_on_a_call_from_a_number_on_no_record_shows_no_caller_id_hint(
    signed_in_handler, start_call, residents
):
    call = start_call(signed_in_handler, "07700 900999")

    html = _search(call, "LE2 7QR")

    assert "Stephen Smith" in html and "Ahmed Patel" in html
    assert "Caller ID matches" not in html


def test_no_results_says_so_and_suggests_what_to_try(signed_in_handler, start_call, residents):
    call = start_call(signed_in_handler)

    html = _search(call, "Zebedee Quartermaine")

    assert "No records found" in html


def test_search_without_javascript_returns_a_full_page(signed_in_handler, start_call, residents):
    call = start_call(signed_in_handler)

    response = call.post("/search", {"q": "Smith"})

    html = response.get_data(as_text=True)
    assert "<html" in html
    assert "Stephen Smith" in html


def test_the_search_box_posts_what_was_typed_never_in_the_address(
    signed_in_handler, start_call, residents
):
    call = start_call(signed_in_handler)

    page = call.page()

    form = re.search(r'<form method="post" action="([^"]+)" role="search"[^>]*>', page)
    assert form and form.group(1) == f"/calls/{call.id}/search"
    assert f'hx-post="/calls/{call.id}/search"' in page
    assert 'hx-get="/calls/' + str(call.id) + '/search"' not in page
    assert 'name="csrf_token"' in page[form.start() : page.index("</form>", form.start())]


def test_a_search_in_the_address_is_not_run(signed_in_handler, start_call, residents):
    call = start_call(signed_in_handler)

    response = call.client.get(call.url + "/search", query_string={"q": "Stephen Smith"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Find the record" in html
    assert "Stephen Smith" not in html


@pytest.mark.parametrize("htmx", [True, False], ids=["as-you-type", "full-page"])
def test_a_search_without_the_pages_token_is_refused(
    signed_in_handler, start_call, residents, htmx
):
    call = start_call(signed_in_handler)
    headers = {"HX-Request": "true"} if htmx else {}

    response = call.client.post(call.url + "/search", data={"q": "Smith"}, headers=headers)

    assert response.status_code == (400 if htmx else 302)
    assert "Stephen Smith" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "statements"),
    [("07700 900201", 4), ("Steven Smyth", 8), ("Stephen Smith", 8)],
    ids=["phone", "misspelt-name", "exact-name"],
)
def test_a_search_on_a_call_runs_only_the_statements_it_needs(
    signed_in_handler, start_call, residents, query, statements
):
    """Who is signed in, the call (one row), the search itself (a phone number: one
    statement; a name: its candidate names in one, three lookups of people by them here, and
    the records found), and the audit event, one INSERT. Whether the caller's number is on
    each record comes with the records, not in a statement of its own."""
    call = start_call(signed_in_handler, "07700 900201")
    _search(call, query)  # as on a running server: statements already compiled

    with statements_run() as ran:
        html = _search(call, query)

    assert "Stephen Smith" in html
    assert "Caller ID matches a number on file" in html
    assert len(ran) == statements, ran
