"""A supervisor reads the texts sent to residents on the Messages page, from the keyboard.

Without Twilio the console backend sends them; the page says so. Every state is checked with
axe, and the number shows only its last 3 digits.
"""

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.rules.vocabulary import MessageKind, Role
from app.services import outbox
from tests import factories
from tests.browser.helpers import press, sign_in

pytestmark = pytest.mark.browser


def test_a_supervisor_sees_the_texts_sent_to_residents(
    page: Page, live_server, check_accessibility
):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    sign_in(page, live_server, supervisor.email)
    press(page, page.get_by_role("link", name="Messages", exact=True), backwards=True)
    expect(page.get_by_role("heading", name="Messages", exact=True)).to_be_visible()
    expect(page.get_by_text("No messages yet")).to_be_visible()
    check_accessibility(page)

    resident = factories.make_resident(phones=["+447700900123"])
    outbox.queue_report_made(resident)
    db.session.commit()
    outbox.send_all_due()
    page.reload()

    row = page.get_by_role("row", name="Number ending 123")
    expect(row).to_contain_text(MessageKind.REPORT_MADE.label)
    expect(row).to_contain_text("Sent")
    expect(page.get_by_text("Twilio is not set up")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("07700 900123")
    check_accessibility(page)
