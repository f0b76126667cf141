"""A handler who types into the search box before the page's scripts have started still
gets results: what was typed is searched for once htmx is ready, not lost."""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import settle, sign_in, start_call

pytestmark = pytest.mark.browser


def test_a_name_typed_before_htmx_loads_is_searched_for(
    page: Page, live_server, check_accessibility
):
    factories.make_resident(forename="Margaret", surname="Okafor")
    handler = factories.make_staff(Role.HANDLER)
    sign_in(page, live_server, handler.email)
    start_call(page, check_accessibility, "07700 900555")

    # Reload the call page with htmx held back until the name is typed, however long that
    # takes on a busy machine, then let it through.
    held: list[Route] = []
    page.route(re.compile(r"/vendor/htmx\.min\.js"), lambda route: held.append(route))
    page.reload(wait_until="commit")
    search = page.get_by_label("Find the resident's record")
    search.press_sequentially("Margaret Okafor")
    assert page.evaluate("typeof window.htmx") == "undefined"  # typed before htmx ran
    for _ in range(100):  # the request is handed to the test while it waits on the page
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()

    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name=re.compile(r"found by"))).to_be_visible()
    expect(
        results.get_by_role("button", name=re.compile(r"^Select Margaret Okafor"))
    ).to_be_visible()
    settle(page)
    check_accessibility(page)
