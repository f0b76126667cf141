"""A hoax from start to finish, in Chromium with axe: a resident on a phone disputes a
neighbour's report as a hoax in the portal and sees the deadline; a supervisor upholds it from
the queue; the resident sees the outcome; and the next call from the reporting number shows
the hoax warning to the handler, without blocking anything."""

import re

import pytest
from playwright.sync_api import Browser, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import (
    DISPUTE_NAME,
    choose_radio,
    phone_page,
    press,
    sign_in_to_portal,
    start_call,
    type_into,
)
from tests.browser.journeys import desk_of, open_the_dispute_from_the_queue

pytestmark = pytest.mark.browser

HOAX_REPORT = "Says the boiler is broken, send someone"


def test_a_hoax_disputed_in_the_portal_is_upheld_and_the_next_call_is_warned(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    factories.make_entry(resident, summary=HOAX_REPORT, number=factories.HOAXER)
    supervisor = factories.make_staff(Role.SUPERVISOR)
    handler = factories.make_staff(Role.HANDLER)

    # The resident, on her phone, says the report was a hoax.
    phone = phone_page(browser)
    sign_in_to_portal(phone, live_server, resident.reference, "14 March 1948")
    press(phone, phone.get_by_role("link", name=re.compile("^Say this is wrong")))
    choose_radio(
        phone,
        phone.get_by_label("I didn't ask anyone to call"),
        phone.get_by_label("This was a hoax"),
    )
    type_into(phone, phone.get_by_label("Tell us what is wrong"), "Nobody was sent for")
    press(phone, phone.get_by_role("button", name="Continue"))
    press(phone, phone.get_by_role("button", name="Send my dispute"))
    expect(phone.get_by_role("heading", name="Dispute sent")).to_be_visible()
    expect(phone.locator(".govuk-panel")).to_contain_text(re.compile(r"\d+"))
    expect(phone.get_by_text(re.compile(r"by \d{1,2} \w+ \d{4}"))).to_be_visible()
    check_accessibility(phone)

    # A supervisor upholds it from the queue.
    office = open_the_dispute_from_the_queue(browser, live_server, supervisor, check_accessibility)
    expect(office.get_by_text(HOAX_REPORT)).to_be_visible()
    press(office, office.get_by_label("Upheld: the entry is incorrect or a hoax"), key="Space")
    type_into(office, office.get_by_label("Reasons for your decision"), "No repair was needed")
    press(office, office.get_by_role("button", name="Record the decision"))
    expect(office.get_by_text("Decision recorded")).to_be_visible()
    check_accessibility(office)

    # The resident sees the outcome, and the entry has left her record.
    phone.goto(f"{live_server}/portal/your-record")
    expect(phone.get_by_text("Upheld: the entry was found incorrect")).to_be_visible()
    expect(phone.get_by_text(HOAX_REPORT)).to_have_count(0)
    check_accessibility(phone)
    press(phone, phone.get_by_role("link", name=DISPUTE_NAME))
    expect(phone.get_by_text("No repair was needed")).to_be_visible()
    check_accessibility(phone)

    # The next call from the number that made the report carries a warning, not a block.
    desk = desk_of(browser.new_context, live_server, handler)
    start_call(desk, check_accessibility, factories.HOAXER)
    expect(
        desk.get_by_text("1 earlier report from this number was upheld as a hoax")
    ).to_be_visible()
    expect(desk.get_by_label("Find the resident's record")).to_be_enabled()
    check_accessibility(desk)
