"""Fixtures for the portal's tests."""

import pytest

from tests.portal.helpers import portal_sign_in


@pytest.fixture
def resident_client(client, resident):
    """A client signed in to the portal as the resident."""
    return portal_sign_in(client, resident)
