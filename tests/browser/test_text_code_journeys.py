"""A resident verified by a code sent by text to their number on file, end to end in Chromium.

The handler picks the number by its last three digits, the caller reads the code back (here,
from the console backend's copy), and a wrong code first shows as a failed check. Every state
after an htmx swap is checked with axe; the full number on file is never shown.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import press, settle
from tests.browser.journeys import (
    code_verifies_the_resident,
    margaret_says_she_is_calling,
    read_back_code,
)
from tests.portal.helpers import console_code

pytestmark = pytest.mark.browser


def test_the_resident_reads_back_a_code_sent_to_their_number_on_file(
    page: Page, live_server, check_accessibility
):
    margaret_says_she_is_calling(page, live_server, check_accessibility, "07700 900999")

    verify = page.locator("#verify")
    ending = verify.get_by_label("Number ending 123 (mobile)")
    expect(ending).to_be_visible()
    assert "900123" not in re.sub(r"\s", "", verify.inner_html())
    press(page, ending, "Space")
    expect(ending).to_be_checked()
    press(page, verify.get_by_role("button", name="Send a code by text"))

    expect(page.get_by_role("heading", name="3. Verify the caller")).to_be_focused()
    settle(page)
    expect(verify).to_contain_text("Code sent by text to the number ending 123")
    check_accessibility(page)

    code = console_code()
    wrong = "000000" if code != "000000" else "111111"
    read_back_code(page, wrong)
    expect(verify).to_contain_text("No match")
    check_accessibility(page)

    code_verifies_the_resident(page, check_accessibility, code)


def test_a_send_without_a_number_chosen_shows_the_error(
    page: Page, live_server, check_accessibility
):
    margaret_says_she_is_calling(page, live_server, check_accessibility, "07700 900999")

    verify = page.locator("#verify")
    press(page, verify.get_by_role("button", name="Send a code by text"))
    settle(page)

    expect(verify).to_contain_text("Select the number on file to send the code to")
    check_accessibility(page)
    ending = verify.get_by_label("Number ending 123 (mobile)")
    press(page, ending, "Space")
    press(page, verify.get_by_role("button", name="Send a code by text"))
    settle(page)
    expect(verify).to_contain_text("Code sent by text to the number ending 123")
    check_accessibility(page)


def test_in_production_without_a_text_service_the_handler_is_told_to_use_the_questions(
    page: Page, live_server, check_accessibility, production
):
    margaret_says_she_is_calling(page, live_server, check_accessibility, "07700 900999")

    verify = page.locator("#verify")

    expect(verify).to_contain_text("Text codes are not available")
    expect(verify).to_contain_text("Use the questions.")
    expect(verify.get_by_role("button", name="Send a code by text")).to_have_count(0)
    expect(verify.get_by_label("Date of birth")).to_be_visible()
    check_accessibility(page)
