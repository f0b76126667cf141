"""Duty to share in Chromium with axe: a handler shares urgently with a police officer on a
call, from the keyboard, and a supervisor, signed in elsewhere, approves it afterwards.

Every page, and the call page after each change, is checked with axe.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.rules.vocabulary import EntryCategory, Role
from tests import factories
from tests.browser.helpers import (
    choose_radio,
    press,
    settle,
    someone_else_is_calling,
    start_call,
    type_into,
)
from tests.browser.journeys import desk_of
from tests.browser.test_call_journeys import EARLIER_ENTRY, find_and_select, make_margaret

pytestmark = pytest.mark.browser

HOUSING_ENTRY = "Asked for a housing welfare visit after a fall at home"
BANNER = "Disclosed under duty to share: Prevention or detection of crime (police request)"
OFFICER = "PC 4521 Sam Jones, Leicestershire Police"
REASON = "Officer is at the door: a missing person may be inside and at risk"


def police_officer_is_calling(page: Page, check_accessibility) -> None:
    someone_else_is_calling(page, "PC Sam Jones", "Professional")
    expect(page.get_by_role("heading", name="3. Log a report")).to_be_focused()  # next step
    settle(page)
    expect(page.locator("#record")).to_contain_text("Do not disclose: caller not verified")
    check_accessibility(page)


def ask_to_share_urgently(page: Page, check_accessibility) -> None:
    press(page, page.get_by_role("link", name="Ask to share without the resident's permission"))
    expect(page.get_by_role("heading", name="Share without consent")).to_be_visible()
    check_accessibility(page)

    # A police request without the officer's details, the reason or the areas is not sent.
    choose_radio(
        page,
        page.get_by_label("Risk to life (vital interests)"),
        page.get_by_label("Prevention or detection of crime (police request)"),
    )
    press(page, page.get_by_role("button", name="Ask to share"))
    expect(page).to_have_title(re.compile(r"^Error: Share without consent"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the requesting officer's name")
    expect(summary).to_contain_text("Select the service areas you need")
    check_accessibility(page)

    type_into(page, page.get_by_label("Requesting officer's details"), OFFICER)
    type_into(page, page.get_by_label("Why do you need to share?"), REASON)
    housing = page.get_by_label("Housing", exact=True)
    press(page, housing, "Space")
    expect(housing).to_be_checked()
    urgent = page.get_by_label(re.compile(r"Urgent: share now"))
    press(page, urgent, "Space")
    expect(urgent).to_be_checked()
    press(page, page.get_by_role("button", name="Ask to share"))

    expect(page.get_by_role("heading", name=re.compile(r"^Call from "))).to_be_visible()


def test_a_handler_shares_urgently_with_the_police_and_a_supervisor_approves(
    browser: Browser, live_server, check_accessibility
):
    margaret = make_margaret()
    factories.make_enquiry(
        margaret, "housing", HOUSING_ENTRY, category=EntryCategory.WELFARE_CONCERN
    )
    handler = factories.make_staff(Role.HANDLER, name="Harriet Handler")
    supervisor = factories.make_staff(Role.SUPERVISOR, name="Sunita Supervisor")
    desk = desk_of(browser.new_context, live_server, handler)

    start_call(desk, check_accessibility, "07700 900444")
    find_and_select(desk, check_accessibility, "margret okafer", "Mill Lane")
    police_officer_is_calling(desk, check_accessibility)
    ask_to_share_urgently(desk, check_accessibility)

    record = desk.locator("#record")
    expect(record.locator("#duty-to-share")).to_contain_text(BANNER)
    expect(record).to_contain_text("urgent, not yet approved by a supervisor")
    expect(record).to_contain_text(HOUSING_ENTRY)
    assert EARLIER_ENTRY not in record.inner_text()  # council tax was not asked for
    check_accessibility(desk)

    # A supervisor at another desk approves it from the dashboard.
    office = desk_of(browser.new_context, live_server, supervisor)
    office.goto(f"{live_server}/dashboard")
    check_accessibility(office)
    press(
        office,
        office.get_by_role(
            "link", name="1 request to share without consent waiting for a decision"
        ),
    )
    expect(office.get_by_role("heading", name="Duty to share")).to_be_visible()
    check_accessibility(office)
    press(office, office.get_by_role("link", name=re.compile(r"^Request \d+$")))
    expect(
        office.get_by_role("heading", name=re.compile(r"^Duty-to-share request"))
    ).to_be_visible()
    expect(office.locator("main")).to_contain_text(OFFICER)
    expect(office.locator("main")).to_contain_text(REASON)
    expect(office.locator("main")).to_contain_text("PC Sam Jones")
    check_accessibility(office)
    approve = office.get_by_label(re.compile(r"Approve: the handler may share"))
    press(office, approve, "Space")
    expect(approve).to_be_checked()
    expect(office.get_by_label("Housing", exact=True)).to_be_checked()
    type_into(office, office.get_by_label("Reasons for your decision"), "Officer confirmed risk")
    press(office, office.get_by_role("button", name="Record the decision"))
    expect(office.get_by_role("alert", name="Success")).to_contain_text("Decision recorded")
    expect(office.locator("main")).to_contain_text("Sunita Supervisor")
    check_accessibility(office)

    # The handler's record shows the approved disclosure without a click, and again when
    # the page is drawn afresh.
    expect(record.locator("#duty-to-share")).not_to_contain_text("not yet approved", timeout=8_000)
    settle(desk)
    desk.reload()
    expect(record.locator("#duty-to-share")).to_contain_text(BANNER)
    expect(record).not_to_contain_text("not yet approved")
    expect(record).to_contain_text(HOUSING_ENTRY)
    check_accessibility(desk)
