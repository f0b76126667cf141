"""An attorney on the phone, end to end in Chromium (issue 5, item 6).

A daughter holding a Lasting Power of Attorney for property and financial affairs rings
about her father's council tax. She proves who she is with her own passcode, hears about
council tax and not about adult social care, and when a supervisor revokes the permission
during the call, the handler's next fetch of the record says "Do not disclose".

As in test_call_journeys.py the handler works from the keyboard only after signing in,
and every page and every state after an htmx swap is checked with axe, in both browsers.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from app import clock
from app.rules.dates import long_date
from app.rules.vocabulary import Role, ServiceArea
from tests import factories
from tests.browser.helpers import (
    choose_radio,
    press,
    settle,
    tab_to,
    type_into,
)
from tests.browser.journeys import desk_of, handler_takes_a_call

pytestmark = pytest.mark.browser

FATHER = "Samuel Adeyemi"
DATE_OF_BIRTH = date(1939, 11, 5)
POSTCODE = "LE3 9QP"
FATHER_PHONE = "+447700900321"
FATHER_EMAIL = "samuel.adeyemi@example.com"
DAUGHTER = "Dana Adeyemi"
DAUGHTER_PHONE_ON_FILE = "7700900456"  # the factory's; she rings from another number
EVIDENCE_REFERENCE = "LPA-2024-001"  # the factory's
LPA = "Lasting Power of Attorney (property and financial)"
COUNCIL_TAX_ENTRY = "Asked whether the single person discount still applies"
SOCIAL_CARE_ENTRY = "Care package review booked after a fall at home"
REVOCATION_REASON = "Mr Adeyemi rang to say the LPA has been cancelled by the court"


def make_father_with_his_daughters_lpa(supervisor):
    """The father, an entry in council tax and one in adult social care, and the daughter's
    LPA for property and financial affairs. Returns (father, permission, passcode)."""
    father = factories.make_resident(
        forename="Samuel",
        surname="Adeyemi",
        date_of_birth=DATE_OF_BIRTH,
        address_line_1="7 Orchard Close",
        postcode=POSTCODE,
        phones=[FATHER_PHONE],
        email=FATHER_EMAIL,
    )
    for area, summary in (
        (ServiceArea.COUNCIL_TAX, COUNCIL_TAX_ENTRY),
        (ServiceArea.ADULT_SOCIAL_CARE, SOCIAL_CARE_ENTRY),
    ):
        factories.make_enquiry(father, area.value, summary)
    # The factory's kind and relationship: a child's LPA for property and financial affairs.
    permission, passcode = factories.make_permission(father, name=DAUGHTER, supervisor=supervisor)
    return father, permission, passcode


def assert_nothing_disclosed(page: Page) -> None:
    """Nothing about the father beyond what identifies his record, and nothing about the
    daughter's permission beyond her name and its kind."""
    html = page.content()
    digits = re.sub(r"[\s\-()]", "", html)
    for secret in ("5 November 1939", "05/11/1939", "5/11/1939", "1939-11-05", FATHER_EMAIL):
        assert secret not in html, f"{secret!r} disclosed on {page.url}"
    assert "1939" not in html, f"year of birth disclosed on {page.url}"
    assert POSTCODE not in html.upper(), f"postcode disclosed on {page.url}"
    assert "7700900321" not in digits, f"the father's phone number disclosed on {page.url}"
    assert COUNCIL_TAX_ENTRY not in html, f"the council tax entry disclosed on {page.url}"
    assert SOCIAL_CARE_ENTRY not in html, f"the adult social care entry disclosed on {page.url}"
    assert EVIDENCE_REFERENCE not in html, f"the evidence reference shown on {page.url}"
    assert DAUGHTER_PHONE_ON_FILE not in digits, f"the daughter's phone shown on {page.url}"


