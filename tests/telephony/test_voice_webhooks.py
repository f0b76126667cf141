"""Twilio's voice webhooks, signed as Twilio signs them: a call comes in and waits, and ends.

A request Twilio did not sign for this URL is refused and writes nothing; anything malformed
is a 4xx, never a 500; a retried webhook never makes a second call.
"""

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.models import AuditEvent, Call
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallOutcome, Role
from tests import factories
from tests.telephony.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

CALL_SID = "CA" + "1" * 32
INCOMING = {
    "CallSid": CALL_SID,
    "AccountSid": ACCOUNT_SID,
    "From": "+447700900123",
    "To": "+441164960000",
    "CallStatus": "ringing",
    "Direction": "inbound",
}


def signed(app, path: str, params: dict, url: str | None = None) -> dict:
    """Headers as Twilio sends them: the signature over the public URL and the form."""
    url = url or app.config["PUBLIC_BASE_URL"] + path
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return {"X-Twilio-Signature": signature}


def post_signed(client, app, path: str, params: dict, **kwargs):
    return client.post(path, data=params, headers=signed(app, path, params, **kwargs))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def twilio(fake_twilio, client, app):
    """Post as Twilio would, with the app holding Twilio's token."""
    return lambda path, params, **kw: post_signed(client, app, path, params, **kw)


def test_a_signed_incoming_call_waits_for_a_handler_and_queues_the_caller(twilio, app):
    response = twilio("/twilio/voice", INCOMING)

    assert response.status_code == 200
    assert response.content_type.startswith("text/xml")
    body = response.get_data(as_text=True)
    assert f'<Say language="en-GB">{app.config["TWILIO_QUEUE_MESSAGE"]}</Say>' in body
    assert f"<Enqueue>{app.config['TWILIO_QUEUE_NAME']}</Enqueue>" in body
    call = db.session.scalar(select(Call))
    assert call.provider_call_sid == CALL_SID
    assert call.handler_id is None and call.ended_at is None
    assert call.caller_number == "+447700900123"
    assert not call.caller_number_withheld
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.call_id == call.id)) == (
        "call.arrived"
    )


def test_queue_name_and_wording_come_from_the_configuration(twilio, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_QUEUE_NAME", "housing-repairs")
    monkeypatch.setitem(app.config, "TWILIO_QUEUE_MESSAGE", "Please hold for housing repairs.")

    body = twilio("/twilio/voice", INCOMING).get_data(as_text=True)

    assert "<Enqueue>housing-repairs</Enqueue>" in body
    assert "Please hold for housing repairs." in body


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("+447700900123", "+447700900123"),
        ("07700 900123", "+447700900123"),
        ("anonymous", None),
        ("Restricted", None),
        ("+266696687", None),
        ("+7378742833", None),
        ("", None),
        ("not a number", None),
    ],
    ids=[
        "e164",
        "national",
        "anonymous",
        "restricted",
        "keypad-anonymous",
        "keypad-restricted",
        "empty",
        "garbage",
    ],
)
def test_caller_id_is_stored_in_e164_or_as_withheld(twilio, sent, stored):
    twilio("/twilio/voice", {**INCOMING, "From": sent})

    call = db.session.scalar(select(Call))
    assert call.caller_number == stored
    assert call.caller_number_withheld is (stored is None)


def test_a_replayed_call_sid_makes_no_second_call(twilio):
    first = twilio("/twilio/voice", INCOMING)
    again = twilio("/twilio/voice", INCOMING)

    assert first.status_code == again.status_code == 200
    assert "<Enqueue>" in again.get_data(as_text=True)
    assert count(Call) == 1
    assert count(AuditEvent) == 1


REFUSED = [
    pytest.param({}, id="no-signature"),
    pytest.param({"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, id="wrong-signature"),
]


@pytest.mark.parametrize("headers", REFUSED)
@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/voice/status"])
def test_an_unsigned_or_wrongly_signed_request_is_refused_and_writes_nothing(
    fake_twilio, client, headers, path
):
    response = client.post(path, data={**INCOMING, "CallStatus": "completed"}, headers=headers)

    assert response.status_code == 403
    assert count(Call) == 0
    assert count(AuditEvent) == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/twilio/voice",
        "http://localhost/twilio/voice/status",
        "http://localhost/twilio/voice?x=1",
    ],
    ids=["other-host", "other-path", "other-query"],
)
def test_a_signature_for_another_url_is_refused(fake_twilio, client, app, url):
    response = post_signed(client, app, "/twilio/voice", INCOMING, url=url)

    assert response.status_code == 403
    assert count(Call) == 0


