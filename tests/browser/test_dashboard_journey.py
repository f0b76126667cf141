"""The supervisors' dashboard in Chromium with axe, populated and empty, with the unlock link
working from it."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from app import clock
from app.rules.vocabulary import DisputeStatus, Relationship, Role
from app.services import disputes
from tests import factories
from tests.browser.helpers import press, sign_in
from tests.services.test_cross_record import fail_on, residents

pytestmark = pytest.mark.browser


def test_a_supervisor_reads_the_dashboard_and_goes_to_unlock_a_record(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    for _ in range(3):
        fail_on(resident, number="+447700900555", hours_ago=0)
    for other in residents(3):
        fail_on(other)
    supervisor = factories.make_staff(Role.SUPERVISOR)
    dispute = factories.make_dispute(resident)
    disputes.decide_dispute(dispute, DisputeStatus.UPHELD, "Hoax", 0, supervisor, now=clock.now())
    factories.make_dispute(resident)
    for days, relationship in [(1, Relationship.NEIGHBOUR), (9, Relationship.CHILD)]:
        factories.make_entry(
            resident,
            reporter_relationship=relationship,
            created_at=clock.now() - timedelta(days=days),
        )
    page = browser.new_context().new_page()
    sign_in(page, live_server, supervisor.email)

    page.goto(f"{live_server}/dashboard")

    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(
        page.get_by_role("table", name="Third-party reports by relationship and week")
    ).to_be_visible()
    expect(page.get_by_role("table", name="Numbers with hoax strikes")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("link", name=re.compile("^Unlock phone verification for Olive")))
    expect(page).to_have_url(re.compile(rf"/locks/{resident.id}/unlock$"))
    check_accessibility(page)


def test_an_empty_dashboard_is_accessible_too(browser: Browser, live_server, check_accessibility):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    page = browser.new_context().new_page()
    sign_in(page, live_server, supervisor.email)

    page.goto(f"{live_server}/dashboard")

    expect(page.get_by_text("No third-party reports in the last 12 weeks.")).to_be_visible()
    check_accessibility(page)


def test_an_administrator_reads_the_dashboard_without_links_to_supervisors_pages(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    for _ in range(3):
        fail_on(resident, number="+447700900555", hours_ago=0)
    factories.make_dispute(resident)
    admin = factories.make_staff(Role.ADMIN)
    page = browser.new_context().new_page()
    sign_in(page, live_server, admin.email)

    page.goto(f"{live_server}/dashboard")

    expect(page.get_by_role("table", name="Records with phone verification locked")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Unlock"))).to_have_count(0)
    expect(page.get_by_role("link", name="Go to the disputes queue")).to_have_count(0)
    check_accessibility(page)
