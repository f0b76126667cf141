import pytest
from playwright.sync_api import Page, expect

from app.rules.vocabulary import Role
from tests import factories

pytestmark = pytest.mark.browser


def test_handler_signs_in_with_the_keyboard_and_lands_on_an_accessible_console(
    page: Page, live_server, check_accessibility
):
    factories.make_staff(Role.HANDLER, email="harriet@example.org", name="Harriet Handler")
    page.goto(f"{live_server}/login")
    check_accessibility(page)

    page.get_by_label("Email address").fill("harriet@example.org")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")

    expect(page.get_by_role("heading", name="Console")).to_be_visible()
    expect(page.get_by_text("Harriet Handler (Call handler)")).to_be_visible()
    check_accessibility(page)


def test_failed_sign_in_page_is_accessible_and_links_errors_to_fields(
    page: Page, live_server, check_accessibility
):
    factories.make_staff(Role.HANDLER, email="harriet@example.org")
    page.goto(f"{live_server}/login")

    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title("Error: Sign in \u2013 Caller verification")
    page.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    check_accessibility(page)
