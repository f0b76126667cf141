"""Starting and ending calls, logging good-faith reports and sending help."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, Dispatch, Entry
from app.rules.vocabulary import Role
from tests.helpers import csrf_token


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700-900123", "+447700900123"),
        ("(0116) 496 0123", "+441164960123"),
    ],
    ids=["national", "international", "landline-brackets"],
)
def test_starting_a_call_stores_the_number_in_e164(signed_in_handler, start_call, typed, stored):
    call = start_call(signed_in_handler, typed)

    assert db.session.get(Call, call.id).caller_number == stored


def test_a_withheld_number_is_recorded_as_withheld(signed_in_handler, start_call):
    call = start_call(signed_in_handler, number="")

    saved = db.session.get(Call, call.id)
    assert saved.caller_number is None
    assert saved.caller_number_withheld
    assert "Call from a withheld number" in call.page()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the caller&#39;s phone number, or select &#39;Number withheld&#39;"),
        ({"caller_number": "12"}, "Enter a phone number in the correct format"),
        ({"caller_number": "07700900123", "withheld": "y"}, "not both"),
    ],
    ids=["nothing", "too-short", "both"],
)
def test_starting_a_call_explains_what_is_wrong(signed_in_handler, data, message):
    response = signed_in_handler.post(
        "/calls", data={"csrf_token": csrf_token(signed_in_handler, "/calls"), **data}
    )

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Call)) == 0


def test_open_calls_are_listed_so_a_reload_loses_nothing(signed_in_handler, start_call):
    call = start_call(signed_in_handler)

    listing = signed_in_handler.get("/calls").get_data(as_text=True)

    assert f'href="/calls/{call.id}"' in listing
    assert signed_in_handler.get(call.url).status_code == 200


def test_ending_a_call_needs_an_outcome_and_summary(signed_in_handler, start_call):
    call = start_call(signed_in_handler)

    refused = call.post("/end", {})
    ended = call.end(outcome="resolved", summary="Answered a question")

    assert "Select the outcome of the call" in refused.get_data(as_text=True)
    assert ended.status_code == 302
    saved = db.session.get(Call, call.id)
    assert saved.ended_at is not None
    assert saved.summary == "Answered a question"
    assert f'href="/calls/{call.id}"' not in signed_in_handler.get("/calls").get_data(as_text=True)


def test_the_call_page_title_says_error_while_one_of_its_forms_has_errors(
    signed_in_handler, start_call
):
    call = start_call(signed_in_handler)

    refused = call.post("/end", {}).get_data(as_text=True)
    shown = call.page()

    assert f"<title>Error: Call {call.id} " in refused
    assert f"<title>Call {call.id} " in shown


def test_an_unverified_neighbour_can_log_a_report_labelled_as_unverified(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler, "07700 900555")
    call.select(resident)
    call.caller("third-party", name="Pat Neighbour", relationship="neighbour")

    response = call.report(summary="Water pouring from the flat above", urgency="urgent")

    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.reporter_name == "Pat Neighbour"
    assert entry.reporter_relationship.value == "neighbour"
    assert entry.reporter_number == "+447700900555"
    assert not entry.reporter_verified
    assert entry.urgency.value == "urgent"


def test_a_verified_resident_is_recorded_as_the_verified_reporter(resident_calling):
    resident_calling.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")

    resident_calling.report(summary="Bin not collected")

    entry = db.session.scalar(select(Entry))
    assert entry.reporter_verified
    assert entry.reporter_relationship.value == "self"


def test_an_urgent_report_can_send_a_team_at_once(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    call.select(resident)

    call.report(
        urgency="emergency",
        raise_dispatch="y",
        team="Emergency repairs",
        instructions="Isolate the water supply",
    )

    dispatch = db.session.scalar(select(Dispatch))
    assert dispatch.team == "Emergency repairs"
    assert dispatch.priority.value == "emergency"
    listing = signed_in_handler.get("/dispatches").get_data(as_text=True)
    assert "Isolate the water supply" in listing
    assert "Reported in good faith, not verified" in listing
    assert 'govuk-tag--red">Emergency<' in listing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": ""}, "Enter what the caller reported"),
        ({"area": ""}, "Select a service area"),
        ({"raise_dispatch": "y", "team": "", "instructions": "x"}, "Enter the team to send"),
        ({"summary": "x" * 2001}, "Report must be 2,000 characters or fewer"),
    ],
    ids=["no-summary", "no-area", "dispatch-without-team", "too-long"],
)
def test_a_report_with_a_problem_is_shown_again_and_nothing_is_saved(
    call_on_record, fields, message
):
    response = call_on_record.report(**fields)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
    assert db.session.scalar(select(func.count()).select_from(Dispatch)) == 0


def test_recording_a_dispatch_outcome_closes_it(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    call.select(resident)
    call.report(raise_dispatch="y", team="Repairs", instructions="Check the boiler")
    dispatch = db.session.scalar(select(Dispatch))
    url = f"/dispatches/{dispatch.id}/outcome"

    refused = signed_in_handler.post(url, data={"csrf_token": call.token})
    recorded = signed_in_handler.post(
        url, data={"csrf_token": call.token, "outcome": "suspected-hoax", "notes": "Nobody home"}
    )

    assert "Select what the team found" in refused.get_data(as_text=True)
    assert recorded.status_code == 302
    db.session.refresh(dispatch)
    assert dispatch.outcome.value == "suspected-hoax"
    assert "There are no open dispatches" in signed_in_handler.get("/dispatches").get_data(
        as_text=True
    )


def test_dispatches_outside_the_staff_members_areas_are_not_found(
    signed_in_client, start_call, resident
):
    handler = signed_in_client(Role.HANDLER)
    call = start_call(handler)
    call.select(resident)
    call.report(area="housing", raise_dispatch="y", team="Repairs", instructions="Fix the leak")
    dispatch = db.session.scalar(select(Dispatch))
    waste_only = signed_in_client(Role.HANDLER, area_codes=["waste"])

    listing = waste_only.get("/dispatches").get_data(as_text=True)
    outcome_page = waste_only.get(f"/dispatches/{dispatch.id}/outcome")

    assert "Fix the leak" not in listing
    assert outcome_page.status_code == 404


def test_someone_else_calling_must_give_a_relationship_or_not_given(call_on_record):
    refused = call_on_record.caller("third-party", name="Sam")
    accepted = call_on_record.caller("third-party", name="Sam", relationship="not-given")

    assert "Select the caller&#39;s relationship to the resident" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    assert db.session.get(Call, call_on_record.id).caller_relationship.value == "not-given"


def test_after_a_report_is_logged_the_form_is_blank_so_it_is_not_sent_twice(call_on_record):
    fields = {
        "area": "housing",
        "category": "repair",
        "summary": "Water leaking through the ceiling",
        "urgency": "urgent",
        "raise_dispatch": "y",
        "team": "Emergency repairs",
        "instructions": "Isolate the water supply",
    }

    response = call_on_record.post(
        "/reports", {f"report-{k}": v for k, v in fields.items()}, htmx=True
    )

    page = response.get_data(as_text=True)
    assert "Report logged and Emergency repairs sent" in page
    assert "Water leaking through the ceiling</textarea>" not in page
    assert 'value="Emergency repairs"' not in page
    assert "checked" not in page.split('name="report-raise_dispatch"')[1].split(">")[0]
