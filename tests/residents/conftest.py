"""Helpers for records outside a call and for phone-verification locks: real rows, no mocks."""

from datetime import datetime, timedelta

import pytest

from app.demo import builders
from app.extensions import db
from app.models import Entry
from app.models.types import utcnow
from app.rules.vocabulary import Role, Urgency
from tests import factories
from tests.helpers import csrf_token

# Reasons for seeing a record or revealing a detail that are no reason: under ten characters
# once trimmed.
REASONS_TOO_SHORT = pytest.mark.parametrize(
    "reason",
    ["", "      ", "because", "checking", "   short    "],
    ids=["empty", "only-spaces", "seven-characters", "eight-characters", "short-once-trimmed"],
)


@pytest.fixture
def make_entry():
    """A routine entry on the resident's record from a neighbour who left no number."""

    def make(resident, summary: str, **overrides) -> Entry:
        values = {"reporter_name": "Pat Jones", "urgency": Urgency.ROUTINE, **overrides}
        return factories.make_entry(resident, number=None, summary=summary, **values)

    return make


@pytest.fixture
def fail_verification():
    """Store failed verification attempts on a resident, as the verify route would."""

    def fail(resident, times: int = 3, start: datetime | None = None, gap=timedelta(minutes=5)):
        handler = factories.make_staff(role=Role.HANDLER)
        start = start or utcnow() - gap * times
        for n in range(times):
            call = builders.add_call(handler, caller_number_withheld=True)
            builders.add_failed_check(call, resident, start + gap * n)
        db.session.commit()

    return fail


@pytest.fixture
def view_record():
    """Give a reason and see the record, as the member of staff's browser would."""

    def view(client, resident_id: int, reason: str = "Investigating complaint C-1042"):
        path = f"/residents/{resident_id}"
        return client.post(path, data={"reason": reason, "csrf_token": csrf_token(client, "/")})

    return view
