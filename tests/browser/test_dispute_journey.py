"""A dispute from start to finish, in Chromium with axe: the handler records the resident's
dispute on a call, a supervisor upholds it, and the next call from the reporting number shows
the hoax warning."""

import re

import pytest
from playwright.sync_api import Browser, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import (
    DISPUTE_NAME,
    choose_radio,
    press,
    settle,
    start_call,
    type_into,
)
from tests.browser.journeys import desk_of, open_the_dispute_from_the_queue

pytestmark = pytest.mark.browser


def test_a_dispute_recorded_on_a_call_is_upheld_and_the_number_is_flagged(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    factories.make_entry(resident, summary="Says the boiler is broken, send someone")
    handler = factories.make_staff(Role.HANDLER)
    supervisor = factories.make_staff(Role.SUPERVISOR)
    call = factories.make_call(resident, handler)
    desk = desk_of(browser.new_context, live_server, handler)

    desk.goto(f"{live_server}/calls/{call.id}")
    check_accessibility(desk)
    form = desk.locator("#call-dispute")
    press(desk, form.locator("summary"))
    press(desk, form.get_by_label(re.compile("Says the boiler is broken")), key="Space")
    choose_radio(
        desk,
        form.get_by_label("I didn't ask anyone to call"),
        form.get_by_label("This was a hoax"),
    )
    type_into(
        desk, form.get_by_label("What does the resident say is wrong?"), "I was away that week"
    )
    press(desk, form.get_by_role("button", name="Record the dispute"))
    settle(desk)
    expect(desk.get_by_role("status").filter(has_text="Dispute recorded")).to_be_visible()
    expect(desk.get_by_text("1 entry is disputed and being investigated")).to_be_visible()
    check_accessibility(desk)

    office = open_the_dispute_from_the_queue(browser, live_server, supervisor, check_accessibility)
    expect(office.get_by_role("heading", name=DISPUTE_NAME)).to_be_visible()
    check_accessibility(office)
    press(office, office.get_by_role("button", name="Record the decision"))
    expect(office).to_have_title(re.compile(r"^Error: Dispute"))
    check_accessibility(office)
    press(office, office.get_by_label("Upheld: the entry is incorrect or a hoax"), key="Space")
    type_into(office, office.get_by_label("Reasons for your decision"), "Resident was away")
    press(office, office.get_by_role("button", name="Record the decision"))
    expect(office.get_by_text("Decision recorded")).to_be_visible()
    expect(office.get_by_text("Found incorrect after a dispute")).to_be_visible()
    check_accessibility(office)

    desk.goto(f"{live_server}/calls")
    start_call(desk, check_accessibility, factories.HOAXER, via_menu=False)
    expect(
        desk.get_by_text("1 earlier report from this number was upheld as a hoax")
    ).to_be_visible()
