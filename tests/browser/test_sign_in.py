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


def test_an_account_tried_from_many_addresses_asks_to_wait_on_an_accessible_page(
    page: Page, app, live_server, check_accessibility, monkeypatch
):
    from tests.helpers import sign_in

    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ACCOUNT", "2 per 15 minutes")
    user = factories.make_staff(Role.HANDLER, email="harriet@example.org")
    for n in range(2):
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        sign_in(elsewhere, user, password="wrong")
    page.goto(f"{live_server}/login")

    for _ in range(2):
        page.get_by_label("Email address").fill("harriet@example.org")
        page.get_by_label("Password", exact=True).fill("not the password")
        page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title("Error: Sign in \u2013 Caller verification")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "There have been many attempts to sign in to this account. Wait"
    )
    check_accessibility(page)