def test_a_signature_made_with_another_token_is_refused(fake_twilio, client, app):
    url = app.config["PUBLIC_BASE_URL"] + "/twilio/voice"
    signature = RequestValidator("someone-else").compute_signature(url, INCOMING)

    response = client.post(
        "/twilio/voice", data=INCOMING, headers={"X-Twilio-Signature": signature}
    )

    assert response.status_code == 403
    assert count(Call) == 0


def test_a_changed_form_breaks_the_signature(fake_twilio, client, app):
    headers = signed(app, "/twilio/voice", INCOMING)

    response = client.post(
        "/twilio/voice", data={**INCOMING, "From": "+447700900999"}, headers=headers
    )

    assert response.status_code == 403
    assert count(Call) == 0


def test_in_production_without_a_token_every_webhook_is_refused(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "IS_PRODUCTION", True)

    response = client.post(
        "/twilio/voice", data=INCOMING, headers=signed(app, "/twilio/voice", INCOMING)
    )

    assert response.status_code == 403
    assert count(Call) == 0


def test_in_development_without_a_token_an_unsigned_call_can_be_tried_offline(client):
    response = client.post("/twilio/voice", data=INCOMING)

    assert response.status_code == 200
    assert count(Call) == 1


def test_with_a_token_an_unsigned_webhook_is_refused_in_development_too(client, fake_twilio):
    response = client.post("/twilio/voice", data=INCOMING)

    assert response.status_code == 403
    assert count(Call) == 0


@pytest.mark.parametrize(
    "params",
    [
        {k: v for k, v in INCOMING.items() if k != "CallSid"},
        {k: v for k, v in INCOMING.items() if k != "From"},
        {**INCOMING, "CallSid": ""},
        {**INCOMING, "CallSid": "CA123"},
        {**INCOMING, "CallSid": "SM" + "1" * 32},
        {**INCOMING, "CallSid": "CA" + "Z" * 32},
        {**INCOMING, "CallSid": "CA" + "1" * 32 + "'; DROP TABLE calls; --"},
        {"\x00": "\x00", "CallSid": "\U0001f4de" * 40},
        {},
    ],
    ids=[
        "no-call-sid",
        "no-from",
        "empty-call-sid",
        "short-call-sid",
        "message-sid",
        "not-hex",
        "injection",
        "binary",
        "empty-form",
    ],
)
def test_a_signed_request_with_missing_fields_or_garbage_is_a_400_and_writes_nothing(
    twilio, params
):
    response = twilio("/twilio/voice", params)

    assert response.status_code == 400
    assert count(Call) == 0
    assert count(AuditEvent) == 0


def test_a_signed_body_that_is_not_a_form_is_a_400(fake_twilio, client, app):
    response = client.post(
        "/twilio/voice",
        data=b"\xff\xfe{not: json",
        content_type="application/json",
        headers=signed(app, "/twilio/voice", {}),
    )

    assert response.status_code == 400
    assert count(Call) == 0


def test_get_is_not_allowed(fake_twilio, client):
    assert client.get("/twilio/voice").status_code == 405


# --- the status callback ---------------------------------------------------------------


def ended(status: str = "completed", duration: str | None = "42", sid: str = CALL_SID) -> dict:
    params = {"CallSid": sid, "AccountSid": ACCOUNT_SID, "CallStatus": status}
    if duration is not None:
        params["CallDuration"] = duration
    return params


@pytest.mark.parametrize("status", ["completed", "busy", "failed", "no-answer", "canceled"])
def test_a_waiting_call_that_ends_is_closed_with_its_final_status_and_duration(twilio, status):
    twilio("/twilio/voice", INCOMING)

    response = twilio("/twilio/voice/status", ended(status, "42"))

    assert response.status_code == 204
    call = db.session.scalar(select(Call))
    assert call.ended_at is not None
    assert call.provider_status == status
    assert call.duration_seconds == 42
    assert call.outcome is CallOutcome.DROPPED
    assert "call.ended_waiting" in db.session.scalars(select(AuditEvent.action)).all()


