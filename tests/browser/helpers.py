"""What every browser journey does: arrange entries, and drive the page from the keyboard.

Locators are used only to check where focus is and what the page says, never to
click or fill (sign-in excepted: the journeys start once the handler is at work).
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from app.extensions import db
from app.models import Entry
from app.rules.vocabulary import Urgency
from tests import factories

# --- arrange ---------------------------------------------------------------------------


def add_entry(resident, **values) -> Entry:
    values.setdefault("urgency", Urgency.ROUTINE)
    entry = Entry(resident_id=resident.id, is_sensitive=False, **values)
    db.session.add(entry)
    db.session.commit()
    return entry


# A dispute as residents and staff name it: "Dispute ABCD-EFGH-JKM".
DISPUTE_NAME = re.compile(r"^Dispute [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}$")


# A phone's window, as the portal's residents mostly see it.
PHONE = {"width": 375, "height": 812}


def phone_page(browser: Browser) -> Page:
    """A page in a browser context of its own on a phone: its window, touch, a mobile browser."""
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


# --- keyboard --------------------------------------------------------------------------


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until `target` has focus, failing if it is never reached."""
    expect(target).to_be_visible()
    element = target.element_handle()
    if page.evaluate("el => el === document.activeElement", element):
        return  # the page put the cursor there already
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("el => el === document.activeElement", element):
            return
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(f"{key} x{limit} never reached {target}; focus is on {focused}")


def type_into(page: Page, field: Locator, text: str, **tab) -> None:
    """Tab to a field and type into it, as the handler would."""
    tab_to(page, field, **tab)
    page.keyboard.type(text)
    expect(field).to_have_value(text)


def press(page: Page, button: Locator, key: str = "Enter", **tab) -> None:
    tab_to(page, button, **tab)
    page.keyboard.press(key)


def choose_radio(page: Page, first: Locator, choice: Locator, limit: int = 10) -> None:
    """Tab into a group of radios at `first`, then press the down arrow until `choice`
    is chosen, as a keyboard user moves through radios."""
    tab_to(page, first)
    element = choice.element_handle()
    for _ in range(limit):
        if page.evaluate("el => el === document.activeElement", element):
            break
        page.keyboard.press("ArrowDown")
    expect(choice).to_be_focused()
    expect(choice).to_be_checked()


def settle(page: Page) -> None:
    """Wait until htmx has no request in flight and nothing left to swap or settle."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


# --- screenshots -----------------------------------------------------------------------

# A folder to save pages in for review (`make screenshots`); unset, nothing is saved.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def save_screenshot(page: Page, name: str) -> None:
    """Save the whole page as it is now as `name`.png in the SCREENSHOTS folder, when set."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def numbered_screenshots(page: Page, journey: str, window: str) -> Callable[[str], None]:
    """What saves each page of a journey in turn, named in the order they were reached
    (`{journey}-{n}-{name}-{window}.png`), so the folder reads as the journey does."""
    taken = []

    def save(name: str) -> None:
        taken.append(name)
        save_screenshot(page, f"{journey}-{len(taken)}-{name}-{window}")

    return save


# --- steps -----------------------------------------------------------------------------


def sign_in(page: Page, live_server: str, email: str) -> None:
    """Sign in with the password and, when the account is enrolled in two-factor sign-in,
    the code its authenticator app shows now."""
    from app.services.staff import fetch_staff_by_email

    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    user = fetch_staff_by_email(email)
    if user is not None and user.two_factor_enrolled:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code", exact=True).fill(factories.fresh_code(user))
        page.get_by_label("Code", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Console")).to_be_visible()


def start_call(page: Page, check_accessibility, number: str, via_menu: bool = True) -> None:
    """Go to Calls from the menu (unless already there) and start a call from `number`."""
    if via_menu:
        press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)
    expect(page.get_by_role("heading", name="Calls", exact=True)).to_be_visible()
    check_accessibility(page)

    type_into(page, page.get_by_label("Caller's phone number"), number)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile(r"^Call from "))).to_be_visible()
    check_accessibility(page)


def someone_else_is_calling(page: Page, name: str, relationship: str) -> None:
    """Record on the call that someone else is calling about the resident: their name, and
    their relationship typed to pick it from the list; then save."""
    choose_radio(
        page,
        page.get_by_label("The resident", exact=True),
        page.get_by_label("Someone else calling about the resident"),
    )
    type_into(page, page.get_by_label("Caller's name (if given)"), name)
    chosen = page.get_by_label("Relationship to the resident")
    tab_to(page, chosen)
    page.keyboard.type(relationship)
    expect(chosen).to_have_value(relationship.lower())
    press(page, page.get_by_role("button", name="Save who is calling"))


def error_leads_to_field(
    page: Page, check_accessibility, *, button: str, title: str, error: str, field: str
) -> None:
    """Sent without an answer, the form comes back titled as an error, and following the
    error's link puts the cursor in the field that needs the answer."""
    press(page, page.get_by_role("button", name=button))
    expect(page).to_have_title(re.compile(f"^Error: {re.escape(title)}"))
    press(page, page.get_by_role("link", name=re.compile(re.escape(error))))
    expect(page.get_by_label(field)).to_be_focused()
    check_accessibility(page)


def sign_in_to_portal(page: Page, live_server: str, reference: str, born: str) -> None:
    """A resident signs in to the portal with their reference, date of birth and the code
    texted to them (read from the console backend's copy)."""
    from tests.portal.helpers import console_code

    page.goto(f"{live_server}/portal")
    type_into(page, page.get_by_label("Reference number"), reference)
    type_into(page, page.get_by_label("Date of birth"), born)
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Check your phone")).to_be_visible()
    type_into(page, page.get_by_label("Code from the text message"), console_code())
    press(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", name="Your council record")).to_be_visible()
