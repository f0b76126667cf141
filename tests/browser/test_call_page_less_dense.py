"""The call page asks only what applies and shows what it is doing: the fields of an answer
revealed under it (and all of them without JavaScript), the end of a call summarised in the
outcome's own words, a check in flight said on its button with every other submit held back;
and the pages around the call (open calls, dispatches) telling their rows apart.

Every state is checked with axe.
"""

import re
import threading

import pytest
from playwright.sync_api import Page, expect

from app.demo import builders
from app.extensions import db
from app.models import Call
from app.rules.vocabulary import CallerType, Relationship, Role
from app.services import verification
from tests import factories
from tests.browser.call_steps import REPORTING, expect_step, start_call_from
from tests.browser.helpers import (
    choose_radio,
    press,
    settle,
    sign_in,
    start_call,
    tab_to,
    type_into,
)
from tests.browser.journeys import margaret_says_she_is_calling
from tests.browser.test_call_journeys import find_and_select, make_margaret

pytestmark = pytest.mark.browser


def _a_call_on_margarets_record(page: Page, live_server: str, check_accessibility) -> None:
    make_margaret()
    sign_in(page, live_server, factories.make_staff(Role.HANDLER).email)
    start_call(page, check_accessibility, "07700 900555")
    find_and_select(page, check_accessibility, "Margaret Okafor", "Mill Lane")


def test_who_is_calling_and_sending_a_team_reveal_only_what_applies(
    page: Page, live_server, check_accessibility
):
    _a_call_on_margarets_record(page, live_server, check_accessibility)
    permission = page.get_by_label("Whose permission are they using?")
    name = page.get_by_label("Caller's name (if given)")
    relationship = page.get_by_label("Relationship to the resident")
    for field in (permission, name, relationship):
        expect(field).to_be_hidden()

    choose_radio(
        page,
        page.get_by_label("The resident", exact=True),
        page.get_by_label("Someone with the resident's permission"),
    )
    expect(permission).to_be_visible()
    expect(name).to_be_hidden()
    expect(relationship).to_be_hidden()
    check_accessibility(page)

    page.keyboard.press("ArrowDown")  # someone else calling about the resident
    expect(page.get_by_label("Someone else calling about the resident")).to_be_checked()
    expect(permission).to_be_hidden()
    expect(name).to_be_visible()
    expect(relationship).to_be_visible()
    check_accessibility(page)
    type_into(page, name, "Pat Reynolds")
    press(page, relationship, "N")  # the first relationship starting with N: neighbour
    expect(relationship).to_have_value("neighbour")
    press(page, page.get_by_role("button", name="Save who is calling"))
    expect_step(page, REPORTING)
    expect(page.locator("#caller")).to_contain_text("(neighbour)")

    team = page.get_by_label("Team to send")
    instructions = page.get_by_label("What should they do?")
    expect(team).to_be_hidden()
    expect(instructions).to_be_hidden()
    send = page.get_by_label("Send someone out now")
    press(page, send, "Space")
    expect(send).to_be_checked()
    expect(team).to_be_visible()
    expect(instructions).to_be_visible()
    check_accessibility(page)


@pytest.mark.parametrize("handler_desk", [False], indirect=True, ids=["no-javascript"])
def test_without_javascript_every_answers_fields_show_under_it(handler_desk, live_server):
    page, _sent, _javascript = handler_desk
    make_margaret()
    start_call_from(page, live_server, "07700 900555")
    page.get_by_label("Find the resident's record").fill("Margaret Okafor")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=re.compile(r"^Select Margaret Okafor, Mill Lane")).click()

    for label in (
        "Whose permission are they using?",
        "Caller's name (if given)",
        "Relationship to the resident",
    ):
        expect(page.get_by_label(label)).to_be_visible()
    page.get_by_label("Relationship to the resident").select_option(label="Neighbour")
    page.get_by_role("button", name="Save who is calling").click()
    expect(page.get_by_label("Team to send")).to_be_visible()
    expect(page.get_by_label("What should they do?")).to_be_visible()


def test_the_summary_follows_the_outcome_until_the_handler_types_their_own(
    page: Page, live_server, check_accessibility
):
    _a_call_on_margarets_record(page, live_server, check_accessibility)
    summary = page.get_by_label("Short summary")
    expect(summary).to_have_value("")

    choose_radio(
        page, page.get_by_label("Resolved"), page.get_by_label("Caller could not be verified")
    )
    expect(summary).to_have_value("Caller could not be verified")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Referred to another team")).to_be_checked()
    expect(summary).to_have_value("Referred to another team")
    check_accessibility(page)

    type_into(page, summary, "Passed to the housing team")  # replaces the outcome's words
    tab_to(page, page.get_by_label("Referred to another team"), backwards=True)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Call dropped")).to_be_checked()
    expect(summary).to_have_value("Passed to the housing team")  # typed words stay


