"""Duty to share as an attacker tries it: what the pages never offer, other people's calls and
requests, stale forms and the wrong role."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ShareRequest
from app.rules.vocabulary import Role, ShareRequestStatus
from tests import factories
from tests.duty_to_share.conftest import HOUSING_ENTRY, TAX_ENTRY, ShareCall, decide, share_requests
from tests.helpers import csrf_token


def test_a_handler_cannot_approve_a_request(police_call, signed_in_handler):
    police_call.ask(urgent=False)
    [request] = share_requests()

    response = decide(signed_in_handler, request.id, "approve", areas=["housing"])

    assert response.status_code == 403
    assert share_requests()[0].status is ShareRequestStatus.PENDING
    assert signed_in_handler.get("/duty-to-share").status_code == 403
    assert signed_in_handler.get(f"/duty-to-share/{request.id}").status_code == 403


def test_a_supervisor_cannot_approve_their_own_request(signed_in_supervisor, resident, entries):
    call = ShareCall(signed_in_supervisor)
    call.police_call_about(resident)
    call.ask(urgent=False)
    [request] = share_requests()

    response = decide(signed_in_supervisor, request.id, "approve", areas=["housing"])

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You cannot decide a request you made: ask another supervisor" in page
    assert share_requests()[0].status is ShareRequestStatus.PENDING
    assert HOUSING_ENTRY not in call.record_fragment()
    shown = signed_in_supervisor.get(f"/duty-to-share/{request.id}").get_data(as_text=True)
    assert "another supervisor must decide it" in shown


def test_a_handler_cannot_ask_on_another_handlers_call(police_call, signed_in_client):
    intruder = signed_in_client(Role.HANDLER)
    token = csrf_token(intruder, "/calls")

    response = intruder.post(
        police_call.url + "/duty-to-share",
        data={
            "csrf_token": token,
            "basis": "vital-interests",
            "reason": "x" * 20,
            "areas": ["housing"],
            "urgent": "y",
        },
    )

    assert response.status_code == 404
    assert intruder.get(police_call.url + "/duty-to-share").status_code == 404
    assert share_requests() == []


def test_nobody_can_ask_on_an_ended_call(police_call):
    police_call.end()

    response = police_call.ask(areas=["housing"], urgent=True)

    assert response.status_code == 404
    assert share_requests() == []


def test_areas_not_on_the_list_are_refused(police_call):
    page = police_call.ask(areas=["housing", "parking"]).get_data(as_text=True)

    assert "Select only service areas from the list" in page
    assert share_requests() == []


def test_a_posted_resident_id_is_ignored_the_request_is_for_the_calls_resident(police_call):
    other = factories.make_resident(forename="Ivy", surname="Other", phones=["+447700900888"])

    police_call.ask(areas=["housing"], urgent=True, resident_id=str(other.id))

    [request] = share_requests()
    assert request.resident_id != other.id
    assert request.resident_id == db.session.get(ShareRequest, request.id).call.resident_id


def test_a_request_is_decided_once(police_call, signed_in_client):
    police_call.ask(areas=["housing", "council-tax"], urgent=False)
    [request] = share_requests()
    first = signed_in_client(Role.SUPERVISOR)
    second = signed_in_client(Role.SUPERVISOR)

    decide(first, request.id, "approve", areas=["housing"])
    response = decide(second, request.id, "refuse", reason="Not needed")
    again = decide(first, request.id, "approve", areas=["housing", "council-tax"])

    assert response.status_code == 200
    assert "This request has already been approved. Nothing was changed" in response.get_data(
        as_text=True
    )
    assert "<title>Error: " in again.get_data(as_text=True)
    [decided] = share_requests()
    assert decided.status is ShareRequestStatus.APPROVED
    assert decided.approved_codes == {"housing"}
    assert TAX_ENTRY not in police_call.record_fragment()
    decisions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.action.in_(["duty_to_share.approved", "duty_to_share.refused"])
        )
    ).all()
    assert decisions == ["duty_to_share.approved"]


@pytest.mark.parametrize(
    ("decision", "areas", "error"),
    [
        (
            "approve",
            ["housing", "council-tax"],
            "Select the service areas you approve, from those asked for",
        ),
        ("refuse", [], "Enter why you are refusing the request"),
        ("approve", ["housing"], "Enter why you are approving the request"),
        ("approve-everything", [], "Select whether you approve or refuse the request"),
    ],
    ids=[
        "approval-wider-than-asked",
        "refusal-without-a-reason",
        "approval-without-a-reason",
        "neither-approve-nor-refuse",
    ],
)
def test_a_decision_the_form_refuses_leaves_the_request_waiting(
    police_call, signed_in_supervisor, decision, areas, error
):
    police_call.ask(areas=["housing"], urgent=False)
    [request] = share_requests()

    page = decide(signed_in_supervisor, request.id, decision, areas=areas, reason="  ")
    page = page.get_data(as_text=True)

    assert error in page
    assert share_requests()[0].status is ShareRequestStatus.PENDING


def test_an_unknown_request_is_not_found(signed_in_supervisor):
    assert signed_in_supervisor.get("/duty-to-share/999").status_code == 404
    assert decide(signed_in_supervisor, 999, "approve", areas=["housing"]).status_code == 404


def test_a_request_id_from_another_call_discloses_nothing_on_this_one(
    police_call, signed_in_supervisor, resident
):
    other_call = ShareCall(police_call.client)
    other_call.police_call_about(resident)
    other_call.ask(areas=["housing"], urgent=False)
    [request] = share_requests()

    decide(signed_in_supervisor, request.id, "approve", areas=["housing"])

    assert HOUSING_ENTRY not in police_call.record_fragment()
    assert HOUSING_ENTRY in other_call.record_fragment()


def test_a_request_not_urgent_lapses_when_its_call_ends(police_call, signed_in_supervisor):
    police_call.ask(areas=["housing"], urgent=False)
    [request] = share_requests()
    police_call.end()

    listed = signed_in_supervisor.get("/duty-to-share").get_data(as_text=True)
    shown = signed_in_supervisor.get(f"/duty-to-share/{request.id}").get_data(as_text=True)
    response = decide(signed_in_supervisor, request.id, "approve", areas=["housing"])

    assert "No request is waiting for a decision" in listed
    assert "The call ended before a decision: nothing was shared" in shown
    assert "Record the decision" not in shown
    assert "nothing to decide" in response.get_data(as_text=True)
    assert share_requests()[0].status is ShareRequestStatus.PENDING


def test_an_urgent_request_is_still_decided_after_its_call_ends(police_call, signed_in_supervisor):
    police_call.ask(areas=["housing"], urgent=True)
    police_call.record_fragment()
    [request] = share_requests()
    police_call.end()

    listed = signed_in_supervisor.get("/duty-to-share").get_data(as_text=True)
    response = decide(signed_in_supervisor, request.id, "approve", areas=["housing"])

    assert f"Request {request.id}<" in listed
    assert response.status_code == 302
    assert share_requests()[0].status is ShareRequestStatus.APPROVED
    assert HOUSING_ENTRY not in police_call.record_fragment()  # the call has ended


@pytest.mark.parametrize(
    "reason", ["\u200b\u200b\u200b", "\ufeff", " \u2060\u00ad ", "\u200e\u200f"], ids=repr
)
def test_reasons_of_invisible_characters_alone_are_no_reasons(
    police_call, signed_in_supervisor, reason
):
    # A reason that shows nothing on the page (zero-width spaces, a byte order mark, a word
    # joiner, a soft hyphen, direction marks) is refused as a missing one.
    police_call.ask(areas=["housing"], urgent=False)
    [request] = share_requests()

    page = decide(signed_in_supervisor, request.id, "approve", areas=["housing"], reason=reason)

    assert "Enter why you are approving the request" in page.get_data(as_text=True)
    assert share_requests()[0].status is ShareRequestStatus.PENDING


def test_repeated_decision_fields_are_refused_not_a_500(police_call, signed_in_supervisor):
    police_call.ask(areas=["housing"], urgent=False)
    [request] = share_requests()
    token = csrf_token(signed_in_supervisor, "/")

    page = signed_in_supervisor.post(
        f"/duty-to-share/{request.id}",
        data={
            "csrf_token": token,
            "decision": ["refuse", "approve"],
            "areas": ["housing", "housing", "council-tax"],
            "reason": ["Refused", "Approved"],
        },
    )

    assert page.status_code < 500
    assert share_requests()[0].approved_codes in (None, frozenset(), frozenset({"housing"}))
