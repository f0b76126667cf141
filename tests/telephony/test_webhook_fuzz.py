"""Whatever Twilio's webhooks carry, signed as Twilio signs it, the answer is never a server
error, and a refused request writes nothing."""

import uuid
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.models import AuditEvent, Call, OutboxMessage
from app.rules.vocabulary import MessageKind
from app.services import inbound_calls, outbox
from app.telephony.voice import LONGEST_CALL_SECONDS
from tests.telephony.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

FUZZ = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
NUMBER_TEXT = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**12).map(str),
    st.integers(min_value=1, max_value=6000).map(lambda n: "9" * n),
    st.sampled_from(
        ["", " ", "42", "042", "1e9", "4.5", "-0", "٤٢", "４２", "NaN", "0x10", "+7", "9" * 5000]
    ),
    ANY_TEXT,
)
CALL_STATUS = (
    st.sampled_from(sorted(inbound_calls.FINAL_STATUSES | inbound_calls.PROGRESS_STATUSES))
    | ANY_TEXT
)
EXTRA = st.dictionaries(ANY_TEXT.filter(bool), ANY_TEXT, max_size=3)


def signed_post(client, app, path: str, params: dict, query: str = ""):
    url = app.config["PUBLIC_BASE_URL"] + path + (f"?{query}" if query else "")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return client.post(
        path + (f"?{query}" if query else ""),
        data=params,
        headers={"X-Twilio-Signature": signature},
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def a_call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def about_a_waiting_call(known: bool, sid: str, extra: dict, **fields: str) -> tuple[Call, dict]:
    """A call waiting in the queue, and a webhook's parameters naming it, or, when not `known`,
    naming the fuzzed `sid`: whatever the rest says, only the call named may change."""
    waiting = inbound_calls.record_inbound_call(a_call_sid(), None)
    params = {**extra, "AccountSid": ACCOUNT_SID, **fields}
    params["CallSid"] = waiting.provider_call_sid if known else sid
    return waiting, params


@FUZZ
@given(
    sid=st.none() | ANY_TEXT,
    caller=st.none() | ANY_TEXT | NUMBER_TEXT,
    extra=EXTRA,
)
def test_any_incoming_call_webhook_is_answered_without_a_server_error(
    fake_twilio, client, app, sid, caller, extra
):
    params = {**extra, "AccountSid": ACCOUNT_SID, "CallSid": sid or a_call_sid()}
    if caller is not None:
        params["From"] = caller
    calls_before = count(Call)

    response = signed_post(client, app, "/twilio/voice", params)

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert count(Call) == calls_before
    else:
        call = db.session.scalar(select(Call).where(Call.provider_call_sid == params["CallSid"]))
        assert call.caller_number is None or len(call.caller_number) <= 16


@FUZZ
@given(
    known=st.booleans(),
    sid=ANY_TEXT,
    status=CALL_STATUS,
    duration=st.none() | NUMBER_TEXT,
    extra=EXTRA,
)
def test_any_call_status_webhook_is_answered_without_a_server_error_or_half_a_write(
    fake_twilio, client, app, known, sid, status, duration, extra
):
    waiting, params = about_a_waiting_call(known, sid, extra, CallStatus=status)
    if duration is not None:
        params["CallDuration"] = duration
    events_before = count(AuditEvent)

    response = signed_post(client, app, "/twilio/voice/status", params)

    db.session.expire_all()
    call = db.session.get(Call, waiting.id)
    if known and status in inbound_calls.FINAL_STATUSES:
        assert response.status_code == 204
        assert call.ended_at is not None and call.provider_status == status
        assert call.duration_seconds is None or 0 <= call.duration_seconds <= LONGEST_CALL_SECONDS
    else:
        assert response.status_code in (204, 400)
        assert (call.ended_at, call.provider_status, call.duration_seconds) == (None, None, None)
        assert count(AuditEvent) == events_before


@FUZZ
@given(
    sid=st.sampled_from(["SM" + "a" * 32]) | ANY_TEXT,
    status=st.sampled_from(["delivered", "partially_delivered", "read", "failed"]) | ANY_TEXT,
    error_code=st.none() | NUMBER_TEXT,
    message=st.none() | NUMBER_TEXT,
    extra=EXTRA,
)
def test_any_message_status_webhook_is_answered_without_a_server_error(
    fake_twilio, client, app, resident, sid, status, error_code, message, extra
):
    queued = outbox.queue_message(MessageKind.REPORT_MADE, resident, "Hello")
    db.session.commit()
    params = {**extra, "AccountSid": ACCOUNT_SID, "MessageSid": sid, "MessageStatus": status}
    if error_code is not None:
        params["ErrorCode"] = error_code
    query = "" if message is None else f"message={quote(message or str(queued.id))}"

    response = signed_post(client, app, "/twilio/messages/status", params, query=query)

    assert response.status_code in (204, 400)
    assert count(OutboxMessage) >= 1


@FUZZ
@given(
    known=st.booleans(),
    sid=ANY_TEXT,
    status=st.sampled_from(["no-answer", "busy", "failed", "canceled", "completed"]) | ANY_TEXT,
    call_id=st.none() | NUMBER_TEXT,
    extra=EXTRA,
)
def test_any_dial_ended_webhook_is_answered_without_a_server_error(
    fake_twilio, client, app, known, sid, status, call_id, extra
):
    waiting, params = about_a_waiting_call(known, sid, extra, DialCallStatus=status)
    query = "" if call_id is None else f"call={quote(call_id)}"

    response = signed_post(client, app, "/twilio/voice/dial-ended", params, query=query)

    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert db.session.get(Call, waiting.id).handler_id is None  # nobody had it: nothing moved


@FUZZ
@given(
    sid=ANY_TEXT,
    digits=st.sampled_from(["1", "2", ""]) | ANY_TEXT,
    leg=st.none() | NUMBER_TEXT,
    extra=EXTRA,
)
def test_any_call_back_answer_is_answered_without_a_server_error_or_a_verification(
    fake_twilio, client, app, sid, digits, leg, extra
):
    params = {**extra, "AccountSid": ACCOUNT_SID, "CallSid": sid or a_call_sid(), "Digits": digits}
    query = "" if leg is None else f"leg={quote(leg)}"
    events_before = count(AuditEvent)

    response = signed_post(client, app, "/twilio/voice/call-back-answered", params, query=query)

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "<Hangup />" in response.get_data(as_text=True)  # no call back was made
    assert count(AuditEvent) == events_before
