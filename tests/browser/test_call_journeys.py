"""The live call, end to end in Chromium, from the keyboard only (issue 4, item 8).

After signing in, every step is taken with Tab, Shift+Tab, arrow keys, Space, Enter
and typing, as a handler with a headset on would. Locators are used only to check
where focus is and what the page says, never to click or fill. Every page and every
state after an htmx swap is checked with axe.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from app.rules.vocabulary import EntryCategory, Relationship, Role, Urgency
from tests import factories
from tests.browser.call_steps import (
    REPORTING,
    SAYING_WHO,
    VERIFYING,
    expect_step,
)
from tests.browser.helpers import (
    add_entry,
    choose_radio,
    press,
    settle,
    sign_in,
    someone_else_is_calling,
    start_call,
    tab_to,
    type_into,
)

pytestmark = pytest.mark.browser

# What a caller who is not verified must never hear, in every way the page could write it.
DATE_OF_BIRTH = date(1948, 3, 14)
DATE_OF_BIRTH_SHOWN = "14 March 1948"
POSTCODE = "LE1 5AB"
PHONE = "+447700900123"
EMAIL = "margaret.okafor@example.com"
EARLIER_ENTRY = "Asked for a council tax discount for a single occupier"
NEIGHBOUR_REPORT = "Water coming through the ceiling of the flat below Flat 2"
TEAM = "Emergency repairs"
INSTRUCTIONS = "Isolate the water supply to Flat 2 and check the ceiling below"


# --- arrange ---------------------------------------------------------------------------


def make_margaret():
    """The resident the calls are about, with an entry only a verified caller may hear."""
    margaret = factories.make_resident(
        forename="Margaret",
        surname="Okafor",
        date_of_birth=DATE_OF_BIRTH,
        address_line_1="Flat 2, 14 Mill Lane",
        postcode=POSTCODE,
        phones=[PHONE],
        email=EMAIL,
    )
    add_entry(
        margaret,
        area_code="council-tax",
        category=EntryCategory.ENQUIRY,
        summary=EARLIER_ENTRY,
        reporter_name="Margaret Okafor",
        reporter_relationship=Relationship.SELF,
        reporter_verified=True,
    )
    # Someone with a similar name elsewhere: the handler has to choose the right record.
    factories.make_resident(
        forename="Margaret",
        surname="Okafo",
        date_of_birth=date(1961, 7, 2),
        address_line_1="9 Station Road",
        postcode="LE2 7XY",
        phones=["+447700900777"],
    )
    return margaret


# --- steps -----------------------------------------------------------------------------


def find_and_select(page: Page, check_accessibility, typed: str, street: str) -> None:
    """Type into the search box (results come as you type) and select the record on `street`."""
    search = page.get_by_label("Find the resident's record")
    expect(search).to_be_focused()  # the box is ready for typing as soon as the call starts
    page.keyboard.type(typed)
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name=re.compile(r"found by"))).to_be_visible()
    settle(page)
    expect(search).to_be_focused()  # results arriving do not take focus from the box
    check_accessibility(page)
    assert_nothing_disclosed(page)  # results show name, street and outward postcode only

    press(page, results.get_by_role("button", name=re.compile(rf"^Select .*, {street}, ")))

    expect_step(page, SAYING_WHO)
    check_accessibility(page)
    assert_nothing_disclosed(page)


def caller_is_the_resident(page: Page, check_accessibility, then: list[str] = VERIFYING) -> None:
    """Record that the caller says they are the resident: a claim, still to be verified
    (`then`: the steps open next, the report straight away when phone verification is
    locked)."""
    resident = page.get_by_label("The resident", exact=True)
    press(page, resident, "Space")
    expect(resident).to_be_checked()
    press(page, page.get_by_role("button", name="Save who is calling"))

    expect_step(page, then)  # focus on the next step's heading
    expect(page.locator("#caller").get_by_role("status")).to_have_text("Saved: The resident")
    settle(page)
    check_accessibility(page)


def caller_says_she_is_margaret(
    page: Page, check_accessibility, number: str, *, via_menu: bool = True
) -> None:
    """A call from `number` (from the menu unless already on Calls): the handler finds
    Margaret's record, not her namesake's, and records that the caller says she is the
    resident, still to be verified."""
    start_call(page, check_accessibility, number, via_menu=via_menu)
    find_and_select(page, check_accessibility, "Margaret Okafor", "Mill Lane")
    caller_is_the_resident(page, check_accessibility)


def check_answers(page: Page, **answers: str) -> None:
    """Type what the caller says for each factor, then check the answers."""
    verify = page.locator("#verify")
    for label, typed in answers.items():
        type_into(page, verify.get_by_label(label, exact=True), typed)
    press(page, verify.get_by_role("button", name="Check answers"))

    # Focus goes to the heading of the step the handler is on next: the report once
    # verified, the questions again (with what matched) if not.
    settle(page)
    if page.locator("#verify-heading").count():
        expect(page.get_by_role("heading", name="3. Verify the caller")).to_be_focused()
    else:
        expect(page.get_by_role("heading", name="4. Log a report", exact=True)).to_be_focused()


def assert_nothing_disclosed(page: Page, phone: bool = True) -> None:
    """The page says nothing about the resident beyond what identifies the record.

    `phone=False` when the resident's own number is the caller ID the page shows.
    """
    html = page.content()
    digits = re.sub(r"[\s\-()]", "", html)
    for secret in (DATE_OF_BIRTH_SHOWN, "14/03/1948", "14/3/1948", "1948-03-14", EMAIL):
        assert secret not in html, f"{secret!r} disclosed on {page.url}"
    assert "1948" not in html, f"year of birth disclosed on {page.url}"
    assert POSTCODE not in html.upper(), f"postcode disclosed on {page.url}"
    assert "LE15AB" not in digits.upper(), f"postcode disclosed on {page.url}"
    if phone:
        assert "7700900123" not in digits, f"phone number disclosed on {page.url}"
    assert EARLIER_ENTRY not in html, f"an entry was disclosed on {page.url}"


# --- journeys --------------------------------------------------------------------------


def test_a_neighbour_reports_a_leak_and_help_is_sent_without_anything_disclosed(
    page: Page, live_server, check_accessibility
):
    make_margaret()
    handler = factories.make_staff(Role.HANDLER, name="Harriet Handler")
    sign_in(page, live_server, handler.email)

    start_call(page, check_accessibility, "07700 900555")
    assert_nothing_disclosed(page)

    find_and_select(page, check_accessibility, "margret okafer", "Mill Lane")
    record = page.locator("#record")
    expect(record).to_contain_text("Do not disclose: caller not verified")

    # Who is calling: someone else, a neighbour.
    someone_else_is_calling(page, "Pat Reynolds", "Neighbour")

    expect_step(page, REPORTING)  # never the resident's questions
    expect(page.locator("#caller")).to_contain_text(
        "Someone else calling about the resident (neighbour)"
    )
    settle(page)
    expect(record).to_contain_text("Do not disclose")
    check_accessibility(page)
    assert_nothing_disclosed(page)

    # Log an urgent housing report and send someone out, without verifying the caller.
    report = page.locator("#report")
    tab_to(page, report.get_by_label("Service area"))
    page.keyboard.type("Housing")
    expect(report.get_by_label("Service area")).to_have_value("housing")
    tab_to(page, report.get_by_label("What kind of report is it?"))
    page.keyboard.type("Repair")
    expect(report.get_by_label("What kind of report is it?")).to_have_value("repair")
    type_into(page, report.get_by_label("What did the caller report?"), NEIGHBOUR_REPORT)
    tab_to(page, report.get_by_label("Routine"))
    page.keyboard.press("ArrowRight")
    expect(report.get_by_label("Urgent", exact=True)).to_be_checked()
    press(page, report.get_by_label("Send someone out now"), "Space")
    expect(report.get_by_label("Send someone out now")).to_be_checked()
    type_into(page, report.get_by_label("Team to send"), TEAM)
    press(page, report.get_by_role("button", name="Log report"))

    # Forgot to say what the team should do: focus goes to the field, with its error.
    instructions = report.get_by_label("What should they do?")
    expect(instructions).to_be_focused()
    expect(report.locator(".govuk-error-message")).to_have_text(
        "Error: Enter what the team should do"
    )
    expect(report.get_by_label("Team to send")).to_have_value(TEAM)
    check_accessibility(page)
    assert_nothing_disclosed(page)

    page.keyboard.type(INSTRUCTIONS)
    press(page, report.get_by_role("button", name="Log report"))

    confirmation = report.get_by_role("status")
    expect(confirmation).to_contain_text(f"Report logged and {TEAM} sent")
    expect(confirmation).to_contain_text("Reported in good faith, not verified")
    # Read out once, by the live region; focus is on the step's heading, ready for the next.
    expect_step(page, REPORTING)
    # The form is blank again, so the report cannot be sent twice by accident.
    expect(report.get_by_label("What did the caller report?")).to_have_value("")
    expect(report.get_by_label("Send someone out now")).not_to_be_checked()
    settle(page)
    expect(record).to_contain_text("Do not disclose")
    # Logged, but not read back to the caller: the record shows nothing of it. Only the
    # handler's own end-of-call summary starts from what they typed, with help sent.
    expect(record).not_to_contain_text(NEIGHBOUR_REPORT)
    expect(page.get_by_label("Help sent")).to_be_checked()
    expect(page.get_by_label("Short summary")).to_have_value(
        f"Reported: {NEIGHBOUR_REPORT}\nSent: {TEAM}"
    )
    check_accessibility(page)
    assert_nothing_disclosed(page)

    # The dispatch is waiting for the team.
    press(page, page.get_by_role("link", name="Dispatches", exact=True), backwards=True)

    expect(page.get_by_role("heading", name="Open dispatches")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=INSTRUCTIONS)
    expect(row).to_contain_text(TEAM)
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("Reported in good faith, not verified")
    check_accessibility(page)
    assert_nothing_disclosed(page)


def test_the_resident_passes_verification_and_hears_their_record_with_the_neighbours_report(
    page: Page, live_server, check_accessibility
):
    margaret = make_margaret()
    add_entry(
        margaret,
        area_code="housing",
        category=EntryCategory.REPAIR,
        summary=NEIGHBOUR_REPORT,
        urgency=Urgency.URGENT,
        reporter_name="Pat Reynolds",
        reporter_number="+447700900555",
        reporter_relationship=Relationship.NEIGHBOUR,
        reporter_verified=False,
    )
    handler = factories.make_staff(Role.HANDLER)
    sign_in(page, live_server, handler.email)

    start_call(page, check_accessibility, "07700 900123")
    search = page.get_by_label("Find the resident's record")
    expect(search).to_be_focused()
    page.keyboard.type("Margaret Okafor")
    mill_lane = page.locator("#search-results .app-results__item").filter(has_text="Mill Lane")
    expect(mill_lane).to_contain_text("Caller ID matches a number on file")
    expect(mill_lane).to_contain_text("not proof of identity")
    settle(page)
    check_accessibility(page)
    assert_nothing_disclosed(page, phone=False)  # the caller ID is the resident's number
    press(page, mill_lane.get_by_role("button", name=re.compile(r"^Select ")))

    record = page.locator("#record")
    expect(record).to_contain_text("Do not disclose: caller not verified")
    check_accessibility(page)
    assert_nothing_disclosed(page, phone=False)
    caller_is_the_resident(page, check_accessibility)
    assert_nothing_disclosed(page, phone=False)

    # Dates and postcodes as a caller says them.
    check_answers(page, **{"Date of birth": "14th of March 1948", "Postcode": "le15ab"})

    expect(page.locator("#verify")).to_contain_text("Verified as the resident on this call")
    expect(record).to_contain_text("May discuss")
    for detail in ("Margaret Okafor", DATE_OF_BIRTH_SHOWN, "Flat 2, 14 Mill Lane", POSTCODE):
        expect(record).to_contain_text(detail)
    expect(record).to_contain_text("07700 900123")
    expect(record).to_contain_text(EMAIL)
    neighbours = record.locator(".app-entry").filter(has_text=NEIGHBOUR_REPORT)
    # What may be said to the caller: the neighbour by relationship, never by name.
    expect(neighbours).to_contain_text("Reported by a neighbour")
    expect(record).not_to_contain_text("Pat Reynolds")
    expect(neighbours).to_contain_text("Reported in good faith, not verified")
    own = record.locator(".app-entry").filter(has_text=EARLIER_ENTRY)
    expect(own).to_contain_text("Verified")
    expect(own).not_to_contain_text("not verified")
    check_accessibility(page)

    # Ending the call ends the verification.
    press(page, page.get_by_label("Resolved"), "Space")
    type_into(page, page.get_by_label("Short summary"), "Told her about the leak report")
    press(page, page.get_by_role("button", name="End call"))

    expect(
        page.get_by_text("Call ended. Verification for that call has ended too.")
    ).to_be_visible()
    expect(page.get_by_text("You have no open calls.")).to_be_visible()
    check_accessibility(page)
    assert_nothing_disclosed(page)


def test_three_failed_verifications_lock_the_record_for_the_next_handler_too(
    page: Page, new_context, live_server, check_accessibility
):
    make_margaret()
    first = factories.make_staff(Role.HANDLER, name="Harriet Handler")
    second = factories.make_staff(Role.HANDLER, name="Henry Handler")
    wrong = {"Date of birth": "1 1 1950", "Postcode": "LE1 1AA"}
    sign_in(page, live_server, first.email)
    verify = page.locator("#verify")

    # First call: the caller says she is Margaret, and fails twice.
    caller_says_she_is_margaret(page, check_accessibility, "07700 900888")
    for failures, left in ((1, 2), (2, 1)):
        check_answers(page, **wrong)

        expect(verify.get_by_role("listitem")).to_have_text(
            ["Date of birth: No match", "Postcode: No match"]
        )
        expect(verify).to_contain_text(
            f"Failed attempts for this resident in the last day: {failures}. "
            f"{left} more and phone verification locks."
        )
        expect(page.locator("#record")).to_contain_text("Do not disclose: caller not verified")
        check_accessibility(page)
        assert_nothing_disclosed(page)

    choose_radio(
        page, page.get_by_label("Resolved"), page.get_by_label("Caller could not be verified")
    )
    type_into(page, page.get_by_label("Short summary"), "Caller could not answer")
    press(page, page.get_by_role("button", name="End call"))
    expect(page.get_by_text("Call ended.")).to_be_visible()

    # The same caller rings again: the third failure locks phone verification.
    caller_says_she_is_margaret(page, check_accessibility, "07700 900888", via_menu=False)
    check_answers(page, **{"Date of birth": "2 February 1950", "Secret word": "rose"})

    expect(verify).to_contain_text(
        "Phone verification locked: 3 failed attempts in 24 hours. A supervisor must unlock it."
    )
    expect(verify.get_by_label("Date of birth")).to_have_count(0)
    expect(verify.get_by_role("button", name="Check answers")).to_have_count(0)
    check_accessibility(page)
    assert_nothing_disclosed(page)

    # Another handler, in another browser, opens a call on the same record.
    other = new_context().new_page()
    sign_in(other, live_server, second.email)
    start_call(other, check_accessibility, "07700 900999")
    find_and_select(other, check_accessibility, "Margaret Okafor", "Mill Lane")
    expect(other.locator("#record")).to_contain_text("phone verification is locked")
    caller_is_the_resident(other, check_accessibility, then=REPORTING)

    other_verify = other.locator("#verify")
    expect(other_verify).to_contain_text("Phone verification locked")
    expect(other_verify).to_contain_text("Do not verify this caller by phone")
    expect(other_verify.get_by_label("Date of birth")).to_have_count(0)
    expect(other_verify.get_by_role("button", name="Check answers")).to_have_count(0)
    expect(other.locator("#record")).to_contain_text("Do not disclose")
    assert_nothing_disclosed(other)
