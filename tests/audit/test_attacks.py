"""The rewrites an attack review made of the audit log, each as someone with access to the
database would make them: every one now fails `flask audit verify` (SQLite and PostgreSQL).

Each sealing round writes the chain's head to a file the database cannot reach (the suite's
AUDIT_HEAD_FILE, a temporary file emptied with the tables after every test).
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, AuditSeal
from app.rules.audit_chain import read_head_line
from app.services import audit
from tests.audit.helpers import assert_broken_at, assert_intact, tamper, verify

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _write(count: int) -> list[int]:
    events = [audit.record("test.event", n=n) for n in range(count)]
    db.session.commit()
    return [event.id for event in events]


def _head_file(app) -> Path:
    return Path(app.config["AUDIT_HEAD_FILE"])


def _heads(app) -> list[int]:
    """The event each line of the head file names."""
    key = audit.chain_key()
    return [read_head_line(key, line).event_id for line in _head_file(app).read_text().splitlines()]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def without_head_file(app, monkeypatch):
    """The chain alone, with no head written outside the database to compare with."""
    monkeypatch.setitem(app.config, "AUDIT_HEAD_FILE", None)


@pytest.fixture
def in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_CHAIN_KEY", "k" * 40)
    yield lambda: monkeypatch.setitem(app.config, "IS_PRODUCTION", True)


# Every event is in the chain from the first --------------------------------------------------


@pytest.mark.parametrize("head", ["with-head-file", "chain-alone"])
def test_every_mac_nulled_every_seal_deleted_and_an_event_edited_is_caught(app, head, request):
    if head == "chain-alone":
        request.getfixturevalue("without_head_file")
    ids = _write(5)
    audit.seal_pending()

    tamper("UPDATE audit_events SET mac = NULL")
    tamper("DELETE FROM audit_seals")
    tamper("UPDATE audit_events SET purpose = 'edited' WHERE id = :id", id=ids[2])

    code, output = verify(app)
    assert code == 1
    assert f"broken at event {ids[0]}: it has no MAC" in output


def test_an_event_without_a_mac_before_any_with_one_is_caught(app):
    ids = _write(3)
    tamper("UPDATE audit_events SET mac = NULL WHERE id = :id", id=ids[0])
    audit.seal_pending()

    assert_broken_at(app, ids[0], "it has no MAC")


def test_every_seal_deleted_is_caught_at_once_through_the_head(app):
    ids = _write(5)
    audit.seal_pending()

    tamper("DELETE FROM audit_seals")

    code, output = verify(app)
    assert code == 1
    assert f"names event {ids[-1]}" in output
    assert "which is gone with its seal" in output


def test_every_seal_deleted_is_caught_by_the_chain_alone_after_the_grace_period(
    app, without_head_file
):
    ids = _write(5)
    audit.seal_pending()
    tamper("DELETE FROM audit_seals")
    assert verify(app)[0] == 0  # within the grace period the sealer may still be coming

    clock.set_now(clock.now() + timedelta(minutes=6))

    assert_broken_at(app, ids[0], "it has waited more than 5 minutes to be sealed")


# The head, written where the database cannot rewrite it --------------------------------------


def test_cutting_the_tail_is_caught_through_the_head_file(app):
    ids = _write(5)
    audit.seal_pending()

    tamper("DELETE FROM audit_seals WHERE event_id >= :id", id=ids[3])
    tamper("DELETE FROM audit_events WHERE id >= :id", id=ids[3])

    code, output = verify(app)
    assert code == 1
    assert "Audit log intact" not in output
    assert f"the head recorded outside the database names event {ids[4]}" in output
    assert "the newest sealed events were deleted" in output


def test_after_the_tail_is_cut_nothing_more_is_sealed_onto_the_shortened_chain(app, runner):
    ids = _write(5)
    audit.seal_pending()
    tamper("DELETE FROM audit_seals WHERE event_id >= :id", id=ids[3])
    tamper("DELETE FROM audit_events WHERE id >= :id", id=ids[3])
    later = _write(2)

    result = runner.invoke(args=["audit", "seal"])

    assert result.exit_code == 1
    assert "Nothing sealed" in result.output
    sealed = db.session.scalar(select(func.max(AuditSeal.event_id)))
    assert sealed == ids[2]
    assert later[0] > sealed
    assert verify(app)[0] == 1


def test_an_edited_head_line_is_caught_by_its_mac(app, runner):
    ids = _write(3)
    audit.seal_pending()
    head = _head_file(app)
    line = head.read_text()
    # Back to an earlier head, as someone hiding a cut tail would want.
    head.write_text(line.replace(f"event={ids[-1]} ", f"event={ids[0]} "))

    code, output = verify(app)

    assert code == 1
    assert "is not one the sealer wrote with this key" in output
    assert runner.invoke(args=["audit", "seal"]).exit_code == 1


def test_each_sealing_round_that_seals_something_writes_the_new_head(app):
    first = _write(2)
    audit.seal_pending()
    audit.seal_pending()  # nothing new: no line
    second = _write(3)
    audit.seal_pending()

    assert _heads(app) == [first[-1], second[-1]]
    key = audit.chain_key()
    last = read_head_line(key, _head_file(app).read_text().splitlines()[-1])
    assert last.seal == db.session.scalar(
        select(AuditSeal.seal).where(AuditSeal.event_id == second[-1])
    )
    assert_intact(
        app, f"Checked against the head recorded outside the database: event {second[-1]}"
    )


def test_the_schedulers_sealing_job_writes_the_head_when_it_seals(app, runner):
    ids = _write(2)

    result = runner.invoke(args=["scheduler", "run-job", "audit-seal"])

    assert result.exit_code == 0
    assert _heads(app) == [ids[-1]]


def test_the_outbox_worker_no_longer_seals(app, runner):
    _write(2)

    result = runner.invoke(args=["outbox", "work", "--once"])

    assert result.exit_code == 0
    assert not _head_file(app).exists()
    assert db.session.scalar(select(func.count()).select_from(AuditSeal)) == 0


def test_a_new_head_file_starts_with_the_chain_as_it_is(app):
    ids = _write(2)
    audit.seal_pending()
    _head_file(app).unlink()  # rotated away, or a new host

    assert audit.seal_pending() == 0

    assert _heads(app) == [ids[-1]]


def test_a_missing_head_file_fails_verify_in_production(app, in_production):
    _write(2)
    audit.seal_pending()
    _head_file(app).unlink()
    in_production()

    code, output = verify(app)

    assert code == 1
    assert "does not exist, though the database has sealed events" in output


def test_a_missing_head_file_is_reported_in_development_without_failing(app):
    _write(2)
    audit.seal_pending()
    _head_file(app).unlink()

    assert_intact(app, "Not checked against a head: the head file")


def test_a_new_log_needs_no_head_file_even_in_production(app, in_production):
    in_production()

    assert_intact(app, "0 events checked")


def test_without_a_head_file_verify_says_what_to_compare_with(app, without_head_file):
    _write(1)
    audit.seal_pending()

    assert_intact(app, "No head file is set (AUDIT_HEAD_FILE)")


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
    assert _heads(app)[-1] == new[-1]


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
