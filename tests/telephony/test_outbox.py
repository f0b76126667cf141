"""The outbox worker against a fake Twilio: retries through an outage, gives up on what will
never be sent, and never sends a message twice, with one worker or two (PostgreSQL)."""

import logging
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, OutboxMessage, Resident
from app.rules.vocabulary import MessageKind, MessageStatus
from app.services import outbox
from tests import factories
from tests.telephony.test_message_status import report as signed_report

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SERVICE_SID = "MG" + "a" * 32


@pytest.fixture
def twilio(fake_twilio, app, monkeypatch):
    """A fake Twilio with a messaging service to send from, and the clock stopped."""
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", SERVICE_SID)
    clock.set_now(START)
    return fake_twilio


def later(**delta) -> None:
    clock.set_now(clock.now() + timedelta(**delta))


def queue(resident, n: int = 1) -> list[int]:
    ids = []
    for i in range(n):
        message = outbox.queue_message(MessageKind.REPORT_MADE, resident, f"Message {i}")
        db.session.flush()
        ids.append(message.id)
    db.session.commit()
    return ids


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sent_bodies(fake) -> Counter:
    """How many times each body was asked to be sent."""
    return Counter(request.data["Body"] for request in fake.text_requests())


def held_bodies(fake) -> Counter:
    """How many times each body reached the resident's phone: the texts the provider took."""
    return Counter(message["body"] for message in fake.texts_held())


def report_delivery(client, app, message_id: int, sid: str, status: str):
    """Twilio's delivery report for a text, signed, to the address the text asked for."""
    return signed_report(
        client, app, {"MessageSid": sid, "MessageStatus": status}, query=f"message={message_id}"
    )


def test_queueing_a_message_writes_in_the_callers_transaction_and_never_commits(resident):
    outbox.queue_message(MessageKind.REPORT_MADE, resident, "Hello")

    db.session.rollback()

    assert messages() == []


def test_a_message_goes_to_the_first_mobile_on_file():
    resident = factories.make_resident(phones=["+441164960123", "+447700900111", "+447700900222"])
    resident.phones[0].label = "home"
    db.session.commit()

    message = outbox.queue_message(MessageKind.REPORT_MADE, resident, "Hello")

    assert message.to_number == "+447700900111"


def test_a_resident_with_no_mobile_on_file_gets_no_message():
    resident = factories.make_resident(phones=["+441164960123"])
    resident.phones[0].label = "home"
    db.session.commit()

    assert outbox.queue_message(MessageKind.REPORT_MADE, resident, "Hello") is None
    db.session.commit()
    assert messages() == []


def test_the_worker_sends_a_due_message_through_twilio_with_a_status_callback(twilio, resident):
    [message_id] = queue(resident)

    done = outbox.send_all_due()

    assert (done.sent, done.retrying, done.failed) == (1, 0, 0)
    [request] = twilio.text_requests()
    assert request.data["To"] == "+447700900123"
    assert request.data["Body"] == "Message 0"
    assert request.data["MessagingServiceSid"] == SERVICE_SID
    assert request.data["StatusCallback"] == (
        f"http://localhost/twilio/messages/status?message={message_id}"
    )
    [message] = messages()
    assert message.status is MessageStatus.SENT
    assert message.provider_sid.startswith("SM")
    assert message.attempts == 1
    assert message.sent_at == START