def test_an_attorney_hears_about_council_tax_only_until_the_permission_is_revoked_mid_call(
    page: Page, new_context, live_server, check_accessibility
):
    supervisor = factories.make_staff(Role.SUPERVISOR, name="Sunita Supervisor")
    father, _permission, passcode = make_father_with_his_daughters_lpa(supervisor)
    handler = factories.make_staff(Role.HANDLER, name="Harriet Handler")

    # The daughter rings from her mobile; the handler finds her father's record.
    handler_takes_a_call(page, live_server, check_accessibility, handler, "07700 900654")
    search = page.get_by_label("Find the resident's record")
    expect(search).to_be_focused()
    page.keyboard.type(FATHER)
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name=re.compile(r"found by"))).to_be_visible()
    settle(page)
    check_accessibility(page)
    assert_nothing_disclosed(page)
    press(page, results.get_by_role("button", name=re.compile(r"^Select .*, Orchard Close, ")))

    expect(page.get_by_role("heading", name="2. Who is calling")).to_be_visible()
    record = page.locator("#record")
    expect(record).to_contain_text("Do not disclose: caller not verified")
    check_accessibility(page)
    assert_nothing_disclosed(page)

    # She says she has her father's permission: before she is verified, the handler sees
    # only who holds a permission and of what kind.
    choose_radio(
        page,
        page.get_by_label("The resident", exact=True),
        page.get_by_label("Someone with the resident's permission"),
    )
    held = page.get_by_label("Whose permission are they using?")
    expect(held.locator("option")).to_have_text(["Select a permission", f"{DAUGHTER} ({LPA})"])
    tab_to(page, held)
    page.keyboard.type("Dana")
    expect(held.locator("option:checked")).to_have_text(f"{DAUGHTER} ({LPA})")
    check_accessibility(page)
    assert_nothing_disclosed(page)
    press(page, page.get_by_role("button", name="Save who is calling"))

    expect(page.get_by_role("heading", name="3. Verify the caller")).to_be_focused()  # next step
    expect(page.locator("#caller").get_by_role("status")).to_have_text(
        "Saved: Someone with the resident's permission (son or daughter)"
    )
    settle(page)
    verify = page.locator("#verify")
    expect(verify.get_by_label("Representative's passcode")).to_be_visible()
    expect(verify.get_by_label("Date of birth")).to_have_count(0)  # never his questions
    expect(record).to_contain_text("Do not disclose: caller not verified")
    check_accessibility(page)
    assert_nothing_disclosed(page)

    # Her own passcode, as she reads it out.
    type_into(page, verify.get_by_label("Representative's passcode"), _as_said(passcode))
    press(page, verify.get_by_role("button", name="Check passcode"))

    expect(page.get_by_role("heading", name="4. Log a report")).to_be_focused()  # next step
    settle(page)
    expect(verify).to_contain_text(f"Verified as {DAUGHTER}, with the resident's permission")
    expect(record.locator("#disclosure-status")).to_have_text(
        f"May discuss benefits, council tax and housing: {LPA}, no expiry date"
    )
    expect(record.locator(".app-entry")).to_have_count(1)
    expect(record.locator(".app-entry")).to_contain_text(COUNCIL_TAX_ENTRY)
    expect(record).to_contain_text("Some entries are not shown")
    assert SOCIAL_CARE_ENTRY not in page.content()
    check_accessibility(page)

    # Meanwhile a supervisor, at her own desk, revokes the permission.
    desk = desk_of(new_context, live_server, supervisor)
    check_accessibility(desk)
    desk.goto(f"{live_server}/residents/{father.id}/permissions")
    expect(desk.get_by_role("heading", name="Who may speak for this resident")).to_be_visible()
    check_accessibility(desk)
    press(desk, desk.get_by_role("link", name=f"Revoke {DAUGHTER}'s permission"))

    expect(desk.get_by_role("heading", name=f"Revoke {DAUGHTER}'s permission")).to_be_visible()
    expect(desk.locator("main")).to_contain_text("This takes effect at once")
    check_accessibility(desk)
    # Without a reason, the page asks for one, and its error leads to the field.
    press(desk, desk.get_by_role("button", name="Revoke permission"))
    expect(desk).to_have_title(re.compile(r"^Error: Revoke permission"))
    check_accessibility(desk)
    press(desk, desk.get_by_role("link", name="Enter why the permission is being revoked"))
    reason = desk.get_by_label("Why is the permission being revoked?")
    expect(reason).to_be_focused()
    desk.keyboard.type(REVOCATION_REASON)
    press(desk, desk.get_by_role("button", name="Revoke permission"))

    expect(desk.get_by_role("heading", name="Who may speak for this resident")).to_be_visible()
    expect(desk.locator("main")).to_contain_text(
        "Permission revoked. It no longer applies, also on calls in progress."
    )
    card = desk.locator(".govuk-summary-card").filter(has_text=DAUGHTER)
    expect(card.locator(".govuk-tag").first).to_have_text("Revoked")
    expect(card).to_contain_text(REVOCATION_REASON)
    expect(desk.get_by_role("link", name=f"Revoke {DAUGHTER}'s permission")).to_have_count(0)
    check_accessibility(desk)

    # Back on the call: without a click, the record refuses disclosure and says why.
    page.bring_to_front()
    revoked = f"Do not disclose: permission revoked on {long_date(clock.today())}"
    expect(record.locator("#disclosure-status")).to_have_text(revoked, timeout=8_000)
    expect(page.get_by_role("alert").filter(has_text="Do not disclose.")).to_contain_text(
        ": the permission was revoked"
    )
    settle(page)
    # Drawn afresh, it says the same.
    page.reload()

    expect(record.locator("#disclosure-status")).to_have_text(revoked)
    expect(record.locator(".app-entry")).to_have_count(0)
    check_accessibility(page)
    assert_nothing_disclosed(page)


def _as_said(passcode: str) -> str:
    """A passcode as a caller reads it out and a handler types it: K7QM-4XRT is "k7qm 4xrt"."""
    return passcode.lower().replace("-", " ")
