"""A resident on a phone signs in to the portal and disputes a neighbour's report as a hoax,
in Chromium with axe on every page: the reference number and date of birth, the code sent by
text (read from the console backend's copy), the record, the dispute with check your answers,
and the confirmation with the dispute reference and the date we will respond by. Then consent
taken away at once, and a Lasting Power of Attorney the resident asks us to end, decided by a
supervisor at a desk of their own."""

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuthorityEndRequest, Dispute, OutboxMessage, Permission
from app.references import format_reference
from app.rules.vocabulary import (
    AuthorityEndStatus,
    DisputeReason,
    DisputeStatus,
    EntryStatus,
    MessageKind,
    PermissionKind,
    Role,
)
from app.services import disputes
from tests import factories
from tests.browser.call_steps import expect_no_sideways_scroll
from tests.browser.helpers import choose_radio, phone_page, press, sign_in_to_portal, type_into
from tests.browser.journeys import desk_of
from tests.portal.helpers import console_code

pytestmark = pytest.mark.browser


def test_a_resident_on_a_phone_disputes_a_neighbours_report_as_a_hoax(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    factories.make_entry(
        resident, summary="Says the boiler is broken, send someone", reporter_name="Pat Smith"
    )
    page = phone_page(browser)

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
    expect(page.locator(".govuk-panel")).to_contain_text(format_reference(dispute.reference))
    due = f"{dispute.due_on.day} {dispute.due_on:%B %Y}"
    expect(page.get_by_text(due)).to_be_visible()
    assert dispute.entry.status is EntryStatus.DISPUTED
    check_accessibility(page)
    expect_no_sideways_scroll(page)

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
    factories.make_permission(resident, name="Dana Tranter", kind=PermissionKind.WRITTEN)
    entry = factories.make_entry(resident)
    dispute = disputes.open_dispute_from_portal(
        resident.id, entry.id, DisputeReason.HOAX, "No", now=clock.now()
    )
    supervisor = factories.make_staff(Role.SUPERVISOR)
    disputes.decide_dispute(
        dispute, DisputeStatus.NOT_UPHELD, "Our team found a leak", 0, supervisor, now=clock.now()
    )
    page = phone_page(browser)
    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")

    press(page, page.get_by_role("link", name="Take away Dana Tranter's permission"))
    expect(page.get_by_role("heading", name="Take away Dana Tranter's permission?")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Yes, take this permission away"))
    expect(page.get_by_text("Permission taken away")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    check_accessibility(page)

    press(page, page.get_by_role("link", name=f"Dispute {format_reference(dispute.reference)}"))
    expect(page.get_by_text("Our team found a leak")).to_be_visible()
    expect(page.get_by_text("Information Commissioner")).to_be_visible()
    check_accessibility(page)


def test_in_production_without_a_text_service_the_portal_says_how_to_reach_the_council(
    browser: Browser, live_server, check_accessibility, production
):
    page = phone_page(browser)

    page.goto(f"{live_server}/portal")

    expect(page.get_by_role("heading", name="Sign in to see your council record")).to_be_visible()
    expect(page.get_by_text("You cannot sign in online at the moment")).to_be_visible()
    expect(page.get_by_text("the phone number on our website")).to_be_visible()
    expect(page.get_by_label("Reference number")).to_have_count(0)


def test_a_resident_asks_us_to_end_an_lpa_and_a_supervisor_ends_it(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    permission, _ = factories.make_permission(resident, name="Dana Tranter")
    supervisor = factories.make_staff(Role.SUPERVISOR, name="Sunita Supervisor")
    page = phone_page(browser)
    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")
    expect(page.get_by_role("link", name=re.compile(r"^Take away"))).to_have_count(0)

    press(page, page.get_by_role("link", name=re.compile(r"^Ask us to end this")))
    expect(
        page.get_by_role("heading", name=re.compile(r"^Ask us to end Dana Tranter"))
    ).to_be_visible()
    expect(page.get_by_text("made under the law, not by the council")).to_be_visible()
    check_accessibility(page)
    type_into(page, page.get_by_label("Anything you want us to know (optional)"), "Call after 6pm")
    press(page, page.get_by_role("button", name="Continue"))

    expect(page.get_by_role("heading", name="Check your request")).to_be_visible()
    expect(page.get_by_text("Call after 6pm")).to_be_visible()
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Send my request"))

    expect(page.get_by_role("heading", name="We have your request")).to_be_visible()
    db.session.expire_all()
    asked = db.session.scalar(select(AuthorityEndRequest))
    expect(page.locator(".govuk-panel")).to_contain_text(str(asked.id))
    assert db.session.get(Permission, permission.id).revoked_at is None
    check_accessibility(page)
    expect_no_sideways_scroll(page)
    press(page, page.get_by_role("link", name="Back to your record"))
    expect(page.get_by_text("you asked us to end this. We will contact you")).to_be_visible()
    check_accessibility(page)

    # A supervisor at a desk of their own finds it from the console and decides it.
    office = desk_of(browser.new_context, live_server, supervisor)
    press(office, office.get_by_role("link", name=re.compile(r"^Decide requests to end")))
    expect(office.get_by_role("heading", name="Requests to end a legal authority")).to_be_visible()
    check_accessibility(office)
    press(office, office.get_by_role("link", name=f"Request {asked.id}"))
    expect(office.locator("main")).to_contain_text("Call after 6pm")
    check_accessibility(office)
    end_it = office.get_by_label(re.compile(r"End the permission now"))
    press(office, end_it, "Space")
    expect(end_it).to_be_checked()
    type_into(office, office.get_by_label("Reason for your decision"), "Spoke to Olive alone")
    press(office, office.get_by_role("button", name="Record the decision"))
    expect(office).to_have_title(re.compile(r"^Error: Request"))
    expect(office.locator("#checks-error")).to_contain_text("without the holder there")
    check_accessibility(office)
    for check in (
        r"I spoke to the resident without the holder there",
        r"I told the holder",
        r"I told the Office of the Public Guardian",
    ):
        box = office.get_by_label(re.compile(check))
        press(office, box, "Space")
        expect(box).to_be_checked()
    press(office, office.get_by_role("button", name="Record the decision"))
    expect(office.get_by_role("alert", name="Success")).to_contain_text("Decision recorded")
    expect(office.locator("main")).to_contain_text("Ended on the resident's request")
    check_accessibility(office)

    db.session.expire_all()
    assert db.session.get(AuthorityEndRequest, asked.id).status is AuthorityEndStatus.ENDED
    assert db.session.get(Permission, permission.id).revoked_at is not None
    told = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.AUTHORITY_END_DECIDED)
    )
    assert "Dana" not in told.body
    page.reload()
    expect(page.get_by_text("ended on the resident's request")).to_be_visible()


def test_a_resident_whose_number_changed_lands_on_the_sign_in_page_told_why(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    page = phone_page(browser)
    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")

    resident.phones[0].number = "+447700900999"  # changed by staff, by any path
    db.session.commit()
    page.reload()

    expect(page.get_by_role("heading", name="Sign in to see your council record")).to_be_visible()
    expect(
        page.get_by_text("You have been signed out because the details we use to check it is you")
    ).to_be_visible()
    check_accessibility(page)
