"""Revealing a hidden detail outside a call, in Chromium, with and without JavaScript.

The record opened with a reason shows the answers that verify a caller masked. Revealing the
date of birth asks for a reason; without one the error is next to the field, with one the
date appears in place (htmx) or on a page of its own, and never in an address.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from app import clock
from app.rules.vocabulary import Role
from app.services import permissions
from tests import factories
from tests.browser.helpers import press, settle, sign_in, type_into
from tests.permissions.data import CONFIRMED, evidence, representative, terms

pytestmark = pytest.mark.browser

SHOWN_DATE = "2 February 1951"
RECORD_REASON = "Replying to complaint C-2231 by letter"
REVEAL_REASON = "Checking her age for the bus pass renewal"


def test_a_hidden_date_of_birth_is_revealed_with_a_reason(
    handler_desk, live_server, check_accessibility
):
    page, sent, javascript = handler_desk

    def check(page) -> None:
        if javascript:  # axe runs as a script: without JavaScript it cannot run
            check_accessibility(page)

    resident = factories.make_resident(
        forename="Olive", surname="Tranter", date_of_birth=date(1951, 2, 2), postcode="LE4 6TT"
    )
    page.goto(f"{live_server}/residents/{resident.id}")
    type_into(page, page.get_by_label("Why do you need to see this record?"), RECORD_REASON)
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Olive Tranter")).to_be_visible()
    row = page.locator("#detail-date-of-birth")
    expect(row).to_contain_text("Hidden (aged")
    assert SHOWN_DATE not in page.content() and "LE4 6TT" not in page.content()
    check(page)

    press(page, row.locator("summary"))
    press(page, row.get_by_role("button", name="Reveal the date of birth"))
    if javascript:
        settle(page)
        expect(row.locator(".govuk-error-message")).to_contain_text(
            "Enter why you need to see the date of birth, in at least 10 characters"
        )
    else:
        expect(page).to_have_title(re.compile(r"^Error: Date of birth"))
        press(page, page.get_by_role("link", name=re.compile("Enter why you need to see")))
    reason = page.get_by_label("Why do you need to see the date of birth?")
    expect(reason).to_be_focused()
    assert SHOWN_DATE not in page.content()
    check(page)

    page.keyboard.type(REVEAL_REASON)
    press(page, page.get_by_role("button", name="Reveal the date of birth"))

    if javascript:
        settle(page)
        expect(page.get_by_role("heading", name="Olive Tranter")).to_be_visible()
        expect(page.locator("[data-revealed]")).to_be_focused()
    expect(page.locator("#detail-date-of-birth [data-revealed]")).to_have_text(SHOWN_DATE)
    expect(page.locator("#detail-date-of-birth")).to_contain_text(REVEAL_REASON)
    check(page)
    for address in [request.url for request in sent]:
        assert "1951" not in address and "Checking" not in address and "?" not in address


def test_a_supervisor_reveals_an_lpa_access_code_in_place(
    browser: Browser, live_server: str, check_accessibility
):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    permission = permissions.record_written_permission(
        resident.id,
        representative(),
        terms(),
        evidence(),
        CONFIRMED,
        supervisor,
        today=clock.today(),
    ).permission
    page = browser.new_context().new_page()
    sign_in(page, live_server, supervisor.email)
    page.goto(f"{live_server}/residents/{resident.id}/permissions")
    row = page.locator(f"#access-code-{permission.id}")
    expect(row).to_contain_text("Hidden")
    assert "V-ABCD-1234-EFGH" not in page.content()
    check_accessibility(page)

    press(page, row.locator("summary"))
    type_into(page, page.get_by_label("Why do you need to see the LPA access code?"), REVEAL_REASON)
    press(page, row.get_by_role("button", name="Reveal the LPA access code"))

    settle(page)
    expect(row.locator("[data-revealed]")).to_have_text("V-ABCD-1234-EFGH")
    expect(row.locator("[data-revealed]")).to_be_focused()
    check_accessibility(page)
    page.context.close()
