"""A supervisor puts a resident's record under a legal hold and lifts it, from the keyboard,
in Chromium, with axe on every page."""

import re

import pytest
from playwright.sync_api import Browser, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import error_leads_to_field, press, sign_in, type_into

pytestmark = pytest.mark.browser

HOLD_REASON = "Housing disrepair claim HC-2026-118"
LIFT_REASON = "Claim settled on 3 March, file closed"


def test_a_supervisor_sets_a_legal_hold_from_the_record_and_lifts_it_from_the_list(
    browser: Browser, live_server: str, check_accessibility
):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    resident = factories.make_resident(forename="Olive", surname="Tranter", postcode="LE4 6TT")
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, supervisor.email)

    page.goto(f"{live_server}/residents/{resident.id}")
    type_into(page, page.get_by_label("Why do you need to see this record?"), HOLD_REASON)
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Olive Tranter")).to_be_visible()
    check_accessibility(page)

    expect(page.locator("#legal-hold")).to_have_text("Not under a legal hold.")
    press(page, page.get_by_role("link", name="Set a legal hold on this record"))
    expect(page.get_by_role("heading", name="Set a legal hold")).to_be_visible()
    check_accessibility(page)

    error_leads_to_field(
        page,
        check_accessibility,
        button="Set a legal hold",
        title="Set a legal hold",
        error="Enter why the record must be kept",
        field="Why must this record be kept?",
    )

    page.keyboard.type(HOLD_REASON)
    press(page, page.get_by_role("button", name="Set a legal hold"))
    expect(page.get_by_role("heading", name="Legal holds")).to_be_visible()
    expect(page.get_by_text("Legal hold set.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Olive Tranter")
    expect(page.get_by_role("table")).to_contain_text(HOLD_REASON)
    check_accessibility(page)

    press(page, page.get_by_role("link", name=re.compile("Lift the legal hold on Olive Tranter")))
    expect(page.get_by_role("heading", name="Lift the legal hold")).to_be_visible()
    expect(page.get_by_text(HOLD_REASON)).to_be_visible()
    check_accessibility(page)

    type_into(page, page.get_by_label("Why can the hold be lifted?"), LIFT_REASON)
    press(page, page.get_by_role("button", name="Lift the legal hold"))
    expect(page.get_by_text("Legal hold lifted.")).to_be_visible()
    expect(page.get_by_text("No records are under a legal hold.")).to_be_visible()
    check_accessibility(page)
    context.close()
