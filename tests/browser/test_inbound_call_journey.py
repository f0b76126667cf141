"""The whole Twilio journey in Chromium: a signed inbound call pops up, the handler takes it,
verifies the caller with a code sent by text (through Twilio Verify), logs what she reports,
and the resident is sent exactly one text about it (through Twilio's Messages API).

Twilio is the fake HTTP client: every request the app makes to it is recorded, none leaves the
machine. Every state is checked with axe.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from app.rules.vocabulary import Role
from app.services import outbox
from tests import factories
from tests.browser.helpers import press, settle, sign_in, tab_to, type_into
from tests.browser.journeys import code_verifies_the_resident
from tests.browser.test_call_journeys import caller_is_the_resident, find_and_select, make_margaret
from tests.browser.test_screen_pop_journey import POLL_SECONDS, twilio_posts
from tests.telephony.fake_twilio import APPROVED_CODE
from tests.telephony.test_voice_webhooks import INCOMING

pytestmark = pytest.mark.browser

VERIFY_SERVICE = "VA" + "0" * 32
MARGARETS_MOBILE = "+447700900123"
# She rings from a friend's phone: caller ID is a hint, and the code goes to her own mobile.
A_FRIENDS_PHONE = "+447700900555"
INBOUND_CALL = {**INCOMING, "CallSid": "CA" + "c" * 32, "From": A_FRIENDS_PHONE}


def test_an_inbound_call_is_taken_verified_by_text_and_its_report_texts_the_resident_once(
    page: Page, live_server, app, fake_twilio, monkeypatch, check_accessibility
):
    monkeypatch.setitem(app.config, "TWILIO_VERIFY_SERVICE_SID", VERIFY_SERVICE)
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", "MG" + "0" * 32)
    make_margaret()
    handler = factories.make_staff(Role.HANDLER)
    sign_in(page, live_server, handler.email)
    press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)

    # The call comes in through Twilio and pops up without a reload.
    twilio_posts(app, live_server, "/twilio/voice", INBOUND_CALL)
    waiting = page.locator("#waiting-calls")
    expect(waiting.get_by_role("row", name=re.compile("07700 900555"))).to_be_visible(
        timeout=(POLL_SECONDS * 2 + 2) * 1000
    )
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Take call from 07700 900555"), backwards=True)
    expect(page.get_by_role("heading", name="Call from 07700 900555")).to_be_visible()

    # The caller says she is Margaret; a code goes to her mobile on file, through Verify.
    find_and_select(page, check_accessibility, "Margaret Okafor", "Mill Lane")
    caller_is_the_resident(page, check_accessibility)
    verify = page.locator("#verify")
    ending = verify.get_by_label("Number ending 123 (mobile)")
    press(page, ending, "Space")
    press(page, verify.get_by_role("button", name="Send a code by text"))
    settle(page)
    expect(verify).to_contain_text("Code sent by text to the number ending 123")
    sent_codes = fake_twilio.sent("/Verifications")
    assert [r.data.get("To") for r in sent_codes] == [MARGARETS_MOBILE]
    check_accessibility(page)

    code_verifies_the_resident(page, check_accessibility, APPROVED_CODE)

    # She reports a repair; the handler logs it.
    report = page.locator("#report")
    tab_to(page, report.get_by_label("Service area"))
    page.keyboard.type("Housing")
    tab_to(page, report.get_by_label("What kind of report is it?"))
    page.keyboard.type("Repair")
    type_into(page, report.get_by_label("What did the caller report?"), "Front door lock broken")
    press(page, report.get_by_role("button", name="Log report"))
    expect(report.get_by_role("status")).to_contain_text("Report logged")
    check_accessibility(page)

    # The worker sends what the report queued: one text, to her mobile, saying only that.
    outbox.send_all_due()
    outbox.send_all_due()  # a second pass finds nothing left to send
    texts = fake_twilio.sent("/Messages.json")
    assert [t.data.get("To") for t in texts] == [MARGARETS_MOBILE]
    assert "Front door" not in texts[0].data.get("Body", "")
    assert "Someone reported something on your council record" in texts[0].data["Body"]
