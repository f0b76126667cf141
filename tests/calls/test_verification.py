"""Checking answers on a call: match or no match per factor, and the lock."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, VerificationAttempt
from app.rules.vocabulary import Role
from tests.calls.conftest import answer_wrongly_on_calls


def test_each_answer_is_reported_as_match_or_no_match_without_showing_stored_values(
    resident_calling,
):
    page = resident_calling.verify(date_of_birth="1 January 1950", postcode="LE1 5AB").get_data(
        as_text=True
    )

    assert "Date of birth:" in page and "No match" in page
    assert "Postcode:" in page and "Match" in page
    assert "14 March 1948" not in page
    assert "Do not disclose: caller not verified" in page


@pytest.mark.parametrize(
    "answers",
    [
        {"date_of_birth": "14/03/1948", "postcode": "le15ab"},
        {"date_of_birth": "14 Mar 1948", "reference": "__reference__"},
        {"secret_word": "  BlueBell ", "postcode": "LE1 5AB"},
        {"date_of_birth": "1948-03-14", "address_line": "flat 2 14 mill lane"},
    ],
    ids=["dob-and-postcode", "dob-and-reference", "secret-word-and-one", "dob-and-address"],
)
def test_two_factors_in_any_common_format_verify_the_resident(resident_calling, resident, answers):
    answers = {k: resident.reference if v == "__reference__" else v for k, v in answers.items()}

    page = resident_calling.verify(**answers).get_data(as_text=True)

    assert "May discuss all council services" in page


def test_postcode_and_first_line_of_address_alone_do_not_verify(resident_calling):
    page = resident_calling.verify(
        postcode="LE1 5AB", address_line="Flat 2, 14 Mill Lane"
    ).get_data(as_text=True)

    assert "Do not disclose: caller not verified" in page


def test_one_correct_answer_then_another_verifies_without_counting_a_failure(resident_calling):
    resident_calling.verify(date_of_birth="14/3/1948")
    page = resident_calling.verify(postcode="LE1 5AB").get_data(as_text=True)

    assert "May discuss all council services" in page
    results = db.session.scalars(select(VerificationAttempt.result)).all()
    assert [r.value for r in results] == ["incomplete", "verified"]


def test_attempts_record_factors_and_results_but_never_what_was_typed(resident_calling):
    resident_calling.verify(date_of_birth="2 February 1922", secret_word="wrongword")

    attempt = db.session.scalar(select(VerificationAttempt))
    assert attempt.factors_failed == "date-of-birth,secret-word"
    assert attempt.result.value == "failed"
    audit_details = [str(e.detail) for e in db.session.scalars(select(AuditEvent))]
    assert not any("wrongword" in d or "1922" in d for d in audit_details)


def test_a_blank_form_asks_for_an_answer(resident_calling):
    response = resident_calling.verify(date_of_birth="", postcode="")

    assert response.status_code == 200
    assert "Enter at least one answer the caller gave" in response.get_data(as_text=True)
    assert db.session.scalar(select(VerificationAttempt)) is None


def test_an_impossible_date_of_birth_is_explained(resident_calling):
    response = resident_calling.verify(date_of_birth="31/02/1948")

    assert "Enter the date of birth as a real date" in response.get_data(as_text=True)
    assert db.session.scalar(select(VerificationAttempt)) is None


def test_three_failures_lock_phone_verification_for_every_handler(
    signed_in_client, start_call, resident
):
    answer_wrongly_on_calls(signed_in_client(Role.HANDLER), resident, times=3)
    other = start_call(signed_in_client(Role.HANDLER))
    other.resident_calls_about(resident)

    page = other.page()
    refused = other.verify(date_of_birth="14/3/1948", postcode="LE1 5AB").get_data(as_text=True)

    assert "Phone verification locked" in page
    assert "Check answers" not in page
    assert "Phone verification locked" in refused
    assert "May discuss" not in refused
    assert db.session.scalars(select(VerificationAttempt)).all()[-1].result.value == "failed"
    locked = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "verification.locked")
    ).all()
    assert len(locked) == 1


def test_two_failures_warn_the_handler_how_many_tries_are_left(resident_calling):
    resident_calling.verify(date_of_birth="1/1/1990")
    page = resident_calling.verify(date_of_birth="2/1/1990").get_data(as_text=True)

    assert "Failed attempts for this resident in the last day: 2" in page
    assert "1 more and phone verification locks" in page
