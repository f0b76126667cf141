"""The supervisors' list of waiting requests, the request page, and the dashboard's counts."""

from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import ShareRequest
from app.rules.vocabulary import LawfulBasis, Role, ShareRequestStatus
from app.services import dashboard
from tests import factories
from tests.helpers import clock_stopped_at

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


_stopped_clock = clock_stopped_at(NOW)


def make_share_request(resident, *, asked=NOW, urgent=True, status=ShareRequestStatus.PENDING):
    """A request on a call of its own, made `asked`."""
    handler = factories.make_staff(Role.HANDLER, name="Hana Handler")
    call = factories.make_call(resident, handler, verified_as=None)
    request = ShareRequest(
        call_id=call.id,
        resident_id=resident.id,
        requested_by_id=handler.id,
        requested_at=asked,
        caller="Someone else calling about the resident, PC Jones",
        basis=LawfulBasis.VITAL_INTERESTS,
        reason="Caller says the resident has collapsed at home",
        urgent=urgent,
        areas_requested="adult-social-care,housing",
        status=status,
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_the_list_says_when_nothing_is_waiting(signed_in_supervisor):
    page = signed_in_supervisor.get("/duty-to-share").get_data(as_text=True)

    assert "No request is waiting for a decision" in page
    assert "Duty to share" in page


def test_the_list_shows_waiting_requests_oldest_first_and_tags_the_late_ones(
    signed_in_supervisor, resident
):
    late = make_share_request(resident, asked=NOW - timedelta(hours=25))
    recent = make_share_request(resident, asked=NOW - timedelta(hours=1))
    make_share_request(resident, status=ShareRequestStatus.APPROVED)

    page = signed_in_supervisor.get("/duty-to-share").get_data(as_text=True)

    assert "2 requests waiting" in page
    assert page.index(f"Request {late.id}<") < page.index(f"Request {recent.id}<")
    assert page.count("Past 24 hours</strong>") == 1
    overdue = signed_in_supervisor.get("/duty-to-share?show=overdue").get_data(as_text=True)
    assert f"Request {late.id}<" in overdue and f"Request {recent.id}<" not in overdue


def test_the_list_is_shown_a_page_at_a_time(signed_in_supervisor, resident):
    for minutes in range(26):
        make_share_request(resident, asked=NOW - timedelta(minutes=minutes), urgent=False)

    first = signed_in_supervisor.get("/duty-to-share").get_data(as_text=True)
    second = signed_in_supervisor.get("/duty-to-share?page=2").get_data(as_text=True)

    assert "26 requests waiting" in first
    assert first.count('href="/duty-to-share/') == 25
    assert "2 of 2" in first
    assert second.count('href="/duty-to-share/') == 1
    assert signed_in_supervisor.get("/duty-to-share?page=3").status_code == 404


def test_the_request_page_shows_the_call_the_caller_the_basis_reason_and_areas(
    signed_in_supervisor, resident
):
    request = make_share_request(resident)

    page = signed_in_supervisor.get(f"/duty-to-share/{request.id}").get_data(as_text=True)

    assert "Risk to life (vital interests)" in page
    assert "Caller says the resident has collapsed at home" in page
    assert "Someone else calling about the resident, PC Jones" in page
    assert "Adult social care, Housing" in page
    assert "Margaret Okafor" in page
    assert "Hana Handler" in page
    assert "Record the decision" in page


def test_viewing_a_request_is_audited_with_its_purpose(signed_in_supervisor, resident):
    from sqlalchemy import select

    from app.models import AuditEvent

    request = make_share_request(resident)

    signed_in_supervisor.get(f"/duty-to-share/{request.id}")

    [viewed] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "duty_to_share.viewed")
    ).all()
    assert viewed.purpose == f"Deciding duty-to-share request {request.id}"
    assert viewed.resident_id == resident.id


@pytest.mark.parametrize(
    ("age", "overdue"),
    [
        (timedelta(hours=23, minutes=59), 0),
        (timedelta(hours=24), 0),
        (timedelta(hours=24, seconds=1), 1),
    ],
    ids=["within-24h", "exactly-24h", "just-past-24h"],
)
def test_the_dashboard_counts_urgent_requests_past_24_hours(resident, age, overdue):
    make_share_request(resident, asked=NOW - age)
    make_share_request(resident, asked=NOW - timedelta(days=3), urgent=False)
    make_share_request(resident, asked=NOW - timedelta(days=3), status=ShareRequestStatus.APPROVED)

    counts = dashboard.dashboard(clock.now(), factories.make_staff(Role.SUPERVISOR)).duty_to_share

    assert counts.waiting == 2
    assert counts.overdue == overdue


def test_the_dashboard_leaves_out_requests_that_lapsed_with_their_call(resident):
    lapsed = make_share_request(resident, asked=NOW - timedelta(hours=30), urgent=False)
    acted_on = make_share_request(resident, asked=NOW - timedelta(hours=30), urgent=True)
    for request in (lapsed, acted_on):
        request.call.ended_at = NOW - timedelta(hours=29)
    db.session.commit()

    counts = dashboard.dashboard(clock.now(), factories.make_staff(Role.SUPERVISOR)).duty_to_share

    assert (counts.waiting, counts.overdue) == (1, 1)


def test_the_dashboard_shows_the_counts_with_links(signed_in_supervisor, resident):
    make_share_request(resident, asked=NOW - timedelta(hours=30))
    make_share_request(resident, asked=NOW - timedelta(hours=2))

    page = signed_in_supervisor.get("/dashboard").get_data(as_text=True)

    assert "2 requests to share without consent waiting for a decision" in page
    assert "1 urgent request past 24 hours without a decision" in page
    assert 'href="/duty-to-share?show=overdue"' in page


def test_the_dashboard_says_when_nothing_is_waiting(signed_in_supervisor):
    page = signed_in_supervisor.get("/dashboard").get_data(as_text=True)

    assert "No request to share without consent is waiting for a decision" in page
