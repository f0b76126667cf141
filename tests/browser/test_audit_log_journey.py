"""A supervisor searches the audit log from the keyboard in Chromium, with axe on each page:
a wrong date shown next to its field, then a resident's events."""

import re

import pytest
from playwright.sync_api import Browser, expect

from app.references import format_reference
from app.rules.vocabulary import Role
from app.services import audit
from tests import factories
from tests.browser.helpers import press, sign_in, tab_to, type_into

pytestmark = pytest.mark.browser


def test_a_supervisor_searches_the_log_by_reference(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    handler = factories.make_staff(Role.HANDLER, name="Hana Handler")
    audit.record(
        "record.viewed", staff_id=handler.id, resident_id=resident.id, purpose="Asked about rent"
    )
    factories.db.session.commit()
    supervisor = factories.make_staff(Role.SUPERVISOR)
    page = browser.new_context().new_page()
    sign_in(page, live_server, supervisor.email)

    page.goto(f"{live_server}/audit")
    expect(page.get_by_role("heading", name="Audit log", exact=True)).to_be_visible()
    check_accessibility(page)

    type_into(page, page.get_by_label("Resident's reference number"), resident.reference)
    type_into(page, page.locator("#date_from-day"), "31")
    type_into(page, page.locator("#date_from-month"), "2")
    type_into(page, page.locator("#date_from-year"), "2026")
    press(page, page.get_by_role("button", name="Search the audit log"))

    expect(page).to_have_title(re.compile("^Error: Audit log"))
    expect(page.get_by_role("link", name="The start date must be a real date")).to_be_visible()
    check_accessibility(page)

    for box in ("#date_from-day", "#date_from-month", "#date_from-year"):
        tab_to(page, page.locator(box))
        page.keyboard.press("Control+a")
        page.keyboard.press("Backspace")
    press(page, page.get_by_role("button", name="Search the audit log"))

    expect(page).to_have_url(re.compile(rf"/audit\?resident={resident.id}$"))
    table = page.get_by_role("table", name="Audit events")
    expect(table).to_contain_text("Asked about rent")
    expect(table).to_contain_text("Hana Handler")
    expect(table).to_contain_text(format_reference(resident.reference))
    expect(page.get_by_role("button", name="Download these events (CSV)")).to_be_visible()
    check_accessibility(page)
