"""Asking to share without consent on a call, and what the call page then shows."""

import pytest

from app import clock
from app.extensions import db
from app.models import Call
from app.refusals import Refused
from app.rules.vocabulary import Role, ShareRequestStatus
from app.services import duty_to_share
from tests.duty_to_share.conftest import (
    HOUSING_ENTRY,
    OFFICER,
    REASON,
    TAX_ENTRY,
    ShareCall,
    decide,
    share_requests,
)
from tests.helpers import audit_events

BANNER = "Disclosed under duty to share: Prevention or detection of crime (police request)"


def test_the_request_page_asks_for_the_basis_reason_and_areas(police_call):
    page = police_call.client.get(police_call.url + "/duty-to-share").get_data(as_text=True)

    assert "Share without consent" in page
    assert "Prevention or detection of crime (police request)" in page
    assert "Someone else calling about the resident, PC Jones" in page
    assert "Housing" in page and "Council tax" in page


def test_an_urgent_request_shows_the_asked_areas_at_once_and_nothing_else(police_call):
    assert "Do not disclose: caller not verified" in police_call.record_fragment()

    response = police_call.ask(areas=["housing"], urgent=True)

    assert response.status_code == 302
    page = police_call.page()
    fragment = police_call.record_fragment()
    for shown in (page, fragment):
        assert BANNER in shown
        assert HOUSING_ENTRY in shown
        assert TAX_ENTRY not in shown
        assert "urgent, not yet approved by a supervisor" in shown
    [request] = share_requests()
    assert request.status is ShareRequestStatus.PENDING
    assert request.urgent
    assert request.officer == OFFICER
    assert request.caller == (
        "Someone else calling about the resident, PC Jones, "
        "Professional (GP, social worker, police)"
    )


def test_the_disclosure_is_audited_once_with_what_the_resident_will_be_told(police_call):
    police_call.ask(areas=["housing", "adult-social-care"], urgent=True)

    police_call.record_fragment()
    police_call.record_fragment()

    [requested] = audit_events("duty_to_share.requested")
    [disclosed] = audit_events("call.duty_to_share_disclosed")
    assert disclosed.call_id == police_call.id
    assert disclosed.resident_id == requested.resident_id
    assert disclosed.staff_id == police_call.client.user.id
    assert disclosed.detail["basis"] == "Prevention or detection of crime (police request)"
    assert disclosed.detail["areas"] == ["Adult social care", "Housing"]
    assert disclosed.detail["reason"] == REASON
    assert disclosed.detail["caller"].startswith(
        "Someone else calling about the resident, PC Jones"
    )
    assert disclosed.detail["urgent"] is True
    views = audit_events("record.disclosed")
    assert views and views[-1].detail["reason"].startswith(BANNER)


def test_a_request_that_is_not_urgent_shows_nothing_until_approved(
    police_call, signed_in_supervisor
):
    police_call.ask(areas=["housing", "council-tax"], urgent=False)
    assert "Do not disclose: caller not verified" in police_call.record_fragment()
    assert HOUSING_ENTRY not in police_call.page()
    assert audit_events("call.duty_to_share_disclosed") == []
    [request] = share_requests()

    decide(signed_in_supervisor, request.id, "approve", areas=["council-tax"])

    fragment = police_call.record_fragment()
    assert BANNER in fragment
    assert TAX_ENTRY in fragment
    assert HOUSING_ENTRY not in fragment  # narrowed by the supervisor
    assert "not yet approved" not in fragment


def test_approval_narrows_an_urgent_request_from_the_next_request_on(
    police_call, signed_in_supervisor
):
    police_call.ask(areas=["housing", "council-tax"], urgent=True)
    assert TAX_ENTRY in police_call.record_fragment()
    [request] = share_requests()

    decide(signed_in_supervisor, request.id, "approve", areas=["housing"])

    fragment = police_call.record_fragment()
    assert HOUSING_ENTRY in fragment
    assert TAX_ENTRY not in fragment
    [approved] = audit_events("duty_to_share.approved")
    assert approved.detail["areas"] == ["housing"]


def test_an_approval_is_recorded_with_its_reasons_and_the_page_shows_them(
    police_call, signed_in_supervisor
):
    police_call.ask(areas=["housing"], urgent=False)
    [request] = share_requests()

    decide(signed_in_supervisor, request.id, "approve", areas=["housing"], reason="Officer at door")

    page = signed_in_supervisor.get(f"/duty-to-share/{request.id}").get_data(as_text=True)
    assert "Officer at door" in page and "None given" not in page
    assert share_requests()[0].decision_reason == "Officer at door"


def test_the_service_refuses_an_approval_without_reasons_whatever_was_posted(
    police_call, supervisor
):
    police_call.ask(areas=["housing"], urgent=False)
    [request] = share_requests()

    with pytest.raises(Refused) as refused:
        duty_to_share.decide_request(request, True, ["housing"], " ", supervisor, clock.now())

    assert refused.value.message == "Enter why you are approving the request"
    assert refused.value.field == "reason"
    assert share_requests()[0].status is ShareRequestStatus.PENDING


