"""The call page is never stale (PRODUCT.md rule 8), in Chromium with axe.

Without a click: a verification that lapses takes the record away with its reason, on the
server's word and, when the server cannot be reached, at the moment the page knew it would;
a session ended elsewhere says why, keeps what the handler was typing, and signing in again
returns to the call with it; and the idle timeout is warned of, with "Stay signed in".
"""

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.models import Call
from app.rules.vocabulary import CallerType, Relationship, Role
from app.services import calls
from tests import factories
from tests.browser.helpers import press, settle, sign_in, tab_to, type_into
from tests.browser.journeys import desk_of, margaret_says_she_is_calling
from tests.browser.test_call_journeys import (
    DATE_OF_BIRTH_SHOWN,
    EARLIER_ENTRY,
    check_answers,
    make_margaret,
)

pytestmark = pytest.mark.browser

# The page asks every 3 seconds: a few seconds more than that is "at once".
SOON = 8_000
RIGHT_ANSWERS = {"Date of birth": "14/03/1948", "Postcode": "LE1 5AB"}
REPORT = "Water coming through the ceiling"


def _the_call() -> Call:
    db.session.expire_all()
    return db.session.scalars(db.select(Call).order_by(Call.id.desc())).first()


def _count_alerts(page: Page) -> None:
    """Count, in the page, each time the alert's words change."""
    page.evaluate(
        """() => {
            window.alertsSaid = 0;
            new MutationObserver(() => window.alertsSaid++).observe(
                document.getElementById("call-alert-text"),
                {childList: true, characterData: true, subtree: true});
        }"""
    )


def _verified(page: Page, live_server, check_accessibility) -> None:
    margaret_says_she_is_calling(page, live_server, check_accessibility, "07700 900999")
    check_answers(page, **RIGHT_ANSWERS)
    record = page.locator("#record")
    expect(record).to_contain_text("May discuss")
    expect(record).to_contain_text(DATE_OF_BIRTH_SHOWN)
    settle(page)


def test_a_lapsed_verification_takes_the_record_away_with_its_reason_without_a_click(
    page: Page, live_server, check_accessibility
):
    _verified(page, live_server, check_accessibility)
    _count_alerts(page)
    lapsed_at = _the_call().last_activity_at + timedelta(minutes=20)

    clock.set_now(lapsed_at + timedelta(seconds=1))

    reason = f"verification ended at {clock.local(lapsed_at):%H:%M}: 20 minutes without activity"
    banner = page.locator("#disclosure-status")
    expect(banner).to_contain_text(f"Do not disclose: {reason}", timeout=SOON)
    record = page.locator("#record")
    expect(record).not_to_contain_text(DATE_OF_BIRTH_SHOWN)
    expect(record).not_to_contain_text(EARLIER_ENTRY)
    alert = page.get_by_role("alert").filter(has_text="Do not disclose.")
    expect(alert).to_contain_text(f"V{reason[1:]}")
    expect(page.locator("#verification-standing")).to_contain_text(f"V{reason[1:]}")
    check_accessibility(page)
    page.wait_for_timeout(7_000)  # two more answers from the server: nothing said again
    assert page.evaluate("window.alertsSaid") == 1
    expect(banner).to_contain_text(f"Do not disclose: {reason}")


def test_the_page_lapses_on_its_own_when_it_knew_it_would(
    page: Page, live_server, check_accessibility, app, monkeypatch
):
    margaret_says_she_is_calling(page, live_server, check_accessibility, "07700 900999")
    monkeypatch.setitem(app.config, "VERIFICATION_IDLE_MINUTES", 0.2)  # 12 seconds
    server_answers = {"status": True}
    page.route(
        re.compile(r".*/calls/\d+/status$"),
        lambda route: route.continue_() if server_answers["status"] else route.abort(),
    )
    check_answers(page, **RIGHT_ANSWERS)
    expect(page.locator("#record")).to_contain_text(DATE_OF_BIRTH_SHOWN)
    settle(page)
    page.wait_for_timeout(1_000)  # the page has asked once since it was verified

    server_answers["status"] = False  # from now on the status cannot be reached

    expect(page.locator("#disclosure-status")).to_contain_text(
        "Do not disclose. Verification ended at", timeout=20_000
    )
    expect(page.locator("#record")).not_to_contain_text(DATE_OF_BIRTH_SHOWN)
    expect(page.locator("#disclosed")).to_have_count(0)
    check_accessibility(page)
    server_answers["status"] = True
    expect(page.locator("#disclosure-status")).to_contain_text(
        "Do not disclose: verification ended at", timeout=SOON
    )


