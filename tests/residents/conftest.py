"""Helpers for records outside a call and for phone-verification locks: real rows, no mocks."""

from datetime import datetime, timedelta

import pytest

from app.extensions import db
from app.models import Call, Entry, VerificationAttempt
from app.models.types import utcnow
from app.rules.vocabulary import EntryCategory, EntryStatus, Relationship, Role, VerificationResult
from tests import factories
from tests.helpers import csrf_token


@pytest.fixture
def make_entry():
    def make(resident, summary: str, **overrides) -> Entry:
        values = {
            "resident_id": resident.id,
            "area_code": "housing",
            "category": EntryCategory.REPAIR,
            "summary": summary,
            "status": EntryStatus.ACTIVE,
            "is_sensitive": False,
            "reporter_name": "Pat Jones",
            "reporter_relationship": Relationship.NEIGHBOUR,
            "reporter_verified": False,
        }
        values.update(overrides)
        entry = Entry(**values)
        db.session.add(entry)
        db.session.commit()
        return entry

    return make


@pytest.fixture
def fail_verification():
    """Store failed verification attempts on a resident, as the verify route would."""

    def fail(resident, times: int = 3, start: datetime | None = None, gap=timedelta(minutes=5)):
        handler = factories.make_staff(role=Role.HANDLER)
        start = start or utcnow() - gap * times
        for n in range(times):
            call = Call(handler_id=handler.id, caller_number_withheld=True)
            db.session.add(call)
            db.session.flush()
            db.session.add(
                VerificationAttempt(
                    call_id=call.id,
                    resident_id=resident.id,
                    handler_id=handler.id,
                    factors_failed="date-of-birth,postcode",
                    result=VerificationResult.FAILED,
                    created_at=start + gap * n,
                )
            )
        db.session.commit()

    return fail


@pytest.fixture
def view_record():
    """Give a reason and see the record, as the member of staff's browser would."""

    def view(client, resident_id: int, reason: str = "Investigating complaint C-1042"):
        path = f"/residents/{resident_id}"
        return client.post(path, data={"reason": reason, "csrf_token": csrf_token(client, "/")})

    return view
