"""Stretches of journeys that several browser tests walk the same way: a member of staff
signed in at a desk of their own, Margaret ringing and saying she is the resident, a code
read back, a dispute opened from the supervisor's queue.

Each step is taken from the keyboard and checked with axe, as in `helpers`.
"""

from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import DISPUTE_NAME, press, settle, sign_in, start_call, type_into
from tests.browser.test_call_journeys import caller_says_she_is_margaret, make_margaret


def desk_of(new_context: Callable[[], BrowserContext], live_server: str, user) -> Page:
    """A page in a browser context of its own (a session of its own), signed in as `user`."""
    page = new_context().new_page()
    sign_in(page, live_server, user.email)
    return page


def handler_takes_a_call(
    page: Page, live_server: str, check_accessibility, handler, number: str
) -> None:
    """`handler` signs in, goes to Calls from the menu and starts a call from `number`."""
    sign_in(page, live_server, handler.email)
    check_accessibility(page)
    start_call(page, check_accessibility, number)


def margaret_says_she_is_calling(
    page: Page, live_server: str, check_accessibility, number: str
) -> None:
    """Margaret (and a namesake) on file; a handler takes her call from `number`, finds her
    record and records that the caller says she is the resident, still to be verified."""
    make_margaret()
    sign_in(page, live_server, factories.make_staff(Role.HANDLER).email)
    check_accessibility(page)
    caller_says_she_is_margaret(page, check_accessibility, number)


def read_back_code(page: Page, code: str) -> None:
    """Type the code the caller reads back and check it."""
    verify = page.locator("#verify")
    type_into(page, verify.get_by_label("Code the caller reads back"), code)
    press(page, verify.get_by_role("button", name="Check code"))
    settle(page)


def code_verifies_the_resident(page: Page, check_accessibility, code: str) -> None:
    """The right code read back verifies the caller as the resident, and the record opens."""
    read_back_code(page, code)
    expect(page.locator("#verify")).to_contain_text("Verified as the resident on this call")
    expect(page.locator("#record")).to_contain_text("May discuss")
    check_accessibility(page)


def open_the_dispute_from_the_queue(
    browser: Browser, live_server: str, supervisor, check_accessibility
) -> Page:
    """A supervisor at a desk of their own opens the one open dispute from the queue."""
    office = desk_of(browser.new_context, live_server, supervisor)
    office.goto(f"{live_server}/disputes")
    check_accessibility(office)
    press(office, office.get_by_role("link", name=DISPUTE_NAME))
    return office
