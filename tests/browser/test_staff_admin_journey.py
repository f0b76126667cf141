"""An administrator adds a supervisor and sends them a set-password link; the supervisor sets
a password, sets up two-factor sign-in from the key on the page, and signs in with a code.
In Chromium, from the keyboard, with axe on every page."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from app import clock
from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import choose_radio, press, sign_in, type_into

pytestmark = pytest.mark.browser

PASSWORD = "lantern orchard pebble violet"


def _heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def _app_code(secret: str) -> str:
    """What the supervisor's authenticator app shows now."""
    return pyotp.TOTP(secret).at(clock.now())


def test_a_new_supervisor_is_added_sets_a_password_and_signs_in_with_a_code(
    browser: Browser, live_server, check_accessibility
):
    started = datetime.now(UTC).replace(microsecond=0)
    clock.set_now(started)
    admin = factories.make_staff(Role.ADMIN, name="Ada Administrator")
    office = browser.new_context().new_page()
    sign_in(office, live_server, admin.email)
    check_accessibility(office)

    # The administrator adds the supervisor.
    press(office, office.get_by_role("link", name="Staff", exact=True), backwards=True)
    _heading(office, "Staff")
    check_accessibility(office)
    press(office, office.get_by_role("button", name="Add a member of staff"))
    _heading(office, "Add a member of staff")
    check_accessibility(office)
    press(office, office.get_by_role("button", name="Add member of staff"))
    expect(office).to_have_title(re.compile("^Error: "))
    expect(office.get_by_text("Enter their full name").first).to_be_visible()
    check_accessibility(office)
    type_into(office, office.get_by_label("Full name"), "Sunita Patel")
    type_into(office, office.get_by_label("Email address"), "sunita.patel@example.org")
    choose_radio(
        office,
        office.get_by_role("radio", name="Call handler"),
        office.get_by_role("radio", name="Supervisor"),
    )
    press(office, office.get_by_role("checkbox", name="Housing"), key="Space")
    press(office, office.get_by_role("button", name="Add member of staff"))
    _heading(office, "Sunita Patel")
    expect(office.get_by_text("Not set yet").first).to_be_visible()
    check_accessibility(office)

    # ...and issues the link, shown once.
    press(office, office.get_by_role("link", name=re.compile("^Send a link to set a password")))
    _heading(office, "Send Sunita Patel a link to set a password")
    check_accessibility(office)
    press(office, office.get_by_role("button", name="Create the link"))
    _heading(office, "Link to set a password for Sunita Patel")
    check_accessibility(office)
    link = office.locator("#password-link").inner_text().strip()
    assert urlsplit(link).path.startswith("/set-password/")

    # The supervisor opens it and sets a password.
    desk = browser.new_context().new_page()
    desk.goto(link)
    _heading(desk, "Set your password")
    check_accessibility(desk)
    type_into(desk, desk.get_by_label("New password", exact=True), PASSWORD)
    type_into(desk, desk.get_by_label("Enter the new password again"), PASSWORD)
    press(desk, desk.get_by_role("button", name="Set password"))
    _heading(desk, "Sign in")
    expect(desk.get_by_text("Your password is set. Sign in with it")).to_be_visible()
    check_accessibility(desk)

    # Signing in takes them straight to setting up two-factor sign-in.
    type_into(desk, desk.get_by_label("Email address"), "sunita.patel@example.org")
    type_into(desk, desk.get_by_label("Password", exact=True), PASSWORD)
    desk.keyboard.press("Enter")
    _heading(desk, "Set up two-factor sign-in")
    expect(
        desk.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    check_accessibility(desk)
    secret = desk.locator("#two-factor-key").inner_text().replace(" ", "")
    type_into(desk, desk.get_by_label("Code from your authenticator app"), _app_code(secret))
    press(desk, desk.get_by_role("button", name="Continue"))
    expect(desk.get_by_role("heading", name="Two-factor sign-in is set up")).to_be_visible()
    expect(desk.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    check_accessibility(desk)
    press(desk, desk.get_by_role("link", name=re.compile("continue$")))
    _heading(desk, "Console")
    check_accessibility(desk)

    # Next time: the password, then a new code from the app.
    press(desk, desk.get_by_role("button", name="Sign out"), backwards=True)
    _heading(desk, "Sign in")
    clock.set_now(started + timedelta(seconds=60))
    type_into(desk, desk.get_by_label("Email address"), "sunita.patel@example.org")
    type_into(desk, desk.get_by_label("Password", exact=True), PASSWORD)
    desk.keyboard.press("Enter")
    _heading(desk, "Enter your code")
    check_accessibility(desk)
    type_into(desk, desk.get_by_label("Code", exact=True), _app_code(secret))
    press(desk, desk.get_by_role("button", name="Continue"))
    _heading(desk, "Console")
    expect(desk.get_by_text("Sunita Patel (Supervisor)")).to_be_visible()
    check_accessibility(desk)