def test_a_check_in_flight_says_so_and_nothing_else_is_sent_until_it_answers(
    page: Page, live_server, monkeypatch, check_accessibility
):
    answer = threading.Event()
    check = verification.check_resident_answers

    def slow_check(*args, **kwargs):
        answer.wait(20)  # a check under load, as slow as the handler saw it
        return check(*args, **kwargs)

    monkeypatch.setattr(verification, "check_resident_answers", slow_check)
    posted: list[str] = []
    page.on("request", lambda sent: posted.append(sent.url) if sent.method == "POST" else None)
    margaret_says_she_is_calling(page, live_server, check_accessibility, "07700 900555")
    call_id = int(re.search(r"/calls/(\d+)", page.url).group(1))
    verify = page.locator("#verify")
    type_into(page, verify.get_by_label("Date of birth", exact=True), "14/3/1948")
    type_into(page, verify.get_by_label("Postcode", exact=True), "LE1 5AB")

    press(page, verify.get_by_role("button", name="Check answers"))

    busy = verify.locator("button[aria-busy='true']")
    expect(busy).to_have_text("Checking…")
    expect(busy).to_have_attribute("aria-disabled", "true")
    expect(busy).to_be_focused()
    check_accessibility(page)
    page.keyboard.press("Enter")  # pressed again
    press(page, page.get_by_role("button", name="End call"))  # and the call ended meanwhile
    page.wait_for_timeout(700)
    assert [url for url in posted if url.endswith("/verify")] == [posted[-1]]
    assert not [url for url in posted if url.endswith("/end")]
    assert db.session.get(Call, call_id).ended_at is None
    expect(page).to_have_url(re.compile(rf"/calls/{call_id}$"))

    answer.set()
    expect(verify).to_contain_text("Verified as the resident on this call")
    expect(page.locator("button[aria-busy]")).to_have_count(0)
    settle(page)
    press(page, page.get_by_role("button", name="End call"))  # now it goes
    expect(page.get_by_text("Call ended.")).to_be_visible()
    assert len([url for url in posted if url.endswith("/end")]) == 1


def test_open_calls_and_dispatches_are_told_apart(page: Page, live_server, check_accessibility):
    margaret = make_margaret()
    handler = factories.make_staff(Role.HANDLER)
    builders.add_call(handler, caller_number="+447700900555")
    builders.add_call(
        handler, margaret, caller_number="+447700900777", caller_type=CallerType.THIRD_PARTY,
        caller_name="Pat Reynolds", caller_relationship=Relationship.NEIGHBOUR,
    )  # fmt: skip
    db.session.commit()
    entry = factories.make_entry(
        margaret, team="Housing repairs", summary="Water through the ceiling"
    )
    sign_in(page, live_server, handler.email)

    press(page, page.get_by_role("link", name="Calls", exact=True), backwards=True)
    rows = page.locator("table").filter(has_text="Continue").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Pat Reynolds, neighbour")
    expect(rows.nth(1)).to_contain_text("Margaret Okafor, Mill Lane, LE1")
    expect(rows.nth(1)).to_contain_text("under a minute ago")
    expect(rows.nth(2)).to_contain_text("No record chosen yet")
    check_accessibility(page)

    press(page, page.get_by_role("link", name="Dispatches", exact=True), backwards=True)
    row = page.get_by_role("row").filter(has_text="Housing repairs")
    expect(row).to_contain_text("Margaret Okafor")
    expect(row).to_contain_text("Mill Lane, LE1")
    check_accessibility(page)
    press(page, row.get_by_role("link", name=f"Dispatch {entry.dispatches[0].id}"))
    expect(page.get_by_role("heading", name=f"Dispatch {entry.dispatches[0].id}")).to_be_visible()
    main = page.locator("main")
    for shown in ("Flat 2, 14 Mill Lane", "LE1 5AB", "Water through the ceiling", "Housing"):
        expect(main).to_contain_text(shown)
    check_accessibility(page)
    press(page, page.get_by_role("link", name=re.compile(r"^Record the outcome")))
    expect(page.get_by_role("heading", name="Record the outcome")).to_be_visible()
    check_accessibility(page)