def test_a_status_without_a_duration_still_closes_the_call(twilio):
    twilio("/twilio/voice", INCOMING)

    twilio("/twilio/voice/status", ended("no-answer", None))

    call = db.session.scalar(select(Call))
    assert call.ended_at is not None and call.duration_seconds is None


@pytest.mark.parametrize("status", ["queued", "initiated", "ringing", "in-progress"])
def test_a_call_still_in_progress_is_left_waiting(twilio, status):
    twilio("/twilio/voice", INCOMING)

    response = twilio("/twilio/voice/status", ended(status, None))

    assert response.status_code == 204
    assert db.session.scalar(select(Call)).ended_at is None


def test_a_status_for_an_unknown_call_creates_nothing(twilio):
    response = twilio("/twilio/voice/status", ended(sid="CA" + "9" * 32))

    assert response.status_code == 204
    assert count(Call) == 0
    assert count(AuditEvent) == 0


def test_a_repeated_status_changes_nothing_more(twilio):
    twilio("/twilio/voice", INCOMING)
    twilio("/twilio/voice/status", ended("completed", "42"))

    again = twilio("/twilio/voice/status", ended("completed", "99"))

    assert again.status_code == 204
    assert db.session.scalar(select(Call)).duration_seconds == 42
    assert count(AuditEvent) == 2


def test_a_taken_call_whose_line_ends_stays_open_for_its_handler_but_verification_ends(
    twilio, resident
):
    handler = factories.make_staff(Role.HANDLER)
    twilio("/twilio/voice", INCOMING)
    call = db.session.scalar(select(Call))
    call.handler_id = handler.id
    call.resident_id = resident.id
    call.verified_as = VerifiedAs.RESIDENT
    db.session.commit()

    twilio("/twilio/voice/status", ended("completed", "180"))

    db.session.expire_all()
    call = db.session.get(Call, call.id)
    assert call.is_open and call.handler_id == handler.id
    assert call.provider_status == "completed" and call.duration_seconds == 180
    assert call.verified_as is VerifiedAs.NOBODY


@pytest.mark.parametrize(
    "params",
    [
        {"CallStatus": "completed"},
        ended(sid="CA-garbage"),
        ended(status=""),
        ended(status="exploded"),
        ended(sid=CALL_SID + "\n"),
    ],
    ids=["no-call-sid", "bad-call-sid", "no-status", "unknown-status", "call-sid-and-a-newline"],
)
def test_a_malformed_status_is_a_400_and_changes_nothing(twilio, params):
    twilio("/twilio/voice", INCOMING)

    response = twilio("/twilio/voice/status", params)

    assert response.status_code == 400
    call = db.session.scalar(select(Call))
    assert call.ended_at is None and call.provider_status is None
    assert count(AuditEvent) == 1


@pytest.mark.parametrize(
    "duration",
    ["-5", "forty", "1e9", "4.5", "99999999999999999999999", "9" * 5000, "\u0661\u0662", "604801"],
    ids=[
        "negative",
        "a-word",
        "exponent",
        "fraction",
        "huge",
        "five-thousand-digits",
        "arabic-digits",
        "longer-than-a-week",
    ],
)
def test_a_duration_that_is_not_a_number_of_seconds_is_unknown_and_the_call_still_ends(
    twilio, duration
):
    twilio("/twilio/voice", INCOMING)

    response = twilio("/twilio/voice/status", ended("completed", duration))

    assert response.status_code == 204
    call = db.session.scalar(select(Call))
    assert call.ended_at is not None and call.provider_status == "completed"
    assert call.duration_seconds is None


def test_webhooks_need_no_csrf_token_or_sign_in(twilio):
    response = twilio("/twilio/voice", INCOMING)

    assert response.status_code == 200


def test_form_encoding_as_twilio_sends_it(fake_twilio, client, app):
    response = client.post(
        "/twilio/voice",
        data=urlencode(INCOMING),
        content_type="application/x-www-form-urlencoded",
        headers=signed(app, "/twilio/voice", INCOMING),
    )

    assert response.status_code == 200
