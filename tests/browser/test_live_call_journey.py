"""The live call, end to end in the browser: a simulated call pops up, the handler takes it
and answers in the browser, selects the record the number hints at, verifies the caller, and
the caller hangs up: the page says so without a click, and nothing more is disclosed.

Twilio's Voice SDK is replaced at its own interface (`Twilio.Device`, `Call`, their events)
by a stub served in place of static/vendor/twilio-voice.min.js; the server signs a real
token, and Twilio's HTTP API is the fake (tests/telephony/fake_twilio.py). The caller hanging
up is Twilio's status callback, signed as Twilio signs it. Keyboard only; axe at every state.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Call, CallLeg
from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import press, settle, sign_in, type_into
from tests.browser.test_call_journeys import (
    assert_nothing_disclosed,
    caller_is_the_resident,
    check_answers,
    make_margaret,
)
from tests.browser.test_screen_pop_journey import twilio_posts
from tests.calls.test_live_call import API_KEY, API_SECRET, TWIML_APP

pytestmark = pytest.mark.browser

# Twilio.Device and Call as the SDK shapes them, doing nothing but record: a test rings the
# browser with `twilioStub.ring({call: "12"})`, as Twilio would when the server dials it.
SDK_STUB = """
(() => {
  class Emitter {
    constructor() { this.handlers = {}; }
    on(event, handler) { (this.handlers[event] ??= []).push(handler); return this; }
    emit(event, ...args) { for (const handler of this.handlers[event] || []) handler(...args); }
  }
  class Call extends Emitter {
    constructor(params) {
      super();
      this.customParameters = new Map(Object.entries(params));
      this.accepted = false;
      this.muted = false;
      this.disconnected = false;
      stub.calls.push(this);
    }
    accept() { this.accepted = true; this.emit("accept", this); }
    mute(muted = true) { this.muted = muted; this.emit("mute", muted, this); }
    isMuted() { return this.muted; }
    disconnect() {
      if (this.disconnected) return;
      this.disconnected = true;
      this.emit("disconnect", this);
    }
  }
  class Device extends Emitter {
    constructor(token) {
      super();
      this.token = token;
      this.state = "unregistered";
      stub.devices.push(this);
    }
    async register() { this.state = "registered"; this.emit("registered"); }
    updateToken(token) { this.token = token; }
    destroy() { this.state = "destroyed"; }
  }
  const stub = {
    devices: [],
    calls: [],
    ring(params) {
      const call = new Call(params);
      stub.devices.at(-1).emit("incoming", call);
      return call;
    },
  };
  window.Twilio = { Device, Call };
  window.twilioStub = stub;
})();
"""


@pytest.fixture
def browser_voice(app, fake_twilio, monkeypatch):
    """Twilio voice set up (the fake's account, an API key and a TwiML App)."""
    monkeypatch.setitem(app.config, "TWILIO_API_KEY", API_KEY)
    monkeypatch.setitem(app.config, "TWILIO_API_SECRET", API_SECRET)
    monkeypatch.setitem(app.config, "TWILIO_TWIML_APP_SID", TWIML_APP)
    return fake_twilio


def stub_the_sdk(page: Page) -> None:
    page.route(
        "**/static/vendor/twilio-voice.min.js",
        lambda route: route.fulfill(body=SDK_STUB, content_type="application/javascript"),
    )


def simulate_a_call(page: Page, live_server: str, number: str):
    """A handler signs in, goes to Calls and simulates a call from `number`, from the
    keyboard; the handler, for what the journey checks of them."""
    handler = factories.make_staff(Role.HANDLER)
    sign_in(page, live_server, handler.email)
    press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)
    expect(page.get_by_text("No calls waiting.")).to_be_visible()
    type_into(page, page.get_by_label("Number the simulated call comes from"), number)
    press(page, page.get_by_role("button", name="Simulate a call"))
    return handler


