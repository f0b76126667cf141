"""Retention removes old audit events and the chain still verifies; on PostgreSQL nothing
else may change or delete an audit row."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app import clock
from app.extensions import db
from app.models import AuditAnchor, AuditEvent, AuditSeal
from app.services import audit
from tests.audit.helpers import assert_broken_at, assert_intact, tamper, verify
from tests.helpers import count_rows

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _events_on_days(days: int, per_day: int = 3) -> list[int]:
    ids = []
    for day in range(days):
        clock.set_now(START + timedelta(days=day))
        events = [audit.record("test.event", day=day, n=n) for n in range(per_day)]
        db.session.flush()
        ids += [event.id for event in events]
    db.session.commit()
    return ids


def test_purge_removes_old_sealed_events_and_the_chain_still_verifies(app):
    ids = _events_on_days(5)
    audit.seal_pending()
    told = []

    removed = audit.purge_before(START + timedelta(days=2), batch_size=4, progress=told.append)

    assert removed == 6
    assert told == [4, 6]
    remaining = list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    assert remaining == ids[6:]
    assert count_rows(AuditSeal) == 9
    assert_intact(app, "9 events checked (9 sealed")


def test_purge_seals_what_is_waiting_and_keeps_new_events(app):
    _events_on_days(3)

    assert audit.purge_before(START + timedelta(days=1)) == 3

    assert_intact(app, "6 events checked")


def test_purge_twice_and_more_events_after(app):
    _events_on_days(4)
    audit.purge_before(START + timedelta(days=1))
    audit.purge_before(START + timedelta(days=3))
    clock.set_now(START + timedelta(days=10))
    audit.record("test.later")
    db.session.commit()
    audit.seal_pending()

    assert_intact(app, "4 events checked (4 sealed")
    assert count_rows(AuditAnchor) == 2


def test_purge_of_nothing_old_removes_nothing(app):
    _events_on_days(2)
    assert audit.purge_before(START - timedelta(days=1)) == 0
    assert count_rows(AuditAnchor) == 0
    assert verify(app)[0] == 0


def test_purge_stops_at_an_event_it_cannot_seal(app):
    ids = _events_on_days(3)
    tamper("UPDATE audit_events SET mac = NULL WHERE id = :id", id=ids[4])

    assert audit.purge_before(START + timedelta(days=3)) == 4

    assert db.session.scalar(select(func.min(AuditEvent.id))) == ids[4]


def test_purge_keeps_events_that_do_not_verify(app):
    ids = _events_on_days(3)
    audit.seal_pending()
    tamper("UPDATE audit_events SET purpose = 'changed' WHERE id = :id", id=ids[1])

    with pytest.raises(audit.AuditChainBroken, match=f"broken at event {ids[1]}"):
        audit.purge_before(START + timedelta(days=3))

    assert count_rows(AuditEvent) == 9
    assert count_rows(AuditAnchor) == 0


def test_deleting_the_oldest_events_without_purging_is_caught(app):
    ids = _events_on_days(3)
    audit.seal_pending()
    tamper("DELETE FROM audit_seals WHERE event_id <= :id", id=ids[2])
    tamper("DELETE FROM audit_events WHERE id <= :id", id=ids[2])

    assert_broken_at(app, ids[3])


def test_a_forged_anchor_is_caught(app):
    ids = _events_on_days(3)
    audit.seal_pending()
    tamper(
        "INSERT INTO audit_anchors (after_event_id, previous_seal, at, mac) "
        "SELECT :id, seal, CURRENT_TIMESTAMP, :mac FROM audit_seals WHERE event_id = :id",
        id=ids[4],
        mac="0" * 64,
    )

    code, output = verify(app)

    assert code == 1
    assert "anchor" in output


@pytest.fixture
def on_postgresql():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET purpose = 'changed'",
        "DELETE FROM audit_events",
        "UPDATE audit_seals SET seal = 'x'",
        "DELETE FROM audit_seals",
        "UPDATE audit_anchors SET after_event_id = 0",
        "DELETE FROM audit_anchors",
    ],
)
def test_postgresql_refuses_to_change_or_delete_audit_rows(app, on_postgresql, statement):
    _events_on_days(2)
    audit.purge_before(START + timedelta(days=1))

    with pytest.raises(DBAPIError, match="audit records are never changed or deleted"):
        db.session.execute(text(statement))
    db.session.rollback()

    assert verify(app)[0] == 0


def test_postgresql_refuses_an_update_even_during_a_purge(app, on_postgresql):
    _events_on_days(1)
    db.session.execute(text("SET LOCAL app.audit_purge = 'on'"))
    with pytest.raises(DBAPIError, match="never changed"):
        db.session.execute(text("UPDATE audit_events SET purpose = 'changed'"))
    db.session.rollback()


def test_the_purge_setting_ends_with_its_transaction(app, on_postgresql):
    _events_on_days(1)
    audit.purge_before(START + timedelta(days=5))
    _events_on_days(1)
    with pytest.raises(DBAPIError, match="never changed"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()


def test_postgresql_lets_a_transaction_take_back_an_event_it_wrote(app, on_postgresql):
    event = audit.record("test.provisional")
    db.session.flush()
    db.session.delete(event)
    db.session.commit()

    assert count_rows(AuditEvent) == 0
