import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ShareRequest
from tests import factories
from tests.calls.conftest import CallDriver
from tests.helpers import csrf_token

HOUSING_ENTRY = "Reported damp in the bedroom"
TAX_ENTRY = "Asked for a single person discount"
OFFICER = "PC 4521 Jones, Leicestershire Police"
REASON = "Officer reports a child at risk at the address tonight"


def share_requests() -> list[ShareRequest]:
    """Every duty-to-share request, oldest first, as committed."""
    db.session.expire_all()
    return list(db.session.scalars(select(ShareRequest).order_by(ShareRequest.id)))


@pytest.fixture
def entries(resident):
    """One housing entry and one council tax entry on the resident's record."""
    return (
        factories.make_enquiry(resident, "housing", HOUSING_ENTRY),
        factories.make_enquiry(resident, "council-tax", TAX_ENTRY),
    )


class ShareCall(CallDriver):
    """A call from a police officer about the resident, who is not verified."""

    def police_call_about(self, resident):
        self.select(resident)
        return self.caller("third-party", name="PC Jones", relationship="professional")

    def ask(self, areas=("housing",), urgent=True, **fields):
        data = {
            "csrf_token": self.token,
            "basis": "crime",
            "officer": OFFICER,
            "reason": REASON,
            "areas": list(areas),
            **fields,
        }
        if urgent:
            data["urgent"] = "y"
        return self.client.post(self.url + "/duty-to-share", data=data)


@pytest.fixture
def police_call(signed_in_handler, resident, entries):
    call = ShareCall(signed_in_handler)
    call.police_call_about(resident)
    return call


def decide(
    client, request_id: int, decision: str, areas=(), reason: str = "Confirmed with the police"
):
    token = csrf_token(client, "/")
    return client.post(
        f"/duty-to-share/{request_id}",
        data={"csrf_token": token, "decision": decision, "areas": list(areas), "reason": reason},
    )
