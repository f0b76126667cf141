"""A service function is one unit of work: what it wrote is kept when it returns or refuses,
and forgotten when it fails."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from app.refusals import Refused
from app.services import audit
from app.services.transactions import transactional


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
