"""The call page, one step at a time, in every window a handler may use: no step scrolls
sideways at 320 px, nor at 400% zoom on a 1280 px screen, and every step works without
JavaScript.

Zoom is emulated as the browser lays a zoomed page out: 400% of a 1280 by 720 window is a
320 by 180 CSS pixel viewport. (A 320 px viewport with `device_scale_factor=4` is a sharper
screen, not zoom.)

With SCREENSHOTS set to a folder (`make screenshots`), each step of both journeys is also
written there as a PNG, at 320 and 1280 px, for review.
"""

import pytest
from playwright.sync_api import Browser, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.call_steps import (
    REPORTING,
    SAYING_WHO,
    expect_no_sideways_scroll,
    neighbours_leak,
    open_steps,
    residents_enquiry,
    start_call_from,
)
from tests.browser.helpers import numbered_screenshots, sign_in
from tests.browser.test_call_journeys import make_margaret

pytestmark = pytest.mark.browser

WINDOWS = {
    "320px": {"width": 320, "height": 720},
    "1280px": {"width": 1280, "height": 800},
    "1280px-at-400pc-zoom": {"width": 320, "height": 180},
}
JOURNEYS = {
    "leak": (neighbours_leak, "07700 900555"),
    "enquiry": (residents_enquiry, "07700 900123"),
}


@pytest.mark.parametrize("journey", JOURNEYS)
@pytest.mark.parametrize("window", WINDOWS)
def test_no_step_scrolls_sideways(browser: Browser, live_server, window, journey):
    make_margaret()
    page = browser.new_context(viewport=WINDOWS[window]).new_page()
    sign_in(page, live_server, factories.make_staff(Role.HANDLER).email)
    walk, number = JOURNEYS[journey]
    start_call_from(page, live_server, number)
    screenshot = numbered_screenshots(page, journey, window)

    def at_step(name: str) -> None:
        expect_no_sideways_scroll(page)
        if window != "1280px-at-400pc-zoom":
            screenshot(name)

    walk(page, at_step)
    page.context.close()


@pytest.mark.parametrize("handler_desk", [False], indirect=True, ids=["no-javascript"])
def test_without_javascript_every_step_is_a_page_of_its_own(handler_desk, live_server):
    page, _sent, _javascript = handler_desk
    make_margaret()
    page.goto(f"{live_server}/calls")
    page.get_by_label("Caller's phone number").fill("07700 900555")
    page.get_by_role("button", name="Start call").click()
    assert open_steps(page) == ["find", "end"]

    page.get_by_label("Find the resident's record").fill("Margaret Okafor")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Select Margaret Okafor, Mill Lane").click()
    expect(page.get_by_role("heading", name="2. Who is calling")).to_be_visible()
    assert open_steps(page) == SAYING_WHO

    page.get_by_label("Relationship to the resident", exact=True).select_option(label="Neighbour")
    page.get_by_role("button", name="Save who is calling").click()
    expect(page.get_by_role("heading", name="3. Log a report")).to_be_visible()
    assert open_steps(page) == REPORTING
    expect(page.locator("#caller")).to_contain_text("Someone else calling about the resident")

    page.get_by_label("Service area", exact=True).select_option(label="Housing")
    page.get_by_label("What kind of report is it?", exact=True).select_option(
        label="Repair or fault"
    )
    page.get_by_label("What did the caller report?", exact=True).fill("Leak from the flat above")
    page.get_by_role("button", name="Log report").click()
    expect(page.locator("#report").get_by_role("status")).to_contain_text("Report logged")
    assert open_steps(page) == REPORTING

    # "Change" opens who is calling again, as a page of its own.
    page.locator("#caller").get_by_role("link", name="Change who is calling").click()
    assert open_steps(page) == SAYING_WHO
    page.goto(page.url.split("?")[0])
    expect(page.get_by_label("Report logged")).to_be_checked()
    page.get_by_role("button", name="End call").click()
    expect(page.get_by_text("Call ended.")).to_be_visible()