def test_a_sender_number_is_used_as_from(twilio, resident, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", "+441164960000")
    queue(resident)

    outbox.send_all_due()

    [request] = twilio.text_requests()
    assert request.data["From"] == "+441164960000"
    assert "MessagingServiceSid" not in request.data


def test_the_provider_down_for_a_while_loses_nothing_and_sends_nothing_twice(twilio, resident):
    queue(resident, 5)
    twilio.down = True

    first = outbox.send_all_due()
    later(hours=1)
    second = outbox.send_all_due()
    twilio.down = False
    later(hours=1)
    third = outbox.send_all_due()
    later(hours=2)
    fourth = outbox.send_all_due()

    assert (first.retrying, second.retrying) == (5, 5)
    assert (third.sent, fourth.claimed) == (5, 0)
    assert held_bodies(twilio) == {f"Message {i}": 1 for i in range(5)}
    assert all(m.status is MessageStatus.SENT and m.attempts == 3 for m in messages())


def test_a_failed_send_waits_with_backoff_and_says_why(twilio, resident):
    queue(resident)
    twilio.down = True

    outbox.send_all_due()

    [message] = messages()
    assert message.status is MessageStatus.PENDING
    assert message.attempts == 1
    assert "no answer from Twilio" in message.last_error
    assert START + timedelta(seconds=15) <= message.next_attempt_at <= START + timedelta(seconds=30)
    assert outbox.send_all_due().claimed == 0


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
        (503, {"code": 20503, "message": "Service unavailable", "status": 503}),
        (429, {"code": 20429, "message": "Too Many Requests", "status": 429}),
        (401, {"code": 20003, "message": "Authenticate", "status": 401}),
        (400, {"code": 21611, "message": "The 'From' queue is full", "status": 400}),
    ],
    ids=["server-error", "unavailable", "too-many-requests", "bad-credentials", "queue-full"],
)
def test_server_errors_rate_limits_and_wrong_settings_are_retried(twilio, resident, status, body):
    queue(resident)
    twilio.respond(status, body)

    outbox.send_all_due()
    later(minutes=5)
    outbox.send_all_due()

    [message] = messages()
    assert message.status is MessageStatus.SENT
    assert message.attempts == 2
    assert len(twilio.text_requests()) == 2


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (21211, "The 'To' number +447700900123 is not a valid phone number."),
        (21610, "Attempt to send to unsubscribed recipient"),
    ],
    ids=["invalid-number", "unsubscribed"],
)
def test_a_refused_message_fails_for_good_and_is_never_sent_again(twilio, resident, code, text):
    queue(resident)
    twilio.respond(400, {"code": code, "message": text, "status": 400})

    done = outbox.send_all_due()
    later(days=1)
    again = outbox.send_all_due()

    assert (done.failed, again.claimed) == (1, 0)
    [message] = messages()
    assert message.status is MessageStatus.FAILED
    assert f"code {code}" in message.last_error
    assert len(twilio.text_requests()) == 1


def test_a_message_fails_after_the_last_attempt_allowed(twilio, resident, app, monkeypatch):
    policy = {**app.config["OUTBOX_RETRY_POLICY"], "max_attempts": 3}
    monkeypatch.setitem(app.config, "OUTBOX_RETRY_POLICY", policy)
    queue(resident)
    twilio.down = True

    for _ in range(5):
        outbox.send_all_due()
        later(hours=2)

    [message] = messages()
    assert message.status is MessageStatus.FAILED
    assert message.attempts == 3
    assert len(twilio.requests) == 3


def test_a_message_claimed_by_a_worker_that_stopped_waits_for_its_lease_then_goes_once(
    twilio, resident
):
    queue(resident)
    outbox.claim_due()  # a worker claims it, then dies before sending

    before_lease = outbox.send_all_due()
    later(seconds=outbox.LEASE.total_seconds() + 1)
    after_lease = outbox.send_all_due()

    assert before_lease.claimed == 0
    assert after_lease.sent == 1
    assert sent_bodies(twilio) == {"Message 0": 1}
    assert messages()[0].attempts == 2


def test_a_message_claimed_by_a_worker_that_stopped_after_twilio_took_it_is_not_sent_again(
    twilio, resident
):
    queue(resident)
    [sms] = outbox.claim_due()
    taken_sid = outbox.send_sms(sms)  # the provider takes it; the worker dies before recording that

    later(seconds=outbox.LEASE.total_seconds() + 1)
    done = outbox.send_all_due()

    assert done.sent == 1
    assert held_bodies(twilio) == {"Message 0": 1}
    assert len(twilio.text_requests()) == 1
    [message] = messages()
    assert (message.status, message.provider_sid) == (MessageStatus.SENT, taken_sid)


# --- a send that got no answer: asked about before it is sent again --------------------------


def test_a_text_twilio_took_but_answered_too_late_for_is_recorded_not_sent_again(twilio, resident):
    [message_id] = queue(resident)
    twilio.take_then_time_out()

    first = outbox.send_all_due()
    later(minutes=1)
    second = outbox.send_all_due()

    assert (first.retrying, second.sent) == (1, 1)
    assert held_bodies(twilio) == {"Message 0": 1}
    assert len(twilio.text_requests()) == 1
    [held] = twilio.texts_held()
    [message] = messages()
    assert message.status is MessageStatus.SENT
    assert message.provider_sid == held["sid"]
    assert message.last_error is None
    [ask] = [r for r in twilio.sent("/Messages.json") if r.method == "GET"]
    assert ask.params["To"] == "+447700900123"
    sent_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message.sent"))
    assert sent_event.detail == {
        "message": message_id,
        "kind": "report-made",
        "found_after_no_answer": True,
    }


