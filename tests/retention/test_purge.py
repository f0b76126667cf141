"""`flask retention purge`: what is removed, on which day, and what is kept."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock, models
from app.extensions import db
from app.models import (
    AuditEvent,
    Call,
    Entry,
    OutboxMessage,
    PortalSession,
    PortalSessionStatus,
    ResidentPhoneChange,
    VerificationAttempt,
)
from app.models.staff import new_session_token
from app.rules.phone_changes import PhoneChangeKind
from app.rules.vocabulary import (
    DisputeStatus,
    MessageKind,
    MessageStatus,
    RetainedKind,
    ServiceArea,
    TextCodeProvider,
    VerificationResult,
)
from app.services import audit, legal_holds, retention
from tests import factories
from tests.helpers import count_rows

T0 = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def at(moment: datetime) -> None:
    clock.set_now(moment)


def purge(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["retention", "purge", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    db.session.expire_all()
    return result.output


def period(kind: RetainedKind) -> timedelta:
    return retention.schedule().period(kind)


def ended_call(resident, handler) -> Call:
    call = factories.make_call(resident, handler)
    call.ended_at = clock.now() + timedelta(minutes=5)
    db.session.commit()
    return call


def attempt(call: Call, resident) -> VerificationAttempt:
    row = VerificationAttempt(
        call_id=call.id,
        resident_id=resident.id,
        handler_id=call.handler_id,
        result=VerificationResult.FAILED,
        factors_failed="date-of-birth",
    )
    db.session.add(row)
    db.session.commit()
    return row


def message(resident, status: MessageStatus = MessageStatus.DELIVERED) -> OutboxMessage:
    row = OutboxMessage(
        kind=MessageKind.REPORT_MADE,
        resident_id=resident.id,
        to_number="+447700900123",
        body="Someone reported something on your record.",
        status=status,
    )
    db.session.add(row)
    db.session.commit()
    return row


def phone_change(resident, call: Call | None = None) -> ResidentPhoneChange:
    row = ResidentPhoneChange(
        resident_id=resident.id,
        kind=PhoneChangeKind.CHANGED,
        created_at=clock.now(),
        old_number="+447700900123",
        new_number="+447700900777",
        call_id=call.id if call else None,
        verification="answers: date of birth, postcode",
    )
    db.session.add(row)
    db.session.commit()
    return row


def portal_sign_in(resident) -> PortalSession:
    """A sign-in to the portal that timed out with a dispute half written."""
    now = clock.now()
    row = PortalSession(
        token=new_session_token(),
        resident_id=resident.id,
        phone_number="+447700900123",
        created_at=now,
        expires_at=now + timedelta(minutes=10),
        status=PortalSessionStatus.ENDED,
        dispute_draft={"entry": 1, "statement": "I was away that week"},
    )
    db.session.add(row)
    db.session.commit()
    return row


def make(kind: RetainedKind, resident, handler):
    """One record of `kind`, made now, on its own (a call with nothing else on it)."""
    if kind is RetainedKind.CALLS:
        return Call, ended_call(resident, handler).id
    if kind is RetainedKind.ENTRIES:
        return Entry, factories.make_entry(resident, team="Repairs").id
    if kind is RetainedKind.VERIFICATION_ATTEMPTS:
        call = ended_call(resident, handler)
        row = attempt(call, resident)
        # Its call is younger: only the attempt is due.
        db.session.get(Call, call.id).started_at = clock.now() + 400 * DAY
        db.session.commit()
        return VerificationAttempt, row.id
    if kind is RetainedKind.PHONE_CHANGES:
        return ResidentPhoneChange, phone_change(resident).id
    if kind is RetainedKind.PORTAL_SIGN_INS:
        return PortalSession, portal_sign_in(resident).id
    return OutboxMessage, message(resident).id


ROW_KINDS = [
    RetainedKind.CALLS,
    RetainedKind.ENTRIES,
    RetainedKind.VERIFICATION_ATTEMPTS,
    RetainedKind.MESSAGES,
    RetainedKind.PHONE_CHANGES,
    RetainedKind.PORTAL_SIGN_INS,
]


@pytest.mark.parametrize("kind", ROW_KINDS, ids=[kind.value for kind in ROW_KINDS])
def test_a_record_is_kept_a_day_before_its_period_ends_and_removed_a_day_after(
    app, resident, handler, kind
):
    at(T0)
    model, row_id = make(kind, resident, handler)

    at(T0 + period(kind) - DAY)
    purge(app)
    assert db.session.get(model, row_id) is not None

    at(T0 + period(kind) + DAY)
    purge(app)
    assert db.session.get(model, row_id) is None


def test_an_entry_of_an_area_kept_longer_waits_for_its_own_period(app, resident):
    at(T0)
    housing = factories.make_entry(resident).id
    care = factories.make_entry(resident, area_code=ServiceArea.ADULT_SOCIAL_CARE.value).id
    plan = retention.schedule()
    care_period = plan.entry_period(ServiceArea.ADULT_SOCIAL_CARE.value)
    assert care_period > plan.entries

    at(T0 + plan.entries + DAY)
    purge(app)
    assert db.session.get(Entry, housing) is None
    assert db.session.get(Entry, care) is not None

    at(T0 + care_period + DAY)
    purge(app)
    assert db.session.get(Entry, care) is None


def test_removing_an_entry_removes_its_dispatches(app, resident):
    at(T0)
    entry = factories.make_entry(resident, team="Repairs").id
    assert count_rows(models.Dispatch) == 1

    at(T0 + retention.schedule().entries + DAY)
    purge(app)

    assert db.session.get(Entry, entry) is None
    assert count_rows(models.Dispatch) == 0


def test_removing_a_call_takes_its_attempts_and_codes_and_leaves_younger_entries_unlinked(
    app, resident, handler
):
    at(T0)
    call = ended_call(resident, handler)
    call_id = call.id
    attempt(call, resident)
    db.session.add(
        models.TextCode(
            call_id=call.id,
            resident_id=resident.id,
            phone_number="+447700900123",
            provider=TextCodeProvider.CONSOLE,
            expires_at=T0 + timedelta(minutes=10),
        )
    )
    db.session.commit()
    entry = factories.make_entry(resident, call_id=call_id)
    # The entry was recorded on the call, but is younger than the call's period would say.
    entry.created_at = T0 + 1000 * DAY
    db.session.commit()

    at(T0 + retention.schedule().calls + DAY)
    purge(app)

    assert db.session.get(Call, call_id) is None
    assert count_rows(VerificationAttempt) == 0
    assert count_rows(models.TextCode) == 0
    kept = db.session.get(Entry, entry.id)
    assert kept is not None
    assert kept.call_id is None


def _upheld_hoax(resident, supervisor) -> int:
    entry = factories.make_entry(resident)
    dispute = factories.make_dispute(resident, entry)
    factories.decide_dispute(
        dispute,
        DisputeStatus.UPHELD,
        "Nobody at the address asked for a repair",
        supervisor=supervisor,
    )
    return entry.id


def test_an_entry_upheld_as_a_hoax_is_kept_for_the_hoax_period(app, resident, supervisor):
    at(T0)
    entry_id = _upheld_hoax(resident, supervisor)
    plan = retention.schedule()

    at(T0 + plan.entries + DAY)
    purge(app)
    assert db.session.get(Entry, entry_id) is not None

    at(T0 + plan.hoax_entries - DAY)
    purge(app)
    assert db.session.get(Entry, entry_id) is not None

    at(T0 + plan.hoax_entries + DAY)
    purge(app)
    assert db.session.get(Entry, entry_id) is None
    assert count_rows(models.Dispute) == 0
    assert count_rows(models.DisputeDecision) == 0


def test_nothing_under_an_open_dispute_is_removed(app, resident):
    at(T0)
    entry = factories.make_entry(resident)
    dispute = factories.make_dispute(resident, entry)
    plan = retention.schedule()

    at(T0 + plan.hoax_entries + plan.calls + DAY)
    output = purge(app)

    assert db.session.get(Entry, entry.id) is not None
    assert db.session.get(models.Dispute, dispute.id).status is DisputeStatus.OPEN
    assert db.session.get(Call, dispute.call_id) is not None
    assert "Removed entries: 0" in output


def test_a_legal_hold_keeps_everything_until_it_is_lifted_then_the_next_run_removes_it(
    app, resident, handler, supervisor
):
    at(T0)
    call = ended_call(resident, handler)
    attempt(call, resident)
    call = call.id
    entry = factories.make_entry(resident, team="Repairs").id
    sent = message(resident).id
    other = factories.make_resident(reference="R0000002", forename="Tom")
    other_entry = factories.make_entry(other).id

    at(T0 + timedelta(days=30))
    hold = legal_holds.set_hold(
        resident, "Housing disrepair claim HC-2026-118", supervisor, now=clock.now()
    )

    at(T0 + timedelta(days=20_000))
    purge(app)
    assert db.session.get(Call, call) is not None
    assert count_rows(VerificationAttempt) == 1
    assert db.session.get(Entry, entry) is not None
    assert db.session.get(OutboxMessage, sent) is not None
    # A hold on one record keeps only that record.
    assert db.session.get(Entry, other_entry) is None

    legal_holds.lift_hold(hold, "Claim settled on 3 March", supervisor, now=clock.now())
    purge(app)

    assert db.session.get(Call, call) is None
    assert count_rows(VerificationAttempt) == 0
    assert db.session.get(Entry, entry) is None
    assert db.session.get(OutboxMessage, sent) is None


def test_a_change_to_numbers_outlives_its_call_and_a_legal_hold_keeps_it(
    app, resident, handler, supervisor
):
    at(T0)
    call = ended_call(resident, handler)
    change = phone_change(resident, call).id
    call = call.id

    at(T0 + period(RetainedKind.CALLS) + DAY)
    purge(app)
    assert db.session.get(Call, call) is None
    assert db.session.get(ResidentPhoneChange, change).call_id is None

    hold = legal_holds.set_hold(
        resident, "Claim that the record was taken over", supervisor, now=clock.now()
    )
    at(T0 + period(RetainedKind.PHONE_CHANGES) + DAY)
    purge(app)
    assert db.session.get(ResidentPhoneChange, change) is not None

    legal_holds.lift_hold(hold, "Claim settled on 3 March", supervisor, now=clock.now())
    purge(app)
    assert db.session.get(ResidentPhoneChange, change) is None


def test_a_message_waiting_to_be_sent_is_kept(app, resident):
    at(T0)
    waiting = message(resident, MessageStatus.PENDING)

    at(T0 + timedelta(days=20_000))
    purge(app)

    assert db.session.get(OutboxMessage, waiting.id) is not None


def test_a_dry_run_prints_counts_per_kind_and_changes_nothing(app, resident, handler):
    at(T0)
    ended_call(resident, handler)
    factories.make_entry(resident)
    factories.make_entry(resident)
    message(resident)

    at(T0 + timedelta(days=3000))
    output = purge(app, "--dry-run")

    assert "Calls: 1" in output
    assert "Entries: 2" in output
    assert "Messages: 1" in output
    assert "Verification attempts: 0" in output
    assert (count_rows(Call), count_rows(Entry), count_rows(OutboxMessage)) == (1, 2, 1)
    assert count_rows(AuditEvent) == 0


def test_a_purge_records_counts_only_and_running_it_again_removes_nothing_more(
    app, resident, handler
):
    at(T0)
    ended_call(resident, handler)
    for _ in range(3):
        factories.make_entry(resident, summary="Leak under the sink at Flat 2")

    at(T0 + timedelta(days=3000))
    first = purge(app)
    second = purge(app)

    assert "Removed entries: 3" in first
    assert "Removed entries: 0" in second
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention.purged").order_by(AuditEvent.id)
    ).all()
    assert [event.detail["entries"] for event in events] == [3, 0]
    assert [event.detail["calls"] for event in events] == [1, 0]
    assert all(event.resident_id is None and event.call_id is None for event in events)
    assert "Flat 2" not in str(events[0].detail)


def test_a_purge_works_in_batches_and_an_interrupted_one_finishes_on_the_next_run(app, resident):
    at(T0)
    entries = [factories.make_entry(resident).id for _ in range(5)]
    now = T0 + timedelta(days=3000)
    at(now)

    first = retention.purge_batch(RetainedKind.ENTRIES, now, 0, 2)
    assert (first.examined, first.removed, first.next_after) == (2, 2, entries[1])
    db.session.expire_all()
    assert count_rows(Entry) == 3

    output = purge(app, "--batch-size", "2")

    assert count_rows(Entry) == 0
    assert "Removed entries: 3" in output


def test_a_call_the_audit_log_names_goes_when_due_and_the_event_keeps_its_number(
    app, resident, handler
):
    at(T0)
    call = ended_call(resident, handler)
    audit.record_on_call("call.record_viewed", call, staff_id=handler.id)
    db.session.commit()
    call_id = call.id

    at(T0 + retention.schedule().calls + DAY)
    purge(app)

    assert db.session.get(Call, call_id) is None
    viewed = select(AuditEvent.call_id).where(AuditEvent.action == "call.record_viewed")
    assert db.session.scalar(viewed) == call_id


def test_a_call_a_resident_gave_verbal_consent_on_is_kept(app, resident, handler):
    from app.models import Permission

    at(T0)
    call = ended_call(resident, handler).id
    permission, _ = factories.make_permission(resident)
    db.session.get(Permission, permission.id).granted_on_call_id = call
    db.session.commit()

    at(T0 + retention.schedule().calls + DAY)
    purge(app)

    assert db.session.get(Call, call) is not None


def _audit_verify(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--seal"])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("offset", "removed"), [(-DAY, 0), (DAY, 2)], ids=["day-before", "day-after"]
)
def test_audit_events_go_once_their_period_has_run_and_the_chain_still_verifies(
    app, offset, removed
):
    at(T0)
    audit.record("test.old", n=1)
    audit.record("test.old", n=2)
    db.session.commit()
    at(T0 + timedelta(days=5))
    audit.record("test.newer")
    db.session.commit()

    at(T0 + period(RetainedKind.AUDIT_EVENTS) + offset)
    output = purge(app)

    assert f"Removed audit events: {removed}" in output
    assert count_rows(AuditEvent, AuditEvent.action == "test.old") == 2 - removed
    [purged] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention.purged")
    ).all()
    assert purged.detail["audit-events"] == removed
    code, verified = _audit_verify(app)
    assert code == 0, verified


def test_no_audit_events_are_removed_while_any_legal_hold_is_in_force(app, resident, supervisor):
    at(T0)
    audit.record("test.old")
    db.session.commit()
    hold = legal_holds.set_hold(
        resident, "Claim HC-2026-118 against the council", supervisor, now=clock.now()
    )

    at(T0 + timedelta(days=20_000))
    dry = purge(app, "--dry-run")
    output = purge(app)

    assert "Audit events are kept while any legal hold is in force." in dry
    assert "Removed audit events: 0" in output
    assert count_rows(AuditEvent, AuditEvent.action == "test.old") == 1

    legal_holds.lift_hold(hold, "Claim settled, file closed", supervisor, now=clock.now())
    at(T0 + timedelta(days=20_001))
    output = purge(app)

    assert "Removed audit events: 0" not in output
    assert count_rows(AuditEvent, AuditEvent.action == "test.old") == 0
    assert _audit_verify(app)[0] == 0


def test_an_interrupted_purge_keeps_its_finished_batches_and_records_them(
    app, resident, monkeypatch
):
    at(T0)
    for _ in range(5):
        factories.make_entry(resident)
    at(T0 + timedelta(days=3000))
    finish_batch = retention.purge_batch

    def interrupted(kind, now, after_id, size):
        if kind is RetainedKind.ENTRIES and after_id:
            raise KeyboardInterrupt
        return finish_batch(kind, now, after_id, size)

    monkeypatch.setattr(retention, "purge_batch", interrupted)
    result = app.test_cli_runner().invoke(args=["retention", "purge", "--batch-size", "2"])
    db.session.expire_all()

    assert result.exit_code != 0
    assert count_rows(Entry) == 3
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention.purged")
    ).all()
    assert (event.detail["entries"], event.detail["completed"]) == (2, False)

    monkeypatch.undo()
    output = purge(app)

    assert "Removed entries: 3" in output
    assert count_rows(Entry) == 0


def test_a_dispute_or_hold_that_arrives_after_the_decision_still_keeps_the_record(
    app, resident, handler, supervisor
):
    """Between the batch's decision and its removal, a resident disputes an entry and a
    supervisor holds the record a call is about: the removal checks again, under lock."""
    at(T0)
    entry = factories.make_entry(resident).id
    call = ended_call(resident, handler).id
    now = T0 + timedelta(days=3000)
    at(now)
    due_entries, _ = retention._examine(RetainedKind.ENTRIES, now, 0, 10)
    due_calls, _ = retention._examine(RetainedKind.CALLS, now, 0, 10)
    assert (due_entries, due_calls) == ([entry], [call])

    factories.make_dispute(resident, db.session.get(Entry, entry))
    legal_holds.set_hold(
        resident, "Claim HC-2026-118 against the council", supervisor, now=clock.now()
    )

    assert retention._remove_entries(due_entries) == 0
    assert retention._remove_calls(due_calls) == 0
    db.session.commit()
    assert db.session.get(Entry, entry) is not None
    assert db.session.get(Call, call) is not None


def test_a_schedule_with_a_period_that_is_not_positive_is_refused_before_anything_goes(
    app, resident, monkeypatch
):
    at(T0)
    factories.make_entry(resident)
    schedule = {**app.config["RETENTION_SCHEDULE_DAYS"], "entries": 0}
    monkeypatch.setitem(app.config, "RETENTION_SCHEDULE_DAYS", schedule)
    at(T0 + timedelta(days=3000))

    result = app.test_cli_runner().invoke(args=["retention", "purge"])

    assert result.exit_code != 0
    assert "RETENTION_SCHEDULE_DAYS: the retention period for entries must be positive" in (
        result.output
    )
    assert count_rows(Entry) == 1
