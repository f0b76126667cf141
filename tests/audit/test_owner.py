"""On PostgreSQL the audit tables' trigger trusts nothing a role that owns nothing can set:
such a role (as the app should run) cannot update, delete or truncate an audit row, with or
without `app.audit_purge`; only the tables' owner purges. Each test makes a role of its own
and drops it afterwards (roles belong to the whole server)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app import clock, create_app
from app.extensions import db
from app.models import AuditAnchor, AuditEvent, AuditSeal
from app.services import audit
from config import TestConfig
from tests.audit.helpers import verify

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
REFUSED = "audit records are never changed or deleted"


@pytest.fixture(autouse=True)
def on_postgresql():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles and the trigger are PostgreSQL's")


@pytest.fixture
def app_role() -> Iterator[str]:
    """A role that owns nothing, with the privileges the app needs on every table."""
    name = f"app_{uuid.uuid4().hex[:12]}"
    with db.engine.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{name}" NOLOGIN'))
        connection.execute(text(f'GRANT USAGE ON SCHEMA public TO "{name}"'))
        connection.execute(
            text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{name}"')
        )
        connection.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{name}"'))
    yield name
    db.session.rollback()
    with db.engine.begin() as connection:
        connection.execute(text(f'DROP OWNED BY "{name}"'))
        connection.execute(text(f'DROP ROLE "{name}"'))


def _history() -> list[int]:
    """Events on three days, the first day purged: events, seals and an anchor to attack."""
    ids = []
    for day in range(3):
        clock.set_now(START + timedelta(days=day))
        events = [audit.record("test.event", day=day, n=n) for n in range(2)]
        db.session.commit()
        ids += [event.id for event in events]
    audit.purge_before(START + timedelta(days=1))
    return ids[2:]


def _counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (AuditEvent, AuditSeal, AuditAnchor)
    )


def _run_as(role: str, statement: str, *, purge: bool) -> None:
    """Run `statement` as `role` in a transaction of its own (SET LOCAL: the pooled
    connection is itself again afterwards), having set `app.audit_purge` or not. The test's
    own session first ends its transaction, so that it holds no lock the statement waits for."""
    db.session.commit()
    with db.engine.connect() as connection, connection.begin():
        connection.execute(text("SET LOCAL lock_timeout = '5s'"))
        connection.execute(text(f'SET LOCAL ROLE "{role}"'))
        if purge:
            connection.execute(text("SET LOCAL app.audit_purge = 'on'"))
        connection.execute(text(statement))


ATTACKS = [
    "UPDATE audit_events SET purpose = 'changed'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events CASCADE",
    "UPDATE audit_seals SET seal = 'x'",
    "DELETE FROM audit_seals",
    "TRUNCATE audit_seals",
    "UPDATE audit_anchors SET after_event_id = 0",
    "DELETE FROM audit_anchors",
    "TRUNCATE audit_anchors",
]


@pytest.mark.parametrize("purge", [False, True], ids=["plain", "with-audit-purge-set"])
@pytest.mark.parametrize("statement", ATTACKS)
def test_a_role_that_owns_nothing_cannot_change_or_remove_audit_rows(
    app, app_role, statement, purge
):
    _history()
    before = _counts()
    if statement.startswith("TRUNCATE"):
        with db.engine.begin() as connection:  # refused by the trigger, not by a privilege
            connection.execute(
                text(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{app_role}"')
            )

    with pytest.raises(DBAPIError, match=REFUSED):
        _run_as(app_role, statement, purge=purge)

    assert _counts() == before
    assert verify(app)[0] == 0


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM audit_events", "TRUNCATE audit_events, audit_seals, audit_anchors"],
)
def test_the_owner_too_deletes_only_in_a_transaction_that_says_it_is_purging(app, statement):
    _history()
    before = _counts()

    with pytest.raises(DBAPIError, match=REFUSED):
        db.session.execute(text(statement))
    db.session.rollback()
    assert _counts() == before

    db.session.execute(text("SET LOCAL app.audit_purge = 'on'"))
    db.session.execute(text(statement))
    db.session.commit()
    assert _counts()[0] == 0


def test_the_owners_purge_still_works_after_the_attempts(app, app_role):
    remaining = _history()
    for statement in ("DELETE FROM audit_events", "DELETE FROM audit_seals"):
        with pytest.raises(DBAPIError, match=REFUSED):
            _run_as(app_role, statement, purge=True)

    removed = audit.purge_before(START + timedelta(days=2))

    assert removed == 2
    assert list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id))) == remaining[2:]
    assert verify(app)[0] == 0


def test_a_role_that_owns_nothing_may_take_back_only_an_event_its_own_transaction_wrote(
    app, app_role
):
    """As `reveals.reveal` does with a reveal it counted to decide and then refused."""
    _history()
    taken_back = (
        "INSERT INTO audit_events (at, action, detail, nonce, mac) "
        "VALUES (now(), 'test.provisional', '{}', 'n', 'provisional');"
        "DELETE FROM audit_events WHERE mac = 'provisional'"
    )
    _run_as(app_role, taken_back, purge=False)
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "test.provisional")) == 0
    )

    _run_as(app_role, taken_back.split(";")[0], purge=False)
    with pytest.raises(DBAPIError, match=REFUSED):
        _run_as(app_role, "DELETE FROM audit_events WHERE mac = 'provisional'", purge=True)


@pytest.fixture
def app_as_role(app: Flask, app_role: str, tmp_path) -> Iterator[Flask]:
    """The app connected as the role that owns nothing, as production should run it."""
    url = TestConfig.SQLALCHEMY_DATABASE_URI
    separator = "&" if "?" in url else "?"

    class RoleConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"{url}{separator}options=-crole%3D{app_role}"
        AUDIT_HEAD_FILE = str(tmp_path / "audit-head.log")

    as_role = create_app(RoleConfig)
    yield as_role
    with as_role.app_context():
        db.engine.dispose()


def test_the_app_run_as_a_role_that_owns_nothing_writes_seals_and_verifies_but_cannot_purge(
    app_as_role, app_role
):
    with app_as_role.app_context():
        assert db.session.scalar(text("SELECT current_user")) == app_role
        clock.set_now(START)
        event = audit.record("test.provisional")
        db.session.flush()
        db.session.delete(event)  # taken back by the transaction that wrote it
        audit.record("test.kept")
        db.session.commit()
        runner = app_as_role.test_cli_runner()
        assert runner.invoke(args=["audit", "seal"]).output == "Sealed 1 audit event.\n"
        assert runner.invoke(args=["audit", "verify"]).exit_code == 0

        result = runner.invoke(args=["retention", "purge"])

        assert result.exit_code == 1
        assert "purged only by the database role that owns the audit tables" in result.output
        assert db.session.scalar(select(func.count()).select_from(AuditAnchor)) == 0
        with pytest.raises(audit.AuditPurgeRefused):
            audit.purge_before(START + timedelta(days=1))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2
        db.session.remove()
