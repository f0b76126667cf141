"""Plain values for the rules' tests: no app, no database."""

from datetime import date

from app.rules.permissions import PermissionFacts
from app.rules.vocabulary import PermissionKind


def permission_facts(**overrides) -> PermissionFacts:
    """An active written permission for all areas, started long ago, as the rules see it.

    (`tests.factories.make_permission` records a real one in the database instead.)
    """
    values = {
        "id": 7,
        "holder_name": "Jane Smith",
        "kind": PermissionKind.WRITTEN,
        "areas": None,
        "may_act": True,
        "starts_on": date(2025, 11, 25),
        "expires_on": None,
        "revoked_at": None,
        "matter_closed": False,
    }
    return PermissionFacts(**(values | overrides))