def _neighbour_on_the_line(handler) -> Call:
    """A call about Margaret from a neighbour, at the report step."""
    margaret = make_margaret()
    now = clock.now()
    call = calls.start_call(handler, "+447700900555", now)
    calls.select_resident(call, margaret.id, handler, now)
    calls.record_caller(call, CallerType.THIRD_PARTY, "Sam", Relationship.NEIGHBOUR, handler, now)
    return call


def _reporting_when_signed_in_elsewhere(browser, page: Page, live_server):
    """A handler types a neighbour's report on the call page; meanwhile their account signs
    in on another browser. Returns (handler, call)."""
    handler = factories.make_staff(Role.HANDLER)
    call = _neighbour_on_the_line(handler)
    sign_in(page, live_server, handler.email)
    page.goto(f"{live_server}/calls/{call.id}")
    type_into(page, page.locator("#report").get_by_label("What did the caller report?"), REPORT)

    desk_of(browser.new_context, live_server, handler)
    return handler, call


def _give_password(page: Page, handler) -> None:
    """On the sign-in page."""
    page.get_by_label("Email address").fill(handler.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")


def test_a_session_ended_elsewhere_says_why_keeps_the_report_and_comes_back_to_the_call(
    browser, page: Page, live_server, check_accessibility
):
    handler, call = _reporting_when_signed_in_elsewhere(browser, page, live_server)
    summary = page.locator("#report").get_by_label("What did the caller report?")

    signed_out = page.locator("#signed-out")
    expect(signed_out).to_be_visible(timeout=SOON)
    expect(signed_out).to_contain_text(
        "You have been signed out: you signed in on another browser or device"
    )
    expect(page.locator("#record")).to_contain_text("Nothing about the resident is shown")
    check_accessibility(page)
    tab_to(page, summary)
    page.keyboard.press("End")
    page.keyboard.type(" of the flat below")
    expect(summary).to_have_value(f"{REPORT} of the flat below")
    assert page.evaluate("Object.keys(localStorage).length") == 0
    assert not any("ceiling" in cookie["value"].lower() for cookie in page.context.cookies()), (
        "a draft in a cookie"
    )

    press(page, signed_out.get_by_role("link", name="Sign in again"), backwards=True)

    expect(page).to_have_url(re.compile(rf"/login\?next=/calls/{call.id}$"))
    expect(page.get_by_text("You have been signed out: you signed in on another")).to_be_visible()
    check_accessibility(page)
    _give_password(page, handler)
    expect(page).to_have_url(f"{live_server}/calls/{call.id}")
    expect(summary).to_have_value(f"{REPORT} of the flat below")
    expect(page.locator("#signed-out")).to_be_hidden()
    check_accessibility(page)


def test_a_call_closed_while_signed_out_says_what_was_typed_and_not_sent(
    browser, page: Page, live_server, check_accessibility
):
    handler, _ = _reporting_when_signed_in_elsewhere(browser, page, live_server)
    expect(page.locator("#signed-out")).to_be_visible(timeout=SOON)

    clock.set_now(_the_call().started_at + timedelta(hours=4))  # closed when next opened
    press(page, page.get_by_role("link", name="Sign in again"), backwards=True)
    _give_password(page, handler)

    expect(page.get_by_role("heading", name="This call has ended")).to_be_visible()
    unsent = page.locator("#unsaved-drafts")
    expect(unsent).to_contain_text("What you typed on this call was not sent")
    expect(unsent).to_contain_text(REPORT)
    check_accessibility(page)
    press(page, unsent.get_by_role("button", name="Discard what you typed"))
    expect(unsent).to_be_hidden()
    kept = page.evaluate("Object.keys(sessionStorage)")
    assert not [key for key in kept if key.startswith("call-draft:")]


def test_the_idle_timeout_is_warned_of_and_stay_signed_in_keeps_the_session(
    page: Page, live_server, check_accessibility, app, monkeypatch
):
    handler = factories.make_staff(Role.HANDLER)
    call = _neighbour_on_the_line(handler)
    sign_in(page, live_server, handler.email)
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=12))
    monkeypatch.setitem(app.config, "SESSION_WARNING_BEFORE", timedelta(seconds=9))
    page.goto(f"{live_server}/calls/{call.id}")
    loaded = time.monotonic()

    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible(timeout=SOON)
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(warning).to_contain_text("you will be signed out in less than a minute")
    check_accessibility(page)
    page.keyboard.press("Enter")

    expect(warning).to_be_hidden()
    # Past the moment the session would have ended had the handler not stayed.
    page.wait_for_timeout(max(0, (loaded + 14 - time.monotonic()) * 1000))
    expect(page.locator("#signed-out")).to_be_hidden()
    assert page.request.get(f"{live_server}/calls/{call.id}/status").status == 200
    # Left alone now, the session ends, and the page says why.
    expect(page.locator("#signed-out")).to_contain_text(
        "You have been signed out: there was no activity for", timeout=20_000
    )