def test_a_refused_urgent_request_stops_the_disclosure_at_once(police_call, signed_in_supervisor):
    police_call.ask(areas=["housing"], urgent=True)
    [request] = share_requests()

    response = decide(signed_in_supervisor, request.id, "refuse", reason="No lawful basis given")

    assert response.status_code == 302
    fragment = police_call.record_fragment()
    assert "Do not disclose: caller not verified" in fragment
    assert HOUSING_ENTRY not in fragment and BANNER not in fragment
    assert share_requests()[0].status is ShareRequestStatus.REFUSED
    assert audit_events("duty_to_share.refused")[0].detail["reason"] == "No lawful basis given"


def test_the_disclosure_ends_with_the_call(police_call):
    police_call.ask(areas=["housing"], urgent=True)

    police_call.end()

    ended = police_call.client.get(police_call.url).get_data(as_text=True)
    fragment = police_call.record_fragment()
    assert HOUSING_ENTRY not in ended and HOUSING_ENTRY not in fragment
    assert BANNER not in fragment


def test_a_request_shows_nothing_about_another_resident_the_call_moves_to(police_call):
    from tests import factories

    other = factories.make_resident(forename="Ivy", surname="Other", phones=["+447700900888"])
    factories.make_enquiry(other, "housing", "Ivy's own housing entry")
    police_call.ask(areas=["housing"], urgent=True)

    police_call.select(other)
    police_call.caller("third-party", name="PC Jones", relationship="professional")

    fragment = police_call.record_fragment()
    assert "Ivy's own housing entry" not in fragment
    assert BANNER not in fragment


def test_a_request_stops_when_the_caller_recorded_changes(police_call):
    police_call.ask(areas=["housing"], urgent=True)

    police_call.caller("third-party", name="Someone else", relationship="neighbour")

    assert HOUSING_ENTRY not in police_call.record_fragment()


def test_a_request_on_one_call_shows_nothing_on_another_call_about_the_same_resident(
    police_call, resident
):
    police_call.ask(areas=["housing"], urgent=True)

    second = ShareCall(police_call.client)
    second.police_call_about(resident)

    assert HOUSING_ENTRY not in second.record_fragment()
    assert BANNER not in second.page()


def test_staff_still_see_only_their_own_areas_under_the_override(
    signed_in_client, resident, entries
):
    handler = signed_in_client(Role.HANDLER, area_codes=["council-tax"])
    call = ShareCall(handler)
    call.police_call_about(resident)

    call.ask(areas=["housing", "council-tax"], urgent=True)

    fragment = call.record_fragment()
    assert TAX_ENTRY in fragment
    assert HOUSING_ENTRY not in fragment


def test_a_caller_verified_as_the_resident_needs_no_override(signed_in_handler, resident):
    call = ShareCall(signed_in_handler)
    call.resident_calls_about(resident)
    call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")

    page = call.ask(areas=["housing"]).get_data(as_text=True)

    assert "you may already discuss all council services" in page
    assert share_requests() == []


def test_one_request_waits_at_a_time(police_call):
    police_call.ask(areas=["housing"], urgent=False)

    page = police_call.ask(areas=["council-tax"], urgent=True).get_data(as_text=True)

    assert "A request on this call is already waiting for a supervisor" in page
    assert len(share_requests()) == 1


def test_missing_answers_are_shown_next_to_their_fields_and_nothing_is_saved(police_call):
    response = police_call.client.post(
        police_call.url + "/duty-to-share",
        data={"csrf_token": police_call.token, "basis": "crime", "reason": "short"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Share without consent" in page
    assert "There is a problem" in page
    assert (
        "Enter the requesting officer&#39;s name" in page
        or "Enter the requesting officer's name" in page
    )
    assert "Enter why you need to share, in at least 10 characters" in page
    assert "Select the service areas you need to discuss" in page
    assert share_requests() == []


@pytest.mark.parametrize("basis", ["", "because-i-said-so"], ids=["none", "not-on-the-list"])
def test_a_basis_is_asked_for_when_none_or_one_not_on_the_list_is_given(police_call, basis):
    page = police_call.ask(basis=basis).get_data(as_text=True)

    assert "Select the lawful basis for sharing" in page
    assert share_requests() == []


def test_the_calls_requests_are_read_by_a_statement_built_once(police_call, monkeypatch):
    police_call.ask(areas=["housing"], urgent=True)

    def select(*args, **kwargs):
        raise AssertionError("a statement built for this request")

    monkeypatch.setattr(duty_to_share, "select", select)

    assert HOUSING_ENTRY in police_call.record_fragment()
    assert [
        request.id
        for request in duty_to_share.requests_on_call(db.session.get(Call, police_call.id))
    ] == [request.id for request in share_requests()]
