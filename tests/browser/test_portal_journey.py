"""A resident on a phone signs in to the portal and disputes a neighbour's report as a hoax,
in Chromium with axe on every page: the reference number and date of birth, the code sent by
text (read from the console backend's copy), the record, the dispute with check your answers,
and the confirmation with the dispute reference and the date we will respond by."""

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Dispute
from app.rules.vocabulary import DisputeReason, DisputeStatus, EntryStatus, Role
from app.services import disputes
from tests import factories
from tests.browser.helpers import choose_radio, press, sign_in_to_portal, type_into
from tests.portal.helpers import console_code

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def test_a_resident_on_a_phone_disputes_a_neighbours_report_as_a_hoax(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    factories.make_entry(
        resident, summary="Says the boiler is broken, send someone", reporter_name="Pat Smith"
    )
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()

    page.goto(f"{live_server}/portal")
    expect(page.get_by_role("heading", name="Sign in to see your council record")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Continue"))
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    check_accessibility(page)
    type_into(page, page.get_by_label("Reference number"), resident.reference.lower())
    type_into(page, page.get_by_label("Date of birth"), "14 March 1948")
    press(page, page.get_by_role("button", name="Continue"))

    expect(page.get_by_role("heading", name="Check your phone")).to_be_visible()
    check_accessibility(page)
    type_into(page, page.get_by_label("Code from the text message"), console_code())
    press(page, page.get_by_role("button", name="Sign in"))

    expect(page.get_by_role("heading", name="Your council record")).to_be_visible()
    expect(page.get_by_text("Says the boiler is broken, send someone")).to_be_visible()
    expect(page.get_by_text("Pat Smith")).to_have_count(0)
    check_accessibility(page)
    press(page, page.get_by_role("link", name=re.compile("^Say this is wrong")))

    expect(page.get_by_role("heading", name="Tell us this entry is wrong")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Continue"))
    expect(page).to_have_title(re.compile(r"^Error: Tell us this entry is wrong"))
    check_accessibility(page)
    choose_radio(
        page, page.get_by_label("I didn't ask anyone to call"), page.get_by_label("This was a hoax")
    )
    type_into(page, page.get_by_label("Tell us what is wrong"), "I was away that week")
    press(page, page.get_by_role("button", name="Continue"))

    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.get_by_text("This was a hoax")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Send my dispute"))

    expect(page.get_by_role("heading", name="Dispute sent")).to_be_visible()
    db.session.expire_all()
    dispute = db.session.scalar(select(Dispute).where(Dispute.resident_id == resident.id))
    expect(page.locator(".govuk-panel")).to_contain_text(str(dispute.id))
    due = f"{dispute.due_on.day} {dispute.due_on:%B %Y}"
    expect(page.get_by_text(due)).to_be_visible()
    assert dispute.entry.status is EntryStatus.DISPUTED
    check_accessibility(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"

    press(page, page.get_by_role("link", name="Back to your record"))
    expect(page.get_by_text("You told us this is wrong")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Sign out"), backwards=True)
    expect(page.get_by_text("You have signed out")).to_be_visible()
    check_accessibility(page)


def test_a_resident_on_a_phone_takes_a_permission_away_and_reads_a_decision(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    factories.make_permission(resident, name="Dana Tranter")
    entry = factories.make_entry(resident)
    dispute = disputes.open_dispute_from_portal(resident.id, entry.id, DisputeReason.HOAX, "No")
    supervisor = factories.make_staff(Role.SUPERVISOR)
    disputes.decide_dispute(
        dispute, DisputeStatus.NOT_UPHELD, "Our team found a leak", 0, supervisor
    )
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")

    press(page, page.get_by_role("link", name="Take away Dana Tranter's permission"))
    expect(page.get_by_role("heading", name="Take away Dana Tranter's permission?")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Yes, take this permission away"))
    expect(page.get_by_text("Permission taken away")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    check_accessibility(page)

    press(page, page.get_by_role("link", name=f"Dispute {dispute.id}"))
    expect(page.get_by_text("Our team found a leak")).to_be_visible()
    expect(page.get_by_text("Information Commissioner")).to_be_visible()
    check_accessibility(page)


def test_a_resident_whose_number_changed_lands_on_the_sign_in_page_told_why(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")

    resident.phones[0].number = "+447700900999"  # changed by staff, by any path
    db.session.commit()
    page.reload()

    expect(page.get_by_role("heading", name="Sign in to see your council record")).to_be_visible()
    expect(
        page.get_by_text("You have been signed out because the details we use to check it is you")
    ).to_be_visible()
    check_accessibility(page)
