"""The rewrites an attack review made of the audit log, each as someone with access to the
database would make them: every one now fails `flask audit verify` (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent
from app.services import audit
from tests.audit.helpers import assert_broken_at, assert_intact, tamper

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _write(count: int) -> list[int]:
    events = [audit.record("test.event", n=n) for n in range(count)]
    db.session.commit()
    return [event.id for event in events]


# Ids never repeat ----------------------------------------------------------------------------


def test_a_purge_that_empties_the_log_never_lets_ids_repeat(app):
    clock.set_now(START)
    old = _write(4)
    assert audit.purge_before(START + timedelta(days=1)) == 4
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0

    clock.set_now(START + timedelta(days=2))
    new = _write(3)
    assert audit.seal_pending() == 3

    assert min(new) > max(old)
    assert_intact(app, "3 events checked (3 sealed, 0 not sealed yet)")


def test_an_event_put_back_before_the_chain_start_is_caught(app):
    clock.set_now(START)
    old = _write(3)
    audit.purge_before(START + timedelta(days=1))
    clock.set_now(START + timedelta(days=2))
    _write(2)
    audit.seal_pending()

    tamper(
        "INSERT INTO audit_events (id, at, action, detail, nonce, mac) "
        "VALUES (:id, :at, 'test.forged', '{}', :nonce, :mac)",
        id=old[1],
        at=START,
        nonce="0" * 32,
        mac="0" * 64,
    )

    assert_broken_at(app, old[1], "it lies at or before the chain's start")
