"""The gate as an attacker tries it: posting what the page never offered, stale forms,
and calls left open."""

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Call, Entry, VerificationAttempt
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, CallOutcome
from tests import factories
from tests.helpers import hidden_inputs

RIGHT_ANSWERS = {"date_of_birth": "14/3/1948", "postcode": "LE1 5AB"}


def _answers(**overrides) -> dict:
    return {f"verify-{k}": v for k, v in (RIGHT_ANSWERS | overrides).items()}


def _assert_nothing_checked(call) -> None:
    """The check was refused before anything was compared: no attempt, nobody verified."""
    assert _call_row(call).verified_as is VerifiedAs.NOBODY
    assert db.session.scalar(select(VerificationAttempt)) is None


def _call_row(call) -> Call:
    db.session.expire_all()
    return db.session.get(Call, call.id)


def test_a_caller_recorded_as_a_neighbour_cannot_be_verified_with_the_residents_answers(
    call_on_record,
):
    call_on_record.caller("third-party", name="Pat", relationship="neighbour")

    page = call_on_record.post("/verify", _answers()).get_data(as_text=True)

    assert "Only a caller recorded as the resident can answer" in page
    assert "Do not disclose: caller not verified" in call_on_record.record_fragment()
    assert "Record verbal consent" not in call_on_record.page()
    _assert_nothing_checked(call_on_record)


def test_a_caller_not_yet_recorded_cannot_be_verified_with_the_residents_answers(call_on_record):
    page = call_on_record.post("/verify", _answers()).get_data(as_text=True)

    assert "Record who is calling first" in page
    assert _call_row(call_on_record).verified_as is VerifiedAs.NOBODY


def test_a_caller_recorded_as_the_resident_cannot_be_verified_with_a_passcode(
    signed_in_handler, start_call, resident
):
    _, passcode = factories.make_permission(resident)
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    page = call.post("/verify", {"rep-passcode": passcode}).get_data(as_text=True)

    assert "Only a caller recorded as someone with the resident&#39;s permission" in page
    _assert_nothing_checked(call)


def test_answers_typed_for_one_record_are_never_checked_against_the_next(
    signed_in_handler, start_call, resident
):
    other = factories.make_resident(forename="Brian", surname="Other")
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    stale = hidden_inputs(call.page())
    call.resident_calls_about(other)

    page = call.post("/verify", {**stale, **_answers()}).get_data(as_text=True)

    assert "changed after these answers were typed" in page
    _assert_nothing_checked(call)


def test_a_check_without_the_form_it_was_shown_for_is_refused(resident_calling):
    page = resident_calling.post("/verify", {"verify-shown_for": "", **_answers()}).get_data(
        as_text=True
    )

    assert "changed after these answers were typed" in page
    assert _call_row(resident_calling).verified_as is VerifiedAs.NOBODY


def test_a_report_started_for_one_record_is_never_filed_on_the_next(
    signed_in_handler, start_call, resident
):
    other = factories.make_resident(forename="Brian", surname="Other")
    call = start_call(signed_in_handler)
    call.select(resident)
    call.caller("third-party", relationship="neighbour")  # the report step is open
    stale = {k: v for k, v in hidden_inputs(call.page()).items() if k.startswith("report-")}
    assert stale
    call.select(other)

    page = call.post(
        "/reports",
        {
            **stale,
            "report-area": "housing",
            "report-category": "repair",
            "report-summary": "Leak",
            "report-urgency": "routine",
        },
    ).get_data(as_text=True)

    assert "The record on this call changed after you started this report" in page
    assert db.session.scalar(select(Entry)) is None


def test_a_verification_written_for_one_record_does_not_open_another(
    signed_in_handler, start_call, resident
):
    # What a lost race would leave: the call moved on, the verification did not.
    other = factories.make_resident(forename="Brian", surname="Other")
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    call.verify(**RIGHT_ANSWERS)
    row = _call_row(call)
    row.resident_id = other.id
    db.session.commit()

    fragment = call.record_fragment()

    assert "Do not disclose: the record, the caller or their permission changed" in fragment
    assert "Brian" not in fragment