def test_a_simulated_call_is_answered_in_the_browser_and_the_page_hears_the_caller_hang_up(
    page: Page, live_server, app, browser_voice, check_accessibility
):
    make_margaret()
    stub_the_sdk(page)
    # Offline, a call from any number: it pops up in the waiting list.
    handler = simulate_a_call(page, live_server, "07700 900123")
    take = page.get_by_role("button", name="Take call from 07700 900123")
    expect(take).to_be_visible()
    expect(page.locator("#waiting-calls")).to_contain_text("Margaret Okafor, Mill Lane")
    check_accessibility(page)

    press(page, take, backwards=True)
    expect(page.get_by_role("heading", name="Call from 07700 900123")).to_be_visible()
    call_id = int(re.search(r"/calls/(\d+)$", page.url).group(1))
    call_sid = db.session.scalar(select(Call.provider_call_sid).where(Call.id == call_id))
    # Exactly this call was moved, to this handler's browser.
    (moved,) = browser_voice.sent("/Calls/")
    assert moved.uri.endswith(f"/Calls/{call_sid}.json")
    assert f"<Identity>staff-{handler.id}</Identity>" in moved.data["Twiml"]

    # The browser registers under the token the server signed, and Twilio rings it.
    softphone = page.locator("#softphone-state")
    expect(softphone).to_have_text("Your browser is ready to answer calls")
    token = page.evaluate("window.twilioStub.devices[0].token")
    assert token.count(".") == 2  # a JWT, signed by the server
    page.evaluate("id => window.twilioStub.ring({call: 'another'})", call_id)
    page.evaluate("id => window.twilioStub.ring({call: String(id)})", call_id)
    expect(softphone).to_have_text("Answered in this browser")
    assert page.evaluate("window.twilioStub.calls.map(call => call.accepted)") == [False, True]
    expect(page.locator("#line-state")).to_have_text("The caller is put through to you")
    check_accessibility(page)

    # Mute, from the keyboard; the button says it is pressed.
    mute = page.get_by_role("button", name="Mute")
    press(page, mute, "Space", backwards=True)
    unmute = page.get_by_role("button", name="Unmute")
    expect(unmute).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.twilioStub.calls[1].muted") is True
    press(page, unmute, "Space", backwards=True)
    expect(page.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "false")

    # The record the number hinted at, then who is calling, then verification.
    hints = page.locator("#caller-id-hints")
    press(page, hints.get_by_role("button", name=re.compile(r"^Select Margaret Okafor, Mill Lane")))
    record = page.locator("#record")
    expect(record).to_contain_text("Do not disclose: caller not verified")
    caller_is_the_resident(page, check_accessibility)
    check_answers(page, **{"Date of birth": "14/3/1948", "Postcode": "LE1 5AB"})
    expect(record).to_contain_text("May discuss")
    check_accessibility(page)

    # The caller hangs up: Twilio says so, and the page says it without a click.
    twilio_posts(
        app,
        live_server,
        "/twilio/voice/status",
        {"CallSid": call_sid, "CallStatus": "completed", "CallDuration": "95"},
    )
    db.session.expire_all()
    ended_at = db.session.scalar(select(Call.line_ended_at).where(Call.id == call_id))
    words = f"The caller hung up at {clock.local(ended_at):%H:%M}"
    expect(page.locator("#line-state")).to_have_text(words, timeout=2000)
    expect(page.locator("#call-alert-text")).to_have_text(f"Do not disclose. {words}.")
    expect(record).to_contain_text("Do not disclose", timeout=2000)
    expect(record).not_to_contain_text("May discuss")
    expect(page.locator("#line-controls")).to_be_hidden()
    assert page.evaluate("window.twilioStub.calls[1].disconnected") is True
    # Still registered: a call back to the resident can be put through to this browser.
    assert page.evaluate("window.twilioStub.devices[0].state") == "registered"
    # The end of the call opens with "Call dropped".
    settle(page)
    expect(page.get_by_label("Call dropped")).to_be_checked()
    assert_nothing_disclosed(page, phone=False)
    check_accessibility(page)

    # Ending it from the keyboard.
    press(page, page.get_by_role("button", name="End call"))
    expect(page.get_by_text("Call ended.")).to_be_visible()


