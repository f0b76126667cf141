"""What residents are told, and that each message is written with the event that caused it:
no event without its message, no message without its event, nothing about who reported what."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Entry, OutboxMessage
from app.rules.vocabulary import MessageKind, MessageStatus, Role
from app.services import entries
from tests.calls.conftest import CallDriver, answer_wrongly_on_calls


def outbox_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def neighbours_call(signed_in_handler, resident) -> CallDriver:
    """A call from 07700 900999 about the resident, from someone who says they are her
    neighbour."""
    call = CallDriver(signed_in_handler, "07700 900999")
    call.select(resident)
    call.caller("other", name="Dana Neighbour", relationship="neighbour")
    return call


def test_a_report_queues_one_message_to_the_residents_mobile_saying_only_that(neighbours_call, app):
    response = neighbours_call.report(summary="Water leaking through the ceiling", urgency="urgent")

    assert response.status_code in (200, 302)
    [entry] = db.session.scalars(select(Entry)).all()
    [message] = outbox_rows()
    assert message.kind is MessageKind.REPORT_MADE
    assert message.resident_id == entry.resident_id
    assert message.to_number == "+447700900123"
    assert message.status is MessageStatus.PENDING
    assert message.body == (
        "Someone reported something on your council record. You can see what was reported, "
        f"and tell us if it is wrong, at {app.config['RESIDENT_PORTAL_URL']}"
    )
    for secret in ("Dana", "Neighbour", "neighbour", "Water", "ceiling", "900999", "Margaret"):
        assert secret not in message.body


def test_a_report_that_fails_to_save_leaves_no_message(neighbours_call, monkeypatch):
    record = entries.audit.record

    def fail_at_dispatch(action, **details):
        if action == "dispatch.raised":
            raise RuntimeError("the database went away")
        return record(action, **details)

    monkeypatch.setattr(entries.audit, "record", fail_at_dispatch)

    response = neighbours_call.report(raise_dispatch="y", team="Repairs", instructions="Ring first")

    assert response.status_code == 500
    assert db.session.scalars(select(Entry)).all() == []
    assert outbox_rows() == []


def test_a_refused_report_queues_no_message(neighbours_call, resident):
    neighbours_call.report(resident_id=str(resident.id + 1000))  # a form shown for another record

    assert db.session.scalars(select(Entry)).all() == []
    assert outbox_rows() == []


def test_locking_phone_verification_queues_one_message_telling_the_resident(
    signed_in_client, resident, app
):
    answer_wrongly_on_calls(signed_in_client(Role.HANDLER), resident, times=4)

    [message] = outbox_rows()
    assert message.kind is MessageKind.VERIFICATION_LOCKED
    assert message.to_number == "+447700900123"
    assert "locked phone verification on your council record" in message.body
    assert app.config["COUNCIL_CONTACT"] in message.body
    for secret in ("Margaret", "1990", "ZZ1", "LE1"):
        assert secret not in message.body


def test_failures_that_do_not_lock_queue_no_message(signed_in_handler, resident):
    call = CallDriver(signed_in_handler)
    call.resident_calls_about(resident)

    call.answer_wrongly()
    call.answer_wrongly()

    assert outbox_rows() == []
