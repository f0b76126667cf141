"""A service function is one unit of work: what it wrote is kept when it returns or refuses,
and forgotten when it fails."""

import pytest
from sqlalchemy import delete, func, insert, inspect, select, update

from app.extensions import db
from app.models import AuditEvent, Resident, ResidentPhone
from app.refusals import Forbidden, ForbiddenOnRecord, NotFound, Refused
from app.services import audit
from app.services.transactions import NotAuditOnly, transactional
from tests import factories
from tests.helpers import statements_run


def _audited(action: str) -> int:
    db.session.rollback()  # read what was committed, not what the session still holds
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


@transactional
def _record_then(outcome: Exception | None) -> str:
    audit.record("test.unit_of_work")
    if outcome is not None:
        raise outcome
    return "done"


def test_what_a_service_writes_is_committed_when_it_returns():
    assert _record_then(None) == "done"

    assert _audited("test.unit_of_work") == 1


def test_what_a_service_writes_before_refusing_is_committed_and_the_refusal_goes_on():
    with pytest.raises(Refused, match="No"):
        _record_then(Refused("No", "reason"))

    assert _audited("test.unit_of_work") == 1


def test_what_a_service_writes_before_failing_is_rolled_back():
    with pytest.raises(RuntimeError):
        _record_then(RuntimeError("the database went away"))

    assert _audited("test.unit_of_work") == 0


@pytest.mark.parametrize(
    ("outcome", "kept"),
    [
        (Refused("No"), 1),
        (ForbiddenOnRecord("Not offered"), 1),
        (Forbidden(), 0),
        (NotFound(), 0),
    ],
    ids=["refused-is-an-answer", "forbidden-on-record-keeps-its-event", "forbidden", "not-found"],
)
def test_a_domain_error_keeps_what_was_written_only_when_it_is_an_answer_on_record(outcome, kept):
    with pytest.raises(type(outcome)):
        _record_then(outcome)

    assert _audited("test.unit_of_work") == kept


@transactional(audit_only=True)
def _read_and_audit(resident_id: int, change=None):
    resident = db.session.get(Resident, resident_id)
    audit.record("test.read", resident_id=resident.id)
    if change is not None:
        change(resident)
    return resident


def test_an_audit_only_read_keeps_what_it_read_loaded_after_its_commit():
    resident_id = factories.make_resident(forename="Ines").id
    db.session.expunge_all()
    with statements_run() as statements:
        resident = _read_and_audit(resident_id)
        before = len(statements)
        assert resident.forename == "Ines"
        assert len(statements) == before  # not read again
    assert _audited("test.read") == 1


@transactional(keep_loaded=True)
def _read_and_write(resident_id: int):
    resident = db.session.get(Resident, resident_id)
    resident.email = "ines@example.com"
    audit.record("test.read", resident_id=resident.id)
    return resident


def test_a_read_that_writes_what_it_showed_keeps_what_it_read_loaded_and_commits_it():
    resident_id = factories.make_resident(forename="Ines").id
    db.session.expunge_all()

    resident = _read_and_write(resident_id)

    assert "forename" in inspect(resident).dict  # not expired by the commit
    assert _audited("test.read") == 1
    assert db.session.get(Resident, resident_id).email == "ines@example.com"


def test_a_unit_of_work_that_writes_still_reads_afresh_after_its_commit():
    resident = factories.make_resident(forename="Ines")
    db.session.commit()

    assert "forename" not in inspect(resident).dict  # expired by the commit


@pytest.mark.parametrize(
    "change",
    [
        lambda resident: setattr(resident, "forename", "Changed"),
        lambda resident: db.session.add(
            ResidentPhone(resident_id=resident.id, number="+447700900111")
        ),
        lambda resident: db.session.delete(resident),
        lambda resident: db.session.execute(
            update(Resident).where(Resident.id == resident.id).values(forename="Changed")
        ),
        lambda resident: db.session.execute(
            delete(ResidentPhone).where(ResidentPhone.resident_id == resident.id)
        ),
        lambda resident: db.session.execute(
            insert(ResidentPhone).values(resident_id=resident.id, number="+447700900111")
        ),
    ],
    ids=["attribute", "add", "delete", "update", "bulk delete", "insert"],
)
def test_an_audit_only_unit_of_work_that_writes_anything_else_fails_and_keeps_nothing(change):
    resident_id = factories.make_resident(forename="Ines").id
    phones = select(func.count()).select_from(ResidentPhone)
    phones_before = db.session.scalar(phones)

    with pytest.raises(NotAuditOnly):
        _read_and_audit(resident_id, change)

    assert _audited("test.read") == 0
    assert db.session.get(Resident, resident_id).forename == "Ines"
    assert db.session.scalar(phones) == phones_before