def test_hold_and_hang_up_from_the_keyboard_on_the_console_act_on_nothing(
    page: Page, live_server, check_accessibility
):
    simulate_a_call(page, live_server, "07700 900777")
    press(page, page.get_by_role("button", name="Take call from 07700 900777"), backwards=True)

    expect(page.locator("#softphone-state")).to_contain_text("Console phone")
    check_accessibility(page)
    press(page, page.get_by_role("button", name="Hold the caller"), backwards=True)
    expect(page.locator("#line-state")).to_have_text("The caller is on hold")
    resume = page.get_by_role("button", name="Take off hold")
    expect(resume).to_be_focused()
    check_accessibility(page)
    page.keyboard.press("Enter")
    expect(page.locator("#line-state")).to_have_text("The caller is put through to you")
    press(page, page.get_by_role("button", name="Hang up the call"), backwards=True)
    expect(page.locator("#line-state")).to_contain_text("You hung up at", timeout=2000)
    expect(page.locator("#record")).to_contain_text("Do not disclose")
    check_accessibility(page)


def test_a_caller_who_cannot_be_verified_is_rung_back_and_verified_by_answering(
    page: Page, live_server, app, browser_voice, check_accessibility
):
    make_margaret()
    stub_the_sdk(page)
    simulate_a_call(page, live_server, "07700 900999")
    press(page, page.get_by_role("button", name="Take call from 07700 900999"), backwards=True)
    expect(page.get_by_role("heading", name="Call from 07700 900999")).to_be_visible()
    call_id = int(re.search(r"/calls/(\d+)$", page.url).group(1))
    expect(page.locator("#softphone-state")).to_have_text("Your browser is ready to answer calls")
    page.evaluate("id => window.twilioStub.ring({call: String(id)})", call_id)

    # She says she is Margaret, from a number not on her record, and cannot answer.
    search = page.get_by_label("Find the resident's record")
    expect(search).to_be_focused()
    page.keyboard.type("Margaret Okafor")
    mill_lane = page.locator("#search-results .app-results__item").filter(has_text="Mill Lane")
    settle(page)
    press(page, mill_lane.get_by_role("button", name=re.compile(r"^Select ")))
    caller_is_the_resident(page, check_accessibility)
    press(page, page.get_by_role("button", name="Hang up the call"), backwards=True)
    expect(page.locator("#line-state")).to_contain_text("You hung up at", timeout=2000)
    settle(page)  # the steps are drawn again once the line has ended

    # The handler rings back the number on her record, by its last digits.
    verify = page.locator("#verify")
    choice = page.locator("#callback-phone")
    expect(page.locator("label[for='callback-phone']")).to_have_text(
        re.compile(r"Ring the number ending 123")
    )
    press(page, choice, "Space")
    expect(choice).to_be_checked()
    press(page, verify.get_by_role("button", name="Ring back"))
    settle(page)
    expect(page.locator("#verify")).to_contain_text("Ringing the number ending 123")
    check_accessibility(page)
    (rung,) = browser_voice.sent("/Calls.json")
    assert rung.data["To"] == "+447700900123" and rung.data["From"] == "+441164960000"
    leg = db.session.scalar(select(CallLeg).where(CallLeg.call_id == call_id))

    # Margaret answers on her own phone and presses 1: put through, and verified.
    twilio_posts(
        app,
        live_server,
        f"/twilio/voice/call-back-answered?leg={leg.id}",
        {"CallSid": leg.provider_call_sid, "Digits": "1"},
    )
    expect(page.locator("#line-state")).to_have_text(
        "The resident answered the call back and is put through to you", timeout=5000
    )
    expect(page.locator("#record")).to_contain_text("May discuss", timeout=5000)
    expect(page.locator("#line-controls")).to_be_visible()
    page.evaluate("id => window.twilioStub.ring({call: String(id)})", call_id)
    expect(page.locator("#softphone-state")).to_have_text("Answered in this browser")
    check_accessibility(page)
