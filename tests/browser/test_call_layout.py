"""The disclosure decision stays in view: under the heading on a narrow screen, beside the
steps on a wide one, and still on screen once the handler has scrolled to the end of the
call. No horizontal scrolling at 320 px."""

import pytest
from playwright.sync_api import Browser, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def _call_page(browser: Browser, live_server: str, width: int, resident):
    page = browser.new_context(viewport={"width": width, "height": 720}).new_page()
    handler = factories.make_staff(Role.HANDLER)
    sign_in(page, live_server, handler.email)
    call = factories.make_call(resident, handler)
    page.goto(f"{live_server}/calls/{call.id}")
    expect(page.locator("#disclosure-status")).to_be_visible()
    return page


def test_on_a_narrow_screen_the_decision_comes_straight_after_the_heading(
    browser: Browser, live_server, resident, check_accessibility
):
    page = _call_page(browser, live_server, 320, resident)

    heading = page.get_by_role("heading", level=1).bounding_box()
    decision = page.locator("#disclosure-status").bounding_box()
    first_step = page.get_by_role("heading", name="4. Log a report").bounding_box()
    assert heading["y"] < decision["y"] < first_step["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_accessibility(page)


def test_on_a_wide_screen_the_decision_stays_beside_the_steps_in_view(
    browser: Browser, live_server, resident, check_accessibility
):
    page = _call_page(browser, live_server, 1280, resident)

    decision = page.locator("#disclosure-status")
    steps = page.get_by_role("heading", name="4. Log a report").bounding_box()
    assert decision.bounding_box()["x"] > steps["x"] + steps["width"] / 2

    page.get_by_role("button", name="End call").scroll_into_view_if_needed()
    box = decision.bounding_box()
    assert 0 <= box["y"] < 720, "the decision scrolled out of view"
    check_accessibility(page)
