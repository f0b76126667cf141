"""A newcomer's first ten minutes, in Chromium with axe: from the demo data, each role signs in
with the demo sign-ins `flask demo-data` prints, and reaches the demo's scenarios from the
console in a few steps, following what the console and the printed "Try this" list say."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.demo.cli import DEMO_STAFF
from app.services.staff import fetch_staff_by_email
from tests import factories
from tests.browser.helpers import press, settle

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "30"])
    assert result.exit_code == 0, result.output
    return result.output


def _sign_in_as(browser: Browser, live_server: str, role_label: str, check) -> Page:
    email, password = next((e, p) for e, _, role, p, _ in DEMO_STAFF if role.label == role_label)
    page = browser.new_context().new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password", exact=True).press("Enter")
    user = fetch_staff_by_email(email)
    if user.two_factor_enrolled:  # the demo's code, as `flask staff demo-code` prints it
        page.get_by_label("Code", exact=True).fill(factories.fresh_code(user))
        page.get_by_label("Code", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Console")).to_be_visible()
    check(page)
    return page


def _call_about(page: Page, number: str, name: str) -> None:
    """On Calls: start a call from `number`, search for `name` and select the record."""
    page.get_by_label("Caller's phone number").fill(number)
    page.get_by_label("Caller's phone number").press("Enter")
    expect(page.get_by_label("Find the resident's record")).to_be_focused()
    page.keyboard.type(name)
    select = page.locator("#search-results").get_by_role(
        "button", name=re.compile(rf"^Select {re.escape(name)}")
    )
    expect(select).to_be_visible()
    settle(page)
    press(page, select)
    expect(page.get_by_role("heading", name="2. Who is calling")).to_be_visible()


def test_a_handler_follows_the_try_this_list_to_a_representatives_call(
    browser: Browser, live_server, demo, check_accessibility
):
    # The printed list names the resident, the caller and her passcode.
    assert "Dana Okafor, Lasting Power of Attorney (property and financial)" in demo
    assert "passcode DANA-2345" in demo
    page = _sign_in_as(browser, live_server, "Call handler", check_accessibility)

    press(page, page.get_by_role("link", name=re.compile(r"^Go to calls")))
    _call_about(page, "07700 900456", "Margaret Okafor")
    page.get_by_label("Someone with the resident's permission").check()
    page.get_by_label("Whose permission are they using?").select_option(
        label="Dana Okafor (Lasting Power of Attorney (property and financial))"
    )
    press(page, page.get_by_role("button", name="Save who is calling"))
    settle(page)
    verify = page.locator("#verify")
    verify.get_by_label("Representative's passcode").fill("DANA-2345")
    press(page, verify.get_by_role("button", name="Check passcode"))
    settle(page)

    expect(page.locator("#disclosure-status")).to_contain_text(
        "May discuss benefits, council tax and housing"
    )
    check_accessibility(page)


def test_a_handler_finds_the_locked_record_and_the_unverified_reports(
    browser: Browser, live_server, demo, check_accessibility
):
    page = _sign_in_as(browser, live_server, "Call handler", check_accessibility)

    press(page, page.get_by_role("link", name="Records", exact=True))
    page.get_by_label("Search for a record").fill("Joan Whitby")
    page.get_by_label("Search for a record").press("Enter")
    expect(page.get_by_role("link", name=re.compile(r"^Joan Whitby"))).to_be_visible()
    check_accessibility(page)

    press(page, page.get_by_role("link", name="Calls", exact=True))
    _call_about(page, "07700 900501", "Brian Tolley")
    expect(page.locator("main")).to_contain_text("locked")
    check_accessibility(page)


def test_a_supervisor_reaches_each_review_from_the_console(
    browser: Browser, live_server, demo, check_accessibility
):
    page = _sign_in_as(browser, live_server, "Supervisor", check_accessibility)
    main = page.locator("main")
    expect(main).to_contain_text(
        re.compile("records with phone verification locked", re.IGNORECASE)
    )
    expect(main).to_contain_text(re.compile("disputes due soon or overdue", re.IGNORECASE))

    press(page, page.get_by_role("link", name=re.compile(r"^Review locked records")))
    expect(page.locator("main")).to_contain_text("Brian Tolley")
    check_accessibility(page)

    press(page, page.get_by_role("link", name="Console", exact=True))
    press(page, page.get_by_role("link", name=re.compile(r"^Go to disputes")))
    expect(page.locator("main").get_by_text("Overdue").first).to_be_visible()
    expect(page.locator("main").get_by_text("Due soon").first).to_be_visible()
    check_accessibility(page)

    press(page, page.get_by_role("link", name="Console", exact=True))
    press(page, page.get_by_role("link", name=re.compile(r"^Decide requests to share")))
    expect(page.locator("main")).to_contain_text("1 request waiting")
    check_accessibility(page)

    press(page, page.get_by_role("link", name="Permissions", exact=True))
    expect(page.locator("main")).to_contain_text("Karim Haddad")
    check_accessibility(page)


def test_an_administrator_sees_staff_accounts_from_the_console(
    browser: Browser, live_server, demo, check_accessibility
):
    page = _sign_in_as(browser, live_server, "Administrator", check_accessibility)
    expect(page.locator("main")).to_contain_text(
        re.compile("accounts that must set up two-factor sign-in and have not", re.IGNORECASE)
    )

    press(page, page.get_by_role("link", name=re.compile(r"^See who")))
    expect(page.locator("main")).to_contain_text("has set it up")
    press(page, page.get_by_role("link", name="Show every account"))
    expect(page.locator("main")).to_contain_text("supervisor@example.org")
    check_accessibility(page)
