"""Signing in to the portal: a reference, a date of birth and a text code, told apart from a
staff session, and never saying which detail was wrong."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent
from app.rules.vocabulary import Role
from app.services.text_codes import codes_sent_since
from tests import factories
from tests.helpers import client_from, csrf_token, sign_in, without_tokens
from tests.portal.helpers import (
    BORN,
    console_code,
    give_code,
    give_details,
    portal_sign_in,
    send_queued_codes,
    texts_sent,
)


def _answer(client) -> tuple[int, str]:
    """What the visitor sees after giving details, without the tokens every page differs by."""
    response = client.get("/portal/code")
    return response.status_code, without_tokens(response)


def test_a_resident_signs_in_with_reference_date_of_birth_and_the_code_sent(client, resident):
    give_details(client, resident.reference.lower()[:4] + " " + resident.reference[4:], BORN)

    response = give_code(client, console_code())

    assert response.headers["Location"] == "/portal/your-record"
    page = client.get("/portal/your-record").get_data(as_text=True)
    assert "Margaret Okafor" in page


def test_the_date_of_birth_is_read_as_people_write_it(client, resident):
    give_details(client, resident.reference, "14 March 1948")

    assert texts_sent() == 1


@pytest.mark.parametrize(
    ("reference", "born"),
    [
        ("right", "1/1/1950"),
        ("ZZZZ-ZZZZ-ZZZ", BORN),
        ("not a reference", BORN),
        ("right", "not a date"),
    ],
    ids=["wrong-date-of-birth", "unknown-reference", "malformed-reference", "unreadable-date"],
)
def test_a_wrong_combination_gets_the_same_answer_and_sends_nothing(
    app, resident, reference, born, stopped_clock
):
    right = app.test_client()
    give_details(right, resident.reference, BORN)
    sent_for_the_right_details = texts_sent()
    wrong = app.test_client()

    response = give_details(wrong, resident.reference if reference == "right" else reference, born)

    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/code"
    assert texts_sent() == sent_for_the_right_details
    assert _answer(wrong) == _answer(right)
    assert _answer(wrong)[0] == 200
    refused = give_code(wrong, console_code())
    assert refused.status_code == 200
    assert "The code is not right, or it has stopped working" in refused.get_data(as_text=True)


def test_a_wrong_code_says_the_same_as_a_code_for_someone_else(client, resident):
    give_details(client, resident.reference, BORN)
    code = console_code()
    wrong = "000000" if code != "000000" else "111111"

    response = give_code(client, wrong)

    assert response.status_code == 200
    assert "The code is not right, or it has stopped working" in response.get_data(as_text=True)
    assert client.get("/portal/your-record").headers["Location"] == "/portal"


def test_a_code_stops_working_after_the_checks_allowed(client, resident):
    give_details(client, resident.reference, BORN)
    code = console_code()
    for _ in range(5):
        give_code(client, "000000" if code != "000000" else "111111")

    response = give_code(client, code)

    assert "The code is not right" in response.get_data(as_text=True)


def test_sign_in_attempts_on_a_reference_are_limited_per_address_before_anything_is_checked(
    app, resident
):
    stranger = client_from(app, "198.51.100.1")
    for _ in range(5):
        assert give_details(stranger, resident.reference, "1/1/1950").status_code == 302

    response = give_details(stranger, resident.reference, BORN)

    assert response.status_code == 429
    assert texts_sent() == 0


def test_five_starts_by_a_stranger_elsewhere_do_not_keep_the_resident_out(app, resident):
    stranger = client_from(app, "198.51.100.1")
    for _ in range(5):
        give_details(stranger, resident.reference, "1/1/1950")
    at_home = client_from(app, "203.0.113.9")

    response = give_details(at_home, resident.reference, BORN)

    assert response.headers["Location"] == "/portal/code"
    assert texts_sent() == 1
    give_code(at_home, console_code())
    assert at_home.get("/portal/your-record").status_code == 200


def test_a_reference_tried_from_many_addresses_asks_each_to_wait_and_never_refuses_the_resident(
    app, resident, monkeypatch
):
    monkeypatch.setitem(app.config, "PORTAL_SIGN_IN_LIMIT_PER_REFERENCE", "3 per 15 minutes")
    for n in range(3):
        give_details(client_from(app, f"198.51.100.{n + 1}"), resident.reference, "1/1/1950")
    at_home = client_from(app, "203.0.113.9")

    first = give_details(at_home, resident.reference, BORN)
    again = give_details(at_home, resident.reference, BORN)

    assert first.headers["Location"] == "/portal/code"
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "There have been many attempts to sign in to this account. Wait" in page
    assert "Error:" in page
    assert texts_sent() == 1


def test_sign_in_attempts_are_limited_per_address_across_references(
    app, client, resident, monkeypatch
):
    monkeypatch.setitem(app.config, "PORTAL_SIGN_IN_LIMIT_PER_ADDRESS", "3 per 15 minutes")
    for _ in range(3):
        give_details(client, factories.make_resident().reference, "1/1/1950")

    response = give_details(client, resident.reference, BORN)

    assert response.status_code == 429


def test_a_resident_is_never_let_into_a_staff_page(client, resident):
    portal_sign_in(client, resident)

    for path in ["/", "/calls", "/records", "/disputes", "/messages"]:
        response = client.get(path)
        assert response.status_code in (302, 404), path
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), path


def test_a_staff_session_is_not_a_residents(signed_in_client):
    staff = signed_in_client(Role.SUPERVISOR)

    for path in ["/portal/your-record", "/portal/disputes/1", "/portal/entries/1/dispute"]:
        response = staff.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/portal", path


def test_staff_signing_in_leaves_no_resident_session_behind(client, resident):
    portal_sign_in(client, resident)
    staff = factories.make_staff(Role.HANDLER)

    sign_in(client, staff)

    assert client.get("/portal/your-record").headers["Location"] == "/portal"


def test_a_copied_cookie_opens_nothing_after_sign_out(app, client, resident):
    portal_sign_in(client, resident)
    copied = client.get_cookie("cv_session").value

    client.post("/portal/sign-out", data={"csrf_token": csrf_token(client, "/portal/your-record")})
    replay = app.test_client()
    replay.set_cookie("cv_session", copied)

    assert replay.get("/portal/your-record").headers["Location"] == "/portal"
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "portal.signed_out"))


def test_a_resident_is_signed_out_when_idle(app, client, resident):
    portal_sign_in(client, resident)
    clock.set_now(clock.now() + app.config["PORTAL_IDLE_LIFETIME"] + timedelta(seconds=1))

    response = client.get("/portal/your-record")

    assert response.headers["Location"] == "/portal"


def test_a_request_before_the_idle_timeout_keeps_the_resident_signed_in(app, client, resident):
    portal_sign_in(client, resident)
    start = clock.now()
    clock.set_now(start + app.config["PORTAL_IDLE_LIFETIME"] - timedelta(minutes=1))
    client.get("/portal/your-record")
    clock.set_now(start + app.config["PORTAL_IDLE_LIFETIME"] + timedelta(minutes=1))

    response = client.get("/portal/your-record")

    assert response.status_code == 200


def test_no_more_codes_are_sent_than_the_hourly_limit_and_the_page_does_not_say_so(app, resident):
    for _ in range(3):
        give_details(app.test_client(), resident.reference, BORN)
    late = app.test_client()

    response = give_details(late, resident.reference, BORN)

    assert response.headers["Location"] == "/portal/code"
    assert texts_sent() == 3
    assert _answer(late)[0] == 200


def test_portal_codes_count_towards_the_hourly_limit_of_codes_on_calls(client, resident):
    give_details(client, resident.reference, BORN)
    send_queued_codes()

    assert codes_sent_since(resident.id, clock.now() - timedelta(hours=1)) == 1


def test_a_signed_in_resident_sees_the_staff_sign_in_page_not_a_loop(client, resident):
    portal_sign_in(client, resident)

    response = client.get("/login")

    assert response.status_code == 200
    assert "For council contact centre staff" in response.get_data(as_text=True)


def test_when_codes_run_out_the_page_says_codes_are_limited_and_when_to_try_again(app, resident):
    asked_at = datetime(2027, 12, 7, 14, 5, tzinfo=UTC)
    clock.set_now(asked_at)
    for _ in range(3):
        give_details(app.test_client(), resident.reference, BORN)
    over_the_limit, stranger = app.test_client(), app.test_client()
    give_details(over_the_limit, resident.reference, BORN)
    give_details(stranger, "ZZZZ-ZZZZ-ZZZ", BORN)

    status, page = _answer(over_the_limit)

    assert texts_sent() == 3
    assert status == 200
    assert "we send no more than 3 codes in an hour" in page
    assert "try again after 15:05" in page  # an hour on, in London time (GMT in December)
    assert (status, page) == _answer(stranger), "the page must not tell whether details matched"
