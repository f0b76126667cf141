"""A request that only read ends its transaction with COMMIT (so PostgreSQL keeps the
statements it prepared: app/read_commits.py); any other request's transaction is rolled back,
as it always was, and nothing it wrote without committing is kept."""

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import event, select, text, update

from app import create_app
from app.extensions import db
from app.models import AuditEvent, Resident
from app.security import public
from app.services import audit
from app.services.transactions import transactional, writes
from config import TestConfig
from tests import factories
from tests.conftest import IsolatedClient


@transactional
def _move(resident_id: int, town: str) -> None:
    db.session.get(Resident, resident_id).town = town


@pytest.fixture(scope="module")
def probe(app: Flask) -> Flask:
    """An app on the suite's database with routes that read or write and then answer, fail
    or refuse, each without committing."""

    class ProbeConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        AUDIT_HEAD_FILE = app.config["AUDIT_HEAD_FILE"]

    probe = create_app(ProbeConfig)
    probe.test_client_class = IsolatedClient

    def town(resident_id: int) -> str:
        return db.session.scalar(select(Resident.town).where(Resident.id == resident_id))

    @probe.get("/probe/read/<int:resident_id>")
    @public
    def read(resident_id: int):
        return town(resident_id)

    @probe.get("/probe/core-write/<int:resident_id>")
    @public
    def core_write(resident_id: int):
        statement = update(Resident).where(Resident.id == resident_id).values(town="Core")
        db.session.connection().execute(statement)
        return "written, not committed"

    @probe.get("/probe/text-write/<int:resident_id>")
    @public
    def text_write(resident_id: int):
        statement = text("  update residents set town = 'Text' where id = :id")
        db.session.execute(statement, {"id": resident_id})
        return "written, not committed"

    @probe.get("/probe/with-read/<int:resident_id>")
    @public
    def with_read(resident_id: int):
        statement = text("WITH r AS (SELECT town FROM residents WHERE id = :id) SELECT * FROM r")
        return db.session.scalar(statement, {"id": resident_id})

    @probe.get("/probe/with-write/<int:resident_id>")
    @public
    def with_write(resident_id: int):
        statement = text(
            "WITH r AS (SELECT id FROM residents WHERE id = :id) "
            "UPDATE residents SET town = 'With' WHERE id IN (SELECT id FROM r)"
        )
        db.session.execute(statement, {"id": resident_id})
        return "written, not committed"

    @probe.get("/probe/<step>-then-fail/<int:resident_id>")
    @public
    def then_fail(step: str, resident_id: int):
        {"read": town, "core-write": core_write}[step](resident_id)
        raise RuntimeError(f"failed after the {step}")

    @probe.get("/probe/orm-changed/<int:resident_id>")
    @public
    def orm_changed(resident_id: int):
        db.session.get(Resident, resident_id).town = "Changed"
        return "changed, not flushed"

    @probe.get("/probe/orm-flushed/<int:resident_id>")
    @public
    def orm_flushed(resident_id: int):
        db.session.get(Resident, resident_id).town = "Flushed"
        db.session.flush()
        db.session.expunge_all()
        return "flushed, not committed"

    @probe.get("/probe/orm-added")
    @public
    def orm_added():
        factories.builders.add_resident(
            phones=["+447700900999"], secret_word=None, reference="PROBE-ADDED",
            forename="Added", middle_names=None, surname="Never", date_of_birth=date(1950, 1, 1),
            address_line_1="1 Probe Street", address_line_2=None, town="Nowhere",
            postcode="LE1 1AA", email=None,
        )  # fmt: skip
        return "added, not flushed"

    @probe.get("/probe/audit-only")
    @public
    def audit_only():
        audit.record_now("test.read_commits")
        return "recorded, not committed"

    @probe.get("/probe/refuse/<int:resident_id>")
    @public
    def refuse(resident_id: int):
        town(resident_id)
        return "refused", 403

    @probe.get("/probe/prepared")
    @public
    def prepared():
        statement = text("SELECT count(*) FROM pg_prepared_statements")
        return str(db.session.scalar(statement))

    @probe.get("/probe/unit-then-read/<int:resident_id>")
    @public
    def unit_then_read(resident_id: int):
        _move(resident_id, "Moved")
        return town(resident_id)

    return probe


@pytest.fixture
def ends(probe: Flask) -> Iterator[Counter]:
    """How the probe's transactions ended: COMMITs and ROLLBACKs counted on its engine."""
    counts: Counter = Counter()
    with probe.app_context():
        engine = db.engine

    def committed(conn):
        counts["commit"] += 1

    def rolled_back(conn):
        counts["rollback"] += 1

    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)
    yield counts
    event.remove(engine, "commit", committed)
    event.remove(engine, "rollback", rolled_back)


def _town(resident: Resident) -> str:
    db.session.rollback()  # read what was committed, not what the session still holds
    return db.session.scalar(select(Resident.town).where(Resident.id == resident.id))