def test_a_text_twilio_did_not_take_is_sent_once_more_after_asking(twilio, resident):
    queue(resident)
    twilio.fail_next(TimeoutError("no answer"))

    outbox.send_all_due()
    later(minutes=1)
    second = outbox.send_all_due()

    assert second.sent == 1
    assert held_bodies(twilio) == {"Message 0": 1}
    assert len(twilio.text_requests()) == 2
    assert [r.method for r in twilio.requests] == ["POST", "GET", "POST"]


def test_no_row_lock_or_transaction_is_held_while_twilio_takes_or_lists_texts(twilio, resident):
    [message_id] = queue(resident)
    resident_id = db.session.scalar(select(Resident.id))  # read now: nothing loads meanwhile
    twilio.fail_next(TimeoutError("no answer"))
    noted = twilio.note_locks((OutboxMessage, message_id), (Resident, resident_id))

    outbox.send_all_due()
    later(minutes=1)
    outbox.send_all_due()

    # The first send, then (it got no answer) the list of what Twilio holds, then the send.
    assert [request.method for request in twilio.requests] == ["POST", "GET", "POST"]
    assert noted == [(True, False)] * 3  # rows free, and no transaction open
    assert messages()[0].status is MessageStatus.SENT


def test_when_asking_twilio_gets_no_answer_the_message_waits_and_is_never_sent_blind(
    twilio, resident
):
    queue(resident)
    twilio.take_then_time_out()
    outbox.send_all_due()
    later(minutes=1)
    twilio.fail_next(TimeoutError("no answer to the question either"))

    waiting = outbox.send_all_due()
    [message] = messages()
    status, why = message.status, message.last_error
    later(hours=1)
    finally_answered = outbox.send_all_due()

    assert waiting.retrying == 1
    assert status is MessageStatus.PENDING
    assert "could not ask Twilio whether it took the message" in why
    assert finally_answered.sent == 1
    assert len(twilio.text_requests()) == 1
    assert held_bodies(twilio) == {"Message 0": 1}


def test_a_refusal_twilio_answered_is_tried_again_without_asking_first(twilio, resident):
    queue(resident)
    twilio.respond(429, {"code": 20429, "message": "Too Many Requests", "status": 429})

    outbox.send_all_due()
    later(minutes=5)
    outbox.send_all_due()

    assert [r.method for r in twilio.requests] == ["POST", "POST"]
    assert messages()[0].status is MessageStatus.SENT


def test_a_server_error_after_twilio_took_the_text_is_asked_about_first(twilio, resident):
    queue(resident)
    twilio.take_then_time_out(error=None, answer=(502, {"message": "Bad Gateway"}))

    outbox.send_all_due()
    later(minutes=5)
    outbox.send_all_due()

    assert [r.method for r in twilio.requests] == ["POST", "GET"]
    assert held_bodies(twilio) == {"Message 0": 1}
    assert messages()[0].status is MessageStatus.SENT


def test_a_delivery_report_for_a_text_the_worker_thought_unsent_records_it_as_sent(
    twilio, resident, client, app
):
    [message_id] = queue(resident)
    twilio.take_then_time_out()
    outbox.send_all_due()
    [held] = twilio.texts_held()

    response = report_delivery(client, app, message_id, held["sid"], "sent")
    later(hours=1)
    again = outbox.send_all_due()

    assert response.status_code == 204
    assert again.claimed == 0
    assert len(twilio.requests) == 1
    [message] = messages()
    assert (message.status, message.provider_sid) == (MessageStatus.SENT, held["sid"])
    assert message.sent_at == START


def test_a_delivery_report_while_the_send_waits_for_an_answer_is_kept(twilio, resident, app):
    [message_id] = queue(resident)
    twilio.take_then_time_out(
        then=lambda held: outbox.record_delivery_report(held["sid"], "delivered", None, message_id)
    )

    done = outbox.send_all_due()
    later(hours=1)
    again = outbox.send_all_due()

    assert (done.sent, done.retrying, again.claimed) == (1, 0, 0)
    [message] = messages()
    assert message.status is MessageStatus.DELIVERED
    assert len(twilio.requests) == 1


