"""What the call page must be after each step: the step the handler is on, its heading with
focus (after an htmx swap), only the forms that step needs, and no sideways scrolling."""

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import settle

# The open sections after each step of the commonest calls (app/rules/call_steps.py).
FINDING = ["find", "end"]
SAYING_WHO = ["caller", "end"]
VERIFYING = ["verify", "end"]
REPORTING = ["report", "duty-to-share", "end"]
REPORTING_FIRST = ["report", "end"]  # a report before anyone said who is calling
REPORTING_VERIFIED = ["report", "consent", "phones", "duty-to-share", "end"]

HEADINGS = {
    "find": "1. Find the record",
    "caller": "2. Who is calling",
    "verify": "3. Verify the caller",
    "report": re.compile(r"^\d\. Log a report$"),
}


def open_steps(page: Page) -> list[str]:
    return page.eval_on_selector_all("#call-steps > section", "sections => sections.map(s => s.id)")


def expect_step(page: Page, open_: list[str], *, focused: bool = True) -> None:
    """The handler is on the first of `open_`, and only those steps' forms are on the page:
    its heading has focus (after an htmx swap), and nothing else is open."""
    heading = page.get_by_role("heading", name=HEADINGS[open_[0]])
    expect(heading).to_be_visible()
    if focused:
        expect(heading).to_be_focused()
        assert page.evaluate("document.activeElement.id") == f"{open_[0]}-heading"
    assert open_steps(page) == open_
    forms = page.eval_on_selector_all(
        "#call-steps > section form", "forms => forms.map(f => f.closest('section').id)"
    )
    assert set(forms) <= set(open_), forms


def expect_no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the window: no horizontal scrolling to read or reach anything."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px window"


# --- the commonest calls, step by step ---------------------------------------------------------


def start_call_from(page: Page, live_server: str, number: str) -> None:
    page.goto(f"{live_server}/calls")
    page.get_by_label("Caller's phone number").fill(number)
    page.get_by_label("Caller's phone number").press("Enter")
    expect(page.get_by_label("Find the resident's record")).to_be_focused()


def find_margaret(page: Page, at_step) -> None:
    expect_step(page, FINDING, focused=False)
    at_step("find")
    page.keyboard.type("Margaret Okafor")
    results = page.locator("#search-results")
    select = results.get_by_role("button", name=re.compile(r"^Select .*, Mill Lane, "))
    expect(select).to_be_visible()
    settle(page)
    at_step("find-results")
    select.click()
    settle(page)
    expect_step(page, SAYING_WHO)
    at_step("caller")


def neighbours_leak(page: Page, at_step) -> None:
    """A neighbour rings about a leak: who is calling, the report, the end."""
    find_margaret(page, at_step)
    page.get_by_label("Someone else calling about the resident").check()
    page.get_by_label("Relationship to the resident", exact=True).select_option(label="Neighbour")
    page.get_by_role("button", name="Save who is calling").click()
    settle(page)
    expect_step(page, REPORTING)
    at_step("report")
    page.get_by_label("Service area", exact=True).select_option(label="Housing")
    page.get_by_label("What kind of report is it?", exact=True).select_option(
        label="Repair or fault"
    )
    page.get_by_label("What did the caller report?", exact=True).fill(
        "Water coming through the ceiling of the flat below, from Flat 2, 14 Mill Lane"
    )
    page.get_by_role("button", name="Log report").click()
    settle(page)
    expect(page.locator("#report").get_by_role("status")).to_contain_text("Report logged")
    expect_step(page, REPORTING)
    at_step("report-logged")
    page.locator("#end").scroll_into_view_if_needed()
    at_step("end")


def residents_enquiry(page: Page, at_step) -> None:
    """The resident rings with a question: verified, then the end."""
    find_margaret(page, at_step)
    page.get_by_role("button", name="The resident is calling").click()
    settle(page)
    expect_step(page, VERIFYING)
    at_step("verify")
    verify = page.locator("#verify")
    verify.get_by_label("Date of birth").fill("14/3/1948")
    verify.get_by_label("Postcode").fill("LE1 5AB")
    verify.get_by_role("button", name="Check answers").click()
    settle(page)
    expect(page.locator("#disclosure-status")).to_contain_text("May discuss")
    expect_step(page, REPORTING_VERIFIED)
    at_step("verified")
    page.locator("#end").scroll_into_view_if_needed()
    at_step("end")