def test_a_request_that_only_read_ends_with_a_commit_and_no_rollback(probe, ends, resident):
    response = probe.test_client().get(f"/probe/read/{resident.id}")

    assert response.get_data(as_text=True) == "Leicester"
    assert ends == {"commit": 1}


def test_a_read_with_a_common_table_expression_ends_with_a_commit(probe, ends, resident):
    response = probe.test_client().get(f"/probe/with-read/{resident.id}")

    assert response.get_data(as_text=True) == "Leicester"
    assert ends == {"commit": 1}


def test_postgresql_keeps_what_it_prepared_for_reads_from_one_request_to_the_next(probe, resident):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's")
    client = probe.test_client()
    for _ in range(8):  # psycopg prepares a statement at its sixth run on a connection
        client.get(f"/probe/read/{resident.id}")
        client.get("/healthz")

    assert int(client.get("/probe/prepared").get_data(as_text=True)) >= 2


def test_a_unit_of_work_then_a_read_commits_both_and_keeps_the_change(probe, ends, resident):
    response = probe.test_client().get(f"/probe/unit-then-read/{resident.id}")

    assert response.get_data(as_text=True) == "Moved"
    assert ends == {"commit": 2}
    assert _town(resident) == "Moved"


def test_a_request_that_read_then_failed_is_rolled_back(probe, ends, resident):
    response = probe.test_client().get(f"/probe/read-then-fail/{resident.id}")

    assert response.status_code == 500
    assert ends["commit"] == 0
    assert ends["rollback"] >= 1


def test_a_request_answered_with_an_error_is_rolled_back(probe, ends, resident):
    response = probe.test_client().get(f"/probe/refuse/{resident.id}")

    assert response.status_code == 403
    assert ends == {"rollback": 1}


@pytest.mark.parametrize(
    "route",
    [
        "core-write",
        "text-write",
        "core-write-then-fail",
        "orm-changed",
        "orm-flushed",
    ],
)
def test_a_write_never_committed_by_the_view_is_not_kept(probe, ends, resident, route):
    probe.test_client().get(f"/probe/{route}/{resident.id}")

    assert _town(resident) == "Leicester"
    assert ends["commit"] == 0
    assert ends["rollback"] >= 1


def test_a_common_table_expression_that_writes_is_rolled_back(probe, ends, resident):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("the sqlite3 module opens no transaction for a statement starting WITH")

    probe.test_client().get(f"/probe/with-write/{resident.id}")

    assert _town(resident) == "Leicester"
    assert ends == {"rollback": 1}


@pytest.mark.parametrize(
    "statement",
    [
        "WITH r AS (DELETE FROM t RETURNING id) SELECT * FROM r",
        "with r as (select 1) update t set x = 1",
        "INSERT INTO t VALUES (1)",
        "  update t set x = 1",
        "SAVEPOINT sa_savepoint_1",
        "SELECTED",
    ],
)
def test_a_statement_that_may_write_counts_as_a_write(statement):
    assert writes(statement)


@pytest.mark.parametrize(
    "statement",
    ["SELECT 1", "  select x from t for update", "WITH r AS (SELECT updated_at FROM t) SELECT 1"],
)
def test_a_read_counts_as_a_read(statement):
    assert not writes(statement)


def test_an_object_added_and_never_committed_is_not_kept(probe, ends):
    assert probe.test_client().get("/probe/orm-added").status_code == 200

    db.session.rollback()
    assert db.session.scalar(select(Resident.id).where(Resident.surname == "Never")) is None
    assert ends == {"rollback": 1}


def test_an_audit_insert_never_committed_is_not_kept(probe, ends):
    assert probe.test_client().get("/probe/audit-only").status_code == 200

    db.session.rollback()
    assert (
        db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "test.read_commits"))
        is None
    )
    assert ends == {"rollback": 1}


def test_a_commit_that_fails_is_rolled_back_and_the_answer_stands(probe, ends, resident, caplog):
    with probe.app_context():
        engine = db.engine

    def refuse_commit(conn):
        raise RuntimeError("the database went away")

    event.listen(engine, "commit", refuse_commit)
    try:
        with caplog.at_level(logging.ERROR):
            response = probe.test_client().get(f"/probe/read/{resident.id}")
    finally:
        event.remove(engine, "commit", refuse_commit)

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Leicester"
    assert "did not commit" in caplog.text
    ends.clear()
    assert probe.test_client().get(f"/probe/read/{resident.id}").status_code == 200
    assert ends == {"commit": 1}


def test_a_write_in_an_earlier_request_does_not_stop_a_later_read_committing(probe, ends, resident):
    client = probe.test_client()
    client.get(f"/probe/core-write/{resident.id}")
    ends.clear()

    client.get(f"/probe/read/{resident.id}")

    assert ends == {"commit": 1}
