"""Residents, staff and permissions for the permission tests: real rows, real services."""

import pytest

from app.extensions import db
from app.models import Call
from app.models.types import utcnow
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType
from app.services import permissions
from tests.permissions.data import CONFIRMED, evidence, representative, terms


@pytest.fixture
def grant_written(resident, supervisor):
    """Record a written permission for the resident, with overridable parts."""

    def grant(
        *, representative_=None, terms_=None, evidence_=None, safeguarding=CONFIRMED, **kw
    ) -> permissions.GrantedPermission:
        return permissions.record_written_permission(
            kw.pop("resident_id", resident.id),
            representative_ or representative(),
            terms_ or terms(),
            evidence_ or evidence(),
            safeguarding,
            kw.pop("staff", supervisor),
            **kw,
        )

    return grant


@pytest.fixture
def make_call(resident, handler):
    """A call about the resident, with the caller verified as `verified_as`."""

    def make(verified_as: VerifiedAs = VerifiedAs.RESIDENT, **overrides) -> Call:
        caller_type = {
            VerifiedAs.RESIDENT: CallerType.RESIDENT,
            VerifiedAs.REPRESENTATIVE: CallerType.REPRESENTATIVE,
        }.get(verified_as, CallerType.UNKNOWN)
        values = {
            "handler_id": handler.id,
            "caller_number": "+447700900123",
            "resident_id": resident.id,
            "caller_type": caller_type,
            "verified_as": verified_as,
            # A verification names whom it verified, as the call said then.
            "verified_resident_id": resident.id,
            "verified_caller_type": caller_type,
            "last_activity_at": utcnow(),
        }
        call = Call(**(values | overrides))
        db.session.add(call)
        db.session.commit()
        return call

    return make
