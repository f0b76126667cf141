"""What the screen pop knows, carried into the call; and a call waiting, seen on every page.

Twilio's webhooks are posted to the live server signed as Twilio signs them; no page is
reloaded for a call to show. Every state is checked with axe; the handler uses the keyboard.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.rules.vocabulary import Role
from app.services import waiting_calls
from tests import factories
from tests.browser.call_steps import SAYING_WHO, expect_step
from tests.browser.helpers import press, settle, sign_in
from tests.browser.journeys import desk_of
from tests.browser.test_call_journeys import assert_nothing_disclosed, make_margaret
from tests.browser.test_screen_pop_journey import POLL_SECONDS, twilio_posts
from tests.telephony.test_voice_webhooks import INCOMING

pytestmark = pytest.mark.browser

DANAS_CALL = {**INCOMING, "CallSid": "CA" + "d" * 32, "From": "+447700900456"}
A_NEIGHBOURS_CALL = {**INCOMING, "CallSid": "CA" + "e" * 32, "From": "+447700900555"}
MAY_SPEAK = "Dana Okafor may speak for Margaret Okafor (representative's number)"
WAIT = (POLL_SECONDS * 2 + 2) * 1000
SEEN_ONCE = "() => Object.keys(sessionStorage).some(key => key.startsWith('waiting-count:'))"


def test_a_call_taken_from_the_pop_offers_the_records_its_number_hints_at(
    page: Page, live_server, app, fake_twilio, check_accessibility
):
    margaret = make_margaret()
    factories.make_permission(margaret, name="Dana Okafor")  # her daughter, from 07700 900456
    sign_in(page, live_server, factories.make_staff(Role.HANDLER).email)
    press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)
    expect(page.get_by_text("No calls waiting.")).to_be_visible()
    twilio_posts(app, live_server, "/twilio/voice", DANAS_CALL)

    take = page.get_by_role("button", name="Take call from 07700 900456")
    expect(take).to_be_visible(timeout=WAIT)
    expect(page.locator("#waiting-calls")).to_contain_text(
        "Dana Okafor, may speak for Margaret Okafor"
    )
    press(page, take, backwards=True)

    # The call opens with what the pop knew: a hint, never proof.
    expect(page.get_by_role("heading", name="Call from 07700 900456")).to_be_visible()
    hints = page.locator("#caller-id-hints")
    expect(
        hints.get_by_role("heading", name="Hint from the caller's number: not proof")
    ).to_be_visible()
    expect(hints).to_contain_text(MAY_SPEAK)
    expect(page.locator("#record")).to_contain_text("Do not disclose: no record selected")
    check_accessibility(page)
    assert_nothing_disclosed(page)

    # A search by her number finds her mother too, marked as such.
    search = page.get_by_label("Find the resident's record")
    expect(search).to_be_focused()
    page.keyboard.type("07700 900456")
    results = page.locator("#search-results")
    expect(results).to_contain_text("1 record found by representative's number")
    expect(results).to_contain_text(MAY_SPEAK)
    settle(page)
    check_accessibility(page)
    assert_nothing_disclosed(page)

    # Choosing the hinted record verifies nothing: who is calling comes next.
    press(
        page,
        hints.get_by_role("button", name=re.compile(r"^Select Margaret Okafor, Mill Lane")),
        backwards=True,
    )
    expect_step(page, SAYING_WHO)
    expect(page.locator("#record")).to_contain_text("Do not disclose: caller not verified")
    check_accessibility(page)
    assert_nothing_disclosed(page)


def test_a_waiting_call_is_seen_on_every_page_in_the_header_and_the_title(
    browser: Browser, page: Page, live_server, app, fake_twilio, check_accessibility
):
    handler = factories.make_staff(Role.HANDLER)
    asked = []
    page.on(
        "response",
        lambda answer: (
            asked.append(answer.status) if "/calls/waiting-count" in answer.url else None
        ),
    )
    sign_in(page, live_server, handler.email)
    header = page.locator("#waiting-count")
    said = page.locator("#waiting-count-status")
    expect(header).to_be_hidden()  # nothing waits
    expect(page).to_have_title(re.compile(r"^Console"))
    page.wait_for_function(SEEN_ONCE)  # the page has asked once: it knows nothing waits
    check_accessibility(page)

    # A call comes in: the console says so without a reload, once, and in its title.
    twilio_posts(app, live_server, "/twilio/voice", A_NEIGHBOURS_CALL)
    expect(header).to_be_visible(timeout=WAIT)
    expect(header.get_by_role("link")).to_have_text("1 call waiting")
    expect(page).to_have_title(re.compile(r"^\(1\) Console"))
    expect(said).to_have_text("1 call waiting")
    check_accessibility(page)

    # On another page it shows at once, and is not said again.
    press(page, page.get_by_role("link", name="Dispatches", exact=True), backwards=True)
    expect(page.get_by_role("heading", name="Open dispatches")).to_be_visible()
    expect(header.get_by_role("link")).to_have_text("1 call waiting")
    expect(page).to_have_title(re.compile(r"^\(1\) Dispatches"))
    page.wait_for_timeout(POLL_SECONDS * 1000 + 1000)
    expect(said).to_have_text("")
    check_accessibility(page)

    # Asking again while nothing changed is answered "not modified".
    assert 304 in asked, asked

    # A second call, and then both go: one taken by another handler, the other hung up.
    twilio_posts(app, live_server, "/twilio/voice", DANAS_CALL)
    expect(header.get_by_role("link")).to_have_text("2 calls waiting", timeout=WAIT)
    expect(page).to_have_title(re.compile(r"^\(2\) Dispatches"))
    expect(said).to_have_text("2 calls waiting")
    [first, _danas] = waiting_calls.waiting_calls().calls
    waiting_calls.take_call(first.id, factories.make_staff(Role.HANDLER))
    twilio_posts(
        app,
        live_server,
        "/twilio/voice/status",
        {"CallSid": DANAS_CALL["CallSid"], "CallStatus": "completed", "CallDuration": "9"},
    )
    expect(header).to_be_hidden(timeout=WAIT)
    expect(page).to_have_title(re.compile(r"^Dispatches"))
    expect(said).to_have_text("No calls waiting")
    check_accessibility(page)

    # An administrator, who takes no calls, is never shown them.
    admin = desk_of(browser.new_context, live_server, factories.make_staff(Role.ADMIN))
    twilio_posts(app, live_server, "/twilio/voice", {**INCOMING, "CallSid": "CA" + "f" * 32})
    expect(page.locator("#waiting-count")).to_be_visible(timeout=WAIT)
    expect(admin.locator("#waiting-count")).to_have_count(0)
    expect(admin).to_have_title(re.compile(r"^Console"))


def test_on_the_calls_page_the_list_says_it_and_the_header_does_not_say_it_again(
    page: Page, live_server, app, fake_twilio, check_accessibility
):
    sign_in(page, live_server, factories.make_staff(Role.SUPERVISOR).email)
    press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)
    expect(page.get_by_text("No calls waiting.")).to_be_visible()

    twilio_posts(app, live_server, "/twilio/voice", A_NEIGHBOURS_CALL)

    expect(page.locator("#waiting-calls-status")).to_have_text("1 call waiting", timeout=WAIT)
    expect(page.locator("#waiting-count").get_by_role("link")).to_have_text(
        "1 call waiting", timeout=WAIT
    )
    expect(page).to_have_title(re.compile(r"^\(1\) Calls"))
    expect(page.locator("#waiting-count-status")).to_have_text("")
    check_accessibility(page)
