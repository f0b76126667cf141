"""Test data for permissions: the parts of a permission, with overridable defaults."""

from datetime import date

from app import clock
from app.models.permission import RepresentativeCheck
from app.rules.vocabulary import PermissionKind, Relationship, ServiceArea
from app.services import permissions

# The day these tests count their dates from: the council's today when they were collected.
# A run that crosses midnight keeps it (tests/permissions/conftest.py).
TODAY = clock.today()


def representative(**overrides) -> permissions.Representative:
    values = {
        "name": "Grace Okafor",
        "relationship": Relationship.CHILD,
        "phone": "07700 900456",
        "email": "grace@example.com",
    }
    return permissions.Representative(**(values | overrides))


def terms(**overrides) -> permissions.Terms:
    values = {
        "areas": frozenset({ServiceArea.COUNCIL_TAX.value}),
        "may_act": True,
        "expires_on": None,
        "matter": None,
        "check": RepresentativeCheck.PASSCODE,
    }
    return permissions.Terms(**(values | overrides))


def evidence(**overrides) -> permissions.WrittenEvidence:
    values = {
        "kind": PermissionKind.LPA_PROPERTY_FINANCIAL,
        "reference": "7000-1234-5678",
        "starts_on": date(2024, 5, 1),
        "lpa_access_code": "V-ABCD-1234-EFGH",
    }
    return permissions.WrittenEvidence(**(values | overrides))


CONFIRMED = permissions.Safeguarding(True, True, True)


# What a supervisor types on the form for the permission above.
FORM = {
    "holder_name": "Grace Okafor",
    "holder_relationship": "child",
    "holder_phone": "07700 900456",
    "holder_email": "grace@example.com",
    "kind": "lpa-property-financial",
    "evidence_reference": "7000-1234-5678",
    "lpa_access_code": "V-ABCD-1234-EFGH",
    "starts_on": ["1", "5", "2024"],
    "expires_on": ["", "", ""],
    "areas": ["council-tax"],
    "may_act": "may-act",
    "matter": "",
    "check": "passcode",
    "safeguarding": ["given-freely", "nobody-pressing", "understands"],
}
