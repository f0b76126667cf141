"""The commonest calls, counted: every click, key press that submits or chooses, and field
filled is one action, and each journey must stay within its target. After each step only
that step's forms are on the page, and focus is on its heading.

- A neighbour rings about a leak: at most 11 actions from a typed number, 10 from the screen
  pop.
- A verified resident's enquiry: at most 9.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.call_steps import (
    FINDING,
    REPORTING,
    REPORTING_FIRST,
    REPORTING_VERIFIED,
    SAYING_WHO,
    VERIFYING,
    expect_step,
)
from tests.browser.helpers import settle, sign_in
from tests.browser.test_call_journeys import make_margaret
from tests.browser.test_screen_pop_journey import POLL_SECONDS, twilio_posts
from tests.telephony.test_voice_webhooks import INCOMING

pytestmark = pytest.mark.browser

LEAK = "Water coming through the ceiling of the flat below"


class Counted:
    """The handler's hands: each method is one action, counted."""

    def __init__(self, page: Page):
        self.page = page
        self.actions = 0

    def fill(self, label: str, text: str) -> None:
        self.page.get_by_label(label, exact=True).fill(text)
        self.actions += 1

    def press_enter(self) -> None:
        self.page.keyboard.press("Enter")
        self.actions += 1

    def type(self, text: str) -> None:  # into the field that has focus
        self.page.keyboard.type(text)
        self.actions += 1

    def choose(self, label: str, option: str) -> None:
        self.page.get_by_label(label, exact=True).select_option(label=option)
        self.actions += 1

    def click(self, locator) -> None:
        expect(locator).to_be_visible()
        settle(self.page)
        locator.click()
        self.actions += 1
        settle(self.page)


def _find_margaret(hands: Counted) -> None:
    expect(hands.page.get_by_label("Find the resident's record")).to_be_focused()
    expect_step(hands.page, FINDING, focused=False)  # the search box has focus instead
    hands.type("Margaret Okafor")
    results = hands.page.locator("#search-results")
    hands.click(results.get_by_role("button", name=re.compile(r"^Select .*, Mill Lane, ")))
    expect_step(hands.page, SAYING_WHO)


def _neighbour_reports_the_leak_and_the_call_ends(hands: Counted) -> None:
    page = hands.page
    # Who is calling shows only what applies to the answer chosen: nothing to choose from
    # until an answer is.
    expect(page.get_by_label("Relationship to the resident")).to_be_hidden()
    expect(page.get_by_label("Whose permission are they using?")).to_be_hidden()
    # A caller who only rings to report something is asked who they are with the report.
    hands.click(page.get_by_role("link", name="Log a report first"))
    expect_step(page, REPORTING_FIRST)  # a neighbour is never shown the resident's questions
    expect(page.get_by_label("Date of birth")).to_have_count(0)
    hands.choose("Who is the caller to the resident?", "Neighbour")
    hands.choose("Service area", "Housing")
    hands.choose("What kind of report is it?", "Repair or fault")
    hands.fill("What did the caller report?", LEAK)
    hands.click(page.get_by_role("button", name="Log report"))
    expect(page.locator("#report").get_by_role("status")).to_contain_text("Report logged")
    expect_step(page, REPORTING)  # another report, or the end
    expect(page.locator("#caller")).to_contain_text(
        "Someone else calling about the resident (neighbour)"
    )
    hands.click(page.get_by_role("button", name="End call"))
    expect(page.get_by_text("Call ended.")).to_be_visible()


def _typed_call(page: Page, live_server: str, number: str) -> Counted:
    """A handler at the calls page types the caller's number and finds the record: the
    actions counted so far."""
    make_margaret()
    sign_in(page, live_server, factories.make_staff(Role.HANDLER).email)
    page.goto(f"{live_server}/calls")
    hands = Counted(page)
    hands.fill("Caller's phone number", number)
    hands.press_enter()
    _find_margaret(hands)
    return hands


def test_a_neighbours_leak_from_a_typed_number_takes_at_most_11_actions(
    page: Page, live_server, check_accessibility
):
    hands = _typed_call(page, live_server, "07700 900555")
    check_accessibility(page)
    _neighbour_reports_the_leak_and_the_call_ends(hands)

    assert hands.actions <= 11, hands.actions


def test_a_neighbours_leak_from_the_screen_pop_takes_at_most_10_actions(
    page: Page, live_server, app, check_accessibility
):
    make_margaret()
    sign_in(page, live_server, factories.make_staff(Role.HANDLER).email)
    page.goto(f"{live_server}/calls")
    twilio_posts(app, live_server, "/twilio/voice", {**INCOMING, "From": "+447700900555"})
    hands = Counted(page)

    take = page.get_by_role("button", name="Take call from 07700 900555")
    expect(take).to_be_visible(timeout=(POLL_SECONDS * 2 + 2) * 1000)
    hands.click(take)
    _find_margaret(hands)
    _neighbour_reports_the_leak_and_the_call_ends(hands)

    assert hands.actions <= 10, hands.actions


def test_a_verified_residents_enquiry_takes_at_most_9_actions(
    page: Page, live_server, check_accessibility
):
    hands = _typed_call(page, live_server, "07700 900123")
    hands.click(page.get_by_role("button", name="The resident is calling"))
    expect_step(page, VERIFYING)
    verify = page.locator("#verify")
    verify.get_by_label("Date of birth").fill("14/3/1948")
    verify.get_by_label("Postcode").fill("LE1 5AB")
    hands.actions += 2
    hands.click(verify.get_by_role("button", name="Check answers"))
    expect(page.locator("#disclosure-status")).to_contain_text("May discuss")
    expect_step(page, REPORTING_VERIFIED)
    expect(verify).to_contain_text("Verified as the resident on this call")
    check_accessibility(page)
    expect(page.get_by_label("Resolved")).to_be_checked()  # what a verified enquiry comes to
    expect(page.get_by_label("Short summary")).to_have_value("Resolved")  # nothing to type
    hands.click(page.get_by_role("button", name="End call"))
    expect(page.get_by_text("Call ended.")).to_be_visible()

    assert hands.actions <= 9, hands.actions
