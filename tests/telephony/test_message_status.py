"""Twilio's delivery reports for sent texts, signed as Twilio signs them: believed only when
signed, never a 500, and never undoing a final status."""

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.models import OutboxMessage
from app.rules.vocabulary import MessageKind, MessageStatus
from app.services import outbox
from tests.telephony.fake_twilio import AUTH_TOKEN

SID = "SM" + "b" * 32
PATH = "/twilio/messages/status"


@pytest.fixture
def sent(resident):
    """A text the worker has sent, with Twilio's id recorded."""
    message = outbox.queue_message(MessageKind.REPORT_MADE, resident, "Hello")
    db.session.flush()
    message.status = MessageStatus.SENT
    message.attempts = 1
    message.provider_sid = SID
    db.session.commit()
    return message.id


def report(client, app, params: dict, query: str = "", signature: str | None = None):
    url = app.config["PUBLIC_BASE_URL"] + PATH + (f"?{query}" if query else "")
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return client.post(
        PATH + (f"?{query}" if query else ""),
        data=params,
        headers={"X-Twilio-Signature": signature},
    )


def message(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


@pytest.mark.parametrize(
    ("reported", "status"),
    [
        ("delivered", MessageStatus.DELIVERED),
        ("read", MessageStatus.DELIVERED),
        ("undelivered", MessageStatus.UNDELIVERED),
        ("partially_delivered", MessageStatus.UNDELIVERED),
        ("failed", MessageStatus.FAILED),
        ("canceled", MessageStatus.FAILED),
        ("accepted", MessageStatus.SENT),
        ("scheduled", MessageStatus.SENT),
        ("queued", MessageStatus.SENT),
        ("sending", MessageStatus.SENT),
        ("sent", MessageStatus.SENT),
        ("receiving", MessageStatus.SENT),
        ("received", MessageStatus.SENT),
        ("expired", MessageStatus.SENT),
    ],
    ids=[
        "delivered",
        "read",
        "undelivered",
        "partially-delivered",
        "failed",
        "canceled",
        "accepted-adds-nothing",
        "scheduled-adds-nothing",
        "queued-adds-nothing",
        "sending-adds-nothing",
        "sent-adds-nothing",
        "receiving-is-not-acted-on",
        "received-is-not-acted-on",
        "a-word-twilio-may-add-later-is-not-acted-on",
    ],
)
def test_every_status_twilio_reports_is_answered_and_recorded(
    fake_twilio, client, app, sent, reported, status
):
    response = report(client, app, {"MessageSid": SID, "MessageStatus": reported})

    assert response.status_code == 204
    assert message(sent).status is status


def test_partly_delivered_says_so_to_staff(fake_twilio, client, app, sent):
    report(client, app, {"MessageSid": SID, "MessageStatus": "partially_delivered"})

    assert message(sent).last_error == "Twilio: partially delivered"


def test_read_after_delivered_keeps_when_it_was_delivered(fake_twilio, client, app, sent):
    report(client, app, {"MessageSid": SID, "MessageStatus": "delivered"})
    delivered_at = message(sent).delivered_at

    report(client, app, {"MessageSid": SID, "MessageStatus": "read"})

    assert message(sent).status is MessageStatus.DELIVERED
    assert message(sent).delivered_at == delivered_at


def test_a_late_queued_never_undoes_undelivered(fake_twilio, client, app, sent):
    report(client, app, {"MessageSid": SID, "MessageStatus": "undelivered"})
    report(client, app, {"MessageSid": SID, "MessageStatus": "queued"})

    assert message(sent).status is MessageStatus.UNDELIVERED


def test_delivered_records_when(fake_twilio, client, app, sent):
    report(client, app, {"MessageSid": SID, "MessageStatus": "delivered"})

    assert message(sent).delivered_at is not None


def test_undelivered_keeps_twilios_error_code(fake_twilio, client, app, sent):
    report(client, app, {"MessageSid": SID, "MessageStatus": "undelivered", "ErrorCode": "30003"})

    assert message(sent).last_error == "Twilio error 30003"


def test_a_late_report_never_undoes_delivered(fake_twilio, client, app, sent):
    report(client, app, {"MessageSid": SID, "MessageStatus": "delivered"})
    report(client, app, {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "30008"})

    assert message(sent).status is MessageStatus.DELIVERED


def test_a_report_before_the_worker_recorded_the_send_finds_its_message_by_our_id(
    fake_twilio, client, app, resident
):
    queued = outbox.queue_message(MessageKind.REPORT_MADE, resident, "Hello")
    db.session.commit()
    params = {"MessageSid": SID, "MessageStatus": "delivered"}

    response = report(client, app, params, query=f"message={queued.id}")
    outbox.record_sent(queued.id, SID)

    assert response.status_code == 204
    assert message(queued.id).status is MessageStatus.DELIVERED
    assert message(queued.id).provider_sid == SID


def test_a_report_about_an_unknown_message_is_answered_and_changes_nothing(
    fake_twilio, client, app, sent
):
    other = "SM" + "c" * 32

    response = report(client, app, {"MessageSid": other, "MessageStatus": "failed"})

    assert response.status_code == 204
    assert message(sent).status is MessageStatus.SENT


def test_our_id_cannot_move_a_report_onto_a_message_with_another_sid(
    fake_twilio, client, app, sent
):
    other = "SM" + "c" * 32

    report(client, app, {"MessageSid": other, "MessageStatus": "failed"}, query=f"message={sent}")

    assert message(sent).status is MessageStatus.SENT
    assert message(sent).provider_sid == SID


@pytest.mark.parametrize(
    "signature",
    ["", "not-a-signature", "c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ=="],
    ids=["missing", "garbage", "wrong"],
)
def test_an_unsigned_report_is_refused_and_changes_nothing(
    fake_twilio, client, app, sent, signature
):
    response = report(
        client, app, {"MessageSid": SID, "MessageStatus": "failed"}, signature=signature
    )

    assert response.status_code == 403
    assert message(sent).status is MessageStatus.SENT


def test_a_report_signed_for_another_url_is_refused(fake_twilio, client, app, sent):
    params = {"MessageSid": SID, "MessageStatus": "failed"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://elsewhere.example" + PATH, params
    )

    response = report(client, app, params, signature=signature)

    assert response.status_code == 403
    assert message(sent).status is MessageStatus.SENT


def test_in_production_without_a_token_every_report_is_refused(client, app, sent, monkeypatch):
    monkeypatch.setitem(app.config, "IS_PRODUCTION", True)

    response = report(client, app, {"MessageSid": SID, "MessageStatus": "failed"}, signature="x")

    assert response.status_code == 403
    assert message(sent).status is MessageStatus.SENT


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ({}, ""),
        ({"MessageSid": SID}, ""),
        ({"MessageStatus": "delivered"}, ""),
        ({"MessageSid": "SM123", "MessageStatus": "delivered"}, ""),
        ({"MessageSid": SID, "MessageStatus": "deli vered"}, ""),
        ({"MessageSid": SID, "MessageStatus": "x" * 5000}, ""),
        ({"MessageSid": SID + "\x00", "MessageStatus": "delivered"}, ""),
        ({"MessageSid": SID, "MessageStatus": "delivered", "ErrorCode": "DROP TABLE"}, ""),
        ({"MessageSid": SID, "MessageStatus": "delivered"}, "message=not-a-number"),
        ({"MessageSid": SID, "MessageStatus": "delivered"}, "message=99999999999999999999999"),
        ({"MessageSid": "SM" + "d" * 32, "MessageStatus": "failed"}, "message=" + "9" * 30),
        ({"MessageSid": "SM" + "d" * 32, "MessageStatus": "failed"}, "message=-1"),
    ],
    ids=[
        "empty",
        "no-status",
        "no-sid",
        "short-sid",
        "status-with-a-space",
        "huge-status",
        "nul-in-sid",
        "garbage-error-code",
        "garbage-message-id",
        "huge-message-id",
        "huge-message-id-of-an-unknown-sid",
        "negative-message-id-of-an-unknown-sid",
    ],
)
def test_garbage_gets_a_4xx_or_2xx_never_a_500(fake_twilio, client, app, sent, params, query):
    response = report(client, app, params, query=query)

    assert 200 <= response.status_code < 500
    assert db.session.scalar(select(OutboxMessage.status)) in (
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
    )
