"""Searching in Chromium, with and without JavaScript: what was typed travels in the body
of a POST, never in an address (access logs, proxies and browser history keep those)."""

import re
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.helpers import settle

pytestmark = pytest.mark.browser

TYPED = ["Philippa Quenby", "LE7 9XQ", "07700 900871"]
ADDRESS_HEADERS = ("referer", "hx-current-url")


@pytest.fixture
def quenby():
    return factories.make_resident(
        forename="Philippa", surname="Quenby", postcode="LE7 9XQ",
        address_line_1="9 Quarry Lane", phones=["+447700900871"],
    )  # fmt: skip


def _search(page: Page, box, typed: str, javascript: bool) -> None:
    """Type as the member of staff would: results come as you type, or after Enter."""
    box.fill("")
    if not javascript:
        box.press_sequentially(typed)
        box.press("Enter")
        return

    def answers_what_was_typed(response) -> bool:
        body = parse_qs(response.request.post_data or "")
        return response.request.method == "POST" and body.get("q") == [typed]

    with page.expect_response(answers_what_was_typed):
        box.press_sequentially(typed)
    settle(page)


def _assert_nothing_typed_in_an_address(page: Page, sent: list, path: str) -> None:
    searches = [r for r in sent if urlsplit(r.url).path == path and r.method == "POST"]
    assert searches, f"no search was posted to {path}"
    assert any("Quenby" in (r.post_data or "") for r in searches)
    for request in sent:
        # The address, and the headers that repeat the page's address.
        for address in (request.url, *(request.headers.get(h, "") for h in ADDRESS_HEADERS)):
            address = unquote_plus(address).lower()
            for typed in TYPED:
                assert typed.lower() not in address, request
                assert typed.replace(" ", "").lower() not in address.replace(" ", ""), request
    assert "?" not in page.url


def test_searching_on_a_call_sends_what_was_typed_in_the_body_only(
    handler_desk, live_server, quenby
):
    page, sent, javascript = handler_desk
    page.goto(f"{live_server}/calls")
    page.get_by_label("Caller's phone number").fill("07700 900662")
    page.get_by_label("Caller's phone number").press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^Call from "))).to_be_visible()
    call_url = page.url

    for typed in TYPED:
        if not javascript:
            page.goto(call_url)
        _search(page, page.get_by_label("Find the resident's record"), typed, javascript)

        expect(page.get_by_role("heading", name=re.compile(r"found by"))).to_be_visible()
        expect(page.get_by_text("Philippa Quenby").first).to_be_visible()

    _assert_nothing_typed_in_an_address(page, sent, urlsplit(call_url).path + "/search")
    page.get_by_role("button", name=re.compile(r"^Select Philippa Quenby")).click()
    expect(page.get_by_role("heading", name="2. Who is calling")).to_be_visible()


def test_finding_a_record_sends_what_was_typed_in_the_body_only(handler_desk, live_server, quenby):
    page, sent, javascript = handler_desk

    for typed in TYPED:
        page.goto(f"{live_server}/residents")
        _search(page, page.get_by_label("Search for a record"), typed, javascript)

        expect(page.get_by_role("link", name=re.compile(r"^Philippa Quenby"))).to_be_visible()

    _assert_nothing_typed_in_an_address(page, sent, "/residents")
    page.get_by_role("link", name=re.compile(r"^Philippa Quenby")).click()
    expect(page.get_by_role("heading", name="Why do you need to see this record?")).to_be_visible()
