"""What the log records: searches, verification attempts, sign-ins and commands, with who,
their role and the outcome, and never what a handler typed."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from app import clock
from app.extensions import db
from app.models import AuditEvent
from app.rules import audit_chain
from app.rules.vocabulary import MessageKind, Role
from app.services import audit, outbox
from tests import factories
from tests.calls.conftest import CallDriver
from tests.helpers import csrf_token, statements_run


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _everything_in_the_audit_tables() -> str:
    """Every value in every audit table, as text."""
    rows = []
    for table in ("audit_events", "audit_seals", "audit_anchors"):
        rows += [str(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(rows).lower()


def test_a_search_for_a_record_is_recorded_without_what_was_typed(signed_in_handler, resident):
    token = csrf_token(signed_in_handler, "/residents")

    signed_in_handler.post("/residents", data={"csrf_token": token, "q": "Margret Okafor"})

    [event] = _events("search.made")
    assert event.staff_id == signed_in_handler.user.id
    assert event.role == Role.HANDLER.value
    assert event.call_id is None
    assert event.outcome == "done"
    assert event.detail == {"searched_by": "name", "results": 1, "more": False, "outcome": "done"}
    assert "margret" not in _everything_in_the_audit_tables()


def test_a_search_on_a_call_names_the_call(signed_in_handler, resident):
    call = CallDriver(signed_in_handler)

    signed_in_handler.post(
        f"/calls/{call.id}/search", data={"csrf_token": call.token, "q": "LE1 5AB"}
    )
    signed_in_handler.post(f"/calls/{call.id}/search", data={"csrf_token": call.token, "q": "x"})

    found, refused = _events("search.made")
    assert found.call_id == call.id
    assert found.detail["searched_by"] == "postcode"
    assert found.detail["results"] == 1
    assert refused.outcome == "refused"
    assert "le1 5ab" not in _everything_in_the_audit_tables()
    assert "le15ab" not in _everything_in_the_audit_tables()


def test_a_search_writes_its_event_in_one_insert_with_the_mac_record_would_give(
    signed_in_handler, resident
):
    call = CallDriver(signed_in_handler)

    with statements_run() as statements:
        signed_in_handler.post(
            f"/calls/{call.id}/search", data={"csrf_token": call.token, "q": "LE1 5AB"}
        )

    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "audit_events" in inserts[0]
    [event] = _events("search.made")
    assert event.nonce and event.remote_addr is not None
    assert event.mac == audit_chain.event_mac(audit.chain_key(), audit.content_of(event))
    made_by_record = audit.record("search.made", staff_id=event.staff_id, call_id=call.id)
    db.session.expunge(made_by_record)
    columns = ("action", "staff_id", "role", "resident_id", "call_id", "entry_id", "purpose")
    assert [getattr(event, c) for c in columns] == [getattr(made_by_record, c) for c in columns]


def test_a_verification_attempt_records_the_result_never_the_answers(signed_in_handler, resident):
    call = CallDriver(signed_in_handler)
    call.resident_calls_about(resident)

    call.verify(secret_word="Wrongwordzebra", date_of_birth="2 February 1961")

    [event] = _events("verification.failed")
    assert event.call_id == call.id
    assert event.resident_id == resident.id
    assert event.staff_id == signed_in_handler.user.id
    assert event.role == Role.HANDLER.value
    assert event.outcome == "failed"
    assert set(event.detail["failed"]) == {"secret-word", "date-of-birth"}
    everything = _everything_in_the_audit_tables()
    for typed in ("wrongwordzebra", "february", "1961-02-02", "bluebell"):
        assert typed not in everything


def test_signing_in_is_recorded_with_the_role(signed_in_supervisor):
    [event] = _events("staff.signed_in")
    assert event.staff_id == signed_in_supervisor.user.id
    assert event.role == Role.SUPERVISOR.value
    assert event.outcome == "done"
    assert event.remote_addr == "127.0.0.1"


def test_a_failed_sign_in_is_recorded_as_failed(client):
    user = factories.make_staff()
    client.post(
        "/login",
        data={"email": user.email, "password": "wrong", "csrf_token": csrf_token(client)},
    )
    [event] = _events("staff.sign_in_failed")
    assert event.outcome == "failed"
    assert "wrong" not in _everything_in_the_audit_tables().replace("wrong credentials", "")


def test_closing_overdue_calls_from_the_command_line_is_recorded(app, resident):
    handler = factories.make_staff()
    clock.set_now(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    call = factories.make_call(resident, handler)
    clock.set_now(datetime(2026, 11, 30, 8, 0, tzinfo=UTC) + timedelta(hours=5))

    result = app.test_cli_runner().invoke(args=["calls", "close-overdue"])

    assert "Closed 1 call" in result.output
    [closed] = _events("call.closed_automatically")
    assert closed.call_id == call.id
    assert closed.staff_id is None
    [command] = _events("command.run")
    assert command.detail == {"command": "calls close-overdue", "closed": 1}


def test_messages_sent_by_the_worker_are_recorded(app, resident, fake_twilio, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_FROM", "MG" + "a" * 32)
    outbox.queue_message(MessageKind.REPORT_MADE, resident, "A message")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])

    assert "Sent 1" in result.output
    [sent] = _events("message.sent")
    assert sent.resident_id == resident.id
    assert sent.detail["kind"] == MessageKind.REPORT_MADE.value
    assert "a message" not in _everything_in_the_audit_tables()
    # The scheduler's sealing job seals what was written.
    seal = app.test_cli_runner().invoke(args=["scheduler", "run-job", "audit-seal"])
    assert seal.output == "audit-seal: done\n"
    verify = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0
    assert "0 not sealed yet" in verify.output


def test_verifying_is_itself_recorded(app):
    app.test_cli_runner().invoke(args=["audit", "verify"])
    [event] = _events("command.run")
    assert event.detail["command"] == "audit verify"
    assert event.outcome == "done"


def test_a_request_gives_its_events_its_address_and_nothing_after_it(client, resident):
    handler = factories.make_staff(Role.HANDLER)
    client.post(
        "/portal",
        data={
            "reference": resident.reference,
            "date_of_birth": "1/1/1950",
            "csrf_token": csrf_token(client, "/portal"),
        },
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    later = audit.record("test.outside_a_request", staff_id=handler.id)
    db.session.commit()

    [started] = _events("portal.sign_in_started")
    assert started.remote_addr == "192.0.2.7"
    assert later.remote_addr is None and later.role == Role.HANDLER.value