def test_verification_ends_after_twenty_minutes_without_activity(resident_calling):
    resident_calling.verify(**RIGHT_ANSWERS)
    verified_at = _call_row(resident_calling).last_activity_at
    assert "May discuss all council services" in resident_calling.record_fragment()

    clock.set_now(verified_at + timedelta(minutes=19, seconds=59))
    still = resident_calling.record_fragment()
    clock.set_now(verified_at + timedelta(minutes=20))
    ended = resident_calling.record_fragment()
    page = resident_calling.page()

    assert "May discuss all council services" in still
    lapsed_at = clock.local(verified_at + timedelta(minutes=20))
    words = f"verification ended at {lapsed_at:%H:%M}: 20 minutes without activity on the call"
    assert f"Do not disclose: {words}" in ended
    assert "14 March 1948" not in ended
    assert f"V{words[1:]}." in page


def test_a_factor_matched_before_a_long_silence_no_longer_counts(resident_calling):
    resident_calling.verify(date_of_birth=RIGHT_ANSWERS["date_of_birth"])
    clock.set_now(_call_row(resident_calling).last_activity_at + timedelta(minutes=25))

    page = resident_calling.verify(postcode=RIGHT_ANSWERS["postcode"]).get_data(as_text=True)

    assert "Not verified yet" in page
    assert _call_row(resident_calling).verified_as is VerifiedAs.NOBODY
    ended = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "verification.ended")
    ).all()
    assert len(ended) == 1


def test_activity_keeps_a_verification_alive(resident_calling):
    resident_calling.verify(**RIGHT_ANSWERS)
    start = _call_row(resident_calling).last_activity_at

    clock.set_now(start + timedelta(minutes=15))
    resident_calling.report(summary="Bin not collected")
    clock.set_now(start + timedelta(minutes=30))

    assert "May discuss all council services" in resident_calling.record_fragment()


def test_a_call_left_open_past_its_maximum_is_closed_with_the_reason_shown(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    call.verify(**RIGHT_ANSWERS)
    clock.set_now(_call_row(call).started_at + timedelta(hours=4))

    page = call.page()
    refused = call.post("/verify", _answers())
    listing = signed_in_handler.get("/calls").get_data(as_text=True)

    assert "Closed automatically: the call was open for more than 4 hours" in page
    assert refused.status_code == 404
    row = _call_row(call)
    assert row.outcome is CallOutcome.CLOSED_AUTOMATICALLY
    assert row.ended_at is not None
    assert f"/calls/{call.id}" not in listing


def test_the_handler_cannot_choose_closed_automatically_as_an_outcome(
    signed_in_handler, start_call
):
    call = start_call(signed_in_handler)

    page = call.end(outcome="closed-automatically").get_data(as_text=True)

    assert "Select the outcome of the call" in page or "Not a valid choice" in page
    assert _call_row(call).ended_at is None


def test_changing_the_caller_type_ends_a_representatives_verification(
    signed_in_handler, start_call, resident
):
    permission, passcode = factories.make_permission(resident)
    call = start_call(signed_in_handler)
    call.select(resident)
    call.post(
        "/caller",
        {"caller-caller_type": "representative", "caller-permission_id": str(permission.id)},
    )
    call.post("/verify", {"rep-passcode": passcode})
    assert _call_row(call).verified_as is VerifiedAs.REPRESENTATIVE

    call.caller("resident")

    row = _call_row(call)
    assert row.verified_as is VerifiedAs.NOBODY
    assert row.caller_type is CallerType.RESIDENT
    assert "verification ended at " in call.record_fragment()
    assert ": the caller was changed" in call.record_fragment()


def test_the_close_overdue_command_closes_calls_nobody_opens_again(app):
    handler = factories.make_staff()
    now = clock.now()
    old = Call(handler_id=handler.id, started_at=now - timedelta(hours=5))
    recent = Call(handler_id=handler.id, started_at=now - timedelta(minutes=5))
    db.session.add_all([old, recent])
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["calls", "close-overdue"])

    assert "Closed 1 call left open too long." in result.output
    assert _call_row(old).outcome is CallOutcome.CLOSED_AUTOMATICALLY
    assert _call_row(recent).ended_at is None
