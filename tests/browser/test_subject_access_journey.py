"""A subject access request from start to finish, in Chromium with axe.

A father has given his daughter a Lasting Power of Attorney, and she was told about his record
on a call. A supervisor finds him by reference number, starts an export, watches it gather a
section at a time, downloads the zip, and opens its page: the disclosure log names the
daughter, who she is to him and the permission she was told under, and the page holds the
dispute he began in the portal and never sent. Every page (the export's own page too) is
checked with axe; the supervisor works from the keyboard after signing in.
"""

import re
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from app import clock
from app.extensions import db
from app.models import PortalSession, PortalSessionStatus
from app.models.staff import new_session_token
from app.references import format_reference
from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import press, sign_in, type_into
from tests.subject_access.helpers import representative_call_disclosed

pytestmark = pytest.mark.browser

DAUGHTER = "Dana Adeyemi"
UNSENT = "I never asked anyone to ring me"


def _signed_in_with_an_unsent_dispute(resident) -> None:
    """A sign-in to the portal that timed out while the resident was disputing an entry,
    the draft kept as the portal keeps it."""
    entry = factories.make_entry(resident)
    now = clock.now()
    db.session.add(
        PortalSession(
            token=new_session_token(),
            resident_id=resident.id,
            phone_number=resident.phones[0].number,
            created_at=now,
            expires_at=now + timedelta(minutes=10),
            signed_in_at=now,
            ended_at=now,
            status=PortalSessionStatus.ENDED,
            dispute_draft={"entry": entry.id, "reason": "did-not-ask", "statement": UNSENT},
        )
    )
    db.session.commit()


def _start_the_export(page: Page, request: str) -> None:
    """Say which request the export answers, and start it."""
    type_into(page, page.get_by_label("Which request does this export answer?"), request)
    press(page, page.get_by_role("button", name="Start the export"))


def test_a_supervisor_exports_a_record_whose_log_names_the_attorney_who_was_told(
    browser: Browser, live_server, check_accessibility, tmp_path
):
    father = factories.make_resident(forename="Samuel", surname="Adeyemi")
    supervisor = factories.make_staff(Role.SUPERVISOR)
    # The factory's kind and relationship: a child's LPA for property and financial affairs.
    permission, _ = factories.make_permission(father, name=DAUGHTER, supervisor=supervisor)
    representative_call_disclosed(father, permission, factories.make_staff(Role.HANDLER))
    _signed_in_with_an_unsent_dispute(father)
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server, supervisor.email)

    press(page, page.get_by_role("link", name="Subject access", exact=True), backwards=True)
    expect(page.get_by_role("heading", name="Subject access request")).to_be_visible()
    expect(page.get_by_text("You have not started any exports.")).to_be_visible()
    check_accessibility(page)

    reference = page.get_by_label("Resident's reference number")
    type_into(page, reference, "ABCD")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: Subject access request"))
    expect(
        page.get_by_role("link", name=re.compile("Enter a reference number like"))
    ).to_be_visible()
    check_accessibility(page)

    reference.fill("")
    type_into(page, reference, format_reference(father.reference))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Start a subject access export")).to_be_visible()
    expect(page.get_by_text("Samuel Adeyemi, record ending")).to_be_visible()
    check_accessibility(page)

    press(page, page.get_by_role("button", name="Start the export"))
    expect(page).to_have_title(re.compile(r"^Error: Start a subject access export"))
    check_accessibility(page)
    _start_the_export(page, "Letter from Mr Adeyemi received on 1 November")

    expect(page.get_by_role("heading", name="Subject access export")).to_be_visible()
    expect(page.get_by_role("heading", name="The export is ready")).to_be_visible()
    expect(page.get_by_text("All 11 sections gathered")).to_be_visible()
    check_accessibility(page)

    with page.expect_download() as downloading:
        press(page, page.get_by_role("link", name="Download the export (zip file)"))
    saved = tmp_path / "export.zip"
    downloading.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert sorted(archive.namelist()) == ["data.json", "index.html"]
        archive.extractall(tmp_path / "export")

    page.goto((tmp_path / "export" / "index.html").as_uri())
    expect(page.get_by_role("heading", name="Information we hold about you")).to_be_visible()
    log = page.get_by_role("table", name="When we discussed your information, and with whom")
    expect(log).to_contain_text(f"Your son or daughter, {DAUGHTER}")
    expect(log).to_contain_text("Under your Lasting Power of Attorney (property and financial)")
    unsent = page.get_by_role("table", name="A dispute you were writing and did not send")
    expect(unsent).to_contain_text(UNSENT)
    check_accessibility(page)
    context.close()


def test_without_htmx_the_export_is_gathered_a_section_at_a_press(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident()
    supervisor = factories.make_staff(Role.SUPERVISOR)
    context = browser.new_context()
    # htmx never loads (axe, a script itself, still runs): the page must work without it.
    context.route(re.compile(r"/htmx\.min\.js$"), lambda route: route.abort())
    page = context.new_page()
    sign_in(page, live_server, supervisor.email)

    page.goto(f"{live_server}/subject-access/residents/{resident.id}")
    _start_the_export(page, "Email from the resident received on 2 November")
    expect(page.get_by_role("heading", name="Gathering the export")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "0")
    expect(page.locator("label[for=export-bar]")).to_have_text("0 of 11 sections")
    check_accessibility(page)

    press(page, page.get_by_role("button", name="Gather the next section"))
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "1")
    expect(page.locator("label[for=export-bar]")).to_have_text("1 of 11 sections")
    expect(page.get_by_text("Your details: gathered (1 item)")).to_be_visible()
    check_accessibility(page)
    context.close()