def test_an_outage_run_sends_no_text_twice_and_every_text_once(twilio, app):
    """40 residents told of a report (the same words to each); Twilio takes five texts but
    answers after the timeout, and three it never takes."""
    residents = [factories.make_resident(phones=[f"+4477009{i:05d}"]) for i in range(40)]
    for resident in residents:
        outbox.queue_message(MessageKind.REPORT_MADE, resident, "Someone reported something")
    db.session.commit()
    for _ in range(5):
        twilio.take_then_time_out()
    for _ in range(3):
        twilio.fail_next(TimeoutError("no answer"))

    first = outbox.send_all_due()
    later(minutes=2)
    second = outbox.send_all_due()
    later(hours=2)
    third = outbox.send_all_due()

    assert (first.sent, first.retrying) == (32, 8)
    assert (second.sent, second.retrying, third.claimed) == (8, 0, 0)
    per_number = Counter(message["to"] for message in twilio.texts_held())
    assert per_number == {f"+4477009{i:05d}": 1 for i in range(40)}
    rows = messages()
    assert all(m.status is MessageStatus.SENT for m in rows)
    assert len({m.provider_sid for m in rows}) == 40
    assert len(twilio.text_requests()) == 40 + 3


def test_texts_with_the_same_words_to_one_number_are_each_matched_to_their_own(twilio, resident):
    queue_same = [
        outbox.queue_message(MessageKind.REPORT_MADE, resident, "Someone reported something")
        for _ in range(6)
    ]
    db.session.commit()
    twilio.take_then_time_out()
    twilio.fail_next(TimeoutError("no answer"))
    twilio.take_then_time_out()

    outbox.send_all_due()
    later(minutes=2)
    outbox.send_all_due()

    assert len(twilio.texts_held()) == 6
    assert len(twilio.text_requests()) == 7
    rows = messages()
    assert [m.id for m in rows] == [m.id for m in queue_same]
    assert all(m.status is MessageStatus.SENT for m in rows)
    assert {m.provider_sid for m in rows} == {held["sid"] for held in twilio.texts_held()}


def test_without_credentials_the_console_backend_logs_the_message_and_marks_it_sent(
    resident, caplog
):
    queue(resident)

    with caplog.at_level(logging.INFO):
        done = outbox.send_all_due()

    assert done.sent == 1
    [message] = messages()
    assert message.status is MessageStatus.SENT
    assert message.provider_sid == f"console-{message.id}"
    logged = caplog.text
    assert "Message 0" in logged and "ending 123" in logged
    assert "+447700900123" not in logged


def test_a_sender_not_set_keeps_messages_waiting(fake_twilio, resident):
    queue(resident)

    outbox.send_all_due()

    [message] = messages()
    assert message.status is MessageStatus.PENDING
    assert "TWILIO_MESSAGING_FROM" in message.last_error
    assert fake_twilio.requests == []


def _flaky(fake, failures: int):
    """Make the fake fail its first `failures` requests as a timeout would, and answer a
    little slowly, so that workers overlap."""
    lock = threading.Lock()
    left = [failures]
    answer = fake.request

    def request(*args, **kwargs):
        with lock:
            fail = left[0] > 0
            left[0] -= fail
        time.sleep(0.002)
        if fail:
            raise TimeoutError("provider down")
        return answer(*args, **kwargs)

    fake.request = request


def test_two_workers_at_once_send_every_message_exactly_once(app, twilio, resident):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL (SKIP LOCKED); run one on SQLite")
    total = 120
    queue(resident, total)
    _flaky(twilio, failures=30)
    claimed_by = Counter()

    def worker(name: str) -> None:
        with app.app_context():
            claimed_by[name] += outbox.send_all_due().claimed

    for _ in range(4):
        threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        later(hours=2)

    assert sent_bodies(twilio) == {f"Message {i}": 1 for i in range(total)}
    rows = messages()
    assert all(m.status is MessageStatus.SENT for m in rows)
    assert len({m.provider_sid for m in rows}) == total
    assert claimed_by["a"] > 0 and claimed_by["b"] > 0
    assert sum(m.attempts for m in rows) == total + 30


@pytest.mark.parametrize("status", [400, 500])
def test_twilios_words_about_a_number_reach_neither_the_log_nor_the_record(
    twilio, resident, caplog, status
):
    # Twilio names the number it refused ("The 'To' number +44… is not a valid phone
    # number."): the log lines and the message's last error keep the code and the words.
    queue(resident)
    said = "The 'To' number +447700900123 is not a valid phone number."
    twilio.respond(status, {"code": 21211, "message": said, "status": status})

    with caplog.at_level(logging.INFO):
        outbox.send_all_due()

    [message] = messages()
    assert "code 21211" in message.last_error
    assert "is not a valid phone number" in message.last_error
    for written in [message.last_error, caplog.text]:
        assert "7700900123" not in written
        assert "900123" not in written
