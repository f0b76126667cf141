"""Opening a dispute on a call and deciding it, on a real database (rule 5)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Dispute, DisputeDecision, Entry, OutboxMessage
from app.refusals import Refused
from app.rules import disputes as rules
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import (
    DisputeChannel,
    DisputeReason,
    DisputeStatus,
    EntryStatus,
    MessageKind,
    Role,
)
from app.services import disputes as service
from tests import factories
from tests.helpers import count_rows

HOAXER = factories.HOAXER
_entry = factories.make_entry
_call = factories.make_call


def _open(resident, entry, handler=None) -> Dispute:
    return factories.make_dispute(resident, entry, handler)


def test_a_resident_verified_on_the_call_disputes_an_entry_and_it_is_disputed_at_once(resident):
    entry = _entry(resident)
    handler = factories.make_staff(Role.HANDLER)
    call = _call(resident, handler)

    dispute = service.open_dispute_on_call(
        call, entry.id, DisputeReason.HOAX, "  I never asked anyone to call  ", handler
    )

    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.DISPUTED
    assert dispute.status is DisputeStatus.OPEN
    assert dispute.opened_via is DisputeChannel.CALL
    assert (dispute.call_id, dispute.opened_by_id) == (call.id, handler.id)
    assert dispute.statement == "I never asked anyone to call"
    assert dispute.due_on == rules.response_due_on(dispute.opened_at)
    assert count_rows(AuditEvent, AuditEvent.action == "dispute.opened") == 1


def test_the_resident_is_told_by_text_that_a_dispute_was_opened_in_their_name(resident):
    entry = _entry(resident, summary="Says the boiler is broken")
    handler = factories.make_staff(Role.HANDLER, name="Hana Handler")
    call = _call(resident, handler)

    service.open_dispute_on_call(call, entry.id, DisputeReason.HOAX, "Not me at all", handler)

    message = db.session.scalar(select(OutboxMessage))
    assert message.kind is MessageKind.DISPUTE_OPENED
    assert (message.resident_id, message.to_number) == (resident.id, "+447700900123")
    assert "dispute was opened in your name" in message.body
    assert "If you did not ask for this, contact us" in message.body
    for personal in ("boiler", "Not me", "Hana", "A neighbour", HOAXER, "Margaret", "Okafor"):
        assert personal not in message.body


def test_a_dispute_refused_tells_the_resident_nothing(resident):
    entry = _entry(resident)
    _open(resident, entry)

    with pytest.raises(Refused):
        _open(resident, entry)

    assert count_rows(OutboxMessage, OutboxMessage.kind == MessageKind.DISPUTE_OPENED) == 1


def test_the_deadline_is_taken_on_the_london_day_the_dispute_is_opened(resident):
    entry = _entry(resident)
    clock.set_now(datetime(2027, 1, 31, 23, 30, tzinfo=UTC))

    dispute = _open(resident, entry)

    assert dispute.due_on == date(2027, 2, 28)


@pytest.mark.parametrize(
    "verified_as", [VerifiedAs.NOBODY, VerifiedAs.REPRESENTATIVE], ids=["nobody", "representative"]
)
def test_a_caller_not_verified_as_the_resident_cannot_dispute(resident, verified_as):
    entry = _entry(resident)
    handler = factories.make_staff(Role.HANDLER)
    call = _call(resident, handler, verified_as)

    with pytest.raises(Refused) as refused:
        service.open_dispute_on_call(call, entry.id, DisputeReason.HOAX, "Not me", handler)

    assert refused.value.message == rules.RESIDENT_NOT_VERIFIED
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE
    assert count_rows(Dispute) == 0


def test_another_residents_entry_cannot_be_disputed_on_a_call(resident):
    someone_else = factories.make_resident(forename="Brian", surname="Other")
    their_entry = _entry(someone_else)
    handler = factories.make_staff(Role.HANDLER)
    call = _call(resident, handler)

    with pytest.raises(Refused) as refused:
        service.open_dispute_on_call(call, their_entry.id, DisputeReason.HOAX, "No", handler)

    assert refused.value.message == rules.NOT_THE_RESIDENTS_ENTRY
    db.session.expire_all()
    assert db.session.get(Entry, their_entry.id).status is EntryStatus.ACTIVE


def test_an_entry_already_disputed_is_not_disputed_twice(resident):
    entry = _entry(resident)
    _open(resident, entry)

    with pytest.raises(Refused) as refused:
        _open(resident, entry)

    assert refused.value.message == rules.ALREADY_DISPUTED
    assert count_rows(Dispute) == 1


def test_an_empty_statement_is_refused_next_to_its_field(resident):
    entry = _entry(resident)
    handler = factories.make_staff(Role.HANDLER)
    call = _call(resident, handler)

    with pytest.raises(Refused) as refused:
        service.open_dispute_on_call(call, entry.id, DisputeReason.OTHER, "   ", handler)

    assert (refused.value.message, refused.value.field) == (rules.ENTER_STATEMENT, "statement")


def test_upholding_marks_the_entry_incorrect_keeps_it_strikes_the_number_and_tells_the_resident(
    resident,
):
    entry = _entry(resident, team="Housing repairs")
    dispute = _open(resident, entry)
    supervisor = factories.make_staff(Role.SUPERVISOR)

    decision = service.decide_dispute(
        dispute, DisputeStatus.UPHELD, "Resident was in hospital", 0, supervisor, now=clock.now()
    )

    db.session.expire_all()
    kept = db.session.get(Entry, entry.id)
    assert kept is not None
    assert kept.status is EntryStatus.UPHELD
    assert db.session.get(Dispute, dispute.id).status is DisputeStatus.UPHELD
    assert decision.supersedes_id is None
    assert service.hoax_strikes(HOAXER) == 1
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.DISPUTE_DECIDED)
    )
    assert message.kind is MessageKind.DISPUTE_DECIDED
    assert "A neighbour" not in message.body and HOAXER not in message.body
    correction = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "dispatch.correction")
    )
    assert correction.detail["team"] == "Housing repairs"


def test_a_decision_is_made_at_the_moment_the_supervisor_decided_not_when_it_is_written(
    resident,
):
    dispute = _open(resident, _entry(resident))
    decided_at = clock.now().replace(microsecond=0) - timedelta(minutes=3)

    decision = service.decide_dispute(
        dispute, DisputeStatus.UPHELD, "Hoax", 0, factories.make_staff(Role.SUPERVISOR),
        now=decided_at,
    )  # fmt: skip

    assert db.session.get(DisputeDecision, decision.id).decided_at == decided_at


def test_not_upholding_puts_the_entry_back_with_reasons_and_the_ico_right(resident):
    entry = _entry(resident)
    dispute = _open(resident, entry)
    supervisor = factories.make_staff(Role.SUPERVISOR)

    service.decide_dispute(
        dispute, DisputeStatus.NOT_UPHELD, "The repair was needed", 0, supervisor, now=clock.now()
    )

    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE
    assert service.hoax_strikes(HOAXER) == 0
    assert "Information Commissioner" in db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.kind == MessageKind.DISPUTE_DECIDED)
    )
    assert count_rows(AuditEvent, AuditEvent.action == "dispatch.correction") == 0


def test_deciding_twice_from_the_same_page_is_refused(resident):
    dispute = _open(resident, _entry(resident))
    supervisor = factories.make_staff(Role.SUPERVISOR)
    service.decide_dispute(dispute, DisputeStatus.UPHELD, "Hoax", 0, supervisor, now=clock.now())

    with pytest.raises(Refused) as refused:
        service.decide_dispute(
            dispute, DisputeStatus.NOT_UPHELD, "Not a hoax", 0, supervisor, now=clock.now()
        )

    assert refused.value.message == rules.ALREADY_DECIDED
    assert count_rows(DisputeDecision) == 1


def test_a_correction_is_a_new_decision_superseding_the_last(resident):
    entry = _entry(resident)
    dispute = _open(resident, entry)
    supervisor = factories.make_staff(Role.SUPERVISOR)
    first = service.decide_dispute(
        dispute, DisputeStatus.UPHELD, "Hoax", 0, supervisor, now=clock.now()
    )

    second = service.decide_dispute(
        dispute,
        DisputeStatus.NOT_UPHELD,
        "Evidence found after all",
        1,
        supervisor,
        now=clock.now(),
    )

    db.session.expire_all()
    decisions = list(db.session.scalars(select(DisputeDecision).order_by(DisputeDecision.id)))
    assert [(d.outcome, d.reasons) for d in decisions] == [
        (DisputeStatus.UPHELD, "Hoax"),
        (DisputeStatus.NOT_UPHELD, "Evidence found after all"),
    ]
    assert second.supersedes_id == first.id
    assert db.session.get(Entry, entry.id).status is EntryStatus.ACTIVE
    assert service.hoax_strikes(HOAXER) == 0


def test_a_correction_of_an_undecided_dispute_is_refused(resident):
    dispute = _open(resident, _entry(resident))

    with pytest.raises(Refused) as refused:
        factories.decide_dispute(dispute, DisputeStatus.UPHELD, version=1)

    assert refused.value.message == rules.NOT_DECIDED_YET


@pytest.mark.parametrize(
    ("outcome", "reasons", "field"),
    [(DisputeStatus.UPHELD, "  ", "reasons"), (DisputeStatus.OPEN, "Because", "outcome")],
    ids=["no-reasons", "open-is-not-an-outcome"],
)
def test_a_decision_needs_an_outcome_and_reasons(resident, outcome, reasons, field):
    dispute = _open(resident, _entry(resident))

    with pytest.raises(Refused) as refused:
        service.decide_dispute(
            dispute, outcome, reasons, 0, factories.make_staff(Role.SUPERVISOR), now=clock.now()
        )

    assert refused.value.field == field
    db.session.expire_all()
    assert db.session.get(Dispute, dispute.id).status is DisputeStatus.OPEN


def test_strikes_count_upheld_disputes_on_entries_from_the_number(resident):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    for _ in range(2):
        dispute = _open(resident, _entry(resident))
        service.decide_dispute(
            dispute, DisputeStatus.UPHELD, "Hoax", 0, supervisor, now=clock.now()
        )
    _open(resident, _entry(resident))

    assert service.hoax_strikes(HOAXER) == 2
    assert service.hoax_strikes("+447700900000") == 0
    assert service.hoax_strikes(None) == 0


def test_two_supervisors_deciding_at_once_one_wins_and_the_other_is_told(app: Flask, resident):
    dispute_id = _open(resident, _entry(resident)).id
    supervisors = [factories.make_staff(Role.SUPERVISOR).id for _ in range(4)]
    outcomes = [DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD] * 2
    barrier = threading.Barrier(len(supervisors))
    results: list = [None] * len(supervisors)

    def decide(i: int) -> None:
        # Each thread is a request of its own: its own app context, session and transaction.
        with app.app_context():
            from app.models import StaffUser

            dispute = db.session.get(Dispute, dispute_id)
            supervisor = db.session.get(StaffUser, supervisors[i])
            barrier.wait(timeout=10)
            try:
                service.decide_dispute(
                    dispute, outcomes[i], f"Decision {i}", 0, supervisor, now=clock.now()
                )
                results[i] = "won"
            except Refused as refused:
                results[i] = refused.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(supervisors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    db.session.expire_all()
    assert results.count("won") == 1
    assert results.count(rules.ALREADY_DECIDED) == len(supervisors) - 1
    assert count_rows(DisputeDecision) == 1
    assert count_rows(OutboxMessage, OutboxMessage.kind == MessageKind.DISPUTE_DECIDED) == 1
    winner = outcomes[results.index("won")]
    assert db.session.get(Dispute, dispute_id).status is winner


def test_the_team_sees_a_correction_notice_on_its_open_dispatch(resident, signed_in_handler):
    entry = _entry(resident, team="Housing repairs")
    dispute = _open(resident, entry)
    disputed_page = signed_in_handler.get("/dispatches").get_data(as_text=True)
    factories.decide_dispute(dispute, DisputeStatus.UPHELD)

    page = signed_in_handler.get("/dispatches").get_data(as_text=True)

    assert rules.dispatch_notice(EntryStatus.DISPUTED) in disputed_page
    assert rules.dispatch_notice(EntryStatus.UPHELD) in page
    assert "On hold" in disputed_page
    assert "On hold" not in page


def test_a_dispatch_on_hold_while_its_entry_is_disputed_comes_after_those_to_act_on(
    resident, signed_in_handler
):
    held = _entry(resident, team="Held team")
    _open(resident, held)
    _entry(resident, team="Acting team")

    page = signed_in_handler.get("/dispatches").get_data(as_text=True)

    assert page.count("On hold") == 1
    assert page.index("Acting team") < page.index("Held team")
