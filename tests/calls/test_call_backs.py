"""Ringing the resident back on a number on file: a new leg of the same call, from the
council's caller ID. Whoever answers there and presses 1 holds a number on the resident's
record, and is verified as the resident; Twilio's word on the leg is believed once."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Call, CallLeg, ResidentPhone, TextCode
from app.rules.vocabulary import Role
from tests import factories
from tests.calls.conftest import CallDriver
from tests.calls.test_live_call import (
    actions,
    arrive,
    fresh,
    line,
    status_callback,
    take,
)
from tests.helpers import csrf_token, hidden_inputs
from tests.telephony.fake_twilio import ACCOUNT_SID
from tests.telephony.test_voice_webhooks import post_signed

COUNCIL = "+441164960000"


@pytest.fixture
def unverified_caller(fake_twilio, signed_in_handler, resident):
    """A call from an unknown number, taken; the caller says she is Margaret but cannot
    answer the questions, and the handler has hung up to ring her back."""
    call = arrive("+447700900999")
    take(signed_in_handler, call.id)
    driver = CallDriver.taken(signed_in_handler, call.id)
    driver.resident_calls_about(resident)
    line(signed_in_handler, call.id, "hang-up")
    fake_twilio.requests.clear()
    return driver


def phone_of(resident) -> ResidentPhone:
    return db.session.scalar(select(ResidentPhone).where(ResidentPhone.resident_id == resident.id))


def ring_back(driver, phone_id, **extra):
    return driver.post("/call-back", {"callback-phone": str(phone_id), **extra})


def the_leg() -> CallLeg:
    db.session.expire_all()
    return db.session.scalar(select(CallLeg).order_by(CallLeg.id.desc()))


def answered(client, app, leg: CallLeg, digits: str = "1", leg_id=None):
    path = f"/twilio/voice/call-back-answered?leg={leg_id if leg_id is not None else leg.id}"
    params = {"CallSid": leg.provider_call_sid, "AccountSid": ACCOUNT_SID, "Digits": digits}
    return post_signed(client, app, path, params)


def status(driver) -> dict:
    return driver.client.get(f"/calls/{driver.id}/status").get_json()


def test_the_handler_rings_back_a_number_on_file_from_the_councils_caller_id(
    unverified_caller, fake_twilio, resident
):
    page = unverified_caller.page()
    assert "Or ring back on a number on file" in page
    assert "Ring the number ending 123" in page
    assert "7700900123" not in re.sub(r"\D", "", page.split("Ring back on")[1][:2000])

    response = ring_back(unverified_caller, phone_of(resident).id)

    assert "Ringing the number ending 123" in response.get_data(as_text=True)
    (created,) = fake_twilio.sent("/Calls.json")
    assert created.method == "POST"
    assert created.data["To"] == "+447700900123"
    assert created.data["From"] == COUNCIL
    leg = the_leg()
    assert f"call-back-answered?leg={leg.id}" in created.data["Twiml"]
    assert "Press 1" in created.data["Twiml"]
    assert created.data["StatusCallback"] == "http://localhost/twilio/voice/status"
    assert leg.call_id == unverified_caller.id and leg.number_ending == "123"
    assert re.fullmatch(r"CA[0-9a-f]{32}", leg.provider_call_sid)
    asked = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "line.call_back_asked"))
    assert asked.call_id == unverified_caller.id
    assert "7700900123" not in str(asked.detail)


def test_the_resident_answering_and_pressing_1_is_put_through_and_verified(
    unverified_caller, resident, client, app, signed_in_handler
):
    ring_back(unverified_caller, phone_of(resident).id)
    assert status(unverified_caller)["may_disclose"] is False

    response = answered(client, app, the_leg())

    twiml = response.get_data(as_text=True)
    assert f"<Identity>staff-{signed_in_handler.user.id}</Identity>" in twiml
    assert f'<Parameter name="call" value="{unverified_caller.id}" />' in twiml
    now = status(unverified_caller)
    assert now["verified"] is True and now["may_disclose"] is True
    assert now["line"] == {"live": True, "ended": None, "held": False}
    assert actions(unverified_caller.id)[-2:] == [
        "line.call_back_answered",
        "verification.verified",
    ]
    assert "May discuss" in unverified_caller.record_fragment()


def test_an_answer_told_again_verifies_once(unverified_caller, resident, client, app):
    ring_back(unverified_caller, phone_of(resident).id)
    leg = the_leg()

    answered(client, app, leg)
    events = actions(unverified_caller.id)
    again = answered(client, app, leg)

    assert "<Dial" in again.get_data(as_text=True)
    assert actions(unverified_caller.id) == events


REFUSED_ANSWERS = {
    "nothing-pressed": {"digits": ""},
    "2-pressed": {"digits": "2"},
    "11-pressed": {"digits": "11"},
    "star-pressed": {"digits": "*"},
    "no-such-call-back": {"leg_id": "999999"},
    "call-back-not-a-number": {"leg_id": "abc"},
    "call-back-zero": {"leg_id": "0"},
    "call-back-too-large": {"leg_id": str(2**40)},
}


@pytest.mark.parametrize("answer", REFUSED_ANSWERS.values(), ids=REFUSED_ANSWERS.keys())
def test_no_1_pressed_or_an_answer_for_no_call_back_we_made_ends_it_and_verifies_nobody(
    unverified_caller, resident, client, app, answer
):
    ring_back(unverified_caller, phone_of(resident).id)

    response = answered(client, app, the_leg(), **answer)

    assert "<Hangup />" in response.get_data(as_text=True)
    assert status(unverified_caller)["verified"] is False
    assert the_leg().answered_at is None


def test_an_answer_from_another_call_sid_verifies_nobody(unverified_caller, resident, client, app):
    ring_back(unverified_caller, phone_of(resident).id)
    leg = the_leg()
    params = {"CallSid": "CA" + "f" * 32, "AccountSid": ACCOUNT_SID, "Digits": "1"}

    response = post_signed(client, app, f"/twilio/voice/call-back-answered?leg={leg.id}", params)

    assert "<Hangup />" in response.get_data(as_text=True)
    assert status(unverified_caller)["verified"] is False


def test_a_forged_answer_is_refused(unverified_caller, resident, client):
    ring_back(unverified_caller, phone_of(resident).id)
    leg = the_leg()

    response = client.post(
        f"/twilio/voice/call-back-answered?leg={leg.id}",
        data={"CallSid": leg.provider_call_sid, "Digits": "1"},
    )

    assert response.status_code == 403
    assert status(unverified_caller)["verified"] is False


def test_a_record_changed_before_the_answer_is_not_verified_by_it(
    unverified_caller, resident, client, app
):
    ring_back(unverified_caller, phone_of(resident).id)
    unverified_caller.caller("third-party", name="Pat", relationship="neighbour")

    answered(client, app, the_leg())

    assert status(unverified_caller)["verified"] is False
    assert "line.call_back_answered" in actions(unverified_caller.id)


def test_the_resident_hanging_up_the_call_back_ends_the_line_once(
    unverified_caller, resident, client, app
):
    ring_back(unverified_caller, phone_of(resident).id)
    leg = the_leg()
    answered(client, app, leg)

    first = status_callback(client, app, leg.provider_call_sid)
    events = actions(unverified_caller.id)
    again = status_callback(client, app, leg.provider_call_sid)
    late = status_callback(client, app, leg.provider_call_sid, "in-progress")

    assert first.status_code == again.status_code == late.status_code == 204
    now = status(unverified_caller)
    assert now["may_disclose"] is False
    assert now["line"]["ended"].startswith("The caller hung up at ")
    assert actions(unverified_caller.id) == events
    assert the_leg().provider_status == "completed"


def test_the_first_callers_line_ending_late_does_not_end_the_call_back(
    unverified_caller, resident, client, app
):
    ring_back(unverified_caller, phone_of(resident).id)
    answered(client, app, the_leg())
    call = db.session.get(Call, unverified_caller.id)

    status_callback(client, app, call.provider_call_sid)

    now = status(unverified_caller)
    assert now["line"]["live"] is True and now["may_disclose"] is True


def test_a_call_back_nobody_answers_changes_nothing_on_the_call(
    unverified_caller, resident, client, app
):
    ring_back(unverified_caller, phone_of(resident).id)

    status_callback(client, app, the_leg().provider_call_sid, "no-answer")

    assert the_leg().ended_at is not None
    assert status(unverified_caller)["verified"] is False
    assert fresh(unverified_caller.id).line_ended_by_handler is True


# Refusals ---------------------------------------------------------------------------------


def test_not_while_the_caller_is_still_on_the_line(fake_twilio, signed_in_handler, resident):
    call = arrive("+447700900999")
    take(signed_in_handler, call.id)
    driver = CallDriver.taken(signed_in_handler, call.id)
    driver.resident_calls_about(resident)
    fake_twilio.requests.clear()

    assert "Or ring back on a number on file" not in driver.page()  # not offered either
    page = ring_back(driver, phone_of(resident).id).get_data(as_text=True)

    assert "Hang up before ringing back" in page
    assert fake_twilio.sent("/Calls.json") == []


def test_not_for_a_caller_recorded_as_someone_else(unverified_caller, resident, fake_twilio):
    unverified_caller.caller("third-party", name="Pat", relationship="neighbour")

    page = ring_back(unverified_caller, phone_of(resident).id).get_data(as_text=True)

    assert "Only a caller recorded as the resident can be rung back" in page
    assert fake_twilio.sent("/Calls.json") == []


def test_never_a_number_that_is_not_on_this_residents_record(unverified_caller, fake_twilio):
    other = factories.make_resident(forename="Someone", phones=["+447700900555"])

    page = ring_back(unverified_caller, phone_of(other).id).get_data(as_text=True)

    assert "number on file" in page.lower()
    assert fake_twilio.sent("/Calls.json") == []
    assert db.session.scalar(select(CallLeg)) is None


def test_not_to_a_number_put_on_file_lately(unverified_caller, resident, fake_twilio):
    phone = phone_of(resident)
    phone.added_at = clock.now() - timedelta(days=1)
    db.session.commit()

    page = ring_back(unverified_caller, phone.id).get_data(as_text=True)

    assert fake_twilio.sent("/Calls.json") == []
    assert "put on file" in page or "added" in page


def test_not_without_a_caller_id(unverified_caller, resident, fake_twilio, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_CALLER_ID", None)

    page = ring_back(unverified_caller, phone_of(resident).id).get_data(as_text=True)

    assert "no caller ID" in page
    assert fake_twilio.sent("/Calls.json") == []


def test_not_with_a_form_shown_for_another_record_or_caller(unverified_caller, resident):
    page = ring_back(
        unverified_caller, phone_of(resident).id, **{"callback-shown_for": "999999:resident:"}
    ).get_data(as_text=True)

    assert db.session.scalar(select(CallLeg)) is None
    assert "changed" in page.lower() or "again" in page.lower()


def test_twilio_failing_to_ring_says_so_and_the_leg_is_closed(
    unverified_caller, resident, fake_twilio
):
    fake_twilio.fail_next(TimeoutError("read timed out"))

    page = ring_back(unverified_caller, phone_of(resident).id).get_data(as_text=True)

    assert "did not answer, so nobody was rung" in page
    leg = the_leg()
    assert leg.ended_at is not None and leg.provider_status == "failed"
    assert actions(unverified_caller.id)[-1] == "line.call_back_failed"


def test_another_handler_cannot_ring_back_on_this_call(
    unverified_caller, resident, signed_in_client, fake_twilio
):
    other = signed_in_client(Role.HANDLER)

    response = other.post(
        f"/calls/{unverified_caller.id}/call-back",
        data={"csrf_token": csrf_token(other, "/calls"), "callback-phone": phone_of(resident).id},
    )

    assert response.status_code == 404
    assert fake_twilio.sent("/Calls.json") == []


def test_the_provider_is_asked_with_no_transaction_open(unverified_caller, resident, fake_twilio):
    noted = fake_twilio.note_locks((Call, unverified_caller.id), only="/Calls.json")

    ring_back(unverified_caller, phone_of(resident).id)

    assert noted == [(True, False)]


def test_ring_back_pressed_twice_rings_once(unverified_caller, resident, fake_twilio):
    ring_back(unverified_caller, phone_of(resident).id)

    page = ring_back(unverified_caller, phone_of(resident).id).get_data(as_text=True)

    assert "being rung already" in page
    assert len(fake_twilio.sent("/Calls.json")) == 1


def test_once_the_first_call_back_stopped_ringing_another_may_be_made(
    unverified_caller, resident, fake_twilio, client, app
):
    ring_back(unverified_caller, phone_of(resident).id)
    status_callback(client, app, the_leg().provider_call_sid, "no-answer")

    ring_back(unverified_caller, phone_of(resident).id)

    assert len(fake_twilio.sent("/Calls.json")) == 2


@pytest.fixture
def caller_on_the_line(signed_in_handler, start_call, resident):
    """A call the handler started, the caller saying she is Margaret and still on the line:
    the moment a code by text is sent."""
    driver = start_call(signed_in_handler)
    driver.resident_calls_about(resident)
    return driver


@pytest.mark.parametrize(
    ("driver", "path", "prefix"),
    [
        ("caller_on_the_line", "/text-code", "text-"),
        ("unverified_caller", "/call-back", "callback-"),
    ],
    ids=["code", "ring"],
)
def test_a_cookie_replayed_after_sign_out_sends_no_code_and_rings_nobody(
    request, resident, fake_twilio, app, driver, path, prefix
):
    """The form the page drew, posted with a copy of the handler's cookie after they signed
    out: sent back to sign in, no code made, no leg rung, and the provider never asked."""
    call = request.getfixturevalue(driver)
    form = {
        name: value for name, value in hidden_inputs(call.page()).items() if name.startswith(prefix)
    }
    form |= {"csrf_token": call.token, f"{prefix}phone": str(phone_of(resident).id)}
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    copied = call.client.get_cookie(cookie_name).value
    call.client.post("/logout", data={"csrf_token": call.token})
    stranger = app.test_client()
    stranger.set_cookie(cookie_name, copied)

    plain = stranger.post(call.url + path, data=form)
    htmx = stranger.post(call.url + path, data=form, headers={"HX-Request": "true"})

    assert plain.status_code == 302 and plain.headers["Location"].startswith("/login")
    assert htmx.status_code == 401
    assert fake_twilio.requests == []
    assert db.session.scalar(select(CallLeg.id)) is None
    assert db.session.scalar(select(TextCode.id)) is None
