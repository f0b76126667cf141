"""Residents, staff and permissions for the permission tests: real rows, real services."""

from datetime import datetime, time

import pytest

from app import clock
from app.demo import builders
from app.extensions import db
from app.models import Call
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType
from app.services import permissions
from tests.permissions.data import CONFIRMED, TODAY, evidence, representative, terms


@pytest.fixture(autouse=True)
def _dates_count_from_today():
    """A run that crosses midnight keeps the day the tests count from: the clock stops in its
    last minute (and starts again after the test)."""
    if clock.today() != TODAY:
        clock.set_now(datetime.combine(TODAY, time(23, 59), tzinfo=clock.UK))


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
            kw.pop("today", clock.today()),
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
        call = builders.add_call(
            handler,
            resident,
            caller_number="+447700900123",
            caller_type=caller_type,
            verified_as=verified_as,
        )
        for name, value in overrides.items():  # after the verification, which names the record
            setattr(call, name, value)
        db.session.commit()
        return call

    return make
