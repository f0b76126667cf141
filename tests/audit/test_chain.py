"""`flask audit verify` names the first broken event after any edit, deletion, insertion or
reordering, and says how many it checked when the chain is intact (SQLite and PostgreSQL)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, AuditSeal
from app.services import audit
from tests.audit.helpers import assert_broken_at, assert_intact, tamper, verify

COLUMNS = "at, action, staff_id, role, resident_id, call_id, entry_id, purpose, outcome, detail, "
COLUMNS += "remote_addr, nonce, mac"


def _write(count: int, **detail) -> list[int]:
    events = [audit.record("test.event", n=n, **detail) for n in range(count)]
    db.session.commit()
    return [event.id for event in events]


@pytest.fixture
def on_postgresql():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("dropping a constraint in place needs PostgreSQL")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_an_intact_chain_verifies_and_says_how_many_events_it_checked(app, runner):
    _write(5)
    assert runner.invoke(args=["audit", "seal"]).output == "Sealed 5 audit events.\n"
    _write(2)

    assert_intact(app, "Audit log intact: 7 events checked (5 sealed, 2 not sealed yet)")


def test_an_empty_log_verifies(app):
    assert_intact(app, "0 events checked")


def test_verify_can_seal_first(app):
    _write(3)
    code, output = verify(app, "--seal")
    assert code == 0
    assert "(3 sealed, 0 not sealed yet)" in output


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "test.evenT"),
        ("purpose", "x"),
        ("entry_id", 7),
        ("role", "admin"),
        ("outcome", "refused"),
        ("remote_addr", "10.0.0.1"),
        ("nonce", "0" * 32),
    ],
)
@pytest.mark.parametrize("sealed", [True, False], ids=["sealed", "unsealed"])
def test_an_edit_of_any_field_is_caught_at_that_event(app, column, value, sealed):
    ids = _write(5)
    if sealed:
        audit.seal_pending()
    tamper(f"UPDATE audit_events SET {column} = :value WHERE id = :id", value=value, id=ids[2])

    assert_broken_at(app, ids[2], "its content does not match its MAC")


def test_a_one_byte_edit_of_the_detail_is_caught(app):
    ids = _write(4, note="calm")
    audit.seal_pending()
    stored = db.session.scalar(select(AuditEvent.detail).where(AuditEvent.id == ids[1]))
    edited = json.dumps({**stored, "note": "calM"})
    tamper("UPDATE audit_events SET detail = :detail WHERE id = :id", detail=edited, id=ids[1])

    assert_broken_at(app, ids[1])


def test_a_one_second_edit_of_the_time_is_caught(app):
    ids = _write(3)
    audit.seal_pending()
    event = db.session.get(AuditEvent, ids[0])
    moved = event.at.replace(second=(event.at.second + 1) % 60)
    tamper("UPDATE audit_events SET at = :at WHERE id = :id", at=moved, id=ids[0])

    assert_broken_at(app, ids[0])


def test_a_deleted_event_is_caught_at_the_next(app):
    ids = _write(5)
    audit.seal_pending()
    tamper("DELETE FROM audit_seals WHERE event_id = :id", id=ids[2])
    tamper("DELETE FROM audit_events WHERE id = :id", id=ids[2])

    assert_broken_at(app, ids[3], "its seal does not follow the event before it")


def test_a_deleted_event_whose_seal_remains_is_caught_at_it(app):
    ids = _write(5)
    audit.seal_pending()
    tamper("DELETE FROM audit_events WHERE id = :id", id=ids[4])

    assert_broken_at(app, ids[4], "it was deleted")


def test_an_event_moved_to_a_free_place_in_the_chain_is_caught(app):
    ids = _write(5)
    tamper("DELETE FROM audit_events WHERE id = :id", id=ids[3])  # a gap, as a rollback leaves
    audit.seal_pending()
    # The first event, MAC, seal and all, moved into the gap.
    # Plain tables here: each tamper commits, and the next may run on another pooled connection.
    tamper("DROP TABLE IF EXISTS moved")
    tamper(f"CREATE TABLE moved AS SELECT {COLUMNS} FROM audit_events WHERE id = :id", id=ids[0])
    tamper("DELETE FROM audit_events WHERE id = :id", id=ids[0])
    tamper(f"INSERT INTO audit_events (id, {COLUMNS}) SELECT :id, {COLUMNS} FROM moved", id=ids[3])
    tamper("UPDATE audit_seals SET event_id = :to WHERE event_id = :id", to=ids[3], id=ids[0])
    tamper("DROP TABLE moved")

    assert_broken_at(app, ids[1], "its seal does not follow")


def test_an_event_inserted_without_a_seal_among_sealed_ones_is_caught(app):
    ids = _write(3)
    first = ids[0]
    tamper("DELETE FROM audit_events WHERE id = :id", id=first)  # leaves a gap in the ids
    audit.seal_pending()
    event = audit.record("test.forged")
    forged = audit.content_of(event)
    db.session.expunge(event)
    tamper(
        "INSERT INTO audit_events (id, at, action, detail, nonce, mac) "
        "VALUES (:id, :at, 'test.forged', '{}', :nonce, :mac)",
        id=first,
        at=forged.at,
        nonce=forged.nonce,
        mac=event.mac,
    )

    assert_broken_at(app, first)


def test_an_appended_event_without_the_key_is_caught_before_it_is_sealed(app):
    ids = _write(3)
    audit.seal_pending()
    tamper(
        "INSERT INTO audit_events (id, at, action, detail, nonce, mac) "
        "SELECT :new_id, at, 'test.forged', detail, nonce, :mac FROM audit_events "
        "WHERE id = :id",
        new_id=ids[-1] + 1,
        id=ids[0],
        mac="0" * 64,
    )

    assert_broken_at(app, ids[-1] + 1, "its content does not match its MAC")


def test_a_swapped_pair_is_caught(app):
    ids = _write(5)
    audit.seal_pending()
    a, b = ids[1], ids[2]
    # Exchange the two events' contents (as swapping their ids would), MACs and all.
    tamper("DROP TABLE IF EXISTS swap")
    tamper(f"CREATE TABLE swap AS SELECT id, {COLUMNS} FROM audit_events")
    tamper("DELETE FROM audit_events WHERE id IN (:a, :b)", a=a, b=b)
    tamper(
        f"INSERT INTO audit_events (id, {COLUMNS}) "
        f"SELECT CASE id WHEN :a THEN :b ELSE :a END, {COLUMNS} FROM swap WHERE id IN (:a, :b)",
        a=a,
        b=b,
    )
    tamper("DROP TABLE swap")

    assert_broken_at(app, a, "its seal does not follow")


def test_swapped_seals_are_caught(app):
    ids = _write(4)
    audit.seal_pending()
    seals = dict(db.session.execute(select(AuditSeal.event_id, AuditSeal.seal)).all())
    tamper("DELETE FROM audit_seals WHERE event_id IN (:a, :b)", a=ids[1], b=ids[2])
    for event_id, other in ((ids[1], ids[2]), (ids[2], ids[1])):
        tamper(
            "INSERT INTO audit_seals (event_id, seal, sealed_at) "
            "VALUES (:id, :seal, CURRENT_TIMESTAMP)",
            id=event_id,
            seal=seals[other],
        )

    assert_broken_at(app, ids[1])


def test_the_key_is_not_stored_with_the_events(app):
    _write(2)
    audit.seal_pending()
    dumped = " ".join(
        str(tuple(row))
        for table in ("audit_events", "audit_seals", "audit_anchors")
        for row in db.session.execute(select(db.metadata.tables[table]))
    )
    assert "test.event" in dumped
    assert audit.chain_key().hex() not in dumped
    assert app.config["SECRET_KEY"] not in dumped


def test_sealing_twice_seals_nothing_new(runner):
    _write(3)
    assert audit.seal_pending() == 3
    assert audit.seal_pending() == 0
    assert runner.invoke(args=["audit", "seal"]).output == "Sealed 0 audit events.\n"


def test_a_copied_event_is_refused_by_the_database(app):
    from sqlalchemy.exc import IntegrityError

    ids = _write(2)
    with pytest.raises(IntegrityError):
        tamper(
            f"INSERT INTO audit_events (id, {COLUMNS}) "
            f"SELECT :new_id, {COLUMNS} FROM audit_events WHERE id = :id",
            new_id=ids[-1] + 1,
            id=ids[0],
        )
    db.session.rollback()


def test_a_copied_event_is_caught_even_without_the_unique_constraint(app, on_postgresql):
    ids = _write(3)
    audit.seal_pending()
    tamper("ALTER TABLE audit_events DROP CONSTRAINT uq_audit_events_mac")
    tamper(
        f"INSERT INTO audit_events (id, {COLUMNS}) "
        f"SELECT :new_id, {COLUMNS} FROM audit_events WHERE id = :id",
        new_id=ids[-1] + 1000,
        id=ids[0],
    )
    audit.seal_pending()

    code, output = verify(app)
    tamper(f"DELETE FROM audit_events WHERE id = {ids[-1] + 1000}")
    tamper("DELETE FROM audit_seals")
    tamper("ALTER TABLE audit_events ADD CONSTRAINT uq_audit_events_mac UNIQUE (mac)")

    assert code == 1
    assert f"broken at event {ids[-1] + 1000}: it repeats an earlier event's MAC" in output


def test_an_event_left_unsealed_past_the_grace_period_fails_verify(app):
    [event_id] = _write(1)
    assert verify(app)[0] == 0
    clock.set_now(clock.now() + timedelta(minutes=6))

    assert_broken_at(app, event_id, "it has waited more than 5 minutes to be sealed")


def test_the_grace_period_is_a_setting(app, monkeypatch):
    _write(1)
    monkeypatch.setitem(app.config, "AUDIT_SEALING_GRACE", timedelta(minutes=30))
    clock.set_now(clock.now() + timedelta(minutes=6))

    assert_intact(app, "(0 sealed, 1 not sealed yet)")
