"""The record panel shows a long history a page at a time, newest first, and discloses (and
audits) only the page shown. Every page is decided again, like the panel itself."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Entry
from app.services.call_workspace import ENTRIES_PER_PAGE
from tests.factories import make_entry, make_resident

HTMX = {"HX-Request": "true"}
SUMMARY = re.compile(r"Report number (\d+)\b")


@pytest.fixture
def long_history():
    """A resident with 45 entries a handler may hear about (numbered 1, the oldest, to 45)
    and 3 sensitive ones a handler without that permission may not."""
    resident = make_resident()
    start = clock.now() - timedelta(days=400)
    for n in range(1, 46):
        make_entry(resident, summary=f"Report number {n}", created_at=start + timedelta(days=n))
    for n in range(3):
        make_entry(
            resident,
            summary=f"Sensitive report {n}",
            is_sensitive=True,
            created_at=start + timedelta(days=10 + n, hours=1),
        )
    return resident


@pytest.fixture
def verified_call(signed_in_handler, start_call, long_history):
    call = start_call(signed_in_handler)
    call.resident_calls_about(long_history)
    call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")
    return call


def numbers_on(html: str) -> list[int]:
    """The entries listed in the panel, by number (the dispute form names them again)."""
    listed = re.search(r'<ul class="govuk-list app-entries">(.*?)</ul>', html, re.S)
    return [int(n) for n in SUMMARY.findall(listed.group(1))] if listed else []


def test_the_call_page_shows_the_newest_page_with_a_link_to_older_entries(verified_call):
    page = verified_call.page()
    assert numbers_on(page) == list(range(45, 45 - ENTRIES_PER_PAGE, -1))
    assert "Entries 1 to 20 of 45, newest first." in page
    assert f"/calls/{verified_call.id}/record?page=2" in page
    assert "Sensitive report" not in page
    assert "Some entries are not shown" in page


@pytest.mark.parametrize(
    ("page", "expected"),
    [(1, range(45, 25, -1)), (2, range(25, 5, -1)), (3, range(5, 0, -1))],
)
def test_each_page_of_the_panel_holds_its_own_entries(verified_call, page, expected):
    fragment = verified_call.client.get(
        f"{verified_call.url}/record?page={page}", headers=HTMX
    ).get_data(as_text=True)
    assert numbers_on(fragment) == list(expected)
    assert "Sensitive report" not in fragment
    assert ("Older entries" in fragment) is (page < 3)
    assert ("Newer entries" in fragment) is (page > 1)


@pytest.mark.parametrize("page", ["0", "4", "-1"])
def test_a_page_that_is_not_there_is_not_found(verified_call, page):
    response = verified_call.client.get(f"{verified_call.url}/record?page={page}", headers=HTMX)
    assert response.status_code == 404


def test_only_the_page_shown_is_disclosed_and_audited(verified_call):
    verified_call.client.get(f"{verified_call.url}/record?page=2", headers=HTMX)
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "record.disclosed")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one()
    shown = event.detail["entries"]
    assert len(shown) == ENTRIES_PER_PAGE
    summaries = {
        entry_id: summary
        for entry_id, summary in db.session.execute(select(Entry.id, Entry.summary)).all()
    }
    assert [int(SUMMARY.match(summaries[i]).group(1)) for i in shown] == list(range(25, 5, -1))


def test_without_javascript_an_older_page_opens_as_a_page_with_a_way_back(verified_call):
    response = verified_call.client.get(f"{verified_call.url}/record?page=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "<h1" in html and "Back to the call" in html
    assert numbers_on(html) == list(range(25, 5, -1))


def test_no_page_discloses_anything_before_the_caller_is_verified(
    signed_in_handler, start_call, long_history
):
    call = start_call(signed_in_handler)
    call.resident_calls_about(long_history)
    first = call.record_fragment()
    assert numbers_on(first) == []
    assert "Older entries" not in first
    response = call.client.get(f"{call.url}/record?page=2", headers=HTMX)
    assert response.status_code == 404


def _disclosures() -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "record.disclosed").order_by(AuditEvent.id)
    ).all()


def test_another_handlers_call_is_not_found_on_every_page_and_discloses_nothing(
    verified_call, signed_in_client
):
    stranger = signed_in_client()
    before = len(_disclosures())
    for page in ("1", "2", "3"):
        response = stranger.get(f"{verified_call.url}/record?page={page}", headers=HTMX)
        assert response.status_code == 404
        assert "Report number" not in response.get_data(as_text=True)
    assert len(_disclosures()) == before


def test_a_page_that_is_not_a_number_is_the_first_page(verified_call):
    fragment = verified_call.client.get(
        f"{verified_call.url}/record?page=two", headers=HTMX
    ).get_data(as_text=True)
    assert numbers_on(fragment) == list(range(45, 25, -1))


def test_an_older_page_after_the_caller_changes_discloses_nothing(verified_call):
    """A stale "Older entries" link, followed after the caller was recorded as someone else."""
    verified_call.caller("third-party", name="A neighbour", relationship="neighbour")
    response = verified_call.client.get(f"{verified_call.url}/record?page=2", headers=HTMX)
    assert response.status_code == 404
    assert "Report number" not in response.get_data(as_text=True)


def test_an_older_page_after_the_call_ends_discloses_nothing(verified_call):
    verified_call.end()
    response = verified_call.client.get(f"{verified_call.url}/record?page=2", headers=HTMX)
    assert response.status_code == 404
    first = verified_call.record_fragment()
    assert numbers_on(first) == []


def test_a_cookie_replayed_after_sign_out_opens_no_page_of_entries(app, verified_call):
    cookie = verified_call.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    verified_call.client.post("/logout", data={"csrf_token": verified_call.token})
    stranger = app.test_client()
    stranger.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    for headers in (HTMX, {}):
        response = stranger.get(f"{verified_call.url}/record?page=2", headers=headers)
        assert response.status_code in (302, 401)
        assert "Report number" not in response.get_data(as_text=True)
