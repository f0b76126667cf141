"""Numbers on file changed, end to end in Chromium, from the keyboard, with axe on every page
and every state after an htmx swap: a verified resident changes their number on a call and the
next call's text-code step shows the new number held; a supervisor changes one from the record
page and then removes it, after a confirmation."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import (
    error_leads_to_field,
    press,
    settle,
    sign_in,
    type_into,
)
from tests.browser.journeys import margaret_says_she_is_calling
from tests.browser.test_call_journeys import caller_says_she_is_margaret, check_answers

pytestmark = pytest.mark.browser

HELD = re.compile(
    r"This number was put on file on \d{1,2} \w+; codes can go to it from \d\d:\d\d on "
    r"\d{1,2} \w+"
)


def _open(page: Page, section, summary: str):
    """Open one of the step's collapsed forms ("Change a number"), from the keyboard."""
    details = section.locator("details").filter(has_text=summary)
    press(page, details.locator("summary"))
    expect(details).to_have_attribute("open", "")
    return details


def test_a_verified_resident_changes_their_number_and_the_next_call_holds_the_code(
    page: Page, live_server, check_accessibility
):
    margaret_says_she_is_calling(page, live_server, check_accessibility, "07700 900999")
    check_answers(page, **{"Date of birth": "14/03/1948", "Postcode": "LE1 5AB"})
    numbers = page.locator("#phones")
    expect(numbers.get_by_role("heading", name="6. Numbers on file")).to_be_visible()
    expect(numbers).to_contain_text("Mobile number ending 123")
    check_accessibility(page)

    change = _open(page, numbers, "Change a number")
    press(page, change.get_by_label("Mobile number ending 123"), "Space")
    press(page, change.get_by_role("button", name="Change number"))
    settle(page)
    expect(change).to_contain_text("Select whether it is a mobile, home or work number")
    check_accessibility(page)

    press(page, change.get_by_label("Mobile number ending 123"), "Space")
    type_into(page, change.get_by_label("New number"), "07700 900888")
    press(page, change.get_by_label("Mobile", exact=True), "Space")
    press(page, change.get_by_role("button", name="Change number"))
    settle(page)

    expect(page.get_by_role("heading", name="6. Numbers on file")).to_be_focused()
    expect(numbers.get_by_role("status")).to_contain_text(
        "Mobile ending 123 changed to mobile ending 888"
    )
    expect(numbers).to_contain_text(HELD)
    expect(page.locator("#record")).to_contain_text("07700 900888")  # the panel was asked again
    check_accessibility(page)

    press(page, page.get_by_label("Resolved"), "Space")
    type_into(page, page.get_by_label("Short summary"), "Changed her mobile number")
    press(page, page.get_by_role("button", name="End call"))
    expect(page.get_by_text("You have no open calls.")).to_be_visible()

    caller_says_she_is_margaret(page, check_accessibility, "07700 900999", via_menu=False)
    verify = page.locator("#verify")
    new_number = verify.get_by_label("Number ending 888 (mobile)")
    expect(new_number).to_be_visible()
    expect(verify).to_contain_text(HELD)
    check_accessibility(page)

    press(page, new_number, "Space")
    press(page, verify.get_by_role("button", name="Send a code by text"))
    settle(page)
    expect(verify.locator(".govuk-error-message")).to_contain_text(HELD)
    check_accessibility(page)


def test_a_supervisor_changes_a_number_from_the_record_page_and_removes_it_after_confirming(
    page: Page, live_server, check_accessibility
):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    resident = factories.make_resident(forename="Olive", surname="Tranter", postcode="LE4 6TT")
    sign_in(page, live_server, supervisor.email)
    page.goto(f"{live_server}/residents/{resident.id}")
    type_into(page, page.get_by_label("Why do you need to see this record?"), "Signed form FORM-7")
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Olive Tranter")).to_be_visible()

    press(page, page.get_by_role("link", name="Add, change or remove a number on this record"))
    expect(page.get_by_role("heading", name="Numbers on file")).to_be_visible()
    expect(page.locator("#numbers-on-file")).to_contain_text("Text codes can be sent to it")
    check_accessibility(page)

    press(page, page.get_by_role("link", name="Change mobile number ending 123"))
    expect(page.get_by_role("heading", name="Change a number")).to_be_visible()
    check_accessibility(page)

    error_leads_to_field(
        page,
        check_accessibility,
        button="Change number",
        title="Change a number",
        error="Enter why the numbers are changing",
        field="Why are the numbers changing?",
    )

    type_into(page, page.get_by_label("New number"), "07700 900888")
    type_into(page, page.get_by_label("Why are the numbers changing?"), "Change of details form")
    type_into(page, page.get_by_label("Evidence reference"), "FORM-7")
    press(page, page.get_by_role("button", name="Change number"))
    expect(page.get_by_role("heading", name="Numbers on file")).to_be_visible()
    expect(page.get_by_text("Mobile ending 123 changed to mobile ending 888")).to_be_visible()
    expect(page.locator("#numbers-on-file")).to_contain_text("No text codes to it until")
    expect(page.locator("#number-history")).to_contain_text("supervisor, evidence: FORM-7")
    check_accessibility(page)

    press(page, page.get_by_role("link", name="Remove mobile number ending 888"))
    expect(page.get_by_role("heading", name="Remove a number")).to_be_visible()
    expect(page.get_by_text("The number is taken off the record at once")).to_be_visible()
    check_accessibility(page)

    type_into(page, page.get_by_label("Why are the numbers changing?"), "Resident asked, by letter")
    type_into(page, page.get_by_label("Evidence reference"), "LETTER-9")
    press(page, page.get_by_role("button", name="Remove number"))
    expect(page.get_by_text("Mobile ending 888 removed")).to_be_visible()
    expect(page.locator("#numbers-on-file")).to_have_text("No numbers on file.")
    check_accessibility(page)
