"""A resident on a small phone writes a dispute, changes their answers and goes Back after
sending it, in Chromium with axe; and sign-in, the Calls page and the portal start with the
cursor in their first field.

With SCREENSHOTS set to a folder (`make screenshots`), each page of the dispute is also
saved there as a PNG, at 320 and 1280 px.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Dispute
from app.references import format_reference
from app.rules.vocabulary import Role
from tests import factories
from tests.browser.call_steps import expect_no_sideways_scroll
from tests.browser.helpers import (
    choose_radio,
    numbered_screenshots,
    press,
    sign_in,
    sign_in_to_portal,
    type_into,
)

pytestmark = pytest.mark.browser

WINDOWS = {
    "320px": {"width": 320, "height": 720},
    "375px": {"width": 375, "height": 812},
    "1280px": {"width": 1280, "height": 800},
}
STATEMENT = "I was away that week"


@pytest.mark.parametrize("window", WINDOWS)
def test_a_resident_changes_their_answers_then_goes_back_after_sending(
    browser: Browser, live_server, check_accessibility, window
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    factories.make_entry(resident, summary="Says the boiler is broken, send someone")
    context = browser.new_context(viewport=WINDOWS[window])
    page = context.new_page()
    screenshot = numbered_screenshots(page, "portal-dispute", window)

    def at_page(name: str) -> None:
        check_accessibility(page)
        expect_no_sideways_scroll(page)
        if window != "375px":
            screenshot(name)

    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")
    at_page("record")
    press(page, page.get_by_role("link", name="Say this is wrong"))
    expect(page.get_by_role("heading", name="Tell us this entry is wrong")).to_be_visible()
    at_page("form")
    press(page, page.get_by_role("button", name="Continue"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    at_page("form-errors")
    choose_radio(
        page, page.get_by_label("I didn't ask anyone to call"), page.get_by_label("This was a hoax")
    )
    type_into(page, page.get_by_label("Tell us what is wrong"), STATEMENT)
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    at_page("check")

    press(page, page.get_by_role("link", name="Change your answers"))

    expect(page.get_by_role("heading", name="Tell us this entry is wrong")).to_be_visible()
    expect(page.get_by_label("This was a hoax")).to_be_checked()
    expect(page.get_by_label("Tell us what is wrong")).to_have_value(STATEMENT)
    check_accessibility(page)
    statement = page.get_by_label("Tell us what is wrong")
    statement.focus()
    page.keyboard.press("End")
    page.keyboard.type(", and my neighbour can say so")
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_text(f"{STATEMENT}, and my neighbour can say so")).to_be_visible()
    press(page, page.get_by_role("button", name="Send my dispute"))
    expect(page.get_by_role("heading", name="Dispute sent")).to_be_visible()
    dispute = db.session.scalar(select(Dispute).where(Dispute.resident_id == resident.id))
    expect(page.locator(".govuk-panel")).to_contain_text(format_reference(dispute.reference))
    at_page("sent")

    page.go_back()

    expect(page.get_by_text("You have already told us this entry is wrong")).to_be_visible()
    check_accessibility(page)
    page.go_back()
    expect(page.get_by_role("heading", name="Tell us this entry is wrong")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Dispute)) == 1
    context.close()


def test_sign_in_the_calls_page_and_the_portal_start_in_their_first_field(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident()
    handler = factories.make_staff(Role.HANDLER)
    page = browser.new_page()

    page.goto(f"{live_server}/login")
    expect(page.get_by_label("Email address")).to_be_focused()
    check_accessibility(page)
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_label("Email address")).not_to_be_focused()

    sign_in(page, live_server, handler.email)
    page.goto(f"{live_server}/calls")
    expect(page.get_by_label("Caller's phone number")).to_be_focused()
    check_accessibility(page)

    resident_page = browser.new_page()
    resident_page.goto(f"{live_server}/portal")
    expect(resident_page.get_by_label("Reference number")).to_be_focused()
    resident_page.keyboard.type(resident.reference)
    resident_page.keyboard.press("Tab")
    resident_page.keyboard.type("14/03/1948")
    resident_page.keyboard.press("Enter")
    expect(resident_page.get_by_role("heading", name="Check your phone")).to_be_visible()
    expect(resident_page.get_by_label("Code from the text message")).to_be_focused()
    check_accessibility(resident_page)
    page.context.close()
    resident_page.context.close()


def test_the_idle_limit_warns_first_and_keeps_the_dispute_being_written(
    app, browser: Browser, live_server, check_accessibility, monkeypatch
):
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    factories.make_entry(resident, summary="Says the boiler is broken, send someone")
    page = browser.new_context(viewport=WINDOWS["320px"]).new_page()
    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")
    # From here a page lasts 16 seconds without a request, and warns for its last 8.
    monkeypatch.setitem(app.config, "PORTAL_IDLE_LIFETIME", timedelta(seconds=16))
    monkeypatch.setitem(app.config, "PORTAL_IDLE_WARNING", timedelta(seconds=8))
    press(page, page.get_by_role("link", name="Say this is wrong"))
    choose_radio(
        page, page.get_by_label("I didn't ask anyone to call"), page.get_by_label("This was a hoax")
    )
    type_into(page, page.get_by_label("Tell us what is wrong"), STATEMENT)
    warning = page.get_by_role("dialog", name="You are about to be signed out")

    expect(warning).to_be_visible(timeout=15_000)
    expect(warning.locator("[aria-live=polite]")).not_to_be_empty()
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    check_accessibility(page)
    page.keyboard.press("Enter")

    expect(warning).to_be_hidden()
    expect(page.get_by_label("Tell us what is wrong")).to_have_value(STATEMENT)
    expect(page.get_by_label("Tell us what is wrong")).to_be_focused()
    # No answer this time: the page signs out as the limit nears, keeping what was typed.
    # Kept only if "Stay signed in" moved the server's limit on: the page was drawn more than
    # 16 seconds before it signs out.
    expect(page.get_by_text("we kept what you were writing")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Sign in to see your council record")).to_be_visible()
    check_accessibility(page)

    monkeypatch.setitem(app.config, "PORTAL_IDLE_LIFETIME", timedelta(minutes=15))
    monkeypatch.setitem(app.config, "PORTAL_IDLE_WARNING", timedelta(minutes=2))
    sign_in_to_portal(page, live_server, resident.reference, "14/03/1948")
    press(page, page.get_by_role("link", name="Carry on with your dispute"))
    expect(page.get_by_label("This was a hoax")).to_be_checked()
    expect(page.get_by_label("Tell us what is wrong")).to_have_value(STATEMENT)
    page.context.close()
