"""A call comes in through Twilio and pops up on the handler's screen; the handler takes it.

Twilio's webhooks are posted to the live server signed as Twilio signs them. The handler's
page is never reloaded: the list of waiting calls changes by itself. Every state is checked
with axe; the handler uses the keyboard only.
"""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import press, sign_in
from tests.telephony.test_voice_webhooks import INCOMING, signed

pytestmark = pytest.mark.browser

MARGARETS_CALL = {**INCOMING, "CallSid": "CA" + "a" * 32, "From": "+447700900123"}
WITHHELD_CALL = {**INCOMING, "CallSid": "CA" + "b" * 32, "From": "anonymous"}
POLL_SECONDS = 3


def twilio_posts(app, live_server: str, path: str, params: dict) -> None:
    response = requests.post(
        live_server + path, data=params, headers=signed(app, path, params), timeout=10
    )
    assert response.status_code in (200, 204), response.text


def test_a_signed_inbound_call_pops_up_and_the_handler_takes_it(
    page: Page, live_server, app, fake_twilio, check_accessibility
):
    factories.make_resident(forename="Margaret", surname="Okafor", phones=["+447700900123"])
    handler = factories.make_staff(Role.HANDLER)
    sign_in(page, live_server, handler.email)
    press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)
    expect(page.get_by_text("No calls waiting.")).to_be_visible()
    check_accessibility(page)

    twilio_posts(app, live_server, "/twilio/voice", MARGARETS_CALL)
    twilio_posts(app, live_server, "/twilio/voice", WITHHELD_CALL)

    waiting = page.locator("#waiting-calls")
    timeout = (POLL_SECONDS * 2 + 2) * 1000
    expect(waiting.get_by_role("row", name=re.compile("07700 900123"))).to_be_visible(
        timeout=timeout
    )
    expect(waiting).to_contain_text("Margaret Okafor, Mill Lane, LE1")
    expect(waiting).to_contain_text("a hint, not proof of identity")
    expect(waiting).to_contain_text("Withheld number")
    expect(page.locator("#waiting-calls-status")).to_have_text("2 calls waiting")
    check_accessibility(page)

    # The withheld caller gives up: the call leaves the list, and that is announced.
    twilio_posts(
        app,
        live_server,
        "/twilio/voice/status",
        {"CallSid": WITHHELD_CALL["CallSid"], "CallStatus": "completed", "CallDuration": "20"},
    )
    expect(waiting).not_to_contain_text("Withheld number", timeout=timeout)
    expect(page.locator("#waiting-calls-status")).to_have_text("1 call waiting")
    check_accessibility(page)

    press(page, page.get_by_role("button", name="Take call from 07700 900123"), backwards=True)

    expect(page.get_by_role("heading", name="Call from 07700 900123")).to_be_visible()
    assert re.search(r"/calls/\d+$", page.url)
    check_accessibility(page)
    press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)
    expect(page.get_by_text("No calls waiting.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Continue"))).to_be_visible()
