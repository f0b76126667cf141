"""Subject access exports: what they hold, what they withhold, who may have them."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.demo import builders
from app.extensions import db
from app.models import AuditEvent, CallLeg, SubjectAccessExport
from app.references import format_reference
from app.rules import subject_access as rules
from app.rules.dates import long_date
from app.rules.disclosure import VerifiedAs
from app.rules.phone_changes import ChangeAsked, PhoneLabel
from app.rules.vocabulary import DisputeStatus, Role
from app.services import audit, phones
from tests import factories
from tests.calls.conftest import CallDriver
from tests.helpers import count_rows, csrf_token
from tests.subject_access.helpers import (
    download,
    export_id_of,
    gather,
    gather_all,
    produce,
    representative_call_disclosed,
    start_export,
)

NEIGHBOUR = "Pat Neighbour"
NEIGHBOUR_NUMBER = "+447700900555"
NUMBER_IN_SUMMARY = "07700 900777"
WRONG_SECRET_WORD = "zebracrossing"
WRONG_BIRTHDAY = "1/1/1960"
DAUGHTER = "Dana Okafor"
THIRD_PARTY_REASON = "Court order 2026/114 asks for the reporters' names"
DUTY_BASIS = "Safeguarding an adult at risk"
DUTY_CALLER = "DC Sam Patel, Leicestershire Police"


@pytest.fixture
def full_record(signed_in_client, resident):
    """The resident's call (a failed check with wrong answers, then verified), a report
    logged on it, a neighbour's report with numbers, a daughter's LPA and her verified call,
    a dispute decided, and a disclosure under the duty to share."""
    handler_client = signed_in_client(Role.HANDLER)
    call = CallDriver(handler_client, "07700 900123")
    call.resident_calls_about(resident)
    call.verify(date_of_birth=WRONG_BIRTHDAY, secret_word=WRONG_SECRET_WORD)
    call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")
    call.record_fragment()
    call.report(summary="Water leaking through the kitchen ceiling")
    call.end(summary=f"Resident says the neighbour on {NUMBER_IN_SUMMARY} saw it too")

    neighbours = factories.make_entry(
        resident,
        reporter_name=NEIGHBOUR,
        number=NEIGHBOUR_NUMBER,
        summary=f"Says the boiler is broken, ring me back on {NUMBER_IN_SUMMARY}",
    )
    supervisor = factories.make_staff(Role.SUPERVISOR)
    # The factory's kind and relationship: a child's LPA for property and financial affairs.
    permission, _ = factories.make_permission(resident, name=DAUGHTER, supervisor=supervisor)
    handler = handler_client.user
    representative_call_disclosed(resident, permission, handler)
    dispute = factories.make_dispute(resident, entry=neighbours)
    factories.decide_dispute(
        dispute,
        DisputeStatus.UPHELD,
        "The resident was in hospital that week",
        supervisor=supervisor,
    )
    duty_call = factories.make_call(resident, handler, verified_as=VerifiedAs.NOBODY)
    # The record panel shown under the override alone: its own event below is the log's line.
    audit.record_on_call(
        "record.disclosed",
        duty_call,
        staff_id=handler.id,
        reason=f"{DUTY_BASIS}. May discuss adult social care only",
        entries=[],
    )
    audit.record_on_call(
        "call.duty_to_share_disclosed",
        duty_call,
        staff_id=handler.id,
        basis=DUTY_BASIS,
        areas=["Adult social care"],
        reason="Police asked after a welfare check at the address",
        caller=DUTY_CALLER,
        urgent=True,
    )
    db.session.commit()
    return resident


def _exported_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "subject_access.exported"))
    )


def test_an_export_holds_every_section_of_the_record(signed_in_supervisor, full_record):
    html, data, _ = produce(signed_in_supervisor, full_record.id)

    assert data["details"]["name"] == "Margaret Okafor"
    assert data["details"]["date_of_birth"] == "1948-03-14"
    assert data["details"]["reference"] == format_reference(full_record.reference)
    assert data["details"]["phone_numbers"] == ["07700 900123"]
    summaries = [entry["what_was_reported"] for entry in data["entries"]]
    assert "Water leaking through the kitchen ceiling" in summaries
    labels = {entry["verified"] for entry in data["entries"]}
    assert labels == {"Reporter verified", "Reported in good faith, not verified"}
    assert "Marked incorrect" in {entry["dispute_state"] for entry in data["entries"]}
    assert {call["verified_as"] for call in data["calls"]} >= {
        "The resident",
        "An authorised representative",
    }
    results = [attempt["result"] for attempt in data["verification_attempts"]]
    assert results == ["Failed", "Verified"]
    assert data["verification_attempts"][0]["did_not_match"] == ["Date of birth", "Secret word"]
    [permission] = data["permissions"]
    assert permission["representative"] == DAUGHTER
    assert permission["history"][0]["what"] == "Granted"
    [dispute] = data["disputes"]
    assert dispute["status"] == "Upheld"
    assert dispute["decisions"][0]["reasons"] == "The resident was in hospital that week"
    assert {message["about"] for message in data["messages"]} >= {
        "Someone reported something on your record",
        "We decided on an entry you disputed",
    }
    for section in rules.SECTIONS:
        assert f'id="{section.value}">{section.label}</h2>' in html


def test_an_export_holds_the_history_of_the_residents_numbers_in_full(
    signed_in_supervisor, resident, supervisor
):
    phones.change_by_supervisor(
        resident.id,
        ChangeAsked(
            resident.phones[0].id,
            "+447700900777",
            PhoneLabel.MOBILE,
            seen=phones.numbers_version(resident.id),
        ),
        supervisor,
        "Signed change of details form",
        "FORM-1",
        now=clock.now(),
    )

    html, data, _ = produce(signed_in_supervisor, resident.id)

    [change] = data["phone_numbers"]
    assert change["what"] == "Number changed"
    assert (change["number_before"], change["number_after"]) == ("07700 900123", "07700 900777")
    assert change["how_checked"] == "supervisor, evidence: FORM-1"
    assert change["reason"] == "Signed change of details form"
    assert data["details"]["phone_numbers"] == ["07700 900777"]
    told = [m for m in data["messages"] if m["about"] == "The phone numbers on your record changed"]
    assert [message["sent_to"] for message in told] == ["07700 900123"]
    assert 'id="phone-numbers">Changes to your phone numbers</h2>' in html
    assert "07700 900123" in html.split('id="phone-numbers"')[1]


def test_the_disclosure_log_says_whom_the_council_told_and_on_what_basis(
    signed_in_supervisor, full_record
):
    html, data, _ = produce(signed_in_supervisor, full_record.id)

    told = [(line["told"], line["basis"]) for line in data["disclosures"]]
    assert told == [
        ("You", "after we checked it was you on the phone"),
        (
            f"Your son or daughter, {DAUGHTER}",
            "under your Lasting Power of Attorney (property and financial)",
        ),
        (DUTY_CALLER, f"Disclosed under duty to share: {DUTY_BASIS}"),
    ]
    today = long_date(clock.today())
    assert data["disclosures"][1]["summary"] == (
        f"Your son or daughter, {DAUGHTER}, under your Lasting Power of Attorney "
        f"(property and financial), {today}"
    )
    assert data["disclosures"][2]["about"] == "Adult social care"
    assert "Police asked after a welfare check" not in html + json.dumps(data)
    assert f"Your son or daughter, {DAUGHTER}" in html


def test_what_a_caller_typed_to_be_checked_is_never_in_the_export(
    signed_in_supervisor, full_record
):
    html, data, _ = produce(signed_in_supervisor, full_record.id)

    everything = html + json.dumps(data)
    for typed in (WRONG_SECRET_WORD, WRONG_BIRTHDAY, "1960-01-01", "bluebell", "$argon2"):
        assert typed not in everything
    assert "A secret word is set" in everything


def test_third_parties_names_and_numbers_are_withheld_by_default(signed_in_supervisor, full_record):
    html, data, _ = produce(signed_in_supervisor, full_record.id)

    everything = html + json.dumps(data)
    for third_party in (NEIGHBOUR, NEIGHBOUR_NUMBER, "07700 900555", NUMBER_IN_SUMMARY):
        assert third_party not in everything
    [neighbours] = [e for e in data["entries"] if e["reporter_relationship"] == "Neighbour"]
    assert neighbours["reported_by"] == rules.WITHHELD
    assert neighbours["reporter_number"] == rules.WITHHELD
    assert neighbours["what_was_reported"] == (
        f"Says the boiler is broken, ring me back on {rules.WITHHELD}"
    )
    assert rules.WITHHELD in html
    [event] = _exported_events()
    assert event.detail["third_parties"] == "withheld"
    [daughters_call] = [c for c in data["calls"] if c["caller_name"] == DAUGHTER]
    assert daughters_call["caller_number"] == rules.WITHHELD
    assert data["details"]["phone_numbers"] == ["07700 900123"]
    assert {c["caller_number"] for c in data["calls"]} == {"07700 900123", rules.WITHHELD}
    # The neighbour's name and number, the numbers in two summaries, the daughter's phone on
    # her permission and on her call.
    assert event.detail["withheld"] == 6


def test_third_parties_are_included_with_a_recorded_reason(signed_in_supervisor, full_record):
    html, data, _ = produce(
        signed_in_supervisor,
        full_record.id,
        include_third_parties="y",
        third_party_reason=THIRD_PARTY_REASON,
    )

    everything = html + json.dumps(data)
    assert NEIGHBOUR in everything
    assert "07700 900555" in everything
    assert NUMBER_IN_SUMMARY in everything
    assert rules.WITHHELD not in everything
    [event] = _exported_events()
    assert event.detail["third_parties"] == "included"
    assert event.detail["third_party_reason"] == THIRD_PARTY_REASON
    assert event.detail["withheld"] == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": ""}, rules.ENTER_REASON),
        ({"reason": "too short"}, rules.ENTER_REASON),
        ({"include_third_parties": "y", "third_party_reason": ""}, rules.ENTER_THIRD_PARTY_REASON),
        (
            {"include_third_parties": "y", "third_party_reason": "   because  "},
            rules.ENTER_THIRD_PARTY_REASON,
        ),
        ({"reason": "x" * 501}, "Reason must be 500 characters or fewer"),
    ],
    ids=["no-reason", "short-reason", "third-parties-no-reason", "third-parties-blank", "long"],
)
def test_a_start_without_what_it_needs_is_refused_next_to_the_field(
    signed_in_supervisor, resident, fields, message
):
    response = start_export(signed_in_supervisor, resident.id, **fields)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert message.replace("'", "&#39;") in page
    assert count_rows(SubjectAccessExport) == 0


def test_the_zip_holds_a_self_contained_page_and_a_json_file(signed_in_supervisor, resident):
    html, data, archive = produce(signed_in_supervisor, resident.id)

    assert archive.namelist() == ["index.html", "data.json"]
    assert "<style>" in html
    assert "<link" not in html
    assert "<script" not in html
    assert 'src="' not in html
    assert data["export"]["third_parties"] == "withheld"
    assert data["entries"] == []
    assert "Nothing recorded." in html


def test_the_download_is_a_zip_kept_out_of_caches(signed_in_supervisor, resident):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    gather_all(signed_in_supervisor, export_id)

    response = download(signed_in_supervisor, export_id)

    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    assert resident.surname not in response.headers["Content-Disposition"]


def test_the_progress_page_gathers_one_section_per_request(signed_in_supervisor, resident):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    for _ in range(3):
        gather(signed_in_supervisor, export_id)

    page = signed_in_supervisor.get(f"/subject-access/exports/{export_id}").get_data(as_text=True)
    partial = gather(signed_in_supervisor, export_id).get_data(as_text=True)

    assert "3 of 11 sections" in page
    assert 'hx-trigger="load"' in page
    assert "4 of 11 sections" in partial
    assert "<html" not in partial
    assert "Download the export" not in partial


def test_gathering_without_htmx_goes_back_to_the_progress_page(signed_in_supervisor, resident):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))

    response = gather(signed_in_supervisor, export_id, htmx=False)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/subject-access/exports/{export_id}"


def test_once_gathered_the_page_offers_the_download_and_stops_asking(
    signed_in_supervisor, resident
):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    gather_all(signed_in_supervisor, export_id)

    extra = gather(signed_in_supervisor, export_id).get_data(as_text=True)

    assert "Download the export" in extra
    assert 'hx-trigger="load"' not in extra
    export = db.session.get(SubjectAccessExport, export_id)
    db.session.refresh(export)
    assert export.progress == len(rules.SECTIONS)


def test_a_download_before_every_section_is_gathered_is_refused(signed_in_supervisor, resident):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    gather(signed_in_supervisor, export_id)

    response = download(signed_in_supervisor, export_id)

    assert response.status_code == 302
    assert _exported_events() == []
    page = signed_in_supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert rules.NOT_READY in page


def test_an_expired_export_is_not_downloaded(signed_in_supervisor, resident):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    gather_all(signed_in_supervisor, export_id)
    # A day on, as the clock reads it (the supervisor's session is another matter).
    export = db.session.get(SubjectAccessExport, export_id)
    export.expires_at = clock.now() - timedelta(minutes=1)
    db.session.commit()

    response = download(signed_in_supervisor, export_id)

    assert response.status_code == 302
    assert _exported_events() == []
    page = signed_in_supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "This export has expired" in page


def test_another_supervisor_cannot_see_gather_or_download_an_export(
    signed_in_client, signed_in_supervisor, resident
):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    gather_all(signed_in_supervisor, export_id)
    other = signed_in_client(Role.SUPERVISOR)
    token = csrf_token(other, "/subject-access")

    page = other.get(f"/subject-access/exports/{export_id}")
    gathered = other.post(f"/subject-access/exports/{export_id}/gather", data={"csrf_token": token})
    downloaded = download(other, export_id)

    assert (page.status_code, gathered.status_code, downloaded.status_code) == (403, 403, 403)
    assert _exported_events() == []


def test_a_cookie_replayed_after_sign_out_opens_gathers_and_downloads_nothing(
    app, signed_in_supervisor, resident
):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    token = csrf_token(signed_in_supervisor, "/subject-access")
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    copied = signed_in_supervisor.get_cookie(cookie_name).value
    signed_in_supervisor.post("/logout", data={"csrf_token": token})
    stranger = app.test_client()
    stranger.set_cookie(cookie_name, copied)

    page = stranger.get(f"/subject-access/exports/{export_id}")
    gathered = stranger.post(
        f"/subject-access/exports/{export_id}/gather", data={"csrf_token": token}
    )
    downloaded = download(stranger, export_id)

    for answer in (page, gathered, downloaded):
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert db.session.get(SubjectAccessExport, export_id).progress == 0
    assert _exported_events() == []


@pytest.mark.parametrize("role", [Role.HANDLER, Role.ADMIN], ids=["handler", "admin"])
def test_staff_other_than_supervisors_are_refused(
    signed_in_client, signed_in_supervisor, resident, role
):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    gather_all(signed_in_supervisor, export_id)
    client = signed_in_client(role)
    token = csrf_token(client, "/console")

    responses = [
        client.get("/subject-access"),
        client.post("/subject-access", data={"csrf_token": token, "reference": "x"}),
        client.get(f"/subject-access/residents/{resident.id}"),
        client.post(
            f"/subject-access/residents/{resident.id}",
            data={"csrf_token": token, "reason": "Letter from the resident"},
        ),
        client.get(f"/subject-access/exports/{export_id}"),
        client.post(f"/subject-access/exports/{export_id}/gather", data={"csrf_token": token}),
        download(client, export_id),
    ]

    assert {response.status_code for response in responses} == {403}
    assert count_rows(SubjectAccessExport) == 1


def test_starting_and_downloading_are_audited_with_counts_never_the_data(
    signed_in_supervisor, full_record
):
    produce(signed_in_supervisor, full_record.id)

    started = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "subject_access.started")
    )
    [exported] = _exported_events()
    assert started.resident_id == exported.resident_id == full_record.id
    assert exported.staff_id == signed_in_supervisor.user.id
    assert exported.purpose == "Letter from the resident received on 1 November"
    assert exported.detail["sections"]["entries"] == 2
    assert exported.detail["sections"]["disclosures"] == 3
    assert exported.detail["sections"]["details"] == 1
    recorded = json.dumps(exported.detail) + json.dumps(started.detail)
    for personal in ("Margaret", "Okafor", "LE1", "1948", NEIGHBOUR, "boiler"):
        assert personal not in recorded


def test_each_download_is_audited(signed_in_supervisor, resident):
    export_id = export_id_of(start_export(signed_in_supervisor, resident.id))
    gather_all(signed_in_supervisor, export_id)

    download(signed_in_supervisor, export_id)
    download(signed_in_supervisor, export_id)

    assert len(_exported_events()) == 2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", rules.ENTER_REFERENCE),
        ("NOT-A-REF", rules.REFERENCE_FORMAT),
        ("0000-0000-001", rules.REFERENCE_FORMAT),
    ],
    ids=["empty", "wrong-shape", "bad-check-symbol"],
)
def test_finding_a_resident_by_a_reference_that_cannot_be_one_says_why(
    signed_in_supervisor, resident, typed, message
):
    token = csrf_token(signed_in_supervisor, "/subject-access")

    response = signed_in_supervisor.post(
        "/subject-access", data={"csrf_token": token, "reference": typed}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert message.replace("'", "&#39;") in page


def test_a_reference_nobody_has_is_not_found(signed_in_supervisor, resident):
    other = factories.make_resident()
    unknown = other.reference
    db.session.delete(other)
    db.session.commit()
    token = csrf_token(signed_in_supervisor, "/subject-access")

    response = signed_in_supervisor.post(
        "/subject-access", data={"csrf_token": token, "reference": format_reference(unknown)}
    )

    assert rules.REFERENCE_NOT_FOUND in response.get_data(as_text=True)


def test_a_reference_finds_the_resident_without_putting_it_in_the_address(
    signed_in_supervisor, resident
):
    token = csrf_token(signed_in_supervisor, "/subject-access")

    response = signed_in_supervisor.post(
        "/subject-access",
        data={"csrf_token": token, "reference": format_reference(resident.reference).lower()},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/subject-access/residents/{resident.id}"
    page = signed_in_supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Margaret Okafor" in page


def test_the_supervisor_sees_the_exports_they_started(
    signed_in_client, signed_in_supervisor, resident
):
    mine = export_id_of(start_export(signed_in_supervisor, resident.id))
    other = signed_in_client(Role.SUPERVISOR)
    theirs = export_id_of(start_export(other, resident.id))

    page = signed_in_supervisor.get("/subject-access").get_data(as_text=True)
    empty = signed_in_client(Role.SUPERVISOR).get("/subject-access").get_data(as_text=True)

    assert f"/subject-access/exports/{mine}" in page
    assert f"/subject-access/exports/{theirs}" not in page
    assert "You have not started any exports." in empty


def test_the_record_page_links_supervisors_to_a_subject_access_export(signed_in_client, resident):
    pages = {}
    for role in (Role.SUPERVISOR, Role.HANDLER):
        client = signed_in_client(role)
        token = csrf_token(client, f"/residents/{resident.id}")
        pages[role] = client.post(
            f"/residents/{resident.id}",
            data={"csrf_token": token, "reason": "Checking a complaint about repairs"},
        ).get_data(as_text=True)

    link = f"/subject-access/residents/{resident.id}"
    assert link in pages[Role.SUPERVISOR]
    assert link not in pages[Role.HANDLER]


def test_an_unknown_resident_or_export_is_not_found(signed_in_supervisor):
    assert signed_in_supervisor.get("/subject-access/residents/999999").status_code == 404
    assert signed_in_supervisor.get("/subject-access/exports/999999").status_code == 404


def test_a_call_that_moved_on_to_another_record_is_left_out(
    signed_in_client, signed_in_supervisor, resident
):
    neighbour = factories.make_resident(forename="Ivy", surname="Marsh", phones=["+447700900888"])
    handler_client = signed_in_client(Role.HANDLER)
    call = CallDriver(handler_client, "07700 900999")
    call.select(resident)
    call.caller("third-party", "Ivy Marsh", "neighbour")
    call.report(summary="Water coming through from the flat above")
    call.select(neighbour)
    call.end(summary="Ivy Marsh asked about her own council tax arrears")

    html, data, _ = produce(signed_in_supervisor, resident.id)

    assert data["calls"] == []
    assert [e["what_was_reported"] for e in data["entries"]] == [
        "Water coming through from the flat above"
    ]
    assert "arrears" not in html + json.dumps(data)


def test_the_calls_back_from_a_call_are_in_the_export_with_the_numbers_ending_only(
    signed_in_supervisor, resident
):
    handler = factories.make_staff(Role.HANDLER)
    started = clock.now() - timedelta(hours=2)
    call = builders.add_call(handler, resident, at=started, caller_number="+447700900999")
    call.ended_at = started + timedelta(minutes=9)
    someone_else = factories.make_resident(forename="Ivy", surname="Marsh")
    for rung, who, answered in (
        (started + timedelta(minutes=3), resident, None),
        (started + timedelta(minutes=5), resident, started + timedelta(minutes=5, seconds=20)),
        (started + timedelta(minutes=7), someone_else, None),
    ):
        db.session.add(
            CallLeg(
                call_id=call.id,
                handler_id=handler.id,
                resident_id=who.id,
                number_ending="4567" if who is resident else "8888",
                shown_for="the resident",
                asked_at=rung,
                answered_at=answered,
            )
        )
    db.session.commit()

    html, data, _ = produce(signed_in_supervisor, resident.id)

    [exported] = data["calls"]
    assert [(leg["number_ending"], bool(leg["answered"])) for leg in exported["calls_back"]] == [
        ("4567", False),
        ("4567", True),
    ]
    assert "Calls back to you from this call" in html
    assert "+447700904567" not in html + json.dumps(data)
    assert "8888" not in html + json.dumps(data)
