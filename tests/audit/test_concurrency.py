"""Writing audit events takes no lock: two requests writing at once never wait for each
other, and the chain the sealer makes from them still verifies."""

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, AuditSeal
from app.services import audit
from tests import factories
from tests.audit.helpers import assert_intact, verify

WAIT = 10


@pytest.fixture
def on_postgresql():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time")


def _in_app(app: Flask, work, errors: list) -> threading.Thread:
    def run() -> None:
        try:
            with app.app_context():
                work()
                db.session.remove()
        except Exception as error:  # handed to the test
            errors.append(error)

    return threading.Thread(target=run)


class HeldOpen:
    """A writer in a thread of its own that writes an event and keeps its transaction open
    until released."""

    def __init__(self, app: Flask, resident_id: int, errors: list):
        self.written = threading.Event()
        self.go = threading.Event()
        self.thread = _in_app(app, lambda: self._write(resident_id), errors)

    def _write(self, resident_id: int) -> None:
        audit.record("test.slow", resident_id=resident_id)
        db.session.flush()
        self.written.set()
        self.go.wait(WAIT)
        db.session.commit()

    def start(self) -> None:
        """Start, and return once the event is written but not committed."""
        self.thread.start()
        self.written.wait(WAIT)

    def release(self) -> None:
        self.go.set()
        self.thread.join(WAIT)


def test_two_writers_hold_uncommitted_events_at_once(app, on_postgresql, resident):
    resident_id = resident.id
    both_written = threading.Barrier(2, timeout=WAIT)
    errors: list = []

    def writer(n: int):
        def work() -> None:
            audit.record("test.concurrent", resident_id=resident_id, writer=n)
            db.session.flush()  # the INSERT is made, not yet committed
            both_written.wait()  # neither waits for the other's commit to get here
            db.session.commit()

        return work

    threads = [_in_app(app, writer(n), errors) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)

    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2
    audit.seal_pending()
    assert verify(app)[0] == 0


def test_many_writers_at_once_make_a_chain_that_verifies(app, resident):
    staff_id, resident_id = factories.make_staff().id, resident.id
    errors: list = []

    def work() -> None:
        for n in range(20):
            audit.record("test.concurrent", staff_id=staff_id, resident_id=resident_id, n=n)
            db.session.commit()

    threads = [_in_app(app, work, errors) for _ in range(4)]
    for thread in threads:
        thread.start()
    sealed = 0
    while any(thread.is_alive() for thread in threads):
        sealed += audit.seal_pending()
    for thread in threads:
        thread.join(WAIT)
    sealed += audit.seal_pending()

    assert errors == []
    assert sealed == 80
    assert_intact(app, "80 events checked (80 sealed, 0 not sealed yet)")


def test_the_sealer_waits_for_an_event_still_being_written(
    app, on_postgresql, resident, monkeypatch
):
    """An event with a lower id committed after one with a higher id is never left behind."""
    monkeypatch.setattr(audit, "SETTLE_WAIT", 10.0)
    resident_id = resident.id
    errors: list = []
    slow = HeldOpen(app, resident_id, errors)

    def quick_writer() -> None:
        audit.record("test.quick", resident_id=resident_id)
        db.session.commit()

    def sealer() -> None:
        audit.seal_pending()

    slow.start()
    quick = _in_app(app, quick_writer, errors)
    quick.start()
    quick.join(WAIT)
    sealing = _in_app(app, sealer, errors)
    sealing.start()
    sealing.join(0.5)
    still_waiting = sealing.is_alive()
    slow.release()
    sealing.join(WAIT)

    assert errors == []
    assert still_waiting
    assert db.session.scalar(select(func.count()).select_from(AuditSeal)) == 2
    assert_intact(app, "(2 sealed, 0 not sealed yet)")


def test_the_sealer_gives_up_for_now_on_a_long_transaction(
    app, on_postgresql, resident, monkeypatch
):
    monkeypatch.setattr(audit, "SETTLE_WAIT", 0.2)
    errors: list = []
    slow = HeldOpen(app, resident.id, errors)
    slow.start()

    sealed_meanwhile = audit.seal_pending()
    slow.release()

    assert errors == []
    assert sealed_meanwhile == 0
    assert audit.seal_pending() == 1
    assert verify(app)[0] == 0


def test_writers_never_wait_for_the_sealer(app, on_postgresql, resident, monkeypatch):
    """While the sealer waits for a long transaction, other requests write and commit
    their events at once (a table lock would have queued them behind it)."""
    monkeypatch.setattr(audit, "SETTLE_WAIT", 10.0)
    resident_id = resident.id
    errors: list = []
    slow = HeldOpen(app, resident_id, errors)
    committed = threading.Event()

    def quick_writer() -> None:
        audit.record("test.quick", resident_id=resident_id)
        db.session.commit()
        committed.set()

    slow.start()
    sealing = _in_app(app, audit.seal_pending, errors)
    sealing.start()
    sealing.join(0.3)
    quick = _in_app(app, quick_writer, errors)
    quick.start()
    quick.join(2)
    written_while_sealing = committed.is_set() and sealing.is_alive()
    slow.release()
    sealing.join(WAIT)

    assert errors == []
    assert written_while_sealing
    audit.seal_pending()
    assert_intact(app, "(2 sealed, 0 not sealed yet)")
